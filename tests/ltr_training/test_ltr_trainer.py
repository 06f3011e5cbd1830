"""LTRTrainer/BaseTrainer on a tiny synthetic regression problem: learning, eval loaders,
checkpoints (atomic, resumable), fail-safe restarts."""
import glob
import logging
import os

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ltr.actors.base_actor import BaseActor
from ltr.admin import loading
from ltr.admin.model_constructor import model_constructor
from ltr.admin.multigpu import MultiGPU
from ltr.admin.settings import Settings
from ltr.trainers import LTRTrainer
from pytracking.libs import TensorDict

TRUE_W = torch.tensor([[2.0, -3.0]])
TRUE_B = 0.5


@model_constructor
def linear_net(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Linear(2, 1)


class ListLoader:
    """Minimal loader: fixed list of batches and the attributes the trainer reads."""

    def __init__(self, name, batches, training=True, epoch_interval=1, stack_dim=0):
        self.name, self.batches, self.training = name, batches, training
        self.epoch_interval, self.stack_dim = epoch_interval, stack_dim

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        return iter(self.batches)


def make_batches(n, seed, batch_size=8):
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(n):
        x = torch.randn(batch_size, 2, generator=g)
        batches.append(TensorDict(train_images=x, target=x @ TRUE_W.T + TRUE_B))
    return batches


class RegressionActor(BaseActor):
    """MSE regression; records (epoch, net.training, grad enabled) and can fail on demand."""

    def __init__(self, net, fail_at=None, error=RuntimeError, fail_times=1):
        super().__init__(net, torch.nn.MSELoss())
        self.log, self.fail_at, self.error, self.fail_times = [], fail_at, error, fail_times

    def __call__(self, data):
        epoch = data["epoch"]
        self.log.append((epoch, self.net.training, torch.is_grad_enabled()))
        if epoch == self.fail_at and self.fail_times > 0:
            self.fail_times -= 1
            raise self.error("simulated failure")
        loss = self.objective(self.net(data["train_images"]), data["target"])
        return loss, {"Loss/total": loss.item()}


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """Point the environment's workspace and tensorboard folders to a temporary folder."""
    def use(name):
        monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / name))
        monkeypatch.setenv("LTR_TENSORBOARD_DIR", str(tmp_path / name / "tb"))
        return tmp_path / name
    return use


