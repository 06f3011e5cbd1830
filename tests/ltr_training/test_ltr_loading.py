"""Checkpoint loading with weights_only=True: checkpoints as the original trainer wrote them,
load_network round trip, folder/epoch selection, and rejection of foreign objects."""
import pickle
import sys
import types
from collections import OrderedDict

import pytest
import torch

from ltr.admin import loading
from ltr.admin.model_constructor import NetConstructor, model_constructor
from ltr.admin.settings import EnvironmentRecord, Settings
from ltr.admin.stats import AverageMeter, StatValue


@model_constructor
def tiny_net(hidden=3, scale=1.0):
    """A small network built by a decorated constructor (rebuilt from this test module)."""
    torch.manual_seed(123)  # fixed init so that a wrong weight load is visible
    net = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.BatchNorm1d(hidden),
                              torch.nn.Linear(hidden, 1))
    with torch.no_grad():
        net[2].weight.mul_(scale)
    return net


def trained_tiny_net(**kwds):
    net = tiny_net(**kwds)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn_like(p))
        net[1].running_mean.fill_(0.5)
    return net


def original_checkpoint(net, tmp_path, monkeypatch):
    """A checkpoint dict built exactly like the original project's trainer built it.

    The original pickled its Settings with ``env`` an instance of ``EnvironmentSettings`` from the
    machine's ``ltr/admin/local.py``; a stand-in module of that name provides the class here.
    """
    local = types.ModuleType("ltr.admin.local")

    class EnvironmentSettings:
        def __init__(self):
            self.workspace_dir = str(tmp_path / "ws")
            self.tensorboard_dir = str(tmp_path / "ws" / "tensorboard")
            self.pretrained_networks = str(tmp_path / "pretrained")
            self.lasot_dir = ""

    EnvironmentSettings.__module__ = "ltr.admin.local"
    EnvironmentSettings.__qualname__ = "EnvironmentSettings"
    local.EnvironmentSettings = EnvironmentSettings
    monkeypatch.setitem(sys.modules, "ltr.admin.local", local)
    # The original Settings had no custom pickling: its __dict__ (env object included) was stored.
    monkeypatch.setattr(Settings, "__getstate__", lambda self: dict(self.__dict__))

    settings = Settings()
    settings.env = EnvironmentSettings()
    settings.module_name, settings.script_name = "bbreg", "atom"
    settings.project_path = "ltr/bbreg/atom"
    settings.batch_size = 64
    settings.normalize_mean = [0.485, 0.456, 0.406]
    settings.center_jitter_factor = {"train": 0, "test": 4.5}
    settings.proposal_params = {"min_iou": 0.1, "boxes_per_frame": 16, "sigma_factor": [0.01, 0.05]}
    settings.device = torch.device("cpu")

    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.randn(4, 2)).sum().backward()
    optimizer.step()
    meter = AverageMeter()
    meter.update(0.5, 4)
    meter.update(0.25, 4)
    meter.new_epoch()
    lr = StatValue()
    lr.update(1e-3)
    stats = OrderedDict([("train", OrderedDict([("Loss/total", meter), ("LearningRate/group0", lr)])),
                         ("val", None)])
    return {"epoch": 7, "actor_type": "AtomActor", "net_type": type(net).__name__,
            "net": net.state_dict(), "net_info": None, "constructor": net.constructor,
            "optimizer": optimizer.state_dict(), "stats": stats, "settings": settings}


def test_original_training_checkpoint_loads_weights_only(tmp_path, monkeypatch):
    net = trained_tiny_net(hidden=5)
    state = original_checkpoint(net, tmp_path, monkeypatch)
    path = tmp_path / "Sequential_ep0007.pth.tar"
    torch.save(state, path)
    raw = path.read_bytes()
    assert b"ltr.admin.local" in raw and b"EnvironmentSettings" in raw
    monkeypatch.undo()  # loading must not need the stand-in module
    monkeypatch.delitem(sys.modules, "ltr.admin.local", raising=False)

    with pytest.raises(pickle.UnpicklingError):  # plain weights_only loading refuses the classes
        torch.load(path, weights_only=True)
    loaded = loading.torch_load_legacy(path)
    assert loaded["epoch"] == 7
    constructor = loaded["constructor"]
    assert isinstance(constructor, NetConstructor)
    assert (constructor.fun_name, constructor.kwds) == ("tiny_net", {"hidden": 5})
    settings = loaded["settings"]
    assert isinstance(settings, Settings)
    assert isinstance(settings.env, EnvironmentRecord)
    assert settings.env.workspace_dir == str(tmp_path / "ws")
    assert settings.proposal_params["sigma_factor"] == [0.01, 0.05]
    assert settings.device == torch.device("cpu")
    meter = loaded["stats"]["train"]["Loss/total"]
    assert isinstance(meter, AverageMeter) and meter.history == [0.375] and meter.count == 0
    assert loaded["stats"]["train"]["LearningRate/group0"].history == [1e-3]
    assert loaded["stats"]["val"] is None
    for key, value in net.state_dict().items():
        assert torch.equal(loaded["net"][key], value)
    torch.optim.Adam(net.parameters()).load_state_dict(loaded["optimizer"])


