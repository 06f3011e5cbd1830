"""run_training: finds the settings module, fills in the Settings, boolean flags, clear errors."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

import ltr.train_settings
from ltr import run_training
from ltr.admin.cli import UnknownNameError, UserError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_train_settings(tmp_path, monkeypatch):
    """A train-settings package 'zz_testmod' with a module 'job' whose run() records its settings."""
    package = tmp_path / "zz_testmod"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "job.py").write_text(textwrap.dedent("""
        import torch
        received = []

        def run(settings):
            settings.batch_size = 4
            received.append((settings, torch.backends.cudnn.benchmark, torch.initial_seed()))
    """))
    (package / "norun.py").write_text("x = 1\n")
    monkeypatch.setattr(ltr.train_settings, "__path__",
                        list(ltr.train_settings.__path__) + [str(tmp_path)])
    for name in list(sys.modules):
        if name.startswith("ltr.train_settings.zz_testmod"):
            monkeypatch.delitem(sys.modules, name)
    previous = torch.backends.cudnn.benchmark
    yield
    torch.backends.cudnn.benchmark = previous


def test_runs_module_with_filled_settings(fake_train_settings, capsys):
    run_training.main(["zz_testmod", "job", "--no-cudnn_benchmark", "--seed", "3"])
    job = sys.modules["ltr.train_settings.zz_testmod.job"]
    settings, cudnn, seed = job.received[0]
    assert (settings.module_name, settings.script_name) == ("zz_testmod", "job")
    assert settings.project_path == "ltr/zz_testmod/job"
    assert settings.batch_size == 4 and settings.seed == 3
    assert cudnn is False and seed == 3
    out = capsys.readouterr().out
    assert "Git commit:" in out and "project_path" in out


def test_cudnn_benchmark_flag_is_a_real_boolean(fake_train_settings):
    run_training.main(["zz_testmod", "job", "--cudnn_benchmark"])
    run_training.main(["zz_testmod", "job"])
    job = sys.modules["ltr.train_settings.zz_testmod.job"]
    assert [cudnn for _, cudnn, _ in job.received] == [True, True]
    with pytest.raises(SystemExit):
        run_training.main(["zz_testmod", "job", "--cudnn_benchmark", "False"])


def test_missing_module_lists_available(fake_train_settings):
    with pytest.raises(UnknownNameError) as info:
        run_training.main(["zz_testmod", "nosuch"])
    message = str(info.value)
    assert "zz_testmod nosuch" in message and "zz_testmod job" in message
    with pytest.raises(UserError, match="no run"):
        run_training.main(["zz_testmod", "norun"])


@pytest.mark.slow
def test_command_line_script_runs_from_repo_root():
    result = subprocess.run([sys.executable, "ltr/run_training.py", "no_such_module", "x"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "No training settings 'no_such_module x'" in result.stderr
