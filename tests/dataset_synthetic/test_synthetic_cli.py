"""The command line: one real `python -m` run, then refusal/overwrite/help through main() in-process
(each extra interpreter start costs seconds of imports on a busy machine)."""
import subprocess
import sys

import numpy as np
import pytest

from ltr.dataset.synthetic.__main__ import main

ARGS = ["--format", "got10k", "--sequences", "2", "--frames", "3", "--width", "64", "--height", "48",
        "--seed", "2", "--split", "val"]


@pytest.mark.slow
def test_cli_writes_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "data"
    args = ARGS + ["--out", str(out)]
    first = subprocess.run([sys.executable, "-m", "ltr.dataset.synthetic", *args], capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    root = out / "val"
    assert str(root) in first.stdout and "GOT-10k_Val_000002" in first.stdout
    assert root.joinpath("list.txt").read_text().splitlines() == ["GOT-10k_Val_000001", "GOT-10k_Val_000002"]
    rows = np.loadtxt(root / "GOT-10k_Val_000001" / "groundtruth.txt", delimiter=",", ndmin=2)
    assert rows.shape == (3, 4)
    before = sorted(p.name for p in (root / "GOT-10k_Val_000001").iterdir())

    assert main(args) != 0
    error = capsys.readouterr().err
    assert "not empty" in error and "--overwrite" in error and str(root) in error
    assert sorted(p.name for p in (root / "GOT-10k_Val_000001").iterdir()) == before

    assert main(args + ["--overwrite"]) == 0
    assert str(root) in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["val"]


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "--overwrite" in text and "got10k" in text


def test_cli_rejects_option_of_other_format(tmp_path, capsys):
    assert main(["--format", "lasot", "--out", str(tmp_path / "x"), "--split", "val"]) != 0
    error = capsys.readouterr().err
    assert "split" in error and "lasot" in error
    assert not (tmp_path / "x").exists()
