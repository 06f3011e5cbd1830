"""Compiled kernels against the reference at ATOM's sizes, the CUDA source compile check, and the
CUDA kernel where a GPU exists."""
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

import prroi_pool
from prroi_pool import prroi_pool2d

CSRC = Path(prroi_pool.__file__).resolve().parent / "csrc"

# (images, rois per image, channels, map size, spatial scale, pooled size)
ATOM_CASES = [
    pytest.param(1, 10, 256, 36, 1 / 8, 5, id="1x256x36x36-s8-5x5"),
    pytest.param(1, 10, 256, 18, 1 / 16, 3, id="1x256x18x18-s16-3x3"),
    pytest.param(8, 16, 256, 18, 1 / 16, 3, id="8x16rois-256x18x18-s16-3x3"),
    # a training batch: large enough for the C++ kernel's at::parallel_for path
    pytest.param(64, 16, 256, 18, 1 / 16, 3, id="64x16rois-256x18x18-s16-3x3"),
]


def _atom_inputs(images, per_image, channels, size, scale, dtype, device="cpu", seed=0):
    """Features and boxes like ATOM's: 288-px crops, boxes of 20..140 px, some leaving the crop."""
    gen = torch.Generator().manual_seed(seed)
    features = torch.randn(images, channels, size, size, generator=gen, dtype=dtype)
    n = images * per_image
    wh = 20 + 120 * torch.rand(n, 2, generator=gen, dtype=dtype)
    centre = size / scale * torch.rand(n, 2, generator=gen, dtype=dtype)
    index = torch.arange(images, dtype=dtype).repeat_interleave(per_image)[:, None]
    rois = torch.cat([index, centre - wh / 2, centre + wh / 2], dim=1)
    return features.to(device), rois.to(device)


def _forward_backward(features, rois, pooled, scale, backend, seed=1):
    features = features.detach().clone().requires_grad_(True)
    rois = rois.detach().clone().requires_grad_(True)
    out = prroi_pool2d(features, rois, pooled, pooled, scale, backend=backend)
    weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype).to(out.device)
    grad_features, grad_rois = torch.autograd.grad((out * weights).sum(), [features, rois])
    return out, grad_features, grad_rois


def _assert_backends_agree(features, rois, pooled, scale, rtol, atol):
    compiled = _forward_backward(features, rois, pooled, scale, "compiled")
    reference = _forward_backward(features, rois, pooled, scale, "reference")
    for name, got, want in zip(("output", "grad features", "grad rois"), compiled, reference):
        # coordinate gradients sum over channels and bins: scale the tolerance to their size
        tol = atol * (want.abs().max().item() + 1) if name == "grad rois" else atol
        torch.testing.assert_close(got.cpu(), want.cpu(), rtol=rtol, atol=tol, msg=lambda m: f"{name}: {m}")
    assert torch.count_nonzero(compiled[2][:, 0]) == 0  # no gradient to the batch index


@pytest.mark.parametrize("images, per_image, channels, size, scale, pooled", ATOM_CASES)
def test_cpu_kernel_matches_reference_float32(compiled_cpu, images, per_image, channels, size, scale, pooled):
    features, rois = _atom_inputs(images, per_image, channels, size, scale, torch.float32)
    _assert_backends_agree(features, rois, pooled, scale, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("images, per_image, channels, size, scale, pooled", ATOM_CASES)
def test_cpu_kernel_matches_reference_float64(compiled_cpu, images, per_image, channels, size, scale, pooled):
    features, rois = _atom_inputs(images, per_image, 32, size, scale, torch.float64, seed=4)
    _assert_backends_agree(features, rois, pooled, scale, rtol=1e-10, atol=1e-11)


def test_cpu_kernel_entry_points_directly(compiled_cpu):
    # The three entry points against autograd through the reference, channel count not a
    # multiple of the kernel's channel block.
    features, rois = _atom_inputs(3, 4, 37, 12, 1 / 4, torch.float64, seed=9)
    grad = torch.randn(12, 37, 4, 3, dtype=torch.float64)
    feats = features.clone().requires_grad_(True)
    boxes = rois.clone().requires_grad_(True)
    out = prroi_pool2d(feats, boxes, 4, 3, 0.25, backend="reference")
    want_features, want_rois = torch.autograd.grad(out, [feats, boxes], grad)
    torch.testing.assert_close(compiled_cpu.forward(features, rois, 4, 3, 0.25), out.detach())
    torch.testing.assert_close(compiled_cpu.backward_features(grad, rois, 3, 37, 12, 12, 0.25), want_features)
    torch.testing.assert_close(compiled_cpu.backward_rois(grad, features, rois, 0.25), want_rois)


def test_cpu_kernel_rejects_bad_batch_index(compiled_cpu):
    features = torch.randn(2, 3, 5, 5)
    with pytest.raises(RuntimeError, match="batch index 2 out of range for 2 feature maps"):
        compiled_cpu.forward(features, torch.tensor([[2.0, 0, 0, 3, 3]]), 2, 2, 1.0)


def _nvcc():
    return shutil.which("nvcc") or next(
        (str(p) for p in (Path("/usr/local/cuda/bin/nvcc"),) if p.exists()), None
    )


@pytest.mark.skipif(_nvcc() is None, reason="nvcc is not installed")
def test_cuda_source_compiles_with_nvcc(tmp_path):
    # The kernel source must compile without torch headers (torch here may be a CPU build).
    obj = tmp_path / "prroi_pool_cuda.o"
    result = subprocess.run(
        [_nvcc(), "-c", "-std=c++17", "-I", str(CSRC), str(CSRC / "prroi_pool_cuda.cu"), "-o", str(obj)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"nvcc failed:\n{result.stdout}\n{result.stderr}"
    assert obj.stat().st_size > 0


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.fixture
def compiled_cuda():
    try:
        import prroi_pool._C_cuda as module
    except ImportError as err:
        pytest.fail(f"prroi_pool._C_cuda is not built: run `python -m prroi_pool.build` on this CUDA machine ({err})")
    return module


@needs_cuda
@pytest.mark.parametrize("images, per_image, channels, size, scale, pooled", ATOM_CASES)
def test_cuda_kernel_matches_reference(compiled_cuda, images, per_image, channels, size, scale, pooled):
    features, rois = _atom_inputs(images, per_image, channels, size, scale, torch.float32, device="cuda")
    _assert_backends_agree(features, rois, pooled, scale, rtol=1e-4, atol=1e-5)
    features64, rois64 = _atom_inputs(images, per_image, 16, size, scale, torch.float64, device="cuda")
    _assert_backends_agree(features64, rois64, pooled, scale, rtol=1e-10, atol=1e-11)


@needs_cuda
def test_cuda_kernel_gradcheck(compiled_cuda):
    features = torch.randn(2, 2, 5, 6, dtype=torch.float64, device="cuda", requires_grad=True)
    index = torch.tensor([[0.0], [1.0]], dtype=torch.float64, device="cuda")
    coords = torch.tensor([[0.33, 0.71, 4.13, 3.57], [-1.29, 2.21, 3.31, 6.13]], dtype=torch.float64,
                          device="cuda", requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda f, c: prroi_pool2d(f, torch.cat([index, c], 1), 2, 3, 1.0, backend="compiled"),
        (features, coords), eps=1e-6, atol=1e-6,
    )
