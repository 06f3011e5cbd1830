"""Crop, box-to-crop mapping, jitter, proposals and IoU against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ltr.data.processing_utils as prutils
from ltr.data.bounding_box_utils import box_iou
from ltrdata_helpers import bilinear_sample, iou_reference, mask_bbox


def direct_crop(image, box, factor, out):
    """Resample the crop region directly: output pixel centre -> image point -> pixel index."""
    x, y, w, h = [float(v) for v in box]
    side = math.sqrt(w * h) * factor
    x0, y0 = x + w / 2 - side / 2, y + h / 2 - side / 2
    u = (np.arange(out) + 0.5) * side / out
    xs, ys = np.meshgrid(x0 + u - 0.5, y0 + u - 0.5)
    return bilinear_sample(image, xs, ys)


@pytest.mark.parametrize(
    "box", [(20.3, 15.7, 12.4, 9.1), (-3.0, 50.0, 20.0, 25.0), (70.5, 2.2, 6.0, 30.0)]
)
def test_crop_equals_direct_resampling(box):
    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (12, 16, 3)).astype(np.float32)
    import cv2

    image = cv2.resize(small, (96, 72), interpolation=cv2.INTER_CUBIC).clip(0, 255).astype(np.uint8)
    box_t = torch.tensor(box)
    crop, factor, _ = prutils.sample_target(image, box_t, 3.0, 40)
    expected = direct_crop(image, box_t, 3.0, 40)
    assert crop.shape == (40, 40, 3)
    assert factor == pytest.approx(40 / (math.sqrt(box[2] * box[3]) * 3.0))
    diff = np.abs(crop.astype(float) - expected)
    assert diff.max() <= 2.0 and diff.mean() < 0.5


def test_box_maps_exactly_into_crop():
    # white rectangle [20, 10, 8, 8]; crop side 32 around its centre (24, 14) -> 64 px (scale 2)
    image = np.zeros((40, 50, 3), dtype=np.uint8)
    image[10:18, 20:28] = 255
    mask = image[..., 0] > 0
    box = torch.tensor([20.0, 10.0, 8.0, 8.0])
    crop, factor, mask_crop = prutils.sample_target(image, box, 4.0, 64, mask=mask)
    mapped = prutils.transform_image_to_crop(box, box, factor, 64)
    np.testing.assert_allclose(mapped.numpy(), [24.0, 24.0, 16.0, 16.0])
    np.testing.assert_allclose(mask_bbox(mask_crop.numpy()), mapped.numpy())
    np.testing.assert_allclose(mask_bbox(crop[..., 0] > 127), mapped.numpy())


@pytest.mark.parametrize("seed", range(5))
def test_box_mapping_with_jittered_extract_box(seed):
    rng = np.random.default_rng(seed)
    image = np.zeros((120, 160, 3), dtype=np.uint8)
    gt = torch.tensor([60.0, 40.0, 30.0, 20.0])
    image[40:60, 60:90] = 255
    extract = prutils.jittered_box(gt, 0.25, 2.0, rng)
    crops, boxes, masks = prutils.jittered_center_crop(
        [image], [extract], [gt], 4.0, 96, masks=[image[..., 0] > 0]
    )
    np.testing.assert_allclose(mask_bbox(masks[0].numpy()), boxes[0].numpy(), atol=1.0)
    # closed form of the mapping
    side = math.sqrt(float(extract[2] * extract[3])) * 4.0
    k = 96 / side
    x0 = float(extract[0] + extract[2] / 2) - side / 2
    assert float(boxes[0][0]) == pytest.approx((60 - x0) * k, abs=1e-3)
    assert float(boxes[0][2]) == pytest.approx(30 * k, abs=1e-3)


def test_crop_rejects_degenerate_boxes():
    with pytest.raises(ValueError, match="positive width"):
        prutils.sample_target(
            np.zeros((5, 5, 3), np.uint8), torch.tensor([1.0, 1.0, 0.0, 2.0]), 2.0, 8
        )


def test_jitter_statistics_and_half_offset():
    rng = np.random.default_rng(1)
    box = torch.tensor([100.0, 50.0, 40.0, 10.0])
    centre = np.array([120.0, 55.0])
    offsets = []
    for _ in range(2000):
        j = prutils.jittered_box(box, 0.0, 3.0, rng)
        np.testing.assert_allclose(j[2:].numpy(), [40.0, 10.0], rtol=1e-5)
        offsets.append((j[:2] + j[2:] / 2).numpy() - centre)
    offsets = np.abs(np.array(offsets))
    bound = 0.5 * math.sqrt(400.0) * 3.0  # = 30: half of sqrt(area) * center_jitter_factor
    assert offsets.max() <= bound + 1e-4 and offsets.max() > 0.95 * bound
    log_ratio = [
        math.log(float(prutils.jittered_box(box, 0.3, 0.0, rng)[2]) / 40.0) for _ in range(3000)
    ]
    assert np.std(log_ratio) == pytest.approx(0.3, rel=0.08) and abs(np.mean(log_ratio)) < 0.03


def test_box_iou_closed_form():
    a = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 2.0, 2.0], [5.0, 5.0, 1.0, 1.0]])
    b = torch.tensor([[5.0, 0.0, 10.0, 10.0], [0.0, 0.0, 2.0, 2.0], [7.0, 7.0, 1.0, 1.0]])
    np.testing.assert_allclose(box_iou(a, b).numpy(), [50 / 150, 1.0, 0.0])


@pytest.mark.parametrize(
    "min_iou,sigmas", [(0.1, [0.01, 0.05, 0.1, 0.2, 0.3]), (0.5, 0.5), (0.95, [1.0])]
)
def test_proposals_exceed_min_iou_and_store_true_iou(min_iou, sigmas):
    rng = np.random.default_rng(7)
    box = torch.tensor([31.3, 40.2, 57.5, 33.9])
    proposals, ious = prutils.generate_proposals(box, 64, min_iou, sigmas, rng)
    assert proposals.shape == (64, 4) and ious.shape == (64,)
    for p, iou in zip(proposals, ious):
        reference = iou_reference(box, p)
        assert reference > min_iou
        assert float(iou) == pytest.approx(reference, abs=1e-5)


def test_proposal_spread_follows_sigma():
    rng = np.random.default_rng(2)
    box = torch.tensor([100.0, 100.0, 50.0, 50.0])
    proposals, _ = prutils.generate_proposals(box, 400, 0.0, 0.1, rng)
    centres = proposals[:, :2] + proposals[:, 2:] / 2
    assert float(centres[:, 0].std()) == pytest.approx(5.0, rel=0.15)  # sqrt(50*50) * 0.1
