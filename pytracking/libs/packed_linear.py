"""Products with a fixed weight matrix, ``x @ weight.T (+ bias)``, for inputs of a few rows.

ATOM's box refinement multiplies ~10 pooled boxes by the IoU-Net's fully connected weights (up to
256 x 6400) several times per frame. For such few-row products MKL's general matrix product runs
far below the machine's peak on the CPU; oneDNN's linear with the weight reordered once into its
blocked layout is about 1.3-1.6x faster (2 cores, AVX2). :class:`PackedLinear` uses it for float32
CPU weights when this torch build provides the (internal) oneDNN linear ops, and ``addmm``
otherwise; both give the same products up to float rounding.
"""
from __future__ import annotations

import logging
from typing import Optional

import torch

logger = logging.getLogger(__name__)


def _onednn_linear_ops() -> bool:
    mkldnn_ops = getattr(torch.ops, "mkldnn", None)
    return (torch.backends.mkldnn.is_available() and mkldnn_ops is not None
            and hasattr(mkldnn_ops, "_linear_pointwise") and hasattr(mkldnn_ops, "_reorder_linear_weight"))


class PackedLinear:
    """``x @ weight.T + bias`` (``bias`` optional) for a fixed ``weight`` (``out x in``).

    ``rows`` is the expected number of input rows (a hint for the weight layout)."""

    def __init__(self, weight: torch.Tensor, bias: Optional[torch.Tensor] = None, rows: int = 10) -> None:
        if weight.dim() != 2:
            raise ValueError(f"PackedLinear: weight must be a matrix, got shape {tuple(weight.shape)}")
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ValueError(f"PackedLinear: bias of shape {tuple(bias.shape)} for a weight with "
                             f"{weight.shape[0]} rows")
        self.weight = weight.detach().contiguous()
        self.bias = None if bias is None else bias.detach().contiguous()
        self.packed: Optional[torch.Tensor] = None
        if self.weight.device.type == "cpu" and self.weight.dtype == torch.float32 and _onednn_linear_ops():
            try:
                self.packed = torch.ops.mkldnn._reorder_linear_weight(self.weight, max(int(rows), 1))
                self._onednn(self.weight.new_zeros(1, self.weight.shape[1]))
            except RuntimeError as err:                  # an op that this build cannot run
                logger.debug("PackedLinear: oneDNN linear unavailable (%s); using addmm", err)
                self.packed = None

    def _onednn(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.mkldnn._linear_pointwise(x, self.packed, self.bias, "none", [], "")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` (``rows x in``) -> ``rows x out``."""
        if self.packed is not None and x.dtype == torch.float32 and x.device.type == "cpu":
            return self._onednn(x.contiguous())
        if self.bias is None:
            return x @ self.weight.t()
        return torch.addmm(self.bias, x, self.weight.t())
