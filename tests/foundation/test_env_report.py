"""The environment report (install.sh's default job until tracking replaced it) states the facts."""
import os
import subprocess
import sys

import torch

from prroi_pool.backend import load_extension


def test_report_lines(tmp_path):
    env = dict(os.environ, LTR_SETTINGS_FILE=str(tmp_path / "l.py"),
               PYTRACKING_SETTINGS_FILE=str(tmp_path / "p.py"),
               LTR_LASOT_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "ltr.admin.env_report"], capture_output=True,
                         text=True, check=True, env=env).stdout
    assert f"torch            {torch.__version__}" in out
    cuda_line = next(line for line in out.splitlines() if line.startswith("CUDA"))
    assert ("not available" in cuda_line) == (not torch.cuda.is_available())
    prroi_line = next(line for line in out.splitlines() if line.startswith("PrRoIPool"))
    assert ("NOT BUILT" in prroi_line) == (load_extension("cpu") is None)
    assert str(tmp_path / "l.py") in out and str(tmp_path / "p.py") in out
    set_line = out.split("ltr        settings")[1].splitlines()[1]
    assert "lasot_dir" in set_line  # set through LTR_LASOT_DIR
