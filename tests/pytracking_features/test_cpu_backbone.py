"""ResNet inference on the CPU kernels (Winograd blocks, fused stem) and ATOM features computed
with them equal the plain torch computation."""
import copy

import pytest
import torch
import torch.nn as nn

from ltr.models.backbone.resnet import BasicBlock, resnet18
from pytracking.features import cpu_backbone, net_wrappers
from pytracking.features.net_wrappers import ATOMFeatures, fold_batchnorm
from pytracking.features.cpu_backbone import WinogradBasicBlock, convertible, use_fused_stem, use_winograd_blocks
from pytracking.features.cpu_backbone import stem_fusable
from pytracking.libs.cpu_kernels import stem, winograd


def _rel_err(got: torch.Tensor, want: torch.Tensor) -> float:
    return float((got - want).abs().max() / want.abs().max())


@pytest.fixture(scope="module")
def backbone():
    """A ResNet-18 with random weights and non-trivial batch-norm statistics (eval mode)."""
    g = torch.Generator().manual_seed(5)
    net = resnet18(output_layers=["layer2", "layer3"])
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=g))
                m.weight.copy_(0.5 + torch.rand(m.num_features, generator=g))
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return net.eval().requires_grad_(False)


def test_winograd_backbone_equals_the_original(backbone):
    if winograd.load_kernel() is None:
        pytest.fail(winograd.missing_reason())
    folded = fold_batchnorm(backbone)
    fast = copy.deepcopy(folded)
    # ResNet-18 has 8 basic blocks; the first of layer2..4 has a strided conv1 (kept as torch's)
    assert use_winograd_blocks(fast) == 8
    blocks = [m for m in fast.modules() if isinstance(m, WinogradBasicBlock)]
    assert [b.conv1_winograd for b in blocks] == [True, True, False, True, False, True, False, True]
    x = torch.randn(2, 3, 72, 88, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = backbone(x)                                       # batch norm unfolded, direct convolutions
        got = fast(x.contiguous(memory_format=torch.channels_last))
    for name in ("layer2", "layer3"):
        assert got[name].shape == want[name].shape
        assert _rel_err(got[name], want[name]) < 1e-4, name


def test_only_folded_eval_basic_blocks_convert(backbone):
    folded = fold_batchnorm(backbone)
    block = folded.layer1[0]
    assert convertible(block)
    assert not convertible(backbone.layer1[0])                   # batch norm not folded
    assert not convertible(copy.deepcopy(block).train())

    class OwnForward(BasicBlock):
        def forward(self, x):
            return x

    other = OwnForward(64, 64)
    other.bn1, other.bn2 = nn.Identity(), nn.Identity()
    assert not convertible(other.eval())
    with pytest.raises(ValueError, match="folded batch norm"):
        WinogradBasicBlock(backbone.layer1[0])


def test_fused_stem_equals_the_original_and_steps_aside_for_conv1(backbone, monkeypatch):
    folded = fold_batchnorm(backbone)
    assert stem_fusable(folded) and not stem_fusable(backbone) and not stem_fusable(copy.deepcopy(folded).train())
    fast = copy.deepcopy(folded)
    assert use_fused_stem(fast) == 1 and fast.fused_stem is not None
    calls = []
    kernel_stem = stem.conv_relu_maxpool
    monkeypatch.setattr(stem, "conv_relu_maxpool", lambda *a, **k: calls.append(1) or kernel_stem(*a, **k))
    x = torch.randn(1, 3, 70, 62, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        want = backbone(x, ["conv1", "layer1", "layer2"])
        got = fast(x.contiguous(memory_format=torch.channels_last), ["layer1", "layer2"])
        assert calls == [1]
        for name in ("layer1", "layer2"):
            assert _rel_err(got[name], want[name]) < 1e-4, name
        # with conv1 among the outputs the stem runs unfused (its output is the full-resolution map)
        plain = fast(x, ["conv1", "layer1"])
        assert calls == [1] and plain["conv1"].shape == want["conv1"].shape
        assert _rel_err(plain["layer1"], want["layer1"]) < 1e-4


def test_nothing_converts_without_the_kernel(backbone, monkeypatch):
    monkeypatch.setattr(winograd, "load_kernel", lambda: None)
    monkeypatch.setattr(cpu_backbone, "load_kernel", lambda: None)
    folded = fold_batchnorm(backbone)
    assert use_winograd_blocks(folded) == 0 and use_fused_stem(folded) == 0
    assert not any(isinstance(m, WinogradBasicBlock) for m in folded.modules())
    assert getattr(folded, "fused_stem", None) is None


def test_atom_features_with_and_without_winograd(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PYTRACKING_NETWORK_PATH", str(tmp_path))
    monkeypatch.setattr(net_wrappers, "_NETWORK_CACHE", {})
    im = torch.rand(1, 3, 96, 96, generator=torch.Generator().manual_seed(2)) * 255
    direct = ATOMFeatures(device=torch.device("cpu"), winograd=False)
    fast = ATOMFeatures(device=torch.device("cpu"), winograd=True)
    assert not direct.winograd_in_use and fast.winograd_in_use
    want, got = direct.extract(im), fast.extract(im)
    assert any(isinstance(m, WinogradBasicBlock) for m in fast.net.modules())
    assert not any(isinstance(m, WinogradBasicBlock) for m in direct.net.modules())
    assert _rel_err(got[0], want[0]) < 1e-4
    for a, b in zip(fast.iou_backbone_features(), direct.iou_backbone_features()):
        assert _rel_err(a, b) < 1e-4
    # without the kernel: torch's convolutions, and one warning naming the build command
    monkeypatch.setattr(winograd, "missing_reason", lambda: "not built; build it with `python -m x`")
    monkeypatch.setattr(net_wrappers, "_warned_winograd", False)
    with caplog.at_level("WARNING"):
        assert not ATOMFeatures(device=torch.device("cpu"), winograd=True).winograd_in_use
        assert not ATOMFeatures(device=torch.device("cpu"), winograd=True).winograd_in_use
    assert sum("Winograd convolutions unavailable" in r.message and "python -m x" in r.message
               for r in caplog.records) == 1
