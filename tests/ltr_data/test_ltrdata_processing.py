"""ATOMProcessing: crops, mapped boxes, proposals and their IoU labels, output layout."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ltr.data.transforms as tfm
from ltr.data import processing
from ltrdata_helpers import iou_reference, mask_bbox
from pytracking.libs import TensorDict

PROPOSALS = {"min_iou": 0.1, "boxes_per_frame": 16, "sigma_factor": [0.01, 0.05, 0.1, 0.2, 0.3]}


def make_data(n_train=1, n_test=1):
    frames, boxes = [], []
    for i in range(n_train + n_test):
        image = np.zeros((120, 160, 3), dtype=np.uint8)
        x, y, w, h = 40 + 5 * i, 30 + 3 * i, 36, 22
        image[y : y + h, x : x + w] = 255
        frames.append(image)
        boxes.append(torch.tensor([x, y, w, h], dtype=torch.float32))
    return TensorDict(
        {
            "train_images": frames[:n_train],
            "train_anno": boxes[:n_train],
            "test_images": frames[n_train:],
            "test_anno": boxes[n_train:],
            "dataset": "toy",
            "test_class": None,
        }
    )


def atom(mode="sequence", transform=None, **kw):
    return processing.ATOMProcessing(
        search_area_factor=5.0,
        output_sz=72,
        center_jitter_factor={"train": 0, "test": 4.5},
        scale_jitter_factor={"train": 0, "test": 0.5},
        mode=mode,
        proposal_params=PROPOSALS,
        transform=transform or tfm.Transform(tfm.ToTensor()),
        **kw,
    )


@pytest.mark.parametrize("seed", range(6))
def test_sequence_mode_crops_boxes_and_proposals(seed):
    out = atom()(make_data(2, 3), rng=np.random.default_rng(seed))
    assert out["train_images"].shape == (2, 3, 72, 72) and out["test_images"].shape == (
        3,
        3,
        72,
        72,
    )
    assert out["train_anno"].shape == (2, 4) and out["test_anno"].shape == (3, 4)
    assert out["test_proposals"].shape == (3, 16, 4) and out["proposal_iou"].shape == (3, 16)
    # train frames: no jitter -> box centred, side = sqrt(w h) * 5 maps to 72 px
    k = 72 / (math.sqrt(36 * 22) * 5.0)
    for box in out["train_anno"]:
        np.testing.assert_allclose(
            box.numpy(), [36 - 18 * k, 36 - 11 * k, 36 * k, 22 * k], atol=1e-4
        )
    # every frame: the white target in the crop is where the mapped box says
    for s in ("train", "test"):
        for image, box in zip(out[s + "_images"], out[s + "_anno"]):
            visible = image[0].numpy() > 0.5
            if visible.any():
                x0, y0 = max(float(box[0]), 0), max(float(box[1]), 0)
                x1, y1 = min(float(box[0] + box[2]), 72), min(float(box[1] + box[3]), 72)
                np.testing.assert_allclose(mask_bbox(visible), [x0, y0, x1 - x0, y1 - y0], atol=1.0)
    for box, props, labels in zip(out["test_anno"], out["test_proposals"], out["proposal_iou"]):
        for p, label in zip(props, labels):
            iou = iou_reference(box, p)
            assert iou > 0.1
            assert float(label) == pytest.approx(2 * iou - 1, abs=1e-5)


def test_pair_mode_unpacks_and_rejects_sequences():
    out = atom(mode="pair")(make_data(), rng=np.random.default_rng(0))
    assert out["train_images"].shape == (3, 72, 72) and out["test_proposals"].shape == (16, 4)
    assert out["dataset"] == "toy"
    with pytest.raises(ValueError, match="mode='pair'"):
        atom(mode="pair")(make_data(2, 1))


def test_joint_and_normalizing_transforms_are_applied():
    mean, std = [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]
    proc = atom(
        transform=tfm.Transform(tfm.ToTensor(), tfm.Normalize(mean=mean, std=std)),
        joint_transform=tfm.Transform(tfm.ToGrayscale(probability=1.0)),
    )
    data = make_data()
    for img in data["train_images"] + data["test_images"]:
        img[..., 0] = 200
    out = proc(data, rng=np.random.default_rng(1))
    img = out["train_images"][0]
    # grayscale: all channels equal; background (0.299 * 200) normalised
    assert torch.allclose(img[0], img[1]) and torch.allclose(img[1], img[2])
    bg = round(0.299 * 200) / 255.0
    assert float(img[0, 0, 0]) == pytest.approx((bg - 0.5) / 0.25, abs=2e-2)


def test_bad_parameters():
    with pytest.raises(ValueError, match="mode"):
        atom(mode="triplet")
    with pytest.raises(ValueError, match="boxes_per_frame"):
        processing.ATOMProcessing(5.0, 72, 0, 0, {"min_iou": 0.1, "sigma_factor": 0.1})
