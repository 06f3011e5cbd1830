"""SiamFC's balanced logistic loss."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def balanced_weights(labels: torch.Tensor) -> torch.Tensor:
    """Per-element weights: positives (label 1) share 1/2, negatives (label 0) share 1/2, per
    sample (all dimensions but the first); a sample with no positives (negatives) gives its
    negatives (positives) the whole weight 1."""
    if labels.dim() < 2:
        raise ValueError(f"balanced_weights: labels need a batch dimension, got shape {tuple(labels.shape)}")
    flat = labels.reshape(labels.shape[0], -1)
    pos = (flat > 0.5).float()
    neg = 1.0 - pos
    num_pos = pos.sum(dim=1, keepdim=True)
    num_neg = neg.sum(dim=1, keepdim=True)
    w_pos = torch.where(num_neg > 0, 0.5, 1.0) / num_pos.clamp(min=1)
    w_neg = torch.where(num_pos > 0, 0.5, 1.0) / num_neg.clamp(min=1)
    return (pos * w_pos + neg * w_neg).reshape(labels.shape)


def balanced_logistic_loss(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ``sum_u w[u] log(1 + exp(-y[u] v[u]))`` with y = +1 for label 1 and
    -1 for label 0, and :func:`balanced_weights` w (positives and negatives count equally)."""
    if scores.shape != labels.shape:
        raise ValueError(f"balanced_logistic_loss: scores {tuple(scores.shape)} and labels "
                         f"{tuple(labels.shape)} differ in shape")
    labels = labels.to(scores.dtype)
    weights = balanced_weights(labels)
    per_element = F.binary_cross_entropy_with_logits(scores, labels, reduction="none")
    return (weights * per_element).reshape(scores.shape[0], -1).sum(dim=1).mean()


class BalancedLogisticLoss(nn.Module):
    """Module form of :func:`balanced_logistic_loss`."""

    def forward(self, scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return balanced_logistic_loss(scores, labels)
