"""Checkpoints holding only weights load for tracking when the parameters name the architecture
(issue 18, item 9); the architecture goes through the constructor allow-list."""
import pytest
import torch

from ltr.admin.model_constructor import ConstructorNotAllowed
from ltr.models.bbreg.atom import atom_resnet18
from ltr.models.siam.siamfc import siamfc_alexnet
from pytracking.tracker.atom.params import ATOMParams
from pytracking.tracker.siamfc import network as siamfc_network
from pytracking.tracker.siamfc.params import SiamFCParams

ARCH = "ltr.models.siam.siamfc.siamfc_alexnet"


def _trained_siamfc():
    torch.manual_seed(11)
    net = siamfc_alexnet(width=0.125)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn_like(p))
    return net


def _assert_same(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for name in sa:
        assert torch.equal(sa[name], sb[name]), name


@pytest.mark.parametrize("layout", ["net dict", "bare state dict"])
def test_siamfc_net_only_checkpoint_loads_with_named_architecture(network_folder, layout):
    net = _trained_siamfc()
    content = {"net": net.state_dict()} if layout == "net dict" else net.state_dict()
    torch.save(content, network_folder / "weights_only.pth")
    params = SiamFCParams(network_path="weights_only.pth", net_architecture=ARCH,
                          net_architecture_kwargs={"width": 0.125}, use_gpu=False)
    _assert_same(net, siamfc_network.get_network(params))


def test_net_only_checkpoint_without_architecture_names_file_and_parameter(network_folder):
    torch.save({"net": _trained_siamfc().state_dict()}, network_folder / "weights_only.pth")
    with pytest.raises(RuntimeError, match="weights_only.pth.*net_architecture"):
        siamfc_network.get_network(SiamFCParams(network_path="weights_only.pth"))


def test_named_architecture_is_allow_listed(network_folder, tmp_path):
    torch.save({"net": _trained_siamfc().state_dict()}, network_folder / "weights_only.pth")
    params = SiamFCParams(network_path="weights_only.pth", net_architecture="os.system",
                          net_architecture_kwargs={"command": f"touch {tmp_path / 'owned'}"})
    with pytest.raises(ConstructorNotAllowed, match="os.system"):
        siamfc_network.get_network(params)
    assert not (tmp_path / "owned").exists()


def test_atom_default_parameters_load_a_net_only_checkpoint(network_folder):
    from pytracking.features.net_wrappers import load_atom_network

    torch.manual_seed(2)
    net = atom_resnet18(backbone_pretrained=False)
    torch.save(net.state_dict(), network_folder / "atom_weights_only.pth")
    params = ATOMParams()
    assert params.net_architecture == "ltr.models.bbreg.atom.atom_resnet18"
    loaded = load_atom_network("atom_weights_only.pth", torch.device("cpu"),
                               architecture=params.net_architecture)
    reference = net.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected = reference.extract_backbone_features(x, ["layer3"])["layer3"]
        got = loaded.extract_backbone_features(x.contiguous(memory_format=torch.channels_last),
                                               ["layer3"])["layer3"]
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