def test_settings_of_this_project_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / "ws"))
    settings = Settings()
    settings.batch_size = 8
    path = tmp_path / "s.pth.tar"
    torch.save({"settings": settings}, path)
    loaded = loading.torch_load_legacy(path)["settings"]
    assert loaded.batch_size == 8
    assert isinstance(loaded.env, EnvironmentRecord)
    assert loaded.env.workspace_dir == str(tmp_path / "ws")
    assert loaded.env.lasot_dir == settings.env.get("lasot_dir")


def test_load_network_round_trip_same_outputs(tmp_path):
    net = trained_tiny_net(hidden=4, scale=2.0).eval()
    path = tmp_path / "tiny.pth.tar"
    torch.save({"net": net.state_dict(), "constructor": net.constructor, "net_type": "Sequential",
                "net_info": {"trained": "yes"}}, path)
    loaded, checkpoint = loading.load_network(path)
    loaded.eval()
    x = torch.randn(6, 2)
    with torch.no_grad():
        assert torch.equal(loaded(x), net(x))
    assert loaded.info == {"trained": "yes"}
    assert loaded.constructor.kwds == {"hidden": 4, "scale": 2.0}
    assert checkpoint["net_type"] == "Sequential"


def test_load_network_kwargs_override_constructor(tmp_path, caplog):
    net = trained_tiny_net(hidden=4, scale=2.0)
    path = tmp_path / "tiny.pth.tar"
    torch.save({"net": net.state_dict(), "constructor": net.constructor}, path)
    loaded, _ = loading.load_network(path, scale=0.0, no_such_argument=1)
    assert loaded.constructor.kwds == {"hidden": 4, "scale": 0.0}
    assert "no_such_argument" in caplog.text
    # A constructor argument that changes shapes must make the weight load fail clearly.
    with pytest.raises(RuntimeError, match="tiny_net"):
        loading.load_network(path, hidden=7)


def test_load_network_picks_latest_or_requested_epoch(tmp_path):
    nets = {}
    for epoch in (2, 10, 9):
        net = trained_tiny_net()
        nets[epoch] = net
        torch.save({"net": net.state_dict(), "constructor": net.constructor, "epoch": epoch},
                   tmp_path / f"Sequential_ep{epoch:04d}.pth.tar")
    (tmp_path / "notes_ep.txt").write_text("not a checkpoint")
    latest, checkpoint = loading.load_network(tmp_path)
    assert checkpoint["epoch"] == 10
    assert torch.equal(latest[0].weight, nets[10][0].weight)
    _, checkpoint = loading.load_network(tmp_path, checkpoint=2)
    assert checkpoint["epoch"] == 2
    with pytest.raises(FileNotFoundError, match="epoch 5"):
        loading.load_network(tmp_path, checkpoint=5)
    with pytest.raises(FileNotFoundError, match="not found"):
        loading.load_network(tmp_path / "missing")


def test_checkpoint_without_constructor_is_an_error(tmp_path):
    torch.save({"net": {}}, tmp_path / "a.pth.tar")
    with pytest.raises(RuntimeError, match="no network constructor"):
        loading.load_network(tmp_path / "a.pth.tar")


class Foreign:
    """A class that is not allowed inside a checkpoint."""

    def __init__(self):
        self.value = 1


def test_foreign_objects_are_rejected(tmp_path):
    torch.save({"net": {}, "payload": Foreign()}, tmp_path / "bad.pth.tar")
    with pytest.raises(pickle.UnpicklingError, match="bad.pth.tar"):
        loading.torch_load_legacy(tmp_path / "bad.pth.tar")


def test_old_package_names_are_accepted(tmp_path, monkeypatch):
    """Checkpoints from before the package rename pickled classes under dlframework.*."""
    module = types.ModuleType("dlframework.common.utils.model_constructor")

    class OldNetConstructor:
        def __init__(self, fun_name, fun_module, args, kwds):
            self.fun_name, self.fun_module, self.args, self.kwds = fun_name, fun_module, args, kwds

    OldNetConstructor.__name__ = OldNetConstructor.__qualname__ = "NetConstructor"
    OldNetConstructor.__module__ = module.__name__
    module.NetConstructor = OldNetConstructor
    for parent in ("dlframework", "dlframework.common", "dlframework.common.utils"):
        monkeypatch.setitem(sys.modules, parent, types.ModuleType(parent))
    monkeypatch.setitem(sys.modules, module.__name__, module)
    net = trained_tiny_net(hidden=2)
    old = OldNetConstructor("tiny_net", "dlframework." + __name__, (), {"hidden": 2})
    torch.save({"net": net.state_dict(), "constructor": old}, tmp_path / "old.pth")
    monkeypatch.undo()
    assert b"dlframework.common.utils.model_constructor" in (tmp_path / "old.pth").read_bytes()
    loaded, _ = loading.load_network(tmp_path / "old.pth")
    assert isinstance(loaded.constructor, NetConstructor)
    assert loaded.constructor.fun_module == __name__
    assert torch.equal(loaded[0].weight, net[0].weight)
