"""A bbreg/atom_synthetic training process killed with SIGKILL in its second epoch resumes, with
load_latest, from the end of epoch 1: weights, optimizer and LR scheduler as in the checkpoint."""
import copy
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch

from ltr.admin.loading import torch_load_legacy
from ltr.run_training import make_settings, set_seed
from ltr.train_settings.bbreg import atom_synthetic

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("trainsettings_child.py")
ITERATIONS = 4
LR, GAMMA = 1e-3, 0.2
CONFIG = dataclasses.replace(
    atom_synthetic.DEFAULT_CONFIG, num_sequences=6, num_val_sequences=2, num_frames=24,
    image_size=(128, 96), output_sz=96, num_workers=0, print_interval=1, epochs=2,
    train_iterations=ITERATIONS, val_iterations=1, val_epoch_interval=10, learning_rate=LR,
    lr_step_size=1, lr_gamma=GAMMA)


def _kill_in_second_epoch(run_dir: Path) -> list[str]:
    """Start the training process, SIGKILL it once epoch 2 has done a step; returns its output."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, str(CHILD), json.dumps(dataclasses.asdict(CONFIG))],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    watchdog = threading.Timer(240, proc.kill)
    watchdog.start()
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if f"[train: 2, 1 / {ITERATIONS}]" in line:
                assert (run_dir / "ATOMnet_ep0001.pth.tar").is_file()
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        watchdog.cancel()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, "".join(lines[-30:])
    return lines


@pytest.mark.slow
def test_sigkilled_training_resumes_from_last_completed_epoch(tmp_path):
    run_dir = tmp_path / "workspace" / "checkpoints" / "ltr" / "bbreg" / "atom_synthetic"
    _kill_in_second_epoch(run_dir)
    assert sorted(p.name for p in run_dir.iterdir()) == ["ATOMnet_ep0001.pth.tar"]
    saved = torch_load_legacy(run_dir / "ATOMnet_ep0001.pth.tar")
    saved_mtime = (run_dir / "ATOMnet_ep0001.pth.tar").stat().st_mtime_ns
    assert saved["epoch"] == 1

    # restart: same settings module, same run, load_latest
    settings = make_settings("bbreg", "atom_synthetic", cudnn_benchmark=False, seed=0)
    set_seed(settings.process_seed)
    trainer = atom_synthetic.build_trainer(settings, CONFIG)
    seen = {}
    train_epoch = trainer.train_epoch

    def record_then_train():
        if not seen:  # state at the start of the first epoch after the restart
            seen.update(epoch=trainer.epoch, lr=trainer.optimizer.param_groups[0]["lr"],
                        optimizer=copy.deepcopy(trainer.optimizer.state_dict()),
                        scheduler=trainer.lr_scheduler.state_dict(),
                        net={k: v.clone() for k, v in trainer.actor.net.state_dict().items()})
        train_epoch()

    trainer.train_epoch = record_then_train
    trainer.train(CONFIG.epochs, load_latest=True, fail_safe=False)

    assert seen["epoch"] == 2
    for key, value in saved["net"].items():
        assert torch.equal(seen["net"][key], value), key
    # Adam: one step per iteration of epoch 1, moments as saved
    state, saved_state = seen["optimizer"]["state"], saved["optimizer"]["state"]
    assert sorted(state) == sorted(saved_state) and len(state) > 0
    for index, param_state in state.items():
        assert float(param_state["step"]) == ITERATIONS
        for name in ("exp_avg", "exp_avg_sq"):
            assert torch.equal(param_state[name], saved_state[index][name])
    # StepLR(step 1, gamma 0.2) after one epoch
    assert seen["scheduler"]["last_epoch"] == saved["lr_scheduler"]["last_epoch"] == 1
    assert seen["lr"] == pytest.approx(LR * GAMMA)

    final = torch_load_legacy(run_dir / "ATOMnet_ep0002.pth.tar")
    assert final["epoch"] == 2
    assert all(float(s["step"]) == 2 * ITERATIONS for s in final["optimizer"]["state"].values())
    assert final["lr_scheduler"]["last_epoch"] == 2
    assert (run_dir / "ATOMnet_ep0001.pth.tar").stat().st_mtime_ns == saved_mtime
