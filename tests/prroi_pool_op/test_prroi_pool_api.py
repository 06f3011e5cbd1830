"""Argument validation, backend selection, and the fallback to the reference."""
import warnings

import pytest
import torch

import prroi_pool.backend as backend_module
from prroi_pool import PrRoIPool2D, prroi_pool2d
from prroi_pool.reference import prroi_pool2d_reference

FEATURES = torch.randn(2, 3, 6, 6)
ROIS = torch.tensor([[0, 1.0, 1.0, 20.0, 30.0], [1, 5.0, 2.0, 40.0, 41.0]])


@pytest.mark.parametrize("fn", [prroi_pool2d, prroi_pool2d_reference])
@pytest.mark.parametrize(
    "features, rois, args, error, match",
    [
        (FEATURES, ROIS[:, :4], (2, 2, 0.125), ValueError, r"rois must have shape \[K, 5\].*\(2, 4\)"),
        (FEATURES, ROIS.double(), (2, 2, 0.125), TypeError, "rois dtype torch.float64 does not match features dtype torch.float32"),
        (FEATURES[0], ROIS, (2, 2, 0.125), ValueError, r"features must have shape \[B, C, H, W\]"),
        (FEATURES.int(), ROIS.int(), (2, 2, 0.125), TypeError, "features must be float32 or float64"),
        (FEATURES, torch.tensor([[2.0, 0, 0, 9, 9]]), (2, 2, 0.125), ValueError, r"rois\[0, 0\] = 2.0 is not a batch index in \[0, 1\]"),
        (FEATURES, torch.tensor([[0.5, 0, 0, 9, 9]]), (2, 2, 0.125), ValueError, r"rois\[0, 0\] = 0.5 is not a batch index"),
        (FEATURES, torch.tensor([[-1.0, 0, 0, 9, 9]]), (2, 2, 0.125), ValueError, r"rois\[0, 0\] = -1.0"),
        (FEATURES, ROIS, (0, 2, 0.125), ValueError, "pooled_height must be positive, got 0"),
        (FEATURES, ROIS, (2, 2.0, 0.125), TypeError, "pooled_width must be an int"),
        (FEATURES, ROIS, (2, 2, 0.0), ValueError, "spatial_scale must be positive and finite, got 0.0"),
        (FEATURES, ROIS, (2, 2, float("inf")), ValueError, "spatial_scale must be positive and finite"),
    ],
)
def test_bad_arguments_are_rejected(fn, features, rois, args, error, match):
    with pytest.raises(error, match=match):
        fn(features, rois, *args)


def test_unknown_backend_names_its_source(monkeypatch):
    with pytest.raises(ValueError, match="unknown backend 'cuda' from the backend argument"):
        prroi_pool2d(FEATURES, ROIS, 2, 2, 0.125, backend="cuda")
    with pytest.raises(ValueError, match="unknown backend"):
        PrRoIPool2D(2, 2, 0.125, backend="fast")
    monkeypatch.setenv("PRROI_POOL_BACKEND", "Reference")
    with pytest.raises(ValueError, match="from the environment variable PRROI_POOL_BACKEND"):
        prroi_pool2d(FEATURES, ROIS, 2, 2, 0.125)


@pytest.fixture
def hidden_cpu_kernel(monkeypatch):
    """As if prroi_pool._C were not built, with the once-per-process warning state reset."""
    monkeypatch.setattr(backend_module, "_loaded", {"cpu": None})
    monkeypatch.setattr(backend_module, "_load_errors", {"cpu": "prroi_pool._C could not be imported (hidden by the test)"})
    monkeypatch.setattr(backend_module, "_warned", set())


def test_missing_kernel_falls_back_to_reference_with_one_warning(hidden_cpu_kernel, monkeypatch):
    monkeypatch.delenv("PRROI_POOL_BACKEND", raising=False)
    rois = ROIS.clone().requires_grad_(True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = prroi_pool2d(FEATURES, rois, 3, 3, 0.125)
        second = PrRoIPool2D(3, 3, 0.125)(FEATURES, rois)
        first.sum().backward()
    fallback = [w for w in caught if "prroi_pool" in str(w.message)]
    assert len(fallback) == 1, [str(w.message) for w in caught]
    assert issubclass(fallback[0].category, RuntimeWarning)
    assert "python -m prroi_pool.build" in str(fallback[0].message)
    expected = prroi_pool2d_reference(FEATURES, ROIS, 3, 3, 0.125)
    torch.testing.assert_close(first, expected)
    torch.testing.assert_close(second, expected)
    assert rois.grad is not None and rois.grad[:, 1:].abs().sum() > 0


def test_compiled_backend_required_but_missing_raises(hidden_cpu_kernel):
    with pytest.raises(RuntimeError, match=r"prroi_pool\._C could not be imported.*python -m prroi_pool.build"):
        prroi_pool2d(FEATURES, ROIS, 2, 2, 0.125, backend="compiled")


def test_reference_forced_never_loads_a_kernel(monkeypatch):
    def refuse(device_type):
        raise AssertionError(f"kernel for {device_type} loaded although the reference was forced")

    monkeypatch.setattr(backend_module, "load_extension", refuse)
    monkeypatch.setenv("PRROI_POOL_BACKEND", "reference")
    torch.testing.assert_close(prroi_pool2d(FEATURES, ROIS, 2, 2, 0.125), prroi_pool2d_reference(FEATURES, ROIS, 2, 2, 0.125))
    monkeypatch.delenv("PRROI_POOL_BACKEND")
    prroi_pool2d(FEATURES, ROIS, 2, 2, 0.125, backend="reference")
