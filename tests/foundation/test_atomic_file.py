"""One atomic-write helper (issue 18, items 4-5): every writer gives its files the permissions the
umask asks for, a write killed with SIGKILL leaves only a hidden temporary file that no reader takes
for a checkpoint or a result, and the next start removes it."""
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ltr.admin import atomic_file
from ltr.admin.atomic_file import atomic_open, is_temporary, remove_orphans, write_atomic

REPO = Path(__file__).resolve().parents[2]


class _Loader(list):
    name, training, epoch_interval, stack_dim = "train", True, 1, 0


def make_trainer():
    """A one-batch linear-regression trainer writing into the test's workspace."""
    import torch

    from ltr.actors.base_actor import BaseActor
    from ltr.admin.settings import Settings
    from ltr.trainers import LTRTrainer
    from pytracking.libs import TensorDict

    class Actor(BaseActor):
        def __call__(self, data):
            loss = self.objective(self.net(data["train_images"]), data["target"])
            return loss, {"Loss/total": loss.item()}

    settings = Settings()
    settings.project_path, settings.use_gpu = "ltr/test/atomic", False
    torch.manual_seed(0)
    net = torch.nn.Linear(2, 1)
    x = torch.randn(4, 2)
    loader = _Loader([TensorDict(train_images=x, target=x.sum(1, keepdim=True))])
    return LTRTrainer(Actor(net, torch.nn.MSELoss()), [loader],
                      torch.optim.SGD(net.parameters(), lr=0.1), settings)


@pytest.fixture
def umask():
    """Set a umask for the test and restore the previous one."""
    previous = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _writers(tmp_path):
    """Each of the project's file writers, writing one file under tmp_path; returns its path."""
    from pytracking.analysis.cache import save_entry
    from pytracking.evaluation.results import write_sequence_result
    from pytracking.util_scripts.packing import write_zip_atomic
    from pytracking.utils import visdom_assets

    def settings_file():
        from ltr.admin.environment import create_default_local_file
        assert create_default_local_file()
        return tmp_path / "settings" / "local.py"

    return {
        "result": lambda: write_sequence_result(tmp_path / "results", "seq", np.ones((2, 4))),
        "zip": lambda: write_zip_atomic(tmp_path / "packed" / "r.zip", {"a.txt": "1\n"}),
        "cache": lambda: (save_entry(tmp_path / "cache" / "c.npz", "fp", {"x": np.zeros(2)}),
                          tmp_path / "cache" / "c.npz")[1],
        "visdom page": lambda: visdom_assets.write_atomic(tmp_path / "static" / "index.html", b"<html>"),
        "settings": settings_file,
    }


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_every_writer_follows_the_umask(tmp_path, umask, mask, monkeypatch):
    umask(mask)
    monkeypatch.setenv("LTR_SETTINGS_FILE", str(tmp_path / "settings" / "local.py"))
    for name, write in _writers(tmp_path).items():
        path = write()
        assert _mode(path) == 0o666 & ~mask, name
    trainer = make_trainer()  # trainer checkpoints go through the same helper
    trainer.epoch = 1
    assert _mode(trainer.save_checkpoint()) == 0o666 & ~mask


def test_one_implementation_of_atomic_writes():
    """No other module creates temporary files for atomic writes, renames them into place, or
    writes a file with a plain open() (the synthetic-data writer fills a hidden folder that is
    renamed into place as a whole)."""
    offenders = []
    for path in list((REPO / "ltr").rglob("*.py")) + list((REPO / "pytracking").rglob("*.py")):
        if path.name == "atomic_file.py" or "synthetic" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"mkstemp\(|os\.replace\(|NamedTemporaryFile\(|\bopen\([^)]*[\"']wb?[\"']", text):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_overwrite_false_keeps_an_existing_file(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("first")
    with pytest.raises(FileExistsError):
        write_atomic(target, "second", overwrite=False)
    assert target.read_text() == "first" and os.listdir(tmp_path) == ["f.txt"]


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "f.txt"
    with pytest.raises(RuntimeError):
        with atomic_open(target) as f:
            f.write("partial")
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


KILLED_WRITER = """
import os, signal, sys
from ltr.admin.atomic_file import atomic_open
with atomic_open(sys.argv[1], "wb") as f:
    f.write(b"x" * 100000)
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _killed_write(target):
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)], cwd=REPO,
                          capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    orphans = [p for p in target.parent.iterdir() if is_temporary(p)]
    assert len(orphans) == 1 and orphans[0].stat().st_size == 100000
    return orphans[0]


def test_sigkilled_checkpoint_write_is_never_loaded_and_cleaned_at_next_start(tmp_path):
    trainer = make_trainer()
    trainer.train(1)
    run_dir = Path(trainer._run_checkpoint_dir())
    orphan = _killed_write(run_dir / "Linear_ep0002.pth.tar")
    from ltr.admin.loading import find_checkpoint
    assert find_checkpoint(run_dir).name == "Linear_ep0001.pth.tar"
    resumed = make_trainer()
    assert resumed.load_checkpoint() and resumed.epoch == 1
    resumed.train(2, load_latest=True)
    assert not orphan.exists()
    assert sorted(os.listdir(run_dir)) == ["Linear_ep0001.pth.tar", "Linear_ep0002.pth.tar"]


def test_sigkilled_result_write_is_never_read_and_cleaned_at_next_run(tmp_path):
    from pytracking.evaluation.results import read_sequence_result
    results = tmp_path / "results"
    results.mkdir()
    orphan = _killed_write(results / "seq.txt")
    with pytest.raises(Exception, match="seq.txt"):
        read_sequence_result(results, "seq")
    assert remove_orphans(results) == [orphan] and os.listdir(results) == []


def test_a_running_writers_temporary_file_is_kept(tmp_path):
    with atomic_open(tmp_path / "f.txt") as f:
        f.write("in progress")
        assert remove_orphans(tmp_path) == []
        assert len(os.listdir(tmp_path)) == 1
    assert os.listdir(tmp_path) == ["f.txt"]
    assert atomic_file.default_file_mode() == 0o666 & ~atomic_file.current_umask()
