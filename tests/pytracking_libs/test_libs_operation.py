"""conv2d modes and conv1x1 against F.conv2d with explicit padding and a brute-force loop."""
import pytest
import torch
import torch.nn.functional as F

from pytracking.libs import operation
from pytracking.libs.tensorlist import TensorList


def brute_correlation(x: torch.Tensor, w: torch.Tensor, pad_top: int, pad_left: int, out_h: int,
                      out_w: int) -> torch.Tensor:
    """out[n, o, i, j] = sum_{c, a, b} x[n, c, i - pad_top + a, j - pad_left + b] * w[o, c, a, b] (zero outside)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = torch.zeros(n, o, out_h, out_w, dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    y, xx = i - pad_top + a, j - pad_left + b
                    if 0 <= y < h and 0 <= xx < wd:
                        out[:, :, i, j] += torch.einsum("nc,oc->no", x[:, :, y, xx], w[:, :, a, b])
    return out


@pytest.mark.parametrize("kh,kw", [(3, 3), (4, 4), (3, 4), (1, 2), (5, 2)])
def test_same_mode_keeps_size_and_matches_brute_force(kh, kw):
    torch.manual_seed(0)
    x = torch.randn(2, 3, 6, 7, dtype=torch.float64)
    w = torch.randn(2, 3, kh, kw, dtype=torch.float64)
    out = operation.conv2d(x, w, mode="same")
    assert out.shape == (2, 2, 6, 7)
    # Documented convention: pad k//2 before (top/left), k//2 - 1 after for even k.
    expected = brute_correlation(x, w, kh // 2, kw // 2, 6, 7)
    torch.testing.assert_close(out, expected)


def test_same_mode_even_kernel_equals_symmetric_padding_without_last_row_col():
    torch.manual_seed(1)
    x = torch.randn(1, 2, 5, 5, dtype=torch.float64)
    w = torch.randn(1, 2, 4, 4, dtype=torch.float64)
    ref = F.conv2d(x, w, padding=2)[:, :, :-1, :-1]
    torch.testing.assert_close(operation.conv2d(x, w, mode="same"), ref)


def test_same_mode_odd_kernel_matches_f_conv2d_with_padding():
    torch.manual_seed(2)
    x = torch.randn(3, 4, 8, 9)
    w = torch.randn(5, 4, 3, 5)
    torch.testing.assert_close(operation.conv2d(x, w, mode="same"), F.conv2d(x, w, padding=(1, 2)))


def test_same_mode_with_dilation_keeps_size():
    torch.manual_seed(3)
    x = torch.randn(1, 1, 9, 9, dtype=torch.float64)
    w = torch.randn(1, 1, 3, 3, dtype=torch.float64)
    out = operation.conv2d(x, w, mode="same", dilation=2)
    torch.testing.assert_close(out, F.conv2d(x, w, padding=2, dilation=2))


@pytest.mark.parametrize("kh,kw", [(3, 3), (2, 4)])
def test_full_mode_matches_brute_force(kh, kw):
    torch.manual_seed(4)
    x = torch.randn(1, 2, 4, 5, dtype=torch.float64)
    w = torch.randn(3, 2, kh, kw, dtype=torch.float64)
    out = operation.conv2d(x, w, mode="full")
    assert out.shape == (1, 3, 4 + kh - 1, 5 + kw - 1)
    torch.testing.assert_close(out, brute_correlation(x, w, kh - 1, kw - 1, 4 + kh - 1, 5 + kw - 1))


def test_none_mode_passes_padding_and_bias_through():
    torch.manual_seed(5)
    x = torch.randn(1, 2, 6, 6)
    w = torch.randn(3, 2, 3, 3)
    b = torch.randn(3)
    torch.testing.assert_close(operation.conv2d(x, w, b, padding=1), F.conv2d(x, w, b, padding=1))
    torch.testing.assert_close(operation.conv2d(x, w, mode="valid"), F.conv2d(x, w))


def test_inner_product_via_valid_conv_of_equal_sizes():
    a = torch.arange(12, dtype=torch.float64).view(1, 3, 2, 2)
    b = torch.ones(1, 3, 2, 2, dtype=torch.float64) * 2
    assert operation.conv2d(a, b).item() == pytest.approx(2 * sum(range(12)))


def test_weight_none_returns_input_and_errors_are_clear():
    x = torch.randn(1, 1, 3, 3)
    assert operation.conv2d(x, None) is x
    with pytest.raises(ValueError, match="mode"):
        operation.conv2d(x, torch.ones(1, 1, 3, 3), mode="circular")
    with pytest.raises(ValueError, match="padding"):
        operation.conv2d(x, torch.ones(1, 1, 3, 3), padding=1, mode="same")
    with pytest.raises(ValueError, match="4-D"):
        operation.conv2d(x[0], torch.ones(1, 1, 3, 3))


def test_tensorlist_conv2d_maps_elementwise():
    torch.manual_seed(6)
    xs = TensorList([torch.randn(2, 3, 5, 5), torch.randn(2, 4, 6, 6)])
    ws = TensorList([torch.randn(1, 3, 3, 3), torch.randn(1, 4, 2, 2)])
    out = operation.conv2d(xs, ws, mode="same")
    assert isinstance(out, TensorList) and len(out) == 2
    torch.testing.assert_close(out[0], F.conv2d(xs[0], ws[0], padding=1))
    torch.testing.assert_close(out[1], F.conv2d(xs[1], ws[1], padding=1)[:, :, :-1, :-1])


def test_conv1x1_matches_brute_force_and_conv2d():
    torch.manual_seed(7)
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    w = torch.randn(6, 3, 1, 1, dtype=torch.float64)
    out = operation.conv1x1(x, w)
    expected = torch.zeros(2, 6, 4, 5, dtype=torch.float64)
    for o in range(6):
        for c in range(3):
            expected[:, o] += w[o, c, 0, 0] * x[:, c]
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(operation.conv1x1(x, w.view(6, 3)), F.conv2d(x, w))
    tl = operation.conv1x1(TensorList([x, x[:, :2]]), TensorList([w, w[:, :2]]))
    torch.testing.assert_close(tl[1], F.conv2d(x[:, :2], w[:, :2]))
    assert operation.conv1x1(x, None) is x
    with pytest.raises(ValueError, match="1x1"):
        operation.conv1x1(x, torch.ones(6, 3, 3, 3))
    with pytest.raises(ValueError, match="input channels"):
        operation.conv1x1(x, torch.ones(6, 4, 1, 1))


def test_conv_gradients_flow_through_same_mode():
    x = torch.randn(1, 1, 4, 4, dtype=torch.float64)
    w = torch.randn(1, 1, 2, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda ww: operation.conv2d(x, ww, mode="same"), (w,))
