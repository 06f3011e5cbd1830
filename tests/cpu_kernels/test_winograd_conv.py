"""Winograd F(4x4, 3x3) convolution (pytracking.libs.cpu_kernels.winograd) against a float64 direct
convolution, the transform matrices against the definition, and the module's error handling."""
import pytest
import torch
import torch.nn as nn

from pytracking.libs import cpu_kernels
from pytracking.libs.cpu_kernels import winograd


@pytest.fixture(autouse=True)
def _inference():
    """The kernel is inference-only (see test_refuses_tensors_that_require_grad)."""
    with torch.no_grad():
        yield

# float32 Winograd F(4x4, 3x3) error, relative to the largest output (measured about 3e-6 with
# unit-variance inputs; F(6x6, 3x3) or a wrong matrix would give 1e-4 .. 1).
REL_TOL = 2e-5


def _close(got: torch.Tensor, want: torch.Tensor) -> bool:
    return float((got.double() - want).abs().max()) <= REL_TOL * float(want.abs().max()) + 1e-6


def test_tile_matrices_compute_the_3x3_correlation_of_a_tile():
    # A^T [(G g G^T) * (B^T d B)] A must be the 4x4 valid correlation of the 6x6 tile d with g.
    g64 = torch.Generator().manual_seed(0)
    d = torch.randn(6, 6, generator=g64, dtype=torch.float64)
    g = torch.randn(3, 3, generator=g64, dtype=torch.float64)
    got = winograd.A_T @ ((winograd.G @ g @ winograd.G.T) * (winograd.B_T @ d @ winograd.B_T.T)) @ winograd.A_T.T
    want = torch.tensor([[float((d[i:i + 3, j:j + 3] * g).sum()) for j in range(4)] for i in range(4)],
                        dtype=torch.float64)
    assert torch.allclose(got, want, atol=1e-12, rtol=0)


def test_transform_weight_layout():
    w = torch.randn(16, 8, 3, 3)
    u = winograd.transform_weight(w)
    assert u.shape == (36, 8, 16) and u.dtype == torch.float32 and u.is_contiguous()
    want = winograd.G @ w[5, 3].double() @ winograd.G.T        # output channel 5, input channel 3
    assert torch.allclose(u[:, 3, 5].double(), want.reshape(36), atol=1e-6)
    with pytest.raises(ValueError, match="O x I x 3 x 3"):
        winograd.transform_weight(torch.randn(4, 4, 5, 5))


@pytest.mark.parametrize("avx2", [True, False])
@pytest.mark.parametrize("n,c,o,h,w", [(1, 8, 16, 5, 7), (2, 16, 8, 9, 12), (1, 64, 64, 18, 18), (3, 8, 8, 1, 1),
                                       (1, 32, 24, 4, 4), (1, 8, 8, 13, 2)])
def test_matches_direct_convolution(kernel, direct, avx2, n, c, o, h, w):
    if avx2 and not kernel.cpu_has_avx2_fma():
        pytest.skip("the processor has no AVX2/FMA")
    previous = kernel.use_avx2(avx2)
    try:
        assert kernel.kernel_isa() == ("avx2" if avx2 else "generic")
        g = torch.Generator().manual_seed(n * 1000 + c + o + h + w)
        conv = nn.Conv2d(c, o, 3, padding=1)
        with torch.no_grad():
            conv.weight.copy_(torch.randn(conv.weight.shape, generator=g) / (3 * c ** 0.5))
            conv.bias.copy_(torch.randn(o, generator=g))
        x = torch.randn(n, c, h, w, generator=g)
        got = winograd.conv3x3(x, conv)
        assert got.shape == (n, o, h, w) and got.is_contiguous(memory_format=torch.channels_last)
        assert _close(got, direct(x, conv.weight, conv.bias))
    finally:
        kernel.use_avx2(previous)


@pytest.mark.parametrize("padding", [(0, 0, 0, 0), (1, 0, 0, 1), (2, 1, 0, 3), (0, 2, 1, 1)])
def test_padding_per_side_residual_and_relu(kernel, direct, padding):
    g = torch.Generator().manual_seed(sum(padding))
    conv = nn.Conv2d(16, 24, 3, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=g) * 0.1)
    x = torch.randn(2, 16, 10, 11, generator=g)
    top, bottom, left, right = padding
    out_shape = (2, 24, 10 + top + bottom - 2, 11 + left + right - 2)
    residual = torch.randn(out_shape, generator=g)
    want = (direct(x, conv.weight, padding=padding) + residual.double()).clamp_min(0)
    got = winograd.conv3x3(x, conv, residual=residual, relu=True, padding=padding)
    assert got.shape == out_shape and _close(got, want)
    assert float(got.min()) == 0.0 and int((got == 0).sum()) == int((want <= 0).sum())
    plain = winograd.conv3x3(x, conv, padding=padding)                # neither residual nor ReLU
    assert float(plain.min()) < 0 and _close(plain, direct(x, conv.weight, padding=padding))


def test_any_memory_layout_of_the_input(kernel, direct):
    conv = nn.Conv2d(8, 8, 3, padding=1)
    x = torch.randn(1, 8, 6, 6)
    want = direct(x, conv.weight, conv.bias)
    for variant in (x, x.contiguous(memory_format=torch.channels_last), x.transpose(2, 3).contiguous().transpose(2, 3)):
        assert _close(winograd.conv3x3(variant, conv), want)


