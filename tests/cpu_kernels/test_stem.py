"""The fused ResNet stem (pytracking.libs.cpu_kernels.stem): maxpool(relu(conv7x7/2(x))) against
float64 torch operations, both kernel copies, caching and error handling."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from pytracking.libs.cpu_kernels import stem

POOL = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)


@pytest.fixture(autouse=True)
def _inference():
    with torch.no_grad():
        yield


def _reference(x, conv):
    bias = None if conv.bias is None else conv.bias.double()
    return F.max_pool2d(F.relu(F.conv2d(x.double(), conv.weight.double(), bias, stride=2, padding=3)), 3, 2, 1)


def _conv(c, o, bias=True, seed=0):
    g = torch.Generator().manual_seed(seed)
    conv = nn.Conv2d(c, o, 7, stride=2, padding=3, bias=bias)
    conv.weight.copy_(torch.randn(conv.weight.shape, generator=g) * 0.1)
    if bias:
        conv.bias.copy_(torch.randn(o, generator=g) * 0.1)
    return conv.requires_grad_(False)


@pytest.mark.parametrize("avx2", [True, False])
@pytest.mark.parametrize("n,c,o,h,w", [(1, 3, 64, 96, 96), (2, 3, 16, 37, 50), (1, 1, 32, 5, 3), (1, 5, 16, 1, 1),
                                       (1, 3, 16, 14, 29)])
def test_matches_conv_relu_maxpool(kernel, avx2, n, c, o, h, w):
    if avx2 and not kernel.cpu_has_avx2_fma():
        pytest.skip("the processor has no AVX2/FMA")
    previous = kernel.use_avx2(avx2)
    try:
        conv = _conv(c, o, seed=h + w)
        x = torch.randn(n, c, h, w, generator=torch.Generator().manual_seed(n + h))
        want = _reference(x, conv)
        got = stem.conv_relu_maxpool(x.contiguous(memory_format=torch.channels_last), conv)
        assert got.shape == want.shape and got.is_contiguous(memory_format=torch.channels_last)
        assert torch.allclose(got.double(), want, atol=1e-5 * float(want.abs().max()) + 1e-7, rtol=0)
    finally:
        kernel.use_avx2(previous)


def test_without_bias_and_from_any_layout(kernel):
    conv = _conv(3, 16, bias=False)
    x = torch.randn(1, 3, 20, 18)
    want = _reference(x, conv)
    for variant in (x, x.contiguous(memory_format=torch.channels_last)):
        assert torch.allclose(stem.conv_relu_maxpool(variant, conv).double(), want, atol=1e-6)
    explicit = torch.full((16,), 0.5)
    shifted = F.max_pool2d(F.relu(F.conv2d(x.double(), conv.weight.double(), explicit.double(), stride=2,
                                           padding=3)), 3, 2, 1)
    assert torch.allclose(stem.conv_relu_maxpool(x, conv, bias=explicit).double(), shifted, atol=1e-6)


def test_packed_weight_is_cached_and_follows_changes(kernel):
    conv = _conv(3, 16)
    first = stem.packed_weight(conv)
    assert first.shape == (49 * 3, 16) and stem.packed_weight(conv) is first
    # packed[(ky * 7 + kx) * C + c, o] = weight[o, c, ky, kx]
    assert float(first[(2 * 7 + 5) * 3 + 1, 9]) == float(conv.weight[9, 1, 2, 5])
    conv.weight.mul_(-1.0)
    x = torch.randn(1, 3, 16, 16)
    assert stem.packed_weight(conv) is not first
    assert torch.allclose(stem.conv_relu_maxpool(x, conv).double(), _reference(x, conv), atol=1e-6)


def test_supports():
    assert stem.supports(_conv(3, 64), POOL)
    for conv, pool in ((nn.Conv2d(3, 64, 7, stride=1, padding=3), POOL), (nn.Conv2d(3, 64, 5, stride=2, padding=2), POOL),
                       (nn.Conv2d(3, 24, 7, stride=2, padding=3), POOL),
                       (_conv(3, 64), nn.MaxPool2d(2, 2)), (_conv(3, 64), nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
                       (_conv(3, 64).double(), POOL), (_conv(3, 64), nn.AvgPool2d(3, 2, 1))):
        assert not stem.supports(conv, pool)


def test_bad_input_is_rejected(kernel):
    conv = _conv(3, 16)
    with torch.enable_grad():
        with pytest.raises(RuntimeError, match="inference-only"):
            stem.conv_relu_maxpool(torch.randn(1, 3, 8, 8, requires_grad=True), conv)
    with pytest.raises(RuntimeError, match="49 \\* 4 input channels"):
        stem.conv_relu_maxpool(torch.randn(1, 4, 8, 8), conv)
    with pytest.raises(RuntimeError, match="multiple of 16"):
        kernel.stem_conv_relu_maxpool(torch.randn(1, 3, 8, 8), torch.randn(147, 8), torch.randn(8))
    with pytest.raises(RuntimeError, match="bias must be"):
        kernel.stem_conv_relu_maxpool(torch.randn(1, 3, 8, 8), torch.randn(147, 16), torch.randn(8))
