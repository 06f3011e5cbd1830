"""The C++ kernel's fused backward entry point (feature and/or box gradient in one pass) and its
forward against autograd through the pure-PyTorch reference, with the AVX2 copies of the kernels
and with the generic code; and the batch-index validation done by the kernel instead of Python on
the compiled path."""
import pytest
import torch

import prroi_pool.function as function_module
import prroi_pool.validation as validation_module
from prroi_pool import prroi_pool2d

SCALE = 0.25


def _inputs(batch, channels, size, dtype, seed):
    """Features, rois of every image but image 1 (its gradient must stay zero), one zero-area
    and one off-map roi, and an output gradient."""
    gen = torch.Generator().manual_seed(seed)
    features = torch.randn(batch, channels, size, size + 3, generator=gen, dtype=dtype)
    xy = torch.rand(7, 2, generator=gen, dtype=dtype) * size * 3
    wh = torch.rand(7, 2, generator=gen, dtype=dtype) * size * 2 + 2
    boxes = torch.cat([xy, xy + wh], 1)
    boxes[5] = torch.tensor([8.0, 4.0, 8.0, 20.0], dtype=dtype)  # zero width
    boxes[6] = torch.tensor([-30.0, -30.0, -12.0, -9.0], dtype=dtype)  # beyond the map's margin
    index = torch.tensor([0, 2, 0, 2, 2, 0, 2], dtype=dtype)[:, None] % batch
    rois = torch.cat([index, boxes], 1)
    grad = torch.randn(7, channels, 3, 2, generator=gen, dtype=dtype)
    return features, rois, grad


@pytest.fixture(params=["avx2-fma", "generic"])
def kernels(request, compiled_cpu):
    """The compiled module running the AVX2 copies of its kernels, or the generic code."""
    wanted = request.param == "avx2-fma"
    if compiled_cpu.use_avx2(wanted) != wanted:
        compiled_cpu.use_avx2(True)
        pytest.skip("this processor lacks AVX2 or FMA")
    assert compiled_cpu.kernel_isa() == request.param
    yield compiled_cpu
    compiled_cpu.use_avx2(True)


def _reference_grads(features, rois, grad):
    feats = features.clone().requires_grad_(True)
    boxes = rois.clone().requires_grad_(True)
    out = prroi_pool2d(feats, boxes, 3, 2, SCALE, backend="reference")
    return torch.autograd.grad(out, [feats, boxes], grad)


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-10), (torch.float32, 2e-5)])
@pytest.mark.parametrize("channels", [37, 64])  # a partial channel block, and full blocks only
@pytest.mark.parametrize("want_features, want_rois", [(True, True), (True, False), (False, True)])
def test_fused_backward_matches_reference_autograd(kernels, dtype, tol, channels, want_features, want_rois):
    features, rois, grad = _inputs(3, channels, 11, dtype, seed=channels)
    want_f, want_r = _reference_grads(features, rois, grad)
    got_f, got_r = kernels.backward(
        grad, features if want_rois else None, rois, 3, channels, 11, 14, SCALE, want_features, want_rois
    )
    if want_features:
        torch.testing.assert_close(got_f, want_f, rtol=tol, atol=tol)
        assert torch.count_nonzero(got_f[1]) == 0  # image 1 has no rois
    else:
        assert got_f is None
    if want_rois:
        torch.testing.assert_close(got_r, want_r, rtol=tol, atol=tol * (want_r.abs().max().item() + 1))
        assert torch.count_nonzero(got_r[:, 0]) == 0 and torch.count_nonzero(got_r[5:]) == 0
    else:
        assert got_r is None


@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-10), (torch.float32, 2e-5)])
@pytest.mark.parametrize("channels", [37, 64])
def test_forward_matches_reference(kernels, dtype, tol, channels):
    features, rois, _ = _inputs(3, channels, 11, dtype, seed=channels + 1)
    want = prroi_pool2d(features, rois, 3, 2, SCALE, backend="reference")
    torch.testing.assert_close(kernels.forward(features, rois, 3, 2, SCALE), want, rtol=tol, atol=tol)
    cl = features.contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(kernels.forward(cl, rois, 3, 2, SCALE), want, rtol=tol, atol=tol)


