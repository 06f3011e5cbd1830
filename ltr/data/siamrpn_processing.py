"""Processing of SiamRPN / SiamRPN++ training pairs: template and search crops plus anchor targets.

The crops are SiamFC's (:class:`ltr.data.siam_processing.SiamFCProcessing`): the template is the
context crop of the train-frame target resized to ``exemplar_sz`` (127); the search region is the
crop of side ``s_x`` around the test-frame target resized to ``instance_sz`` (255 or 271), its
side multiplied by a factor in ``[1 - scale_jitter, 1 + scale_jitter]`` (0.85-1.15 with the
default 0.15) and its centre moved so that the target lies up to ``max_shift`` search pixels off
the crop centre per axis (SiamRPN about 12, SiamRPN++ up to 64 against the centre bias of deep
padded backbones).

Targets (:func:`ltr.models.siam.rpn_targets.anchor_targets`) over the anchors of the
``score_sz x score_sz`` map (default ``(instance_sz - exemplar_sz) / total_stride + 1``, the
AlexNet models' 17 for 255; the ResNet-50 SiamRPN++ has 25): 'test_label' ``(A,)`` int64 (-1 ignored, 0 negative, 1 positive,
at most ``max_pos`` positives and ``total_samples`` in all, drawn at random) and
'test_reg_target' ``(A, 4)`` deltas of the search-crop ground truth w.r.t. every anchor. The
anchor labels replace the SiamFC score-map labels that the parent class writes to 'test_label'.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import torch

from ltr.data.rng import resolve_rng
from ltr.data.siam_crop import CONTEXT_AMOUNT, EXEMPLAR_SZ
from ltr.data.siam_processing import SiamFCProcessing
from ltr.models.siam.anchors import BASE_SIZE, RATIOS, SCALES, generate_anchors
from ltr.models.siam.rpn_targets import anchor_targets
from pytracking.libs import TensorDict


def score_size(exemplar_sz: int, instance_sz: int, total_stride: int) -> int:
    """Side of the RPN output map: ``(instance_sz - exemplar_sz) // total_stride + 1``."""
    if instance_sz <= exemplar_sz or total_stride <= 0:
        raise ValueError(f"score_size: need instance_sz > exemplar_sz and total_stride > 0, got "
                         f"{instance_sz}, {exemplar_sz}, {total_stride}")
    return (int(instance_sz) - int(exemplar_sz)) // int(total_stride) + 1


class SiamRPNProcessing(SiamFCProcessing):
    """Template/search pairs with anchor targets (see the module docstring)."""

    def __init__(self, exemplar_sz: int = EXEMPLAR_SZ, instance_sz: int = 255,
                 context_amount: float = CONTEXT_AMOUNT, total_stride: int = 8,
                 max_shift: float = 12.0, scale_jitter: float = 0.15,
                 anchor_base_size: float = BASE_SIZE, anchor_scales: Sequence[float] = SCALES,
                 anchor_ratios: Sequence[float] = RATIOS, pos_iou: float = 0.6,
                 neg_iou: float = 0.3, max_pos: int = 16, total_samples: int = 64,
                 score_sz: Optional[int] = None, **kwargs) -> None:
        default_size = score_size(exemplar_sz, instance_sz, total_stride)
        super().__init__(exemplar_sz=exemplar_sz, instance_sz=instance_sz,
                         context_amount=context_amount, score_sz=default_size,
                         total_stride=total_stride, max_shift=max_shift,
                         scale_jitter=scale_jitter, **kwargs)
        size = default_size if score_sz is None else int(score_sz)
        if size < 1:
            raise ValueError(f"SiamRPNProcessing: score_sz must be >= 1, got {score_sz}")
        self.rpn_score_sz = size
        self.anchors = generate_anchors(size, total_stride, anchor_base_size, anchor_scales,
                                        anchor_ratios)
        if not 0 <= neg_iou <= pos_iou <= 1 or not 0 <= max_pos <= total_samples:
            raise ValueError(f"SiamRPNProcessing: need 0 <= neg_iou <= pos_iou <= 1 and 0 <= max_pos"
                             f" <= total_samples; got neg_iou={neg_iou}, pos_iou={pos_iou}, "
                             f"max_pos={max_pos}, total_samples={total_samples}")
        self.pos_iou, self.neg_iou = float(pos_iou), float(neg_iou)
        self.max_pos, self.total_samples = int(max_pos), int(total_samples)

    def __call__(self, data: TensorDict, rng: Optional[np.random.Generator] = None) -> TensorDict:
        rng = resolve_rng(rng)
        data = super().__call__(data, rng)
        x, y, w, h = (float(v) for v in data["test_anno"])
        centre = 0.5 * self.instance_sz
        gt = torch.tensor([x + 0.5 * w - centre, y + 0.5 * h - centre, w, h])
        targets = anchor_targets(self.anchors, gt, rng, self.pos_iou, self.neg_iou, self.max_pos,
                                 self.total_samples)
        data["test_label"] = targets.label
        data["test_reg_target"] = targets.reg_target
        return data
