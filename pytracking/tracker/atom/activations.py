"""Activations of ATOM's classifier (phi_1 after the projection, phi_2 after the filter).

Each activation has its derivative, so the optimizers can form Jacobian products explicitly.
``mlu`` with parameter ``a`` is ``elu(leaky_relu(x, 1/a), a)``: ``x`` for ``x > 0`` and
``a (exp(x / a) - 1)`` otherwise (derivative ``exp(x / a)``, taken as 0 below 1e-12).
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F


_NEGLIGIBLE_SLOPE = 1e-12


class Activation:
    """A pointwise activation ``kind`` ('none', 'relu', 'elu', 'mlu') with parameter ``param``."""

    KINDS = ("none", "relu", "elu", "mlu")

    def __init__(self, kind: str, param: Optional[float] = None) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"Unknown activation '{kind}'; expected one of {self.KINDS}")
        if kind in ("elu", "mlu") and (param is None or param <= 0):
            raise ValueError(f"Activation '{kind}' needs a positive parameter, e.g. ('{kind}', 0.05); "
                             f"got {param!r}")
        self.kind = kind
        self.param = param

    @property
    def is_identity(self) -> bool:
        return self.kind == "none"

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "none":
            return x
        if self.kind == "relu":
            return F.relu(x)
        if self.kind == "elu":
            return F.elu(x, self.param)
        return F.elu(F.leaky_relu(x, 1.0 / self.param), self.param)

    def derivative(self, x: torch.Tensor) -> torch.Tensor:
        """d activation / dx evaluated at ``x``."""
        if self.kind == "none":
            return torch.ones_like(x)
        if self.kind == "relu":
            return (x > 0).to(x.dtype)
        if self.kind == "elu":
            d = torch.where(x > 0, torch.ones_like(x), self.param * torch.exp(x.clamp(max=0)))
        else:
            d = torch.where(x > 0, torch.ones_like(x), torch.exp(x.clamp(max=0) / self.param))
        # Negligible slopes are set to 0: their squares and products would otherwise be denormal
        # floats, which are very slow on CPUs (and change nothing at this size).
        return d.masked_fill(d < _NEGLIGIBLE_SLOPE, 0)

    def __repr__(self) -> str:
        return f"Activation({self.kind!r}, {self.param!r})"
