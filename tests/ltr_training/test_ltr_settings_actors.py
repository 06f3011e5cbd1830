"""Training-run Settings (misspelling checks, device choice, report) and the ATOM actor."""
import pytest
import torch

from ltr.actors import AtomActor, BaseActor
from ltr.admin.settings import Settings, default_device
from ltr.admin.stats import AverageMeter, StatValue
from pytracking.libs import TensorDict


def test_settings_defaults_and_free_fields():
    settings = Settings()
    assert settings.use_gpu is True and settings.print_interval == 10
    settings.batch_size = 64
    settings.normalize_mean = [0.485, 0.456, 0.406]
    assert settings.batch_size == 64
    assert "workspace_dir" in settings.env.fields()


def test_settings_rejects_near_miss_of_declared_field():
    settings = Settings()
    with pytest.raises(AttributeError, match="print_interval"):
        settings.print_intervall = 5
    with pytest.raises(AttributeError, match="multi_gpu"):
        settings.multigpu = True
    settings.add_field("multigpu", True)  # explicit escape hatch
    assert settings.multigpu is True


def test_settings_add_fields_with_overrides():
    settings = Settings()
    settings.add_fields({"batch_size": 8, "max_gap": 100}, {"max_gap": 20}, "test settings")
    assert settings.batch_size == 8 and settings.max_gap == 20
    with pytest.raises(ValueError, match=r"Unknown test settings \['batchsize'\]; known: \['batch_size'\]"):
        Settings().add_fields({"batch_size": 8}, {"batchsize": 4}, "test settings")


def test_settings_unknown_read_names_closest_field():
    settings = Settings()
    settings.batch_size = 8
    with pytest.raises(AttributeError, match="batch_size"):
        settings.batchsize
    assert getattr(settings, "not_there", "fallback") == "fallback"


def test_default_device():
    settings = Settings()
    settings.use_gpu = False
    assert default_device(settings) == torch.device("cpu")
    settings.device = "cpu"
    assert default_device(settings) == torch.device("cpu")


def test_settings_report_lists_fields():
    settings = Settings()
    settings.script_name = "atom"
    report = settings.report()
    assert "script_name" in report and "'atom'" in report and "workspace_dir" in report


def test_average_meter_weighted_mean_and_epochs():
    meter = AverageMeter()
    meter.update(1.0, 2)
    meter.update(4.0, 1)
    assert meter.avg == pytest.approx(2.0)  # (1*2 + 4*1) / 3
    meter.new_epoch()
    assert meter.history == [pytest.approx(2.0)] and meter.has_new_data and meter.count == 0
    meter.new_epoch()
    assert meter.history == [pytest.approx(2.0)] and not meter.has_new_data
    value = StatValue()
    value.update(3)
    value.update(5)
    assert value.val == 5 and value.history == [3, 5]


class ProposalEcho(torch.nn.Module):
    """Predicts the x coordinate of each proposal and records its inputs."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.calls = []

    def forward(self, train_imgs, test_imgs, train_bb, test_proposals):
        self.calls.append((train_imgs, test_imgs, train_bb, test_proposals))
        return self.scale * test_proposals[..., 0]


def test_atom_actor_loss_and_stats():
    net = ProposalEcho()
    actor = AtomActor(net=net, objective=torch.nn.MSELoss())
    proposals = torch.zeros(1, 2, 3, 4)
    proposals[..., 0] = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]])
    iou = torch.tensor([[[0.0, 0.5, 1.0], [1.0, 1.0, 1.0]]])
    data = TensorDict(train_images=torch.zeros(1, 2, 3, 8, 8), test_images=torch.ones(1, 2, 3, 8, 8),
                      train_anno=torch.zeros(1, 2, 4), test_proposals=proposals, proposal_iou=iou)
    loss, stats = actor(data)
    # squared errors: 0, 0.25, 1, 4, 9, 16 -> mean 30.25 / 6
    assert loss.item() == pytest.approx(30.25 / 6)
    assert stats == {"Loss/total": pytest.approx(30.25 / 6), "Loss/iou": pytest.approx(30.25 / 6)}
    args = net.calls[0]
    assert args[0] is data["train_images"] and args[1] is data["test_images"]
    assert args[2] is data["train_anno"] and args[3] is data["test_proposals"]
    loss.backward()
    assert net.scale.grad is not None


def test_atom_actor_shape_mismatch_is_an_error():
    actor = AtomActor(net=ProposalEcho(), objective=torch.nn.MSELoss())
    data = TensorDict(train_images=torch.zeros(1), test_images=torch.zeros(1),
                      train_anno=torch.zeros(1), test_proposals=torch.zeros(1, 2, 3, 4),
                      proposal_iou=torch.zeros(1, 2, 4))
    with pytest.raises(ValueError, match="proposal_iou"):
        actor(data)


def test_actor_modes():
    net = torch.nn.BatchNorm1d(2)
    actor = AtomActor(net=net, objective=None)
    actor.eval()
    assert not net.training
    actor.train()
    assert net.training
    actor.train(False)
    assert not net.training
    assert actor.to("cpu") is actor
    with pytest.raises(TypeError):
        BaseActor(net, None)  # abstract
