"""bbreg/atom_synthetic: the instant ATOM training on generated GOT-10k videos.

Runs use reduced sizes through the documented hook ``train(settings, InstantConfig)`` (same code
path as ``run``); the command line is checked from the repository root."""
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from ltr.admin.loading import torch_load_legacy
from ltr.models.backbone.resnet import resnet18
from ltr.run_training import make_settings, set_seed
from ltr.train_settings.bbreg import atom_synthetic
from pytracking.libs import TensorDict

REPO = Path(__file__).resolve().parents[2]
SMALL = dict(num_sequences=6, num_val_sequences=2, num_frames=24, image_size=(128, 96),
             output_sz=96, num_workers=0, print_interval=1)


def small_config(**fields) -> atom_synthetic.InstantConfig:
    return dataclasses.replace(atom_synthetic.DEFAULT_CONFIG, **{**SMALL, **fields})


def seeded_settings(script_name="atom_synthetic"):
    settings = make_settings("bbreg", script_name, cudnn_benchmark=False, seed=0)
    set_seed(settings.process_seed)
    return settings


@pytest.mark.slow
def test_loss_goes_down_on_a_short_cpu_run(tmp_path):
    config = small_config(epochs=3, train_iterations=4, val_iterations=1, val_epoch_interval=3,
                          lr_step_size=3)
    settings = seeded_settings()
    trainer = atom_synthetic.train(settings, config)

    history = trainer.stats["train"]["Loss/total"].history
    assert len(history) == 3  # mean loss of each stretch of 4 steps
    assert history[-1] < 0.8 * history[0], history
    assert len(trainer.stats["val"]["Loss/total"].history) == 1  # validated in epoch 3 only
    run_dir = tmp_path / "workspace" / "checkpoints" / "ltr" / "bbreg" / "atom_synthetic"
    assert sorted(p.name for p in run_dir.iterdir()) == [
        f"ATOMnet_ep000{e}.pth.tar" for e in (1, 2, 3)]
    assert settings.batch_size == 8 and settings.output_sz == 96
    assert settings.train_samples_per_epoch == 32 and settings.backbone_pretrained is False


def test_synthetic_data_is_generated_once_under_the_workspace(tmp_path):
    config = small_config(num_sequences=3, num_val_sequences=1, num_frames=20, image_size=(64, 48))
    workspace = tmp_path / "ws"
    root = atom_synthetic.ensure_synthetic_got10k(workspace, config)
    assert root == workspace / "synthetic_data" / "got10k_seed1_3seq_20f_64x48" / "train"
    names = (root / "list.txt").read_text().split()
    assert len(names) == 3 and all((root / n / "00000020.jpg").is_file() for n in names)
    stamp = (root / "list.txt").stat().st_mtime_ns
    assert atom_synthetic.ensure_synthetic_got10k(workspace, config) == root
    assert (root / "list.txt").stat().st_mtime_ns == stamp  # reused, not rewritten
    leftovers = [p.name for p in root.parent.iterdir() if p.name != "train"]
    assert leftovers == []  # no temporary folders
    other = atom_synthetic.synthetic_got10k_root(workspace,
                                                 dataclasses.replace(config, data_seed=2))
    assert other != root


def test_backbone_is_pretrained_only_when_the_weight_file_exists(tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_PRETRAINED_NETWORKS", str(tmp_path))
    assert atom_synthetic.backbone_weights_available() is False
    torch.save(resnet18().state_dict(), tmp_path / "resnet18-f37072fd.pth")
    assert atom_synthetic.backbone_weights_available() is True


@pytest.mark.parametrize("fields, words", [
    (dict(num_val_sequences=6), ["num_val_sequences (6)", "num_sequences (6)"]),
    (dict(batch_size=0), ["bbreg atom_synthetic", "batch_size", "positive integer"]),
    (dict(lr_step_size=0), ["lr_step_size"]),
])
def test_bad_config_is_a_clear_error(fields, words):
    with pytest.raises(ValueError) as info:
        atom_synthetic.build_trainer(seeded_settings(), small_config(**fields))
    for word in words:
        assert word in str(info.value)


@pytest.mark.slow
def test_command_line_from_repo_root_prints_settings_and_commit(tmp_path):
    """The real command with the default configuration; the run's last checkpoint already exists,
    so it loads it and ends without training (keeps the test short)."""
    settings = seeded_settings()
    trainer = atom_synthetic.build_trainer(settings)
    trainer.epoch = atom_synthetic.DEFAULT_CONFIG.epochs
    trainer.save_checkpoint()

    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "ltr/run_training.py", "bbreg", "atom_synthetic",
                             "--seed", "3"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    assert "Training: bbreg atom_synthetic" in result.stdout
    assert f"Git commit: {commit}" in result.stdout
    assert "project_path" in result.stdout and "'ltr/bbreg/atom_synthetic'" in result.stdout
    # the resolved settings, after the settings module filled them in, are logged by the trainer
    assert "batch_size" in result.stderr and "train_samples_per_epoch" in result.stderr
    assert "ATOMnet_ep0005.pth.tar (epoch 5)" in result.stderr
    assert "Finished training at epoch 5" in result.stderr


def test_checkpoint_of_the_instant_run_loads_weights_only(tmp_path):
    settings = seeded_settings()
    trainer = atom_synthetic.build_trainer(settings, small_config())
    trainer.epoch = 1
    path = trainer.save_checkpoint()
    state = torch_load_legacy(path)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask  # readable like any saved file
    assert state["settings"].instant_config["output_sz"] == 96
    assert state["net_type"] == "ATOMnet" and state["epoch"] == 1


class _IoUEcho(torch.nn.Module):
    """Predicts ``a * true IoU + b`` of each proposal (it reads the true IoU from a side table)."""

    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = a, b
        self.table = {}

    def forward(self, train_images, test_images, train_anno, test_proposals):
        return self.a * self.table[id(test_proposals)] + self.b


def _batches(net, n=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        proposals = torch.rand(1, 2, 16, 4, generator=g)
        iou = torch.rand(1, 2, 16, generator=g)
        net.table[id(proposals)] = iou
        out.append(TensorDict(train_images=torch.zeros(1, 2, 3, 8, 8),
                              test_images=torch.zeros(1, 2, 3, 8, 8),
                              train_anno=torch.zeros(1, 2, 4), test_proposals=proposals,
                              proposal_iou=iou))
    return out


def test_heldout_iou_correlation():
    from ltr.train_settings.bbreg._heldout import iou_prediction_correlation, pearson

    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert pearson(x, 3 * x - 1) == pytest.approx(1.0)
    assert pearson(x, -x) == pytest.approx(-1.0)
    assert pearson(x, [1.0, 0.0, 0.0, 1.0]) == pytest.approx(0.0)
    assert np.isnan(pearson(x, np.full(4, 0.6)))  # a constant prediction: undefined
    assert pearson([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]) == pytest.approx(0.5, abs=1e-12)  # 1/sqrt(2*2)
    net = _IoUEcho(0.5, 0.1)
    net.train()
    r, count = iou_prediction_correlation(net, _batches(net))
    assert r == pytest.approx(1.0) and count == 3 * 2 * 16 and net.training  # mode restored
    flat = _IoUEcho(-2.0, 0.0)
    r, _ = iou_prediction_correlation(flat, _batches(flat), max_batches=1)
    assert r == pytest.approx(-1.0)
