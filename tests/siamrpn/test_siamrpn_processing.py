"""SiamRPN pair processing: crop sizes, shift/scale bounds, anchor targets consistent with the
search-crop box (checked against a brute-force IoU)."""
import math

import numpy as np
import pytest
import torch

from ltr.data.siamrpn_processing import SiamRPNProcessing, score_size
from ltr.models.siam.anchors import decode_boxes

from moving_targets import pair_sample

BOX_Z = torch.tensor([100.0, 60.0, 40.0, 30.0])
BOX_X = torch.tensor([130.0, 70.0, 44.0, 28.0])


def sample():
    return pair_sample(BOX_Z, BOX_X)


def brute_iou(a, b):
    """IoU of two [cx, cy, w, h] boxes from their corners."""
    ax0, ay0, ax1, ay1 = a[0] - a[2] / 2, a[1] - a[3] / 2, a[0] + a[2] / 2, a[1] + a[3] / 2
    bx0, by0, bx1, by1 = b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2
    iw = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    ih = max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def test_score_size():
    assert score_size(127, 255, 8) == 17 and score_size(127, 271, 8) == 19
    with pytest.raises(ValueError, match="instance_sz"):
        score_size(127, 127, 8)


@pytest.mark.parametrize("instance_sz,seed", [(255, 0), (271, 1), (255, 2)])
def test_crops_and_targets(instance_sz, seed):
    proc = SiamRPNProcessing(instance_sz=instance_sz, max_shift=12.0, scale_jitter=0.15)
    out = proc(sample(), rng=np.random.default_rng(seed))
    size = (instance_sz - 127) // 8 + 1
    assert out["train_images"].shape == (3, 127, 127)
    assert out["test_images"].shape == (3, instance_sz, instance_sz)
    label, target = out["test_label"], out["test_reg_target"]
    assert label.shape == (5 * size * size,) and target.shape == (5 * size * size, 4)

    x, y, w, h = out["test_anno"].tolist()
    gt = [x + w / 2 - instance_sz / 2, y + h / 2 - instance_sz / 2, w, h]
    assert abs(gt[0]) <= 12 + 1e-4 and abs(gt[1]) <= 12 + 1e-4  # shift bound (crop pixels)
    nominal = 127 / math.sqrt((44 + 36) * (28 + 36))  # crop pixels per image pixel, no jitter
    assert 1 / 1.15 - 1e-6 <= w / (44 * nominal) <= 1 / 0.85 + 1e-6

    positives = torch.nonzero(label == 1).flatten().tolist()
    negatives = torch.nonzero(label == 0).flatten().tolist()
    assert 1 <= len(positives) <= 16 and len(positives) + len(negatives) == 64
    anchors = proc.anchors.double()
    for i in positives:
        assert brute_iou(anchors[i].tolist(), gt) > 0.6
    for i in negatives:
        assert brute_iou(anchors[i].tolist(), gt) < 0.3
    decoded = decode_boxes(target[positives].double(), anchors[positives])
    assert torch.allclose(decoded, torch.tensor(gt, dtype=torch.float64).expand_as(decoded),
                          atol=1e-3)


def test_shift_reaches_the_setting():
    proc = SiamRPNProcessing(max_shift=64.0, scale_jitter=0.0)
    offsets = []
    for seed in range(12):
        out = proc(sample(), rng=np.random.default_rng(seed))
        x, y, w, h = out["test_anno"].tolist()
        offsets += [x + w / 2 - 127.5, y + h / 2 - 127.5]
    assert max(abs(v) for v in offsets) <= 64 + 1e-4
    assert max(abs(v) for v in offsets) > 32  # much more than SiamRPN's 12 pixels


def test_bad_target_settings_are_refused():
    with pytest.raises(ValueError, match="max_pos"):
        SiamRPNProcessing(max_pos=100, total_samples=64)
