"""Compiled CPU kernels for tracking-time inference (``pytracking.libs.cpu_kernels._C``).

* :mod:`.winograd` — Winograd F(4x4, 3x3) convolution (ATOM's ResNet blocks and IoU-Net branch);
* :mod:`.stem` — a ResNet stem (7x7/2 convolution, ReLU, 3x3/2 max pooling) in one pass;
* :mod:`.relu_linear` — a fully connected ReLU layer's output and input gradient for a few rows in
  two passes over one weight copy (ATOM's IoU-Net head during box refinement).
* ``fhog`` — Felzenszwalb's HOG features (31 channels per cell), used by
  :func:`pytracking.features.handcrafted.fhog`; ``colornames_cells`` — colour names averaged over
  cells (:func:`pytracking.features.handcrafted.colornames`); ``spectrum_reg`` — ECO's spatial
  regularization on half spectra (:class:`pytracking.tracker.eco.continuous.RegOperator`). Each
  falls back to a torch version without the build (:func:`compiled_op`).
* ``resize_area_u8`` — OpenCV's area-averaging shrink of boxes of a uint8 image with OpenCV's
  result, in one call (ECO's scale samples, :func:`pytracking.tracker.eco.region.resize_boxes_auto`;
  OpenCV's resize without the build).

Intermediate buffers of the convolution kernels are kept per calling thread between calls (up to
64 MB each; ATOM on one image uses about 6 MB), so that no call pays page faults for fresh memory.

Built by ``python -m pytracking.libs.cpu_kernels.build`` (install.sh runs it); nothing is compiled
at run time. :func:`load_kernel` gives the module or None, :func:`missing_reason` says why. The
kernel bodies are compiled twice, generic and AVX2 + FMA (x86-64 with GCC); the AVX2 copy runs when
the processor has both (``_C.kernel_isa()``; ``_C.use_avx2(False)`` switches to the generic copy).
"""
from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Callable, Optional

import torch

__all__ = ["BUILD_COMMAND", "compiled_op", "load_kernel", "missing_reason", "require_kernel", "refuse_grad"]

logger = logging.getLogger(__name__)

BUILD_COMMAND = "python -m pytracking.libs.cpu_kernels.build"

_kernel: Optional[ModuleType] = None
_warned_fallback: set = set()
_missing: Optional[str] = None
_loaded = False


def load_kernel() -> Optional[ModuleType]:
    """The compiled module, or None when it is not built (:func:`missing_reason` says why)."""
    global _kernel, _missing, _loaded
    if not _loaded:
        try:
            _kernel = importlib.import_module(f"{__name__}._C")
        except ImportError as err:
            _missing = f"{__name__}._C could not be imported ({err}); build it with `{BUILD_COMMAND}`"
            logger.debug("cpu_kernels: %s", _missing)
        _loaded = True
    return _kernel


def missing_reason() -> Optional[str]:
    """Why the compiled kernels are unavailable, or None when they are loaded."""
    return None if load_kernel() is not None else _missing


def compiled_op(name: str, use_kernel: Optional[bool] = None, fallback: str = "torch version") -> Optional[Callable]:
    """The compiled op ``name``, or None where the caller should run its ``fallback`` (named in the warning).
    ``use_kernel``: None gives the op when it is built (else None, with one warning per op), True
    requires it (RuntimeError naming the build command otherwise), False always gives None."""
    kernel = load_kernel()
    op = getattr(kernel, name, None) if kernel is not None else None
    why = missing_reason() or f"the built kernel has no {name}; rebuild it with `{BUILD_COMMAND}`"
    if use_kernel and op is None:
        raise RuntimeError(f"{name}: the compiled kernel is not available: {why}")
    if use_kernel is None and op is None and name not in _warned_fallback:
        logger.warning("%s: compiled kernel unavailable, using the slower %s (%s)", name, fallback, why)
        _warned_fallback.add(name)
    return None if use_kernel is False else op


def require_kernel(op: str) -> ModuleType:
    """The compiled module; RuntimeError naming ``op`` and the build command when it is missing."""
    kernel = load_kernel()
    if kernel is None:
        raise RuntimeError(f"{op}: {missing_reason()}")
    return kernel


def refuse_grad(op: str, *tensors: Optional[torch.Tensor]) -> None:
    """RuntimeError when autograd is on and one of ``tensors`` requires grad: the kernels are
    inference-only, and a gradient would be lost silently."""
    if torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors):
        raise RuntimeError(f"{op} is inference-only (no gradients): call it under torch.no_grad() "
                           "or with tensors that do not require grad")