def test_fused_backward_reads_channels_last_features(compiled_cpu):
    features, rois, grad = _inputs(3, 40, 9, torch.float64, seed=3)
    want_f, want_r = _reference_grads(features, rois, grad)
    cl = features.contiguous(memory_format=torch.channels_last)
    got_f, got_r = compiled_cpu.backward(grad, cl, rois, 3, 40, 9, 12, SCALE, True, True)
    torch.testing.assert_close(got_f, want_f, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(got_r, want_r, rtol=1e-10, atol=1e-10)


def test_fused_backward_rejects_missing_or_mismatched_features(compiled_cpu):
    features, rois, grad = _inputs(3, 8, 9, torch.float64, seed=5)
    with pytest.raises(RuntimeError, match="the roi gradient needs the features"):
        compiled_cpu.backward(grad, None, rois, 3, 8, 9, 12, SCALE, False, True)
    with pytest.raises(RuntimeError, match=r"features shape \[3, 8, 9, 12\] differs from \[3, 8, 9, 13\]"):
        compiled_cpu.backward(grad, features, rois, 3, 8, 9, 13, SCALE, True, True)
    assert compiled_cpu.backward(grad, None, rois, 3, 8, 9, 12, SCALE, False, False) == (None, None)


@pytest.mark.parametrize("requires", [(True, True), (True, False), (False, True)])
def test_autograd_asks_only_for_the_needed_gradients(compiled_cpu, monkeypatch, requires):
    # prroi_pool2d's backward goes through the fused entry point with autograd's flags, and the
    # gradients equal the reference's.
    features, rois, grad = _inputs(3, 37, 11, torch.float64, seed=8)
    calls = []

    class Recording:
        checks_batch_indices = True
        forward = staticmethod(compiled_cpu.forward)

        @staticmethod
        def backward(*args):
            calls.append(args[-2:])
            return compiled_cpu.backward(*args)

    monkeypatch.setattr(function_module, "select_extension", lambda device_type, backend: Recording)
    feats = features.clone().requires_grad_(requires[0])
    boxes = rois.clone().requires_grad_(requires[1])
    out = prroi_pool2d(feats, boxes, 3, 2, SCALE)
    out.backward(grad)
    assert calls == [requires]
    want_f, want_r = _reference_grads(features, rois, grad)
    if requires[0]:
        torch.testing.assert_close(feats.grad, want_f)
    if requires[1]:
        torch.testing.assert_close(boxes.grad, want_r)
    assert (feats.grad is None) != requires[0] and (boxes.grad is None) != requires[1]


@pytest.mark.parametrize(
    "index, match",
    [
        (0.5, r"rois\[1, 0\] = 0.5 is not an integer batch index"),
        (float("nan"), r"rois\[1, 0\] = nan is not an integer batch index"),
        (-1.0, r"roi batch index -1 out of range for 2 feature maps \(rois\[1, 0\]\)"),
        (2.0, r"roi batch index 2 out of range for 2 feature maps \(rois\[1, 0\]\)"),
    ],
)
def test_kernel_checks_batch_indices(compiled_cpu, index, match):
    features = torch.randn(2, 3, 5, 5)
    rois = torch.tensor([[1.0, 0, 0, 3, 3], [index, 1, 1, 4, 4]])
    with pytest.raises(RuntimeError, match=match):
        compiled_cpu.forward(features, rois, 2, 2, 1.0)
    grad = torch.ones(2, 3, 2, 2)
    with pytest.raises(RuntimeError, match=match):
        compiled_cpu.backward(grad, features, rois, 2, 3, 5, 5, 1.0, True, True)


@pytest.mark.parametrize("index, shown", [(0.5, "0.5"), (float("nan"), "nan"), (-1.0, "-1.0"), (2.0, "2.0")])
def test_compiled_path_names_the_bad_roi_row(compiled_cpu, index, shown):
    features = torch.randn(2, 3, 5, 5)
    rois = torch.tensor([[1.0, 0, 0, 3, 3], [index, 1, 1, 4, 4]], requires_grad=True)
    with pytest.raises(ValueError, match=rf"rois\[1, 0\] = {shown} is not a batch index in \[0, 1\]"):
        prroi_pool2d(features, rois, 2, 2, 1.0, backend="compiled")


def test_compiled_path_leaves_valid_batch_indices_to_the_kernel(compiled_cpu, monkeypatch):
    # Valid inputs never reach the Python batch-index check on the C++ path (it costs a few
    # tensor ops per call); the reference path still runs it.
    def refuse(features, rois):
        raise AssertionError("batch indices inspected in Python")

    monkeypatch.setattr(function_module, "batch_index_error", refuse)
    monkeypatch.setattr(validation_module, "batch_index_error", refuse)
    features, rois, _ = _inputs(3, 4, 9, torch.float32, seed=1)
    prroi_pool2d(features, rois, 3, 2, SCALE, backend="compiled")
    with pytest.raises(AssertionError, match="inspected in Python"):
        prroi_pool2d(features, rois, 3, 2, SCALE, backend="reference")
