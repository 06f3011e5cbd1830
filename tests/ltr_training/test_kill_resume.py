"""Kill-and-resume equals an uninterrupted run (issue 18, item 3): a short seeded training is
SIGKILLed at random points (mid-epoch, and during checkpoint writes) several times, resumed each time
with load_latest, and its final checkpoint is compared bit for bit with an uninterrupted run's."""
import multiprocessing
import os
import random
import signal
import time

import torch

import resume_training
from ltr.admin.loading import torch_load_legacy

RUN = ("checkpoints", "ltr", "test", "resume")


def run_training(workspace, kill_after=None, delay=0.0):
    """Train in a forked process; SIGKILL it ``delay`` seconds after its ``kill_after``-th
    iteration. Returns (exit code, iterations seen)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=resume_training.train, args=(str(workspace), send))
    process.start()
    send.close()
    seen = 0
    try:
        while True:
            assert receive.poll(120), "the training process stopped reporting"
            try:
                receive.recv()
            except EOFError:  # finished
                break
            seen += 1
            if kill_after is not None and seen >= kill_after:
                time.sleep(delay)
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.join(120)
        receive.close()
    return process.exitcode, seen


def final_checkpoint(workspace):
    return torch_load_legacy(workspace.joinpath(*RUN) / f"Sequential_ep{resume_training.EPOCHS:04d}.pth.tar")


def test_sigkilled_and_resumed_training_is_bit_identical(tmp_path):
    # the first Adam of a process imports torch._dynamo (seconds): do it once, before the forks
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    reference = tmp_path / "reference"
    assert run_training(reference) == (0, resume_training.EPOCHS * resume_training.SAMPLES
                                       // resume_training.BATCH)
    killed = tmp_path / "killed"
    choose = random.Random(18)
    kills, resumed_from = 0, []
    while kills < 4:
        folder = killed.joinpath(*RUN)
        resumed_from.append(len(list(folder.glob("*.pth.tar"))) if folder.is_dir() else 0)
        code, _ = run_training(killed, kill_after=choose.randint(2, 7), delay=choose.uniform(0, 0.02))
        if code == 0:
            break
        assert code == -signal.SIGKILL
        kills += 1
    assert kills >= 3 and max(resumed_from) > 0, (kills, resumed_from)
    if kills == 4:
        assert run_training(killed)[0] == 0

    expected, got = final_checkpoint(reference), final_checkpoint(killed)
    for name, value in expected["net"].items():
        assert torch.equal(got["net"][name], value), name
    for index, state in expected["optimizer"]["state"].items():
        for key, value in state.items():
            assert torch.equal(torch.as_tensor(got["optimizer"]["state"][index][key]),
                               torch.as_tensor(value)), (index, key)
    assert got["lr_scheduler"] == expected["lr_scheduler"]
    assert torch.equal(got["rng_state"]["torch"], expected["rng_state"]["torch"])
    assert got["stats"]["train"]["Loss/total"].history == expected["stats"]["train"]["Loss/total"].history
    # no temporary file of a killed checkpoint write is left
    assert sorted(p.name for p in killed.joinpath(*RUN).iterdir()) == \
        [f"Sequential_ep{e:04d}.pth.tar" for e in range(1, resume_training.EPOCHS + 1)]
