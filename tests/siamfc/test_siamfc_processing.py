"""SiamFC pair processing: crops where the target is, labels around the target, jitter bounds."""
import math

import numpy as np
import pytest
import torch

import ltr.data.transforms as tfm
from ltr.data.siam_processing import IMAGENET_MEAN, IMAGENET_STD, SiamFCProcessing

from moving_targets import pair_sample

BOX_Z = torch.tensor([100.0, 60.0, 40.0, 20.0])
BOX_X = torch.tensor([130.0, 70.0, 40.0, 20.0])


def sample():
    return pair_sample(BOX_Z, BOX_X)


def denormalize(tensor):
    mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
    return (tensor * std + mean) * 255


def red_centroid(image):
    mask = ((image[0].double() - 60) / 190).clamp(0, 1)  # red coverage of each pixel (bilinear)
    ys, xs = torch.meshgrid(torch.arange(image.shape[1]) + 0.5, torch.arange(image.shape[2]) + 0.5,
                            indexing="ij")
    return float((mask * xs).sum() / mask.sum()), float((mask * ys).sum() / mask.sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pair_crops_labels_and_boxes(seed):
    proc = SiamFCProcessing(max_shift=8.0, scale_jitter=0.05)
    out = proc(sample(), rng=np.random.default_rng(seed))
    assert out["train_images"].shape == (3, 127, 127)
    assert out["test_images"].shape == (3, 255, 255)
    s_z = math.sqrt((40 + 30) * (20 + 30))
    scale = 127 / s_z
    np.testing.assert_allclose(out["train_anno"].numpy(),
                               [63.5 - 20 * scale, 63.5 - 10 * scale, 40 * scale, 20 * scale],
                               rtol=1e-5)
    cx, cy = red_centroid(denormalize(out["train_images"]))
    assert cx == pytest.approx(63.5, abs=0.1) and cy == pytest.approx(63.5, abs=0.1)

    # search crop: the target is where test_anno says, shifted at most 8 px, rescaled at most 5 %
    x, y, w, h = out["test_anno"].tolist()
    tx, ty = x + w / 2, y + h / 2
    cx, cy = red_centroid(denormalize(out["test_images"]))
    assert cx == pytest.approx(tx, abs=0.15) and cy == pytest.approx(ty, abs=0.15)
    assert abs(tx - 127.5) <= 8 and abs(ty - 127.5) <= 8
    assert 1 / 1.05 - 1e-6 <= w / (40 * scale) <= 1 / 0.95 + 1e-6
    assert h / w == pytest.approx(0.5)

    # labels: brute-force distances of the 17 x 17 cell displacements to the target offset
    expected = torch.zeros(17, 17)
    for i in range(17):
        for j in range(17):
            if ((j - 8) * 8 - (tx - 127.5)) ** 2 + ((i - 8) * 8 - (ty - 127.5)) ** 2 <= 16 ** 2:
                expected[i, j] = 1
    assert torch.equal(out["test_label"], expected)
    assert expected.sum() > 0


def test_no_jitter_puts_the_target_at_the_centre():
    out = SiamFCProcessing(max_shift=0.0, scale_jitter=0.0)(sample(), rng=np.random.default_rng(0))
    x, y, w, h = out["test_anno"].tolist()
    assert x + w / 2 == pytest.approx(127.5, abs=1e-4) and y + h / 2 == pytest.approx(127.5, abs=1e-4)
    assert w == pytest.approx(40 * 255 / (math.sqrt(3500) * 255 / 127), rel=1e-5)
    assert int(out["test_label"].sum()) == 13 and out["test_label"][8, 8] == 1


def test_grayscale_joint_transform_affects_both_crops():
    proc = SiamFCProcessing(joint_transform=tfm.Transform(tfm.ToGrayscale(probability=1.0)))
    out = proc(sample(), rng=np.random.default_rng(0))
    for key in ("train_images", "test_images"):
        image = denormalize(out[key])
        assert torch.allclose(image[0], image[1], atol=1e-3) and torch.allclose(image[1], image[2],
                                                                               atol=1e-3)


def test_wrong_inputs_are_named():
    data = sample()
    data["train_images"] = data["train_images"] * 2
    data["train_anno"] = data["train_anno"] * 2
    with pytest.raises(ValueError, match="one train frame"):
        SiamFCProcessing()(data, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="score_sz"):
        SiamFCProcessing(score_sz=15)
