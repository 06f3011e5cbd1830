"""ResNet backbones: output shapes, early stop, torchvision key names, a functional re-computation,
and loading of weight files from the pretrained_networks folder."""
import pytest
import torch
import torch.nn.functional as F

from ltr.models.backbone import resnet18, resnet50
from ltr.models.backbone.resnet import LAYER_NAMES


@pytest.mark.parametrize("name, channels", [("resnet18", (64, 64, 128, 256, 512)),
                                            ("resnet50", (64, 256, 512, 1024, 2048))])
def test_output_shapes_per_layer(name, channels):
    # 64x64 input: conv1 stride 2 (k7 p3) -> 32; max-pool (k3 s2 p1) -> 16; layer2..4 halve.
    net = {"resnet18": resnet18, "resnet50": resnet50}[name](output_layers=list(LAYER_NAMES))
    net.eval()
    with torch.no_grad():
        out = net(torch.randn(1, 3, 64, 64))
    assert list(out.keys()) == list(LAYER_NAMES)
    sizes = (32, 16, 8, 4, 2)
    for layer, c, s in zip(LAYER_NAMES[:5], channels, sizes):
        assert out[layer].shape == (1, c, s, s), layer
    assert out["fc"].shape == (1, 1000)


def test_output_order_follows_request_and_default():
    net = resnet18(output_layers=["layer3"]).eval()
    x = torch.randn(2, 3, 48, 80)
    with torch.no_grad():
        out = net(x)
        both = net(x, ["layer3", "layer2"])
    assert list(out.keys()) == ["layer3"] and out["layer3"].shape == (2, 256, 3, 5)
    assert list(both.keys()) == ["layer3", "layer2"]
    assert both["layer2"].shape == (2, 128, 6, 10)
    assert torch.equal(both["layer3"], out["layer3"])


def test_stops_after_last_requested_layer():
    net = resnet18(output_layers=["layer2"])
    called = []
    for name in ("layer1", "layer2", "layer3", "layer4", "fc"):
        getattr(net, name).register_forward_hook(lambda m, i, o, name=name: called.append(name))
    net(torch.randn(1, 3, 32, 32))
    assert called == ["layer1", "layer2"]
    called.clear()
    net(torch.randn(1, 3, 32, 32), ["conv1"])
    assert called == []


def test_unknown_layer_is_an_error():
    with pytest.raises(ValueError, match="layer5"):
        resnet18(output_layers=["layer5"])
    with pytest.raises(ValueError, match="conv2"):
        resnet18()(torch.randn(1, 3, 32, 32), ["conv2"])


def test_conv1_output_is_after_bn_and_relu_before_maxpool():
    net = resnet18(output_layers=["conv1"]).eval()
    x = torch.randn(1, 3, 16, 16)
    with torch.no_grad():
        expected = F.relu(F.batch_norm(F.conv2d(x, net.conv1.weight, stride=2, padding=3),
                                       net.bn1.running_mean, net.bn1.running_var,
                                       net.bn1.weight, net.bn1.bias))
        assert torch.allclose(net(x)["conv1"], expected, atol=1e-6)
    assert (expected >= 0).all()


def _functional_resnet18_layer3(sd, x):
    """Independent functional ResNet-18 (eval mode) from a torchvision-style state dict."""
    def bn(t, p):
        return F.batch_norm(t, sd[p + ".running_mean"], sd[p + ".running_var"], sd[p + ".weight"],
                            sd[p + ".bias"], training=False, eps=1e-5)

    x = F.relu(bn(F.conv2d(x, sd["conv1.weight"], stride=2, padding=3), "bn1"))
    x = F.max_pool2d(x, 3, 2, 1)
    for layer, first_stride in (("layer1", 1), ("layer2", 2), ("layer3", 2)):
        for block in (0, 1):
            p = f"{layer}.{block}"
            stride = first_stride if block == 0 else 1
            out = F.relu(bn(F.conv2d(x, sd[p + ".conv1.weight"], stride=stride, padding=1), p + ".bn1"))
            out = bn(F.conv2d(out, sd[p + ".conv2.weight"], padding=1), p + ".bn2")
            if p + ".downsample.0.weight" in sd:
                x = bn(F.conv2d(x, sd[p + ".downsample.0.weight"], stride=stride), p + ".downsample.1")
            x = F.relu(out + x)
    return x


