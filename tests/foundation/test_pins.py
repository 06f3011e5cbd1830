"""tools/pins.py: the install's drift check against constraints.txt, run as install.sh runs it."""
from __future__ import annotations

import configparser
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PINS = REPO / "tools" / "pins.py"
CONSTRAINTS = REPO / "constraints.txt"


def run_pins(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PINS), *args], capture_output=True, text=True, timeout=60)


def pinned_names(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_every_declared_dependency_and_build_tool_is_pinned_exactly():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    declared = cfg["options"]["install_requires"].split() + cfg["options.extras_require"]["all"].split()
    names = {re.split(r"[<>=!~]", d, 1)[0].lower() for d in declared} | {"setuptools", "wheel", "ninja"}
    pins = pinned_names(CONSTRAINTS.read_text())
    assert not names - set(pins), f"not pinned: {sorted(names - set(pins))}"
    # visdom's sdist needs pkg_resources, which setuptools 81 dropped.
    assert int(pins["setuptools"].split(".")[0]) < 81
    assert pins["torch"] == "2.13.0"


def write_pins(path: Path, pins: dict[str, str]) -> Path:
    path.write_text("# test pins\n" + "".join(f"{n}=={v}\n" for n, v in pins.items()))
    return path


def this_environment() -> dict[str, str]:
    found = {}
    for dist in metadata.distributions():
        key = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if key not in ("pip", "pytracking-ltr"):
            found[key] = dist.version
    return found


def test_environment_pinned_as_installed_passes(tmp_path):
    result = run_pins("check", str(write_pins(tmp_path / "c.txt", this_environment())))
    assert result.returncode == 0, result.stderr


def test_version_drift_names_the_package_and_both_versions(tmp_path):
    pins = this_environment()
    pins["numpy"] = "0.0.1"
    result = run_pins("check", str(write_pins(tmp_path / "c.txt", pins)))
    assert result.returncode == 1
    assert f"numpy {metadata.version('numpy')} is installed, the constraints file pins 0.0.1" in result.stderr


def test_unpinned_and_missing_packages_are_named(tmp_path):
    pins = this_environment()
    del pins["numpy"]
    pins["no-such-package"] = "1.0"
    result = run_pins("check", str(write_pins(tmp_path / "c.txt", pins)))
    assert result.returncode == 1
    assert "numpy" in result.stderr and "is installed but not pinned" in result.stderr
    assert "no-such-package is pinned to 1.0 but not installed" in result.stderr


def test_build_tool_check_looks_only_at_build_tools_and_says_how_to_fix(tmp_path):
    pins = {"setuptools": "1.0", "wheel": metadata.version("wheel"), "ninja": metadata.version("ninja")}
    result = run_pins("build-tools", str(write_pins(tmp_path / "c.txt", pins)))
    assert result.returncode == 1
    assert "setuptools" in result.stderr and "pins 1.0" in result.stderr
    assert "pip install -c" in result.stderr
    assert "numpy" not in result.stderr  # unpinned here, but not a build tool


@pytest.mark.parametrize("line", ["numpy>=1.0", "numpy==", "numpy==1.0 extra"])
def test_a_line_that_is_not_an_exact_pin_is_an_error_naming_file_and_line(tmp_path, line):
    path = tmp_path / "c.txt"
    path.write_text(f"# header\nwheel==1.0\n{line}\n")
    result = run_pins("check", str(path))
    assert result.returncode == 1
    assert f"{path}:3:" in result.stderr


def test_pin_installed_adds_torch_and_its_requirements_only(tmp_path):
    pins = this_environment()
    for name in ("torch", "sympy", "numpy"):
        pins.pop(name, None)
    path = write_pins(tmp_path / "c.txt", pins)
    assert run_pins("pin-installed", str(path), "torch").returncode == 0
    added = pinned_names(path.read_text())
    assert added["torch"] == metadata.version("torch") and added["sympy"] == metadata.version("sympy")
    assert "numpy" not in added  # installed, but not a requirement of torch
