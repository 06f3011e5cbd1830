"""Compare the installed Python environment with the constraints file that pins it.

Used by install.sh (and so by CI on every clean clone); standard library only, so it runs before
anything else is installed.

    python tools/pins.py build-tools CONSTRAINTS   # setuptools, wheel, ninja at their pins?
    python tools/pins.py pin-installed CONSTRAINTS torch  # pin torch and what it brought in
    python tools/pins.py check CONSTRAINTS         # every installed package at its pin, none missing
    python tools/pins.py check CONSTRAINTS torch   # only the named packages

Exit status 0 when the environment agrees, 1 with one line per package that does not.
"""
from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

BUILD_TOOLS = ("setuptools", "wheel", "ninja")
# Present in every venv and not installed by install.sh; the project itself is installed editable.
NOT_PINNED = {"pip", "pytracking-ltr"}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*(?:#.*)?$")


def canonical(name: str) -> str:
    """The normalized form of a distribution name (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def public_version(version: str) -> str:
    """`2.13.0+cpu` -> `2.13.0`: a pin without a local label matches any local label."""
    return version.split("+", 1)[0]


def read_pins(path: Path) -> dict[str, tuple[str, str]]:
    """canonical name -> (name as written, pinned version); rejects lines that are not `name==version`."""
    pins: dict[str, tuple[str, str]] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if match is None:
            raise SystemExit(f"{path}:{number}: expected 'name==version', found {raw!r}")
        name, version = match.groups()
        if canonical(name) in pins:
            raise SystemExit(f"{path}:{number}: {name} is pinned twice")
        pins[canonical(name)] = (name, version)
    return pins


def installed() -> dict[str, tuple[str, str]]:
    """canonical name -> (name, version) of every distribution visible to this interpreter."""
    found: dict[str, tuple[str, str]] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[canonical(name)] = (name, dist.version)
    return found


def requirement_closure(root: str) -> set[str]:
    """Canonical names of the installed distribution `root` and everything it requires, recursively."""
    seen: set[str] = set()
    todo = [canonical(root)]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        try:
            requires = metadata.distribution(key).requires or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(key)
        todo.extend(canonical(re.split(r"[\s;\[<>=!~(]", req, 1)[0]) for req in requires
                    if not re.search(r"\bextra\s*==", req))  # optional extras are not installed
    return seen


def version_matches(installed_version: str, pinned: str) -> bool:
    if "+" in pinned:
        return installed_version == pinned
    return public_version(installed_version) == pinned


def drift(pins: dict[str, tuple[str, str]], present: dict[str, tuple[str, str]],
          only: tuple[str, ...] | None = None) -> list[str]:
    """One message per package whose installed state differs from the pins."""
    problems = []
    names = sorted(set(pins) | set(present)) if only is None else [canonical(n) for n in only]
    for key in names:
        if key in NOT_PINNED:
            continue
        pin, have = pins.get(key), present.get(key)
        if pin is None:
            problems.append(f"{have[0]} {have[1]} is installed but not pinned in the constraints file")
        elif have is None:
            problems.append(f"{pin[0]} is pinned to {pin[1]} but not installed")
        elif not version_matches(have[1], pin[1]):
            problems.append(f"{have[0]} {have[1]} is installed, the constraints file pins {pin[1]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("build-tools", "pin-installed", "check"))
    parser.add_argument("constraints", type=Path, help="the constraints file (name==version lines)")
    parser.add_argument("names", nargs="*",
                        help="check: only these packages; pin-installed: the distribution whose "
                             "requirements to pin (default torch)")
    args = parser.parse_args(argv)
    pins = read_pins(args.constraints)
    present = installed()

    if args.command == "pin-installed":
        closure = requirement_closure(args.names[0] if args.names else "torch")
        missing = sorted(k for k in closure if k in present and k not in pins and k not in NOT_PINNED)
        with args.constraints.open("a") as handle:
            for key in missing:
                handle.write(f"{present[key][0]}=={present[key][1]}\n")
        return 0

    only = BUILD_TOOLS if args.command == "build-tools" else (tuple(args.names) or None)
    problems = drift(pins, present, only)
    for problem in problems:
        print(f"pins: {problem}", file=sys.stderr)
    if problems and args.command == "build-tools":
        print(f"pins: the build tools must match {args.constraints} before any sdist is built: run\n"
              f"  {sys.executable} -m pip install -c {args.constraints} {' '.join(BUILD_TOOLS)}\n"
              f"or remove .venv and run install.sh again.", file=sys.stderr)
    elif problems:
        print(f"pins: the environment has drifted from {args.constraints}: remove .venv and run "
              f"install.sh again, or, for a deliberate upgrade, run tools/update_constraints.sh.",
              file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
