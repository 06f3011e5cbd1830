"""Checkpoints are data (issue 18, items 1-2): a checkpoint that passes torch.load(weights_only=True)
may only name allow-listed network constructors with plain, correctly typed arguments, and a trainer
resume restores only the trainer's own fields. Every attack below must leave its marker file absent."""
import pickle
import sys

import pytest
import torch

from ltr.admin import loading
from ltr.admin.model_constructor import ConstructorNotAllowed, NetConstructor, registered_constructor
from ltr.admin.settings import Settings
from ltr.admin.stats import AverageMeter
from ltr.models.siam.siamfc import siamfc_alexnet
from pytracking.tracker.siamfc import network as siamfc_network
from pytracking.tracker.siamfc.params import SiamFCParams


def write_checkpoint(path, constructor, net_state=None):
    torch.save({"net": net_state or {}, "constructor": constructor, "net_type": "SiamFCNet"}, path)
    return path


def attacks(marker):
    """(id, NetConstructor) pairs that would create ``marker`` if anything named were called."""
    shell = f"touch {marker}"
    return [
        ("os.system", NetConstructor("system", "os", (shell,), {})),
        ("posix.system", NetConstructor("system", "posix", (shell,), {})),
        ("legacy-prefixed os.system", NetConstructor("system", "dlframework.os", (shell,), {})),
        ("builtins.exec", NetConstructor("exec", "builtins",
                                         (f"open({str(marker)!r}, 'w').close()",), {})),
        ("builtins.eval", NetConstructor("eval", "builtins",
                                         (f"open({str(marker)!r}, 'w')",), {})),
        ("subprocess.call", NetConstructor("call", "subprocess", (["touch", str(marker)],), {})),
        ("subprocess.run", NetConstructor("run", "subprocess", (), {"args": shell, "shell": True})),
        ("importlib.import_module", NetConstructor("import_module", "importlib", ("antigravity",), {})),
        # a project function that is not a constructor (it writes files)
        ("project writer", NetConstructor("write_atomic", "ltr.admin.atomic_file",
                                          (str(marker), "owned"), {})),
        # a project function in a model package that is not decorated
        ("undecorated model-package function",
         NetConstructor("scaled_channels", "ltr.models.siam.siamrpn", ([1, 2], 1.0), {})),
        # a model-package module path with a dotted attribute walk
        ("attribute walk", NetConstructor("os.system", "ltr.models.siam.siamfc", (shell,), {})),
    ]


def attack_params(tmp_path):
    marker = tmp_path / "owned"
    return marker, attacks(marker)


@pytest.mark.parametrize("index", range(11))
def test_load_network_refuses_everything_not_allow_listed(tmp_path, index):
    marker, cases = attack_params(tmp_path)
    label, constructor = cases[index]
    path = write_checkpoint(tmp_path / "evil.pth.tar", constructor)
    modules_before = set(sys.modules)
    with pytest.raises(ConstructorNotAllowed) as err:
        loading.load_network(path)
    message = str(err.value)
    assert "evil.pth.tar" in message and constructor.fun_name in message, label
    assert not marker.exists(), label
    assert "antigravity" not in sys.modules
    # the module the checkpoint names was not imported on its behalf
    assert constructor.fun_module not in set(sys.modules) - modules_before


def test_exploit_through_the_tracker_weight_file(tmp_path, network_folder):
    """The reported attack: a weight file in the network_path folder used by a tracker."""
    marker = tmp_path / "owned"
    write_checkpoint(network_folder / "siamfc_default.pth",
                     NetConstructor("system", "os", (f"touch {marker}",), {}))
    with pytest.raises(ConstructorNotAllowed) as err:
        siamfc_network.get_network(SiamFCParams())
    assert "siamfc_default.pth" in str(err.value) and "'os.system'" in str(err.value)
    assert not marker.exists()


def test_exploit_through_the_atom_weight_loader(tmp_path, network_folder):
    from pytracking.features.net_wrappers import load_atom_network

    marker = tmp_path / "owned"
    write_checkpoint(network_folder / "atom_evil.pth", NetConstructor("system", "os", (f"touch {marker}",), {}))
    with pytest.raises(ConstructorNotAllowed, match="atom_evil.pth"):
        load_atom_network("atom_evil.pth", torch.device("cpu"))
    assert not marker.exists()