def test_resnet18_matches_functional_recomputation():
    torch.manual_seed(0)
    net = resnet18(output_layers=["layer3"])
    # Non-trivial batch-norm statistics so that every BN matters.
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    net.eval()
    x = torch.randn(2, 3, 40, 40)
    with torch.no_grad():
        expected = _functional_resnet18_layer3(net.state_dict(), x)
        assert torch.allclose(net(x)["layer3"], expected, atol=1e-5)


@pytest.fixture(scope="module")
def r50():
    return resnet50()


def test_parameter_counts_match_torchvision(r50):
    # Published parameter counts of torchvision's resnet18 / resnet50.
    assert sum(p.numel() for p in resnet18().parameters()) == 11_689_512
    assert sum(p.numel() for p in r50.parameters()) == 25_557_032


def _expected_resnet_keys(blocks, bottleneck):
    keys = ["conv1.weight"] + [f"bn1.{s}" for s in
                               ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]
    bn = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
    nconv = 3 if bottleneck else 2
    for layer, n in enumerate(blocks, 1):
        for b in range(n):
            p = f"layer{layer}.{b}"
            for c in range(1, nconv + 1):
                keys.append(f"{p}.conv{c}.weight")
                keys += [f"{p}.bn{c}.{s}" for s in bn]
            if b == 0 and (bottleneck or layer > 1):
                keys.append(f"{p}.downsample.0.weight")
                keys += [f"{p}.downsample.1.{s}" for s in bn]
    return keys + ["fc.weight", "fc.bias"]


def test_resnet50_key_names_follow_torchvision(r50):
    sd = r50.state_dict()
    assert list(sd.keys()) == _expected_resnet_keys((3, 4, 6, 3), bottleneck=True)
    assert len(sd) == 320
    assert sd["layer1.0.conv1.weight"].shape == (64, 64, 1, 1)
    assert sd["layer1.0.downsample.0.weight"].shape == (256, 64, 1, 1)
    assert sd["layer2.0.conv2.weight"].shape == (128, 128, 3, 3)  # stride on the 3x3 conv
    assert r50.layer2[0].conv2.stride == (2, 2)
    assert sd["fc.weight"].shape == (1000, 2048)


def test_resnet18_key_names_follow_torchvision():
    sd = resnet18().state_dict()
    assert list(sd.keys()) == _expected_resnet_keys((2, 2, 2, 2), bottleneck=False)


def test_resnet18_keys_shapes_dtypes_equal_reference(reference_state_dict):
    prefix = "feature_extractor."
    expected = [(k[len(prefix):], shape, dtype) for k, shape, dtype in reference_state_dict
                if k.startswith(prefix)]
    got = [(k, str(tuple(v.shape)), str(v.dtype).replace("torch.", ""))
           for k, v in resnet18().state_dict().items()]
    assert len(expected) == 122
    assert got == expected


@pytest.mark.parametrize("file_name", ["resnet18-f37072fd.pth", "resnet18-5c106cde.pth"])
def test_pretrained_loads_torchvision_file(tmp_path, monkeypatch, file_name):
    source = resnet18()
    with torch.no_grad():
        source.conv1.weight.fill_(0.25)
        source.layer3[1].bn2.running_var.fill_(3.0)
    state = source.state_dict()
    torch.save(state, tmp_path / file_name)
    monkeypatch.setenv("LTR_PRETRAINED_NETWORKS", str(tmp_path))
    net = resnet18(pretrained=True)
    for key, value in state.items():
        assert torch.equal(net.state_dict()[key], value), key


def test_pretrained_missing_file_names_file_and_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_PRETRAINED_NETWORKS", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        resnet50(pretrained=True)
    message = str(info.value)
    assert "resnet50-0676ba61.pth" in message and "resnet50-19c8e357.pth" in message
    assert str(tmp_path) in message


def test_pretrained_missing_folder_names_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("LTR_PRETRAINED_NETWORKS", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="pretrained_networks") as info:
        resnet18(pretrained=True)
    assert "resnet18-f37072fd.pth" in str(info.value)
