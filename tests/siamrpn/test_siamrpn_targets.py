"""Anchor labels and sampling on worked examples: thresholds, caps, regression targets."""
import math

import numpy as np
import pytest
import torch

from ltr.models.siam.rpn_targets import anchor_targets

GT = [0.0, 0.0, 100.0, 100.0]


def anchors_with(num_same: int, num_far: int, num_middle: int) -> torch.Tensor:
    """``num_same`` copies of GT (IoU 1), ``num_far`` disjoint anchors (IoU 0) and ``num_middle``
    anchors shifted by 40 (overlap 60 x 100: IoU 6000 / 14000 = 0.43, ignored)."""
    same = [GT] * num_same
    far = [[500.0 + 10 * i, 0.0, 100.0, 100.0] for i in range(num_far)]
    middle = [[40.0, 0.0, 100.0, 100.0]] * num_middle
    return torch.tensor(same + far + middle, dtype=torch.float64)


def counts(label):
    return int((label == 1).sum()), int((label == 0).sum()), int((label == -1).sum())


@pytest.mark.parametrize("same,far,middle,expected", [
    (20, 100, 10, (16, 48, 66)),  # positives capped at 16, negatives fill 64
    (5, 100, 10, (5, 59, 51)),    # 5 positives, 59 negatives
    (0, 100, 10, (0, 64, 46)),    # no positives: 64 negatives
    (3, 10, 10, (3, 10, 10)),     # fewer candidates than the caps: all of them
])
def test_counts_and_caps(same, far, middle, expected):
    anchors = anchors_with(same, far, middle)
    targets = anchor_targets(anchors, torch.tensor(GT), np.random.default_rng(0))
    assert counts(targets.label) == expected
    assert (targets.label[:same] != 0).all()            # IoU 1: never negative
    assert (targets.label[same:same + far] != 1).all()  # IoU 0: never positive
    assert (targets.label[same + far:] == -1).all()     # IoU 0.43: always ignored


def test_thresholds_are_strict():
    # shift dx against GT: overlap (100 - dx) * 100, IoU (100 - dx) / (100 + dx)
    # dx = 25: 75 / 125 = 0.6 exactly -> ignored; dx = 24: 76 / 124 > 0.6 -> positive
    # dx = 1400 / 26 (= 53.846...): 46.15 / 153.85 = 0.3 -> ignored; dx = 54: < 0.3 -> negative
    shifts = [25.0, 24.0, 1400.0 / 26.0, 54.0]
    anchors = torch.tensor([[dx, 0.0, 100.0, 100.0] for dx in shifts], dtype=torch.float64)
    targets = anchor_targets(anchors, torch.tensor(GT, dtype=torch.float64), np.random.default_rng(0))
    assert targets.iou[0].item() == pytest.approx(0.6, abs=1e-12)
    assert targets.iou[2].item() == pytest.approx(0.3, abs=1e-12)
    assert targets.label[1] == 1 and targets.label[3] == 0
    assert targets.label[0] == -1
    # 0.3 computed in floating point may land a hair either side; check against its own IoU
    assert targets.label[2] == (0 if targets.iou[2].item() < 0.3 else -1)


def test_sampling_is_random_and_seeded():
    anchors = anchors_with(40, 200, 0)
    first = anchor_targets(anchors, torch.tensor(GT), np.random.default_rng(1)).label
    again = anchor_targets(anchors, torch.tensor(GT), np.random.default_rng(1)).label
    other = anchor_targets(anchors, torch.tensor(GT), np.random.default_rng(2)).label
    assert torch.equal(first, again)
    assert not torch.equal(first, other)
    assert counts(first) == counts(other) == (16, 48, 176)


def test_regression_targets_by_hand():
    anchors = torch.tensor([[8.0, -4.0, 64.0, 32.0]], dtype=torch.float64)
    gt = torch.tensor([24.0, 4.0, 32.0, 64.0], dtype=torch.float64)
    targets = anchor_targets(anchors, gt, np.random.default_rng(0))
    expected = [16 / 64, 8 / 32, math.log(0.5), math.log(2.0)]
    assert torch.allclose(targets.reg_target[0], torch.tensor(expected, dtype=torch.float64))


def test_bad_thresholds_are_refused():
    with pytest.raises(ValueError, match="neg_iou"):
        anchor_targets(anchors_with(1, 1, 0), torch.tensor(GT), np.random.default_rng(0),
                       pos_iou=0.3, neg_iou=0.6)
    with pytest.raises(ValueError, match="max_pos"):
        anchor_targets(anchors_with(1, 1, 0), torch.tensor(GT), np.random.default_rng(0),
                       max_pos=65, total=64)
