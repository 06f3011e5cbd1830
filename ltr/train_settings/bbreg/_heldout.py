"""Held-out check of an IoU predictor: how well its predicted IoUs follow the true ones."""
from __future__ import annotations

import math
from typing import Iterable, Optional

import numpy as np
import torch

from pytracking.libs import TensorDict


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of two equally long vectors (NaN when either is constant)."""
    x = np.asarray(x, np.float64).ravel()
    y = np.asarray(y, np.float64).ravel()
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"pearson: need two vectors of the same length >= 2, got {x.shape}, "
                         f"{y.shape}")
    dx, dy = x - x.mean(), y - y.mean()
    norm = math.sqrt(float(dx @ dx) * float(dy @ dy))
    return float(dx @ dy) / norm if norm > 0 else float("nan")


@torch.no_grad()
def iou_prediction_correlation(net: torch.nn.Module, batches: Iterable,
                               device: torch.device | str = "cpu",
                               max_batches: Optional[int] = None) -> tuple[float, int]:
    """(Pearson r, number of proposals) of the predicted vs. true proposal IoUs over ``batches``
    (ATOM batches: train_images, test_images, train_anno, test_proposals, proposal_iou)."""
    was_training = net.training
    net.eval()
    predicted, true = [], []
    try:
        for k, data in enumerate(batches):
            if max_batches is not None and k >= max_batches:
                break
            data = TensorDict(data).to(device) if not isinstance(data, TensorDict) else \
                data.to(device)
            iou_pred = net(data["train_images"], data["test_images"], data["train_anno"],
                           data["test_proposals"])
            predicted.append(iou_pred.reshape(-1).float().cpu().numpy())
            true.append(data["proposal_iou"].reshape(-1).float().cpu().numpy())
    finally:
        net.train(was_training)
    if not predicted:
        raise ValueError("iou_prediction_correlation: no batches")
    pred, gt = np.concatenate(predicted), np.concatenate(true)
    return pearson(pred, gt), int(gt.size)
