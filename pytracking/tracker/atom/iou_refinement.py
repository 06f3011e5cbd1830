"""IoU-Net target-box refinement (ATOM): gradient ascent on the predicted IoU of proposal boxes.

Boxes are ``[x, y, w, h]`` in the pixel coordinates of the sample image fed to the network.
Each step moves a box by ``step_length * dIoU/dbox * [w, h, w, h]`` (gradients scaled by the box
size, as in the original), for ``iterations`` steps.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from pytracking.tracker.atom.iou_head import BoxIoUObjective


def random_boxes(init_box: torch.Tensor, num: int, jitter_pos: float, jitter_sz: float,
                 generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """``init_box`` followed by ``num`` jittered copies (``(num + 1) x 4``).

    Centre and size move by uniform offsets in ``[-0.5, 0.5) * jitter * sqrt(w h)``; sizes are kept
    at least a third of the smaller side of ``init_box``.
    """
    init_box = init_box.reshape(4).float()
    if num <= 0:
        return init_box.reshape(1, 4).clone()
    square_sz = init_box[2:].prod().sqrt()
    factor = square_sz * torch.tensor([jitter_pos, jitter_pos, jitter_sz, jitter_sz])
    jitter = (torch.rand(num, 4, generator=generator) - 0.5) * factor
    new_sz = (init_box[2:] + jitter[:, 2:]).clamp(min=float(init_box[2:].min()) / 3)
    new_centre = init_box[:2] + init_box[2:] / 2 + jitter[:, :2]
    boxes = torch.cat((new_centre - new_sz / 2, new_sz), dim=1)
    return torch.cat((init_box.reshape(1, 4), boxes))


def optimize_boxes(predictor: nn.Module, modulation: Sequence[torch.Tensor],
                   iou_feat: Union[Sequence[torch.Tensor], Callable[[torch.Tensor], Sequence[torch.Tensor]]],
                   boxes: torch.Tensor, iterations: int,
                   step_length: float, step_decay: float = 1.0,
                   visited: Optional[list] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Refine ``boxes`` (``P x 4``) by gradient ascent on ``predictor.predict_iou``.

    ``modulation``: the two modulation vectors (``1 x C``); ``iou_feat``: the two test feature maps
    of one sample (``1 x C x H x W``), or a callable giving them for a box set (e.g.
    :class:`pytracking.features.iou_windows.WindowedIoUFeatures`; it is asked before every
    evaluation, and a new object means new features). Returns the refined boxes (``P x 4``, CPU) and the IoU
    predicted at the last evaluated iterate, i.e. before the last step (``P``, CPU; as the
    original, which saves one network evaluation; with 0 iterations, at the given boxes). If
    ``visited`` is a list, every box set the network was evaluated on (``P x 4``, CPU) is
    appended to it.
    """
    features_for = iou_feat if callable(iou_feat) else (lambda _boxes: iou_feat)
    objective: Optional[BoxIoUObjective] = None

    def objective_for(b: torch.Tensor) -> BoxIoUObjective:
        nonlocal objective
        feat = features_for(b)
        if objective is None or feat is not objective.iou_feat:
            objective = BoxIoUObjective(predictor, modulation, feat)
        return objective

    out = boxes.reshape(-1, 4).float()
    out = out.to(features_for(out)[0].device)
    if iterations <= 0:
        if visited is not None:
            visited.append(out.cpu())
        iou, _ = objective_for(out)(out, with_grad=False)
        return out.cpu(), iou.cpu()
    step = float(step_length)
    for _ in range(iterations):
        if visited is not None:
            visited.append(out.cpu())
        iou, grad = objective_for(out)(out)
        out = out + step * grad * out[:, 2:].repeat(1, 2)
        step *= step_decay
    return out.cpu(), iou.cpu()


def select_box(boxes: torch.Tensor, ious: torch.Tensor, maximal_aspect_ratio: float,
               k: int) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
    """Mean of the ``k`` best boxes whose aspect ratio is within ``(1/max, max)``; None if none.

    Sizes are first clamped to at least 1 pixel. Returns (box, mean IoU of the chosen boxes).
    """
    boxes = boxes.clone()
    boxes[:, 2:] = boxes[:, 2:].clamp(min=1)
    aspect = boxes[:, 2] / boxes[:, 3]
    keep = (aspect < maximal_aspect_ratio) & (aspect > 1 / maximal_aspect_ratio) & torch.isfinite(ious)
    keep &= torch.isfinite(boxes).all(dim=1)
    boxes, ious = boxes[keep], ious[keep]
    if boxes.shape[0] == 0:
        return None
    top = min(k, boxes.shape[0])
    _, inds = torch.topk(ious, top)
    return boxes[inds].mean(dim=0), ious[inds].mean()