def test_a_module_named_by_a_checkpoint_is_never_imported(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "evil_checkpoint_module.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n\ndef build():\n    return None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = write_checkpoint(tmp_path / "evil.pth", NetConstructor("build", "evil_checkpoint_module", (), {}))
    with pytest.raises(ConstructorNotAllowed, match="evil_checkpoint_module.build"):
        loading.load_network(path)
    assert not marker.exists() and "evil_checkpoint_module" not in sys.modules


@pytest.mark.parametrize("kwds, problem", [
    ({"width": "0.125"}, "width"),                       # text for a float
    ({"groups": 1.5}, "groups"),                         # float for an int
    ({"groups": True}, "groups"),                        # bool is not an int here
    ({"width": NetConstructor("system", "os", ("true",), {})}, "not plain data"),
    ({"width": torch.tensor(0.125)}, "not plain data"),  # tensors are no constructor arguments
    ({"no_such_argument": 1}, "do not fit"),
])
def test_registered_constructor_with_unexpected_arguments_is_refused(tmp_path, kwds, problem):
    path = write_checkpoint(tmp_path / "odd.pth", NetConstructor(
        "siamfc_alexnet", "ltr.models.siam.siamfc", (), kwds))
    with pytest.raises(ConstructorNotAllowed, match=problem) as err:
        loading.load_network(path)
    assert "odd.pth" in str(err.value)


def test_typed_sequence_arguments_are_checked():
    constructor = NetConstructor("atom_resnet18", "ltr.models.bbreg.atom", (),
                                 {"iou_input_dim": ["a", "b"], "backbone_pretrained": False})
    with pytest.raises(ConstructorNotAllowed, match="iou_input_dim"):
        constructor.resolve("file.pth")
    fine = NetConstructor("atom_resnet18", "ltr.models.bbreg.atom", (),
                          {"iou_input_dim": (256, 256), "backbone_pretrained": False})
    assert fine.resolve("file.pth") is registered_constructor("ltr.models.bbreg.atom", "atom_resnet18")


def test_allow_listed_constructor_still_loads_and_legacy_paths_map(tmp_path):
    torch.manual_seed(3)
    net = siamfc_alexnet(width=0.125)
    for module in ("ltr.models.siam.siamfc", "dlframework.ltr.models.siam.siamfc"):
        constructor = NetConstructor("siamfc_alexnet", module, (), {"width": 0.125})
        path = write_checkpoint(tmp_path / "ok.pth", constructor, net.state_dict())
        loaded, _ = loading.load_network(path)
        assert loaded.constructor.fun_module == "ltr.models.siam.siamfc"
        for (name, a), b in zip(net.state_dict().items(), loaded.state_dict().values()):
            assert torch.equal(a, b), name


def test_override_of_the_constructor_name_is_checked_too(tmp_path):
    torch.manual_seed(3)
    net = siamfc_alexnet(width=0.125)
    path = write_checkpoint(tmp_path / "ok.pth", net.constructor, net.state_dict())
    with pytest.raises(ConstructorNotAllowed, match="os.system"):
        loading.load_network(path, constructor_fun_name="system", constructor_module="os")


def test_state_of_allow_listed_classes_is_validated(tmp_path):
    """Every other class a checkpoint can name checks the fields it is given."""
    constructor = NetConstructor("siamfc_alexnet", "ltr.models.siam.siamfc", (), {})
    constructor.__dict__["__class__"] = "x"  # never a field name
    torch.save({"constructor": constructor}, tmp_path / "a.pth")
    meter = AverageMeter()
    meter.__dict__["on_load"] = "os.system"  # unknown field
    torch.save({"stats": {"train": {"Loss": meter}}}, tmp_path / "b.pth")
    settings = Settings()
    settings.__dict__["__reduce__"] = 1
    torch.save({"settings": settings}, tmp_path / "c.pth")
    for name, problem in (("a.pth", "__class__"), ("b.pth", "on_load"), ("c.pth", "__reduce__")):
        with pytest.raises(pickle.UnpicklingError, match=problem) as err:
            loading.torch_load_legacy(tmp_path / name)
        assert name in str(err.value)
    constructor = NetConstructor(42, "ltr.models.siam.siamfc", (), {})
    torch.save({"net": {}, "constructor": constructor}, tmp_path / "d.pth")
    with pytest.raises(ConstructorNotAllowed, match="d.pth.*non-text"):
        loading.load_network(tmp_path / "d.pth")


def test_exploit_through_the_tracker_runner(tmp_path, network_folder):
    """As with run_tracker.py: the tracker 'siamfc default' finds the file in network_path."""
    import cv2
    import numpy as np

    from pytracking.evaluation.data import Sequence
    from pytracking.evaluation.tracker import Tracker

    marker = tmp_path / "owned"
    write_checkpoint(network_folder / "siamfc_default.pth",
                     NetConstructor("system", "os", (f"touch {marker}",), {}))
    frames = []
    for i in range(2):
        frames.append(str(tmp_path / f"{i:04d}.png"))
        cv2.imwrite(frames[-1], np.full((64, 64, 3), 100, np.uint8))
    seq = Sequence("s", frames, "synthetic", np.array([[20.0, 20.0, 16.0, 16.0]] * 2))
    with pytest.raises(ConstructorNotAllowed, match="siamfc_default.pth"):
        Tracker("siamfc", "default").run_sequence(seq, overrides=["use_gpu=false"])
    assert not marker.exists()
