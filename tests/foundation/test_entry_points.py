"""Command lines: every runnable module answers --help; user errors are one message and status 2."""
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from ltr.admin.cli import EXIT_USER_ERROR, call_main

REPO = Path(__file__).resolve().parents[2]
_MAIN_GUARD = re.compile(r"^if __name__ == ['\"]__main__['\"]:", re.MULTILINE)


def runnable_modules() -> list[Path]:
    """Every file of the project that does something when run: a ``__main__`` guard or a
    package's ``__main__.py``. Hidden folders (``.venv``, the benchmarks' ``.cache`` with its own
    venv) and build folders hold other projects' files and are left out."""
    found = []
    for top in ("ltr", "pytracking", "external", "tools", "benchmarks"):
        for path in sorted((REPO / top).rglob("*.py")):
            folders = path.relative_to(REPO).parts[:-1]
            if any(part.startswith(".") or part == "build" for part in folders):
                continue
            if path.name == "__main__.py" or _MAIN_GUARD.search(path.read_text()):
                found.append(path)
    return found


def _module_name(path: Path):
    """``ltr.x.y`` for a file inside the two packages (run with -m), else None (run as a file)."""
    rel = path.relative_to(REPO).with_suffix("")
    if rel.parts[0] not in ("ltr", "pytracking"):
        return None
    parts = rel.parts[:-1] if rel.name == "__main__" else rel.parts
    return ".".join(parts)


def test_the_runnable_modules_are_found():
    names = {p.relative_to(REPO).as_posix() for p in runnable_modules()}
    assert {"pytracking/run_tracker.py", "pytracking/run_video.py", "pytracking/run_analysis.py",
            "ltr/run_training.py", "ltr/admin/environment.py", "ltr/dataset/synthetic/__main__.py",
            "pytracking/evaluation/environment.py", "tools/pins.py",
            "pytracking/util_scripts/pack_got10k_results.py"} <= names
    assert "ltr/admin/cli.py" not in names  # names __main__ only in its docstring


@pytest.mark.filterwarnings("ignore:.*found in sys.modules:RuntimeWarning")
@pytest.mark.parametrize("path", runnable_modules(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_runnable_module_answers_help(path, monkeypatch, capsys):
    module = _module_name(path)
    monkeypatch.setattr(sys, "argv", [str(path), "--help"])
    with pytest.raises(SystemExit) as exit_info:
        if module is not None:
            runpy.run_module(module, run_name="__main__", alter_sys=False)
        else:  # as `python path`: the script's folder comes first on sys.path
            monkeypatch.syspath_prepend(str(path.parent))
            runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert exit_info.value.code in (0, None)
    assert out.startswith("usage:") and len(out.splitlines()) > 3, out


def _lines(text):
    return [line for line in text.splitlines() if line.strip()]


def test_an_unknown_tracker_is_one_line_and_status_2(capsys):
    from pytracking import run_tracker

    assert call_main(run_tracker.main, ["nosuchtracker", "default"]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert _lines(err) == [_lines(err)[0]] and err.startswith("error: Unknown tracker "
                                                              "'nosuchtracker'")
    assert "atom" in err  # the names there are
    # --verbose shows where it happened as well
    assert call_main(run_tracker.main, ["nosuchtracker", "default", "--verbose"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and _lines(err)[-1].startswith("error: Unknown tracker")


@pytest.mark.parametrize("argv, expected", [
    (["atom", "nosuchparam"], "Unknown parameter setting of tracker 'atom' 'nosuchparam'"),
    (["atom", "default", "sample_memroy_size=3"], "pytracking/parameter/atom/default.py"),
    (["atom", "default", "sample_memory_size=abc"], "Cannot set parameter 'sample_memory_size'"),
    (["atom", "default", "--dataset", "synthetic", "--sequence", "NoSuchSequence"],
     "--sequence NoSuchSequence: no such sequence"),
    # a value the parameter class's validate() refuses fails once, before any sequence runs
    (["eco", "default", "--dataset", "synthetic", "search_area_scale=-3"],
     "ECO parameter search_area_scale=-3.0 must be > 0"),
    (["siamfc", "default", "--dataset", "synthetic", "exemplar_sz=600"], "siamfc/default.py"),
])
def test_tracker_user_errors(argv, expected, capsys, tmp_path, monkeypatch):
    from pytracking import run_tracker

    monkeypatch.setenv("PYTRACKING_RESULTS_PATH", str(tmp_path / "results"))
    assert call_main(run_tracker.main, argv) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert len(_lines(err)) == 1 and expected in err and "Traceback" not in err, err
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").rglob("*.txt"))


def test_a_bug_keeps_its_traceback():
    def main(argv):
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        call_main(main, [])


def test_training_lists_every_missing_path_and_the_instant_setting(capsys, tmp_path,
                                                                   monkeypatch):
    from ltr import run_training

    for name in ("LASOT_DIR", "GOT10K_DIR", "TRACKINGNET_DIR", "COCO_DIR",
                 "PRETRAINED_NETWORKS"):
        monkeypatch.setenv(f"LTR_{name}", str(tmp_path / "absent" / name.lower()))
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / "ws"))
    assert call_main(run_training.main, ["bbreg", "atom"]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: 5 path settings needed here are not usable")
    for field in ("lasot_dir", "got10k_dir", "trackingnet_dir", "coco_dir",
                  "pretrained_networks"):
        assert f"'{field}'" in err and f"LTR_{field.upper()}" in err
    assert "python ltr/run_training.py bbreg atom_synthetic" in err and "Traceback" not in err
    assert call_main(run_training.main, ["bbreg", "atm"]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "Did you mean 'bbreg atom'?" in err and len(_lines(err)) == 1


def test_training_help_lists_the_settings_with_examples(capsys):
    from ltr import run_training

    with pytest.raises(SystemExit):
        run_training.main(["--help"])
    out = capsys.readouterr().out
    rows = dict(re.findall(r"^  ((?:bbreg|siam) \w+)\s+(.+)$", out, re.MULTILINE))
    assert set(rows) == set(run_training.available_train_settings())
    assert rows["bbreg atom_synthetic"] == "ATOM's IoU-Net trained in minutes on a CPU"
    assert all(len(text) <= 76 for text in rows.values())
    assert "python ltr/run_training.py bbreg atom_synthetic" in out and "torchrun" in out


@pytest.mark.slow
def test_the_real_entry_point_exits_2_without_traceback():
    proc = subprocess.run([sys.executable, str(REPO / "pytracking" / "run_tracker.py"),
                           "nosuchtracker", "default"], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 2
    assert _lines(proc.stderr) == ["error: Unknown tracker 'nosuchtracker'. Available: "
                                   + proc.stderr.split("Available: ", 1)[1].strip()]
