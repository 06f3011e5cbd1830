"""Distributed training: launcher detection, and a real 2-process gloo run of ``run_training``.

The 2-process run goes through the same entry point as ``torchrun ... ltr/run_training.py``
(environment variables RANK/WORLD_SIZE/LOCAL_RANK/MASTER_*), with the tiny train-settings module
``ddptiny.linear`` (settings_fixture/). Its result is checked against a single-process replay worked
out here: each rank's data regenerated from its seed (seed + rank), and plain SGD on the two ranks'
batches put together, which is what averaging the gradients over the ranks must give. The synthetic
set of the Siamese instant settings is made once for both ranks, which stay in step afterwards.
"""
import datetime
import os
import socket
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
import torch.multiprocessing as mp

import ltr.train_settings
from ltr.admin import multigpu
from ltr.admin.loading import torch_load_legacy
from ltr.run_training import process_seed

FIXTURE_DIR = Path(__file__).resolve().parent / "settings_fixture"
SEED = 5
WORLD_SIZE = 2


# ------------------------------------------------------------------ launcher detection
def test_no_launcher_variables_means_single_process():
    assert multigpu.launcher_environment({}) is None
    assert multigpu.launcher_environment({"PATH": "/bin"}) is None


def test_launcher_variables_are_read():
    launch = multigpu.launcher_environment({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1"})
    assert (launch.rank, launch.world_size, launch.local_rank) == (3, 4, 1)


@pytest.mark.parametrize("environ, words", [
    ({"RANK": "0", "WORLD_SIZE": "2"}, ["LOCAL_RANK", "missing", "torchrun"]),
    ({"RANK": "x", "WORLD_SIZE": "2", "LOCAL_RANK": "0"}, ["RANK='x'", "not an integer"]),
    ({"RANK": "2", "WORLD_SIZE": "2", "LOCAL_RANK": "0"}, ["RANK=2", "WORLD_SIZE=2"]),
])
def test_bad_launcher_variables_are_clear_errors(environ, words):
    with pytest.raises(ValueError) as info:
        multigpu.launcher_environment(environ)
    for word in words:
        assert word in str(info.value)


def test_process_seeds_differ_per_rank_and_repeat():
    assert [process_seed(7, r) for r in range(3)] == [7, 8, 9]
    unseeded = {process_seed(None, 0) for _ in range(4)}
    assert len(unseeded) > 1  # a fresh random seed per process, not torch's fixed default


def test_single_process_helpers_without_process_group():
    assert not multigpu.is_distributed()
    assert multigpu.get_rank() == 0 and multigpu.get_world_size() == 1
    assert multigpu.is_main_process()
    assert multigpu.all_reduce_sum([1.5, 2.0], torch.device("cpu")) == [1.5, 2.0]
    with pytest.raises(RuntimeError, match="process group"):
        multigpu.wrap_distributed(torch.nn.Linear(2, 1), torch.device("cpu"))


# ------------------------------------------------------------------ 2-process run
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_group(worker, tmp_path, seconds: float, what: str) -> None:
    """Run ``worker(rank, port, tmp)`` in WORLD_SIZE spawned processes; fail after ``seconds``."""
    context = mp.start_processes(worker, args=(_free_port(), str(tmp_path)),
                                 nprocs=WORLD_SIZE, join=False, start_method="spawn")
    deadline = time.monotonic() + seconds
    while not context.join(timeout=5):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail(f"{what} did not finish within {seconds} s")


def _ddp_worker(rank, port, tmp):
    """One process of the group, started as torchrun would start it."""
    tmp = Path(tmp)
    workspace = tmp / f"workspace{rank}"  # separate per rank: shows who wrote what
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(WORLD_SIZE), LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                      LTR_SETTINGS_FILE=str(tmp / f"ltr_local{rank}.py"),
                      LTR_WORKSPACE_DIR=str(workspace),
                      LTR_TENSORBOARD_DIR=str(workspace / "tensorboard"),
                      DDP_TEST_OUT=str(tmp))
    torch.set_num_threads(1)
    ltr.train_settings.__path__.append(str(FIXTURE_DIR))
    from ltr import run_training

    with open(tmp / f"stdout{rank}.txt", "w") as out, open(tmp / f"stderr{rank}.txt", "w") as err:
        sys.stdout, sys.stderr = out, err
        run_training.main(["ddptiny", "linear", "--seed", str(SEED), "--dist_backend", "gloo"])
        sys.stdout.flush()
        sys.stderr.flush()


def _expected_inputs(linear, rank):
    """Rank ``rank``'s batches, regenerated from its seed without any trainer or loader."""
    torch.manual_seed(SEED + rank)
    points = linear.RandomPoints(1)
    num = linear.EPOCHS * linear.BATCHES_PER_EPOCH * linear.BATCH_SIZE
    xs = torch.stack([points[0]["train_images"] for _ in range(num)])
    return list(xs.split(linear.BATCH_SIZE))


def _single_process_replay(linear, initial, inputs_per_rank):
    """SGD on the concatenated batches of both ranks; returns final weights and epoch losses."""
    weight, bias = initial["weight"].clone(), initial["bias"].clone()
    history = []
    steps = linear.BATCHES_PER_EPOCH
    for epoch in range(linear.EPOCHS):
        lr = linear.LR * linear.LR_GAMMA ** epoch
        losses = []
        for i in range(epoch * steps, (epoch + 1) * steps):
            w, b = weight.clone().requires_grad_(), bias.clone().requires_grad_()
            for x in (batches[i] for batches in inputs_per_rank):
                target = (x * linear.TRUE_W).sum(1, keepdim=True) + linear.TRUE_B
                losses.append(float(((x @ w.T + b - target) ** 2).mean().detach()))
            x = torch.cat([batches[i] for batches in inputs_per_rank])
            target = (x * linear.TRUE_W).sum(1, keepdim=True) + linear.TRUE_B
            ((x @ w.T + b - target) ** 2).mean().backward()
            weight, bias = (w - lr * w.grad).detach(), (b - lr * b.grad).detach()
        history.append(sum(losses) / len(losses))
    return {"weight": weight, "bias": bias}, history


@pytest.mark.slow
def test_two_process_gloo_training(tmp_path, monkeypatch):
    _run_group(_ddp_worker, tmp_path, 150, "distributed training")

    results = [torch.load(tmp_path / f"rank{r}.pt") for r in range(WORLD_SIZE)]
    assert all(r["wrapped"] == "DistributedNet" for r in results)

    # identical weights on both ranks
    for key in results[0]["final"]:
        assert torch.equal(results[0]["final"][key], results[1]["final"][key]), key

    # each rank drew its own data, reproducibly from seed + rank
    monkeypatch.setattr(ltr.train_settings, "__path__",
                        list(ltr.train_settings.__path__) + [str(FIXTURE_DIR)])
    from ltr.train_settings.ddptiny import linear

    expected = [_expected_inputs(linear, r) for r in range(WORLD_SIZE)]
    for rank in range(WORLD_SIZE):
        seen = results[rank]["inputs"]
        assert len(seen) == len(expected[rank])
        for got, want in zip(seen, expected[rank]):
            assert torch.equal(got, want)
    assert not torch.equal(results[0]["inputs"][0], results[1]["inputs"][0])

    # gradients were averaged over the ranks: same as SGD on both ranks' batches together,
    # starting from rank 0's initial weights (DDP broadcasts them)
    assert not torch.equal(results[0]["initial"]["weight"], results[1]["initial"]["weight"])
    replay, history = _single_process_replay(linear, results[0]["initial"], expected)
    for key in ("weight", "bias"):
        torch.testing.assert_close(results[0]["final"][key], replay[key], rtol=1e-5, atol=1e-6)
    # epoch statistics are averaged over the ranks, so both ranks keep the same history
    for result in results:
        assert result["loss_history"] == pytest.approx(history, rel=1e-5)

    # only rank 0 wrote checkpoints, tensorboard files and progress output
    run_dir = Path("checkpoints") / "ltr" / "ddptiny" / "linear"
    assert sorted(p.name for p in (tmp_path / "workspace0" / run_dir).iterdir()) == [
        "Linear_ep0001.pth.tar", "Linear_ep0002.pth.tar"]
    checkpoint = torch_load_legacy(tmp_path / "workspace0" / run_dir / "Linear_ep0002.pth.tar")
    assert torch.equal(checkpoint["net"]["weight"], results[0]["final"]["weight"])
    assert (tmp_path / "workspace0" / "tensorboard").is_dir()
    assert not (tmp_path / "workspace1").exists()
    out = [(tmp_path / f"stdout{r}.txt").read_text() for r in range(WORLD_SIZE)]
    err = [(tmp_path / f"stderr{r}.txt").read_text() for r in range(WORLD_SIZE)]
    assert "Git commit:" in out[0] and "[train: 2, 3 / 3]" in err[0]
    assert out[1] == "" and "[train:" not in err[1]


# ------------------------------------------------------------------ synthetic data (Siamese)
def _synthetic_data_worker(rank, port, tmp):
    """One process: the Siamese instant settings' synthetic set, then one more collective."""
    import torch.distributed as dist

    from ltr.train_settings.siam._pair_data import ensure_synthetic_data

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=WORLD_SIZE,
                            timeout=datetime.timedelta(seconds=60))
    settings = SimpleNamespace(env=SimpleNamespace(workspace_dir=tmp), synthetic_sequences=2,
                               synthetic_frames=3, synthetic_seed=0, synthetic_image_size=(64, 48))
    train_dir = ensure_synthetic_data(settings, "siamrpn")
    total = torch.tensor([float(rank + 1)])
    dist.all_reduce(total)  # pairs with the other rank's all_reduce only if no barrier is left over
    torch.save({"train_dir": str(train_dir), "total": float(total)},
               Path(tmp) / f"synthetic{rank}.pt")
    dist.destroy_process_group()


@pytest.mark.slow
def test_synthetic_data_is_shared_and_ranks_stay_in_step(tmp_path):
    _run_group(_synthetic_data_worker, tmp_path, 120, "the synthetic data set-up")
    results = [torch.load(tmp_path / f"synthetic{r}.pt") for r in range(WORLD_SIZE)]
    train_dir = tmp_path / "synthetic" / "siamrpn_got10k_2x3_64x48_seed0" / "train"
    assert [Path(r["train_dir"]) for r in results] == [train_dir] * WORLD_SIZE
    assert len((train_dir / "list.txt").read_text().split()) == 2
    assert [r["total"] for r in results] == [3.0, 3.0]  # 1 + 2: the next collective is in step
