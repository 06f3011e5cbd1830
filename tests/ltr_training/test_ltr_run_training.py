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
    with pytest.raises(UserError, match="not key=value"):  # not a value of the flag
        run_training.main(["zz_testmod", "job", "--cudnn_benchmark", "False"])


def test_key_value_overrides_win_over_the_module(fake_train_settings):
    run_training.main(["zz_testmod", "job", "batch_size=2", "--seed", "1", "num_epochs=3",
                       "description=a demo", "scale=(0.5, 2)"])
    settings = sys.modules["ltr.train_settings.zz_testmod.job"].received[0][0]
    assert settings.batch_size == 2  # the module set 4: the command line wins
    assert settings.num_epochs == 3 and settings.description == "a demo"
    assert settings.scale == (0.5, 2) and settings.seed == 1
    with pytest.raises(UnknownNameError, match="num_epochs, scale"):
        settings.check_overrides()  # the module itself never set these two
    settings.num_epochs, settings.scale = 10, None  # ... now it does: the overrides stay
    settings.check_overrides()
    assert settings.num_epochs == 3 and settings.scale == (0.5, 2)
    assert "batch_size=2" not in settings.fields() and "_overrides" not in settings.fields()


def test_a_misspelled_override_is_an_error_when_the_trainer_is_built():
    from ltr.admin.settings import Settings
    from ltr.trainers import LTRTrainer

    settings = Settings()
    settings.module_name, settings.script_name = "bbreg", "demo"
    settings.set_overrides({"batchsize": 2})
    settings.batch_size = 8
    with pytest.raises(UnknownNameError, match="Did you mean 'batch_size' for 'batchsize'"):
        LTRTrainer(actor=None, loaders=[], optimizer=None, settings=settings)
    with pytest.raises(UserError, match="not key=value"):
        run_training.parse_overrides(["epochs"])
    assert run_training.parse_overrides(["a=1", "b=1e-3", "c=True", "d=x y", "e=[1, 2]"]) == {
        "a": 1, "b": 1e-3, "c": True, "d": "x y", "e": [1, 2]}


def test_instant_atom_takes_its_config_from_the_command_line(monkeypatch):
    from ltr.admin.settings import Settings
    from ltr.train_settings.bbreg import atom_synthetic

    used = []
    monkeypatch.setattr(atom_synthetic, "train", lambda settings, config: used.append(config))
    settings = Settings()
    settings.set_overrides({"epochs": 1, "train_iterations": 3, "batch_size": 2})
    atom_synthetic.run(settings)
    assert used == [atom_synthetic.replace(atom_synthetic.DEFAULT_CONFIG, epochs=1,
                                           train_iterations=3, batch_size=2)]
    settings.check_overrides()  # all three were taken


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
