"""Training targets of the SiamRPN anchors: labels by IoU, random sampling, regression deltas.

An anchor whose IoU with the ground truth is above ``pos_iou`` (0.6) is a positive candidate,
below ``neg_iou`` (0.3) a negative candidate, anything in between is ignored. At most
``max_pos`` (16) positives are kept, drawn at random, and negatives are drawn at random to fill
``total`` (64) samples; every other anchor gets the label -1 (ignored by the losses). A pair
without positive candidates has only negatives (up to ``total``): the classifier still learns
from it, the regression does not.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ltr.models.siam.anchors import encode_boxes, iou_cxcywh

IGNORE = -1
NEGATIVE = 0
POSITIVE = 1


@dataclass(frozen=True)
class AnchorTargets:
    """``label`` (A,) int64 in {-1, 0, 1}; ``reg_target`` (A, 4) deltas to the ground truth (all
    anchors; the losses use the positives'); ``iou`` (A,) of each anchor with the ground truth."""

    label: torch.Tensor
    reg_target: torch.Tensor
    iou: torch.Tensor


def _keep_random(indices: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    if len(indices) <= count:
        return indices
    return rng.choice(indices, size=count, replace=False)


def anchor_targets(anchors: torch.Tensor, gt_box: torch.Tensor, rng: np.random.Generator,
                   pos_iou: float = 0.6, neg_iou: float = 0.3, max_pos: int = 16,
                   total: int = 64) -> AnchorTargets:
    """Targets of the ``A x 4`` ``anchors`` for one ground-truth [cx, cy, w, h] ``gt_box`` (same
    frame as the anchors: search-crop pixels relative to the crop centre)."""
    if not 0 <= neg_iou <= pos_iou <= 1:
        raise ValueError(f"anchor_targets: need 0 <= neg_iou <= pos_iou <= 1, got neg_iou={neg_iou},"
                         f" pos_iou={pos_iou}")
    if not 0 <= max_pos <= total:
        raise ValueError(f"anchor_targets: need 0 <= max_pos <= total, got max_pos={max_pos}, "
                         f"total={total}")
    gt_box = torch.as_tensor(gt_box, dtype=anchors.dtype).reshape(4)
    iou = iou_cxcywh(anchors, gt_box)
    iou_np = iou.numpy()
    positives = _keep_random(np.flatnonzero(iou_np > pos_iou), max_pos, rng)
    negatives = _keep_random(np.flatnonzero(iou_np < neg_iou), total - len(positives), rng)
    label = torch.full((anchors.shape[0],), IGNORE, dtype=torch.int64)
    label[torch.from_numpy(np.asarray(negatives, dtype=np.int64))] = NEGATIVE
    label[torch.from_numpy(np.asarray(positives, dtype=np.int64))] = POSITIVE
    reg_target = encode_boxes(gt_box.expand_as(anchors), anchors)
    return AnchorTargets(label, reg_target, iou)
