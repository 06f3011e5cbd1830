"""Anchors of the region-proposal Siamese trackers (SiamRPN, SiamRPN++) and the box coding.

Anchor shapes (DaSiamRPN / SiamRPN): with ``base_size`` b, the anchor area is b^2; for an aspect
ratio r = h / w the width is ``int(sqrt(b^2 / r))`` and the height ``int(width * r)`` (the published
integer truncation), both times each scale. For b = 8, scale 8 and ratios [0.33, 0.5, 1, 2, 3] the
shapes (w, h) are (104, 32), (88, 40), (64, 64), (40, 80), (32, 96) search-crop pixels.

Layout: anchor ``k * S * S + i * S + j`` is shape k at score-map row i, column j of an S x S map;
the network's 2k classification channels are read as (2, k) — channels [0, k) background,
[k, 2k) foreground — and its 4k regression channels as (4, k) — dx, dy, dw, dh blocks of k —
so reshaping ``N x 2k x S x S`` to ``N x 2 x (k S S)`` lines up with the anchors.

Coordinates: [cx, cy, w, h] in search-crop pixels relative to the crop centre; cell (i, j) is
centred at ``((j - S // 2) * stride, (i - S // 2) * stride)``.

Box coding: deltas (dx, dy, dw, dh) = ((gx - ax) / aw, (gy - ay) / ah, log(gw / aw), log(gh / ah)).
"""
from __future__ import annotations

import math
from typing import Sequence

import torch

RATIOS = (0.33, 0.5, 1.0, 2.0, 3.0)
SCALES = (8.0,)
BASE_SIZE = 8
TOTAL_STRIDE = 8


def anchor_shapes(base_size: float = BASE_SIZE, scales: Sequence[float] = SCALES,
                  ratios: Sequence[float] = RATIOS) -> torch.Tensor:
    """``K x 2`` anchor (w, h), ratio-major then scale (K = len(ratios) * len(scales))."""
    if base_size <= 0 or not ratios or not scales:
        raise ValueError(f"anchor_shapes: need base_size > 0 and at least one ratio and scale, got "
                         f"base_size={base_size}, ratios={list(ratios)}, scales={list(scales)}")
    if min(ratios) <= 0 or min(scales) <= 0:
        raise ValueError(f"anchor_shapes: ratios and scales must be positive, got ratios="
                         f"{list(ratios)}, scales={list(scales)}")
    area = float(base_size) * float(base_size)
    shapes = []
    for ratio in ratios:
        width = int(math.sqrt(area / ratio))
        height = int(width * ratio)
        if width < 1 or height < 1:
            raise ValueError(f"anchor_shapes: ratio {ratio} with base_size {base_size} gives an "
                             f"empty anchor ({width} x {height})")
        for scale in scales:
            shapes.append((width * scale, height * scale))
    return torch.tensor(shapes, dtype=torch.float32)


def generate_anchors(score_size: int, total_stride: int = TOTAL_STRIDE,
                     base_size: float = BASE_SIZE, scales: Sequence[float] = SCALES,
                     ratios: Sequence[float] = RATIOS) -> torch.Tensor:
    """``(K * S * S) x 4`` anchors [cx, cy, w, h] of an S x S score map (layout: module docstring)."""
    if score_size < 1 or total_stride <= 0:
        raise ValueError(f"generate_anchors: need score_size >= 1 and total_stride > 0, got "
                         f"{score_size} and {total_stride}")
    shapes = anchor_shapes(base_size, scales, ratios)
    k, s = shapes.shape[0], int(score_size)
    offsets = (torch.arange(s, dtype=torch.float32) - s // 2) * total_stride
    cy, cx = torch.meshgrid(offsets, offsets, indexing="ij")
    anchors = torch.empty(k, s, s, 4)
    anchors[..., 0] = cx
    anchors[..., 1] = cy
    anchors[..., 2] = shapes[:, 0].view(k, 1, 1)
    anchors[..., 3] = shapes[:, 1].view(k, 1, 1)
    return anchors.reshape(-1, 4)


def encode_boxes(boxes: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """Deltas (dx, dy, dw, dh) of [cx, cy, w, h] ``boxes`` (``... x 4``, or one box) w.r.t. anchors."""
    boxes = torch.as_tensor(boxes, dtype=anchors.dtype)
    if boxes.shape[-1] != 4 or anchors.shape[-1] != 4:
        raise ValueError(f"encode_boxes: boxes {tuple(boxes.shape)} and anchors "
                         f"{tuple(anchors.shape)} must end in 4 ([cx, cy, w, h])")
    if (boxes[..., 2:] <= 0).any():
        raise ValueError("encode_boxes: box widths and heights must be positive")
    return torch.stack([(boxes[..., 0] - anchors[..., 0]) / anchors[..., 2],
                        (boxes[..., 1] - anchors[..., 1]) / anchors[..., 3],
                        torch.log(boxes[..., 2] / anchors[..., 2]),
                        torch.log(boxes[..., 3] / anchors[..., 3])], dim=-1)


def decode_boxes(deltas: torch.Tensor, anchors: torch.Tensor) -> torch.Tensor:
    """[cx, cy, w, h] boxes of ``deltas`` (``... x 4``) w.r.t. ``anchors`` (inverse of encode)."""
    if deltas.shape[-1] != 4 or anchors.shape[-1] != 4:
        raise ValueError(f"decode_boxes: deltas {tuple(deltas.shape)} and anchors "
                         f"{tuple(anchors.shape)} must end in 4")
    return torch.stack([deltas[..., 0] * anchors[..., 2] + anchors[..., 0],
                        deltas[..., 1] * anchors[..., 3] + anchors[..., 1],
                        torch.exp(deltas[..., 2]) * anchors[..., 2],
                        torch.exp(deltas[..., 3]) * anchors[..., 3]], dim=-1)


def iou_cxcywh(anchors: torch.Tensor, box: torch.Tensor) -> torch.Tensor:
    """IoU of every ``anchors`` row ([cx, cy, w, h]) with one [cx, cy, w, h] ``box``."""
    box = torch.as_tensor(box, dtype=anchors.dtype).reshape(4)
    a0 = anchors[:, :2] - 0.5 * anchors[:, 2:]
    a1 = anchors[:, :2] + 0.5 * anchors[:, 2:]
    b0 = box[:2] - 0.5 * box[2:]
    b1 = box[:2] + 0.5 * box[2:]
    inter = (torch.minimum(a1, b1) - torch.maximum(a0, b0)).clamp(min=0).prod(dim=1)
    union = anchors[:, 2] * anchors[:, 3] + box[2] * box[3] - inter
    return inter / union.clamp(min=1e-12)
