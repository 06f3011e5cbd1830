"""Losses of the SiamRPN heads: classification over the sampled anchors and smooth-L1 regression
over the positives, combined as ``cls_weight * cls + reg_weight * reg``.

Network outputs are read in the anchor layout of :mod:`ltr.models.siam.anchors`: classification
``N x 2k x S x S`` as ``N x 2 x A`` (background, foreground) and regression ``N x 4k x S x S`` as
``N x 4 x A`` (dx, dy, dw, dh), with A = k S S. Labels are ``N x A`` in {-1 ignored, 0, 1}.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

CLS_MODES = ("sampled", "balanced")


def flatten_cls(cls: torch.Tensor) -> torch.Tensor:
    """``N x 2k x S x S`` -> ``N x A x 2`` logits (background, foreground) per anchor."""
    if cls.dim() != 4 or cls.shape[1] % 2:
        raise ValueError(f"flatten_cls: expected N x 2k x S x S, got {tuple(cls.shape)}")
    return cls.reshape(cls.shape[0], 2, -1).transpose(1, 2)


def flatten_reg(reg: torch.Tensor) -> torch.Tensor:
    """``N x 4k x S x S`` -> ``N x A x 4`` deltas (dx, dy, dw, dh) per anchor."""
    if reg.dim() != 4 or reg.shape[1] % 4:
        raise ValueError(f"flatten_reg: expected N x 4k x S x S, got {tuple(reg.shape)}")
    return reg.reshape(reg.shape[0], 4, -1).transpose(1, 2)


def _check_labels(logits: torch.Tensor, labels: torch.Tensor, where: str) -> None:
    if labels.shape != logits.shape[:2]:
        raise ValueError(f"{where}: labels {tuple(labels.shape)} do not match the {logits.shape[1]} "
                         f"anchors of {logits.shape[0]} samples in the network output; check the "
                         f"score size and anchor settings of the processing")


def rpn_cls_loss(cls: torch.Tensor, labels: torch.Tensor, mode: str = "sampled") -> torch.Tensor:
    """Cross-entropy of the anchors with label 0/1. ``'sampled'``: the mean over all of them in
    the batch; ``'balanced'``: half the mean over the positives plus half the mean over the
    negatives (a class absent from the batch contributes 0)."""
    logits = flatten_cls(cls)
    _check_labels(logits, labels, "rpn_cls_loss")
    if mode not in CLS_MODES:
        raise ValueError(f"rpn_cls_loss: mode must be one of {CLS_MODES}, got {mode!r}")
    labels = labels.long()
    used = labels >= 0
    ce = F.cross_entropy(logits[used], labels[used], reduction="none")
    if ce.numel() == 0:
        return logits.sum() * 0.0
    if mode == "sampled":
        return ce.mean()
    target = labels[used]
    loss = logits.new_zeros(())
    for value in (1, 0):
        chosen = ce[target == value]
        if chosen.numel():
            loss = loss + 0.5 * chosen.mean()
    return loss


def rpn_reg_loss(reg: torch.Tensor, reg_target: torch.Tensor, labels: torch.Tensor,
                 beta: float = 1.0) -> torch.Tensor:
    """Smooth-L1 (``beta``) summed over dx, dy, dw, dh, averaged over the positive anchors of the
    batch; 0 (with a gradient path) when the batch has none."""
    deltas = flatten_reg(reg)
    _check_labels(deltas, labels, "rpn_reg_loss")
    if reg_target.shape != deltas.shape:
        raise ValueError(f"rpn_reg_loss: reg_target {tuple(reg_target.shape)} does not match the "
                         f"network deltas {tuple(deltas.shape)}")
    positive = labels == 1
    if not positive.any():
        return deltas.sum() * 0.0
    per_coord = F.smooth_l1_loss(deltas[positive], reg_target[positive].to(deltas.dtype),
                                 reduction="none", beta=beta)
    return per_coord.sum(dim=1).mean()


class RPNLoss(nn.Module):
    """``cls_weight * rpn_cls_loss + reg_weight * rpn_reg_loss``; ``forward`` returns
    (total, classification, regression)."""

    def __init__(self, cls_weight: float = 1.0, reg_weight: float = 1.2, cls_mode: str = "sampled",
                 smooth_l1_beta: float = 1.0) -> None:
        super().__init__()
        if cls_mode not in CLS_MODES:
            raise ValueError(f"RPNLoss: cls_mode must be one of {CLS_MODES}, got {cls_mode!r}")
        if cls_weight < 0 or reg_weight < 0 or smooth_l1_beta <= 0:
            raise ValueError(f"RPNLoss: need cls_weight >= 0, reg_weight >= 0, smooth_l1_beta > 0; "
                             f"got {cls_weight}, {reg_weight}, {smooth_l1_beta}")
        self.cls_weight = float(cls_weight)
        self.reg_weight = float(reg_weight)
        self.cls_mode = cls_mode
        self.beta = float(smooth_l1_beta)

    def forward(self, cls: torch.Tensor, reg: torch.Tensor, labels: torch.Tensor,
                reg_target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        cls_loss = rpn_cls_loss(cls, labels, self.cls_mode)
        reg_loss = rpn_reg_loss(reg, reg_target, labels, self.beta)
        return self.cls_weight * cls_loss + self.reg_weight * reg_loss, cls_loss, reg_loss
