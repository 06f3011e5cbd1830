"""A fully connected layer's output and input gradient (pytracking.libs.cpu_kernels.relu_linear)
against the float64 closed form and autograd, and its use by ATOM's folded IoU-Net head."""
import pytest
import torch

from pytracking.libs.cpu_kernels import relu_linear
from pytracking.tracker.atom.iou_head import FoldedLinear


def _case(p: int, k: int, n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(p, k, generator=g)
    weight = torch.randn(n, k, generator=g) / k ** 0.5
    bias = torch.randn(n, generator=g) * 0.5
    out_weight = torch.randn(n, generator=g)
    return x, weight, bias, out_weight


def _closed_form(x, weight, bias, out_weight, relu):
    pre = x.double() @ weight.double().t() + bias.double()
    act = pre.clamp_min(0) if relu else pre
    slope = (pre > 0).double() if relu else torch.ones_like(pre)
    return act @ out_weight.double(), (slope * out_weight.double()) @ weight.double()


@pytest.mark.parametrize("avx2", [True, False])
@pytest.mark.parametrize("relu", [True, False])
@pytest.mark.parametrize("p,k,n", [(10, 6400, 256), (10, 2304, 256), (1, 8, 1), (3, 24, 7), (7, 40, 5), (12, 16, 33)])
def test_matches_the_closed_form(kernel, avx2, relu, p, k, n):
    if avx2 and not kernel.cpu_has_avx2_fma():
        pytest.skip("the processor has no AVX2/FMA")
    previous = kernel.use_avx2(avx2)
    try:
        x, weight, bias, out_weight = _case(p, k, n, seed=p + k + n)
        y, grad = relu_linear.relu_linear_grad(x, weight, bias, out_weight, relu)
        want_y, want_grad = _closed_form(x, weight, bias, out_weight, relu)
        assert y.shape == (p,) and grad.shape == (p, k)
        assert torch.allclose(y.double(), want_y, atol=1e-4 * float(want_y.abs().max()) + 1e-5, rtol=0)
        assert torch.allclose(grad.double(), want_grad, atol=1e-5 * float(want_grad.abs().max()) + 1e-6, rtol=0)
    finally:
        kernel.use_avx2(previous)


def test_gradient_agrees_with_autograd(kernel):
    x, weight, bias, out_weight = _case(4, 32, 9, seed=3)
    y, grad = relu_linear.relu_linear_grad(x, weight, bias, out_weight, True)
    xr = x.clone().requires_grad_()
    yr = torch.relu(xr @ weight.t() + bias) @ out_weight
    (g,) = torch.autograd.grad(yr.sum(), xr)                  # each y[p] depends on x[p] only
    assert torch.allclose(y, yr.detach(), atol=1e-5) and torch.allclose(grad, g, atol=1e-6)


def test_bad_input_is_rejected_with_a_message(kernel):
    x, weight, bias, out_weight = _case(2, 16, 4, seed=0)
    with pytest.raises(RuntimeError, match="inconsistent sizes"):
        relu_linear.relu_linear_grad(x, weight[:, :8], bias, out_weight, True)
    with pytest.raises(RuntimeError, match="multiple of 8"):
        relu_linear.relu_linear_grad(x[:, :12], weight[:, :12], bias, out_weight, True)
    with pytest.raises(RuntimeError, match="float32"):
        relu_linear.relu_linear_grad(x.double(), weight.double(), bias.double(), out_weight.double(), True)
    with pytest.raises(RuntimeError, match=r"expected x \[P, K\]"):
        relu_linear.relu_linear_grad(x[0], weight, bias, out_weight, True)
    assert relu_linear.supports(x, weight)
    assert not relu_linear.supports(x.double(), weight.double()) and not relu_linear.supports(x[:, :12], weight[:, :12])


@pytest.mark.parametrize("relu", [True, False])
def test_folded_linear_uses_the_kernel_and_equals_its_fallback(kernel, monkeypatch, relu):
    x, weight, bias, out_weight = _case(10, 48, 16, seed=7)
    layer = FoldedLinear(weight, bias, relu)
    calls = []
    real = relu_linear.relu_linear_grad
    monkeypatch.setattr(relu_linear, "relu_linear_grad", lambda *a: calls.append(1) or real(*a))
    y, grad = layer.output_and_input_grad(x, out_weight)
    assert calls == [1]
    monkeypatch.setattr(relu_linear, "supports", lambda *a: False)      # the PackedLinear path
    y2, grad2 = layer.output_and_input_grad(x, out_weight)
    assert calls == [1]
    want_y, want_grad = _closed_form(x, weight, bias, out_weight, relu)
    for got_y, got_grad in ((y, grad), (y2, grad2)):
        assert torch.allclose(got_y.double(), want_y, atol=1e-5) and torch.allclose(got_grad.double(), want_grad, atol=1e-5)
    assert torch.allclose(layer.output(x, out_weight).double(), want_y, atol=1e-5)