def test_weight_tiles_are_cached_and_follow_weight_changes(kernel, direct):
    conv = nn.Conv2d(8, 8, 3, padding=1)
    first = winograd.weight_tiles(conv)
    assert winograd.weight_tiles(conv) is first
    with torch.no_grad():
        conv.weight.mul_(-2.0)                                        # in place
    assert winograd.weight_tiles(conv) is not first
    x = torch.randn(1, 8, 5, 5)
    assert _close(winograd.conv3x3(x, conv), direct(x, conv.weight, conv.bias))
    conv.weight = nn.Parameter(torch.randn(8, 8, 3, 3))               # replaced
    assert _close(winograd.conv3x3(x, conv), direct(x, conv.weight, conv.bias))


def test_supports_and_worthwhile():
    assert winograd.supports(nn.Conv2d(8, 16, 3, padding=1))
    for conv in (nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.Conv2d(8, 16, 5, padding=2),
                 nn.Conv2d(8, 16, 3, dilation=2), nn.Conv2d(6, 16, 3), nn.Conv2d(8, 12, 3),
                 nn.Conv2d(8, 16, 3, groups=2), nn.Conv2d(8, 16, 3, padding=1, padding_mode="reflect"),
                 nn.Conv2d(8, 16, 3).double(), nn.Linear(8, 8)):
        assert not winograd.supports(conv), conv
    # 12 x 12 outputs are 3 x 3 tiles (the threshold); 8 x 12 are 2 x 3
    assert winograd.MIN_TILES == 9
    assert winograd.worthwhile(12, 12) and winograd.worthwhile(9, 9) and not winograd.worthwhile(8, 12)


def test_bad_input_is_rejected_with_a_message(kernel):
    conv = nn.Conv2d(8, 8, 3, padding=1)
    with pytest.raises(ValueError, match="unsupported convolution"):
        winograd.conv3x3(torch.randn(1, 6, 5, 5), nn.Conv2d(6, 8, 3, padding=1))
    with pytest.raises(ValueError, match="top, bottom, left, right"):
        winograd.conv3x3(torch.randn(1, 8, 5, 5), conv, padding=(1, 1))
    with pytest.raises(RuntimeError, match="input channels"):
        winograd.conv3x3(torch.randn(1, 16, 5, 5), conv)
    with pytest.raises(RuntimeError, match="residual must be"):
        winograd.conv3x3(torch.randn(1, 8, 5, 5), conv, residual=torch.randn(1, 8, 4, 5))
    with pytest.raises(RuntimeError, match="output would be empty"):
        winograd.conv3x3(torch.randn(1, 8, 1, 5), conv, padding=(0, 0, 1, 1))
    with pytest.raises(RuntimeError, match="padding must be non-negative"):
        winograd.conv3x3(torch.randn(1, 8, 5, 5), conv, padding=(-1, 1, 1, 1))
    u = winograd.weight_tiles(conv)
    x = torch.randn(1, 8, 5, 5).contiguous(memory_format=torch.channels_last)
    with pytest.raises(RuntimeError, match="float32 CPU tensor"):
        kernel.conv3x3(x.double(), u, None, None, False, 1, 1, 1, 1)
    with pytest.raises(RuntimeError, match="channels-last"):
        kernel.conv3x3(torch.randn(1, 8, 5, 5), u, None, None, False, 1, 1, 1, 1)
    with pytest.raises(RuntimeError, match="multiples of 8"):
        kernel.conv3x3(torch.randn(1, 4, 5, 5).contiguous(memory_format=torch.channels_last),
                       torch.randn(36, 4, 4), None, None, False, 1, 1, 1, 1)
    with pytest.raises(RuntimeError, match="bias must be"):
        kernel.conv3x3(x, u, torch.randn(7), None, False, 1, 1, 1, 1)


def test_refuses_tensors_that_require_grad(kernel):
    conv = nn.Conv2d(8, 8, 3, padding=1)
    x = torch.randn(1, 8, 5, 5)
    with torch.enable_grad():
        with pytest.raises(RuntimeError, match="inference-only"):
            winograd.conv3x3(x, conv)                                 # the weight requires grad
        conv.requires_grad_(False)
        with pytest.raises(RuntimeError, match="inference-only"):
            winograd.conv3x3(x.requires_grad_(), conv)
        assert winograd.conv3x3(x.detach(), conv).shape == (1, 8, 5, 5)


def test_missing_kernel_is_an_error_naming_the_build_command(monkeypatch):
    monkeypatch.setattr(cpu_kernels, "_loaded", True)
    monkeypatch.setattr(cpu_kernels, "_kernel", None)
    monkeypatch.setattr(cpu_kernels, "_missing", "pytracking.libs.cpu_kernels._C could not be imported (hidden); "
                        f"build it with `{cpu_kernels.BUILD_COMMAND}`")
    assert "pytracking.libs.cpu_kernels.build" in winograd.missing_reason()
    with pytest.raises(RuntimeError, match=r"python -m pytracking\.libs\.cpu_kernels\.build"):
        winograd.conv3x3(torch.randn(1, 8, 5, 5), nn.Conv2d(8, 8, 3, padding=1))
