"""A fully connected layer's output and input gradient for a few rows, from one weight copy.

For rows ``x`` (``P x K``) of a layer ``pre = x W^T + b`` (``W``: ``N x K``), :func:`relu_linear_grad`
gives ``y = act(pre) v`` and ``dy/dx = (act'(pre) * v) W`` (``act`` = ReLU or identity, ``v``: ``N``
output weights) in two passes over the same row-major ``W``: this is ATOM's IoU-Net head during box
refinement (``P`` = 10 boxes, ``K`` = 6400 or 2304, ``N`` = 256), where reading the weights once per
pass matters more than the arithmetic. ReLU's derivative at 0 is taken as 0 (as autograd does).
"""
from __future__ import annotations

from typing import Tuple

import torch

from pytracking.libs.cpu_kernels import load_kernel, require_kernel

__all__ = ["supports", "relu_linear_grad"]


def supports(x: torch.Tensor, weight: torch.Tensor) -> bool:
    """Whether the compiled kernel is built and takes these tensors: float32 on the CPU, ``K`` a
    multiple of 8."""
    return (load_kernel() is not None and x.device.type == "cpu" and weight.device.type == "cpu"
            and x.dtype == torch.float32 and weight.dtype == torch.float32 and weight.dim() == 2
            and weight.shape[1] % 8 == 0)


def relu_linear_grad(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, out_weight: torch.Tensor,
                     relu: bool) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(y, dy/dx)`` (``P``, ``P x K``) for ``y = act(x weight^T + bias) out_weight`` (see the
    module docstring). Inference only: the results carry no autograd history."""
    kernel = require_kernel("relu_linear_grad")
    with torch.no_grad():
        return kernel.relu_linear_grad(x.contiguous(), weight.contiguous(), bias.contiguous(),
                                       out_weight.contiguous(), bool(relu))
