"""PackedLinear against the float64 product computed directly."""
import pytest
import torch

from pytracking.libs import packed_linear
from pytracking.libs.packed_linear import PackedLinear


def _case(rows=10, inputs=640, outputs=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(outputs, inputs, generator=g) * 0.05, torch.randn(outputs, generator=g),
            torch.randn(rows, inputs, generator=g))


@pytest.mark.parametrize("onednn", [True, False])
@pytest.mark.parametrize("rows", [1, 10, 23])
def test_products_equal_the_direct_float64_product(monkeypatch, onednn, rows):
    if not onednn:
        monkeypatch.setattr(packed_linear, "_onednn_linear_ops", lambda: False)
    weight, bias, x = _case(rows=rows)
    want = x.double() @ weight.double().t() + bias.double()
    with_bias = PackedLinear(weight, bias)
    assert (with_bias.packed is not None) == (onednn and packed_linear._onednn_linear_ops())
    assert torch.allclose(with_bias(x).double(), want, atol=1e-4, rtol=1e-5)
    no_bias = PackedLinear(weight)
    assert torch.allclose(no_bias(x).double(), want - bias.double(), atol=1e-4, rtol=1e-5)
    # float64 inputs take the plain product
    assert torch.allclose(PackedLinear(weight.double(), bias.double())(x.double()), want, atol=1e-10)


def test_onednn_path_is_used_on_this_cpu_build():
    # torch's CPU wheels ship oneDNN; if this fails the speed-up silently disappeared
    if not torch.backends.mkldnn.is_available():
        pytest.skip("torch built without oneDNN")
    weight, bias, _ = _case()
    assert PackedLinear(weight, bias).packed is not None


def test_bad_shapes_are_rejected():
    weight, bias, _ = _case()
    with pytest.raises(ValueError, match="matrix"):
        PackedLinear(weight[0])
    with pytest.raises(ValueError, match="bias"):
        PackedLinear(weight, bias[:-1])