def make_trainer(seed=0, val=False, sgd=False, **actor_kw):
    settings = Settings()
    settings.project_path = "ltr/test/run"
    settings.module_name, settings.script_name = "test", "run"
    settings.use_gpu = False
    settings.print_interval = 2
    net = linear_net(seed=seed)
    actor = RegressionActor(net, **actor_kw)
    loaders = [ListLoader("train", make_batches(4, seed=1))]
    if val:
        loaders.append(ListLoader("val", make_batches(2, seed=2), training=False, epoch_interval=2))
    if sgd:
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    else:
        optimizer = torch.optim.Adam(net.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return LTRTrainer(actor, loaders, optimizer, settings, scheduler)


def test_training_reduces_loss_and_evaluates(workspace):
    ws = workspace("a")
    trainer = make_trainer(val=True, sgd=True)
    trainer.train(5)
    history = trainer.stats["train"]["Loss/total"].history
    assert len(history) == 5
    assert all(b < a for a, b in zip(history, history[1:]))
    assert history[-1] < 0.05 * history[0]
    # val loader runs every 2nd epoch, in eval mode without gradients
    assert len(trainer.stats["val"]["Loss/total"].history) == 2
    val_calls = [entry for entry in trainer.actor.log if entry[0] % 2 == 0 and entry[1] is False]
    assert len(val_calls) == 2 * 2 and all(grad is False for _, _, grad in val_calls)
    train_calls = [entry for entry in trainer.actor.log if entry[1] is True]
    assert len(train_calls) == 5 * 4 and all(grad for _, _, grad in train_calls)
    # learning rate of every epoch: StepLR(step 2, gamma 0.5) from 0.1
    lrs = trainer.stats["train"]["LearningRate/group0"].history
    assert lrs == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    files = sorted(os.listdir(ws / "checkpoints" / "ltr" / "test" / "run"))
    assert files == [f"Linear_ep{e:04d}.pth.tar" for e in range(1, 6)]
    assert glob.glob(str(ws / "tb" / "ltr" / "test" / "run" / "info" / "events.out.tfevents.*"))
    events = EventAccumulator(str(ws / "tb" / "ltr" / "test" / "run" / "train"))
    events.Reload()
    losses = events.Scalars("Loss/total")
    assert [e.step for e in losses] == [1, 2, 3, 4, 5]
    assert [e.value for e in losses] == pytest.approx(history, rel=1e-6)
    assert [e.value for e in events.Scalars("LearningRate/group0")] == pytest.approx(lrs)
    val_events = EventAccumulator(str(ws / "tb" / "ltr" / "test" / "run" / "val"))
    val_events.Reload()
    assert [e.step for e in val_events.Scalars("Loss/total")] == [2, 4]
    # every training iteration: its loss (4 equal batches per epoch average to the epoch's
    # value), the learning rate it used and its samples/s; nothing per iteration for val
    it_losses = events.Scalars("Iteration/Loss/total")
    assert [e.step for e in it_losses] == list(range(1, 21))
    per_epoch = [sum(e.value for e in it_losses[4 * k:4 * k + 4]) / 4 for k in range(5)]
    assert per_epoch == pytest.approx(history, rel=1e-5)
    it_lrs = [e.value for e in events.Scalars("Iteration/LearningRate/group0")]
    assert it_lrs == pytest.approx([0.1] * 8 + [0.05] * 8 + [0.025] * 4)
    speeds = events.Scalars("Iteration/samples_per_second")
    assert len(speeds) == 20 and all(e.value > 0 for e in speeds)
    assert not any(tag.startswith("Iteration/") for tag in val_events.Tags()["scalars"])


def test_checkpoint_contents_and_load_network(workspace):
    ws = workspace("a")
    trainer = make_trainer()
    trainer.train(1)
    path = ws / "checkpoints" / "ltr" / "test" / "run" / "Linear_ep0001.pth.tar"
    state = loading.torch_load_legacy(path)
    assert set(state) == {"epoch", "actor_type", "net_type", "net", "net_info", "constructor",
                          "optimizer", "lr_scheduler", "stats", "settings", "rng_state"}
    assert (state["epoch"], state["actor_type"], state["net_type"]) == (1, "RegressionActor", "Linear")
    assert state["settings"].project_path == "ltr/test/run"
    net, _ = loading.load_network(path)
    x = torch.randn(3, 2)
    with torch.no_grad():
        assert torch.equal(net(x), trainer.actor.net(x))


def _state(trainer):
    return ({k: v.clone() for k, v in trainer.actor.net.state_dict().items()},
            trainer.optimizer.state_dict(), trainer.lr_scheduler.state_dict())


def _assert_same_run(a, b):
    assert a.epoch == b.epoch
    net_a, opt_a, sched_a = _state(a)
    net_b, opt_b, sched_b = _state(b)
    for key in net_a:
        assert torch.allclose(net_a[key], net_b[key], atol=1e-7), key
    for key in ("exp_avg", "exp_avg_sq", "step"):
        for pa, pb in zip(opt_a["state"].values(), opt_b["state"].values()):
            assert torch.allclose(torch.as_tensor(pa[key]), torch.as_tensor(pb[key])), key
    assert opt_a["param_groups"][0]["lr"] == pytest.approx(opt_b["param_groups"][0]["lr"])
    assert sched_a["last_epoch"] == sched_b["last_epoch"]
    history_a = a.stats["train"]["Loss/total"].history
    assert history_a == pytest.approx(b.stats["train"]["Loss/total"].history)


def test_resume_with_load_latest_equals_uninterrupted_run(workspace):
    workspace("full")
    full = make_trainer()
    full.train(4)
    assert full.lr_scheduler.last_epoch == 4
    assert full.optimizer.param_groups[0]["lr"] == pytest.approx(0.05 * 0.25)

    workspace("resumed")
    first = make_trainer()
    first.train(2)
    second = make_trainer(seed=7)  # different initial weights and fresh optimizer/scheduler
    second.train(4, load_latest=True)
    _assert_same_run(full, second)
    assert [entry[0] for entry in second.actor.log] == [3] * 4 + [4] * 4


def test_load_checkpoint_variants(workspace):
    workspace("a")
    trainer = make_trainer()
    trainer.train(3)
    other = make_trainer(seed=5)
    assert other.load_checkpoint(2) is True
    assert other.epoch == 2 and other.lr_scheduler.last_epoch == 2
    only_net = make_trainer(seed=5)
    only_net.load_checkpoint(trainer.checkpoint_path(3), fields=["net"])
    assert only_net.epoch == 0
    assert torch.equal(only_net.actor.net.weight, trainer.actor.net.weight)
    with pytest.raises(FileNotFoundError, match="epoch 9"):
        other.load_checkpoint(9)


def test_load_latest_without_checkpoints_starts_fresh(workspace):
    workspace("empty")
    trainer = make_trainer()
    assert trainer.load_checkpoint() is False
    trainer.train(1, load_latest=True)
    assert trainer.epoch == 1


def test_original_checkpoint_without_scheduler_state_sets_last_epoch(workspace):
    workspace("a")
    trainer = make_trainer()
    trainer.train(2)
    path = trainer.checkpoint_path(2)
    state = torch.load(path, weights_only=False)
    del state["lr_scheduler"]
    torch.save(state, path)
    other = make_trainer(seed=3)
    other.load_checkpoint()
    assert other.epoch == 2 and other.lr_scheduler.last_epoch == 2


def test_network_type_mismatch_is_an_error(workspace):
    workspace("a")
    trainer = make_trainer()
    trainer.train(1)
    path = trainer.checkpoint_path(1)
    state = torch.load(path, weights_only=False)
    state["net_type"] = "ATOMnet"
    torch.save(state, path)
    with pytest.raises(ValueError, match="ATOMnet"):
        make_trainer().load_checkpoint(str(path))


def test_atomic_checkpoint_write(workspace, monkeypatch):
    ws = workspace("a")
    trainer = make_trainer()
    trainer.train(1)
    folder = ws / "checkpoints" / "ltr" / "test" / "run"
    path = folder / "Linear_ep0001.pth.tar"
    before = path.read_bytes()
    saved_weight = trainer.actor.net.weight.detach().clone()

    real_save = torch.save

    def crashing_save(obj, f, *args, **kwargs):
        f.write(b"partial checkpoint bytes")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(torch, "save", crashing_save)
    with torch.no_grad():
        trainer.actor.net.weight.add_(1.0)
    with pytest.raises(OSError, match="disk full"):
        trainer.save_checkpoint()  # overwrite of epoch 1 fails
    trainer.epoch = 2
    with pytest.raises(OSError, match="disk full"):
        trainer.save_checkpoint()  # new epoch 2 fails
    monkeypatch.setattr(torch, "save", real_save)

    assert sorted(os.listdir(folder)) == ["Linear_ep0001.pth.tar"]
    assert path.read_bytes() == before
    assert torch.equal(loading.torch_load_legacy(path)["net"]["weight"], saved_weight)


def test_fail_safe_restarts_after_exception(workspace):
    workspace("full")
    full = make_trainer()
    full.train(4)
    workspace("crash")
    crashing = make_trainer(fail_at=3, error=RuntimeError)
    crashing.train(4)
    _assert_same_run(full, crashing)
    epochs = [entry[0] for entry in crashing.actor.log]
    assert epochs == [1] * 4 + [2] * 4 + [3] + [3] * 4 + [4] * 4  # one failed call, then epoch 3 again


def test_fail_safe_does_not_catch_keyboard_interrupt(workspace):
    ws = workspace("kb")
    trainer = make_trainer(fail_at=2, error=KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        trainer.train(4)
    assert [entry[0] for entry in trainer.actor.log] == [1] * 4 + [2]
    assert os.listdir(ws / "checkpoints" / "ltr" / "test" / "run") == ["Linear_ep0001.pth.tar"]


def test_no_restart_without_fail_safe_and_retries_are_capped(workspace):
    workspace("a")
    trainer = make_trainer(fail_at=1, error=RuntimeError)
    with pytest.raises(RuntimeError, match="simulated"):
        trainer.train(2, fail_safe=False)
    assert len(trainer.actor.log) == 1

    workspace("b")
    trainer = make_trainer(fail_at=2, error=RuntimeError, fail_times=100)
    trainer.settings.max_restarts = 2
    with pytest.raises(RuntimeError, match="simulated"):
        trainer.train(3)
    assert [entry[0] for entry in trainer.actor.log] == [1] * 4 + [2, 2, 2]


def test_bad_print_interval_is_rejected():
    trainer = make_trainer()
    with pytest.raises(ValueError, match="print_interval"):
        trainer.settings.print_interval = 0  # checked when set
    object.__setattr__(trainer.settings, "print_interval", 0)  # and again by the trainer
    with pytest.raises(ValueError, match="print_interval"):
        LTRTrainer(trainer.actor, trainer.loaders, trainer.optimizer, trainer.settings)


def test_progress_lines_are_logged(caplog):
    trainer = make_trainer()
    with caplog.at_level("INFO", logger="ltr.trainers.ltr_trainer"):
        trainer.train(1)
    messages = [r.getMessage() for r in caplog.records if r.name == "ltr.trainers.ltr_trainer"]
    assert messages[0].startswith("Training settings:") and "project_path" in messages[0]
    lines = messages[1:]
    # print_interval 2 with 4 batches: after batches 2 and 4
    assert [line.split("]")[0] for line in lines] == ["[train: 1, 2 / 4", "[train: 1, 4 / 4"]
    assert all("FPS:" in line and "Loss/total:" in line for line in lines)


def test_progress_lines_are_not_appended_to_the_progress_bar(workspace, terminal_stderr):
    workspace("a")
    with terminal_stderr() as terminal:
        make_trainer().train(1)
    assert "train ep1" in terminal.getvalue()  # the bar was drawn on the terminal
    assert terminal.line_prefixes("[train: 1,") == ["", ""]


def test_data_parallel_net_is_saved_unwrapped(workspace):
    ws = workspace("dp")
    trainer = make_trainer()
    trainer.actor.net = MultiGPU(trainer.actor.net)
    assert trainer.actor.net.constructor.fun_name == "linear_net"  # attribute of the wrapped net
    trainer.train(1)
    folder = ws / "checkpoints" / "ltr" / "test" / "run"
    state = loading.torch_load_legacy(folder / "Linear_ep0001.pth.tar")
    assert state["net_type"] == "Linear" and set(state["net"]) == {"weight", "bias"}


# ---------------------------------------------------------------- trainer checkpoints (item 2)
def test_resume_checkpoint_cannot_redirect_writes(tmp_path, isolated_settings, caplog):
    trainer = make_trainer()
    trainer.train(1)
    path = trainer.checkpoint_path(1)
    state = torch.load(path, weights_only=False)
    outside = tmp_path / "outside"
    state["_checkpoint_dir"] = str(outside)
    state["settings"].env.workspace_dir = str(outside)
    state["actor"] = "replaced"
    torch.save(state, path)

    resumed = make_trainer(seed=4)
    own_dir = resumed._checkpoint_dir
    with caplog.at_level(logging.WARNING, logger="ltr.trainers.base_trainer"):
        resumed.train(2, load_latest=True)
    assert resumed.epoch == 2 and resumed._checkpoint_dir == own_dir
    assert resumed.actor != "replaced"
    assert not outside.exists()
    assert (isolated_settings / "workspace" / "checkpoints" / "ltr" / "test" / "run"
            / "Linear_ep0002.pth.tar").is_file()
    warned = [r.getMessage() for r in caplog.records if "does not own" in r.getMessage()]
    assert len(warned) == 1 and "_checkpoint_dir" in warned[0] and "actor" in warned[0]


def test_resume_fields_are_type_checked(tmp_path):
    trainer = make_trainer()
    trainer.train(1)
    path = trainer.checkpoint_path(1)
    good = torch.load(path, weights_only=False)
    for key, value, problem in (("epoch", "1", "epoch"), ("epoch", -3, "epoch"),
                                ("stats", {"train": ["x"]}, "stats"), ("net", [1, 2], "net")):
        torch.save(dict(good, **{key: value}), path)
        with pytest.raises(TypeError, match=problem) as err:
            make_trainer().load_checkpoint(str(path))
        assert "Linear_ep0001" in str(err.value)
    torch.save(good, path)
    with pytest.raises(ValueError, match="_checkpoint_dir"):
        make_trainer().load_checkpoint(str(path), fields=["_checkpoint_dir"])


class BatchMeanActor(BaseActor):
    """No learning: reports the mean of the batch's ``value`` entries as its statistic."""

    def __init__(self):
        super().__init__(torch.nn.Linear(1, 1), torch.nn.MSELoss())

    def __call__(self, data):
        return torch.zeros(()), {"Value": float(data["value"].mean())}


def test_epoch_statistics_weigh_each_batch_by_its_size(workspace):
    """Batches of 3 and 1 samples with batch means 2 and 6: the epoch average over the 4 samples
    is (3 * 2 + 1 * 6) / 4 = 3 (an unweighted mean of the batches would give 4)."""
    workspace("ws")
    settings = Settings()
    settings.project_path = "ltr/test/stats"
    settings.use_gpu = False
    batches = [TensorDict(train_images=torch.zeros(3, 1), value=torch.tensor([1.0, 2.0, 3.0])),
               TensorDict(train_images=torch.zeros(1, 1), value=torch.tensor([6.0]))]
    actor = BatchMeanActor()
    trainer = LTRTrainer(actor, [ListLoader("val", batches, training=False)],
                         torch.optim.SGD(actor.net.parameters(), lr=0.0), settings)
    trainer.cycle_dataset(trainer.loaders[0])
    assert trainer.stats["val"]["Value"].avg == pytest.approx(3.0)
