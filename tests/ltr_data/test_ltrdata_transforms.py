"""Joint transforms: box, mask, coordinates and image stay consistent; rolls are shared or not."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ltr.data.transforms as tfm
from ltrdata_helpers import mask_bbox


@pytest.fixture(scope="module")
def scene():
    """A textured frame with an elliptic target in its middle, the target mask and its box."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 120, (72, 96, 3)).astype(np.uint8)
    ys, xs = np.mgrid[0:72, 0:96] + 0.5
    mask = ((xs - 41.3) / 13.0) ** 2 + ((ys - 37.8) / 9.0) ** 2 <= 1.0
    image[mask] = (250, 200, 30)
    return image, mask, torch.tensor(mask_bbox(mask), dtype=torch.float32)


def rect_scene(box=(30, 20, 24, 14), size=(72, 96)):
    """A white rectangle on black with its exact mask and box (continuous = pixel-aligned)."""
    x, y, w, h = box
    mask = np.zeros(size, dtype=bool)
    mask[y : y + h, x : x + w] = True
    image = np.repeat(mask[:, :, None].astype(np.uint8) * 255, 3, axis=2)
    return image, mask, torch.tensor(box, dtype=torch.float32)


def test_flip_keeps_mask_box_and_image_consistent(scene):
    image, mask, box = scene
    t = tfm.Transform(tfm.RandomHorizontalFlip(probability=1.0))
    out_img, out_box, out_mask = t(image=image, bbox=box, mask=mask)
    np.testing.assert_array_equal(out_img, image[:, ::-1])
    np.testing.assert_array_equal(out_mask, mask[:, ::-1])
    np.testing.assert_allclose(out_box.numpy(), mask_bbox(out_mask))
    # closed form: x' = W - x - w
    assert float(out_box[0]) == pytest.approx(96 - float(box[0]) - float(box[2]))
    coords = torch.tensor([[0.0, 1.0], [10.5, 3.0]])
    out_coords = t(image=image, coords=coords)[1]
    np.testing.assert_allclose(out_coords.numpy(), [[96.0, 1.0], [85.5, 3.0]])


def test_flip_on_tensors(scene):
    image, mask, box = scene
    t = tfm.Transform(tfm.ToTensor(), tfm.RandomHorizontalFlip(probability=1.0))
    out_img, out_box, out_mask = t(image=image, bbox=box, mask=mask)
    assert out_img.shape == (3, 72, 96)
    np.testing.assert_allclose(out_img.permute(1, 2, 0).numpy() * 255, image[:, ::-1], atol=1e-3)
    np.testing.assert_allclose(out_box.numpy(), mask_bbox(out_mask.numpy()))


@pytest.mark.parametrize("seed", range(4))
def test_affine_scale_translation_matches_mask_box(scene, seed):
    image, mask, box = scene
    t = tfm.Transform(
        tfm.RandomAffine(p_flip=0.5, max_scale=0.3, max_ar_factor=0.2, max_translation=0.1)
    )
    out_img, out_box, out_mask = t(
        image=image, bbox=box, mask=mask, rng=np.random.default_rng(seed)
    )
    assert out_img.shape == image.shape and out_mask.shape == mask.shape
    np.testing.assert_allclose(out_box.numpy(), mask_bbox(out_mask), atol=1.01)
    target_pixels = out_img[..., 0] > 200  # only the target is that red
    assert (target_pixels == out_mask).mean() > 0.98


@pytest.mark.parametrize("seed", range(4))
def test_affine_rotation_shear_matches_rectangle_mask(seed):
    image, mask, box = rect_scene()
    t = tfm.Transform(
        tfm.RandomAffine(max_rotation=25, max_shear=0.15, max_scale=0.2, max_translation=0.05)
    )
    out_img, out_box, out_mask = t(
        image=image, bbox=box, mask=mask, rng=np.random.default_rng(seed)
    )
    # a rectangle's transformed corners enclose exactly the transformed rectangle
    np.testing.assert_allclose(out_box.numpy(), mask_bbox(out_mask), atol=1.5)
    # the image content moved with the mask
    bright = out_img[..., 0] > 127
    agreement = (bright == out_mask).mean()
    assert agreement > 0.98


def test_affine_coords_follow_the_matrix():
    image, mask, box = rect_scene()
    params = (False, 30.0, (0.0, 0.0), 1.0, 1.0, (0.0, 0.0))
    aff = tfm.RandomAffine()
    centre = torch.tensor([[48.0, 36.0], [58.0, 36.0]])
    out = aff.transform_coords(centre, (72, 96), *params)
    # rotation about the image centre (48, 36): the centre stays, a point 10 px right rotates by 30 deg
    np.testing.assert_allclose(out[0].numpy(), [48.0, 36.0], atol=1e-5)
    np.testing.assert_allclose(
        out[1].numpy(),
        [48 + 10 * math.cos(math.radians(30)), 36 + 10 * math.sin(math.radians(30))],
        atol=1e-5,
    )


def test_joint_rolls_once_and_per_element_rolls_independently(scene):
    image, mask, box = scene
    flip = tfm.Transform(tfm.RandomHorizontalFlip(probability=0.5))
    images = [image] * 40
    boxes = [box] * 40
    rng = np.random.default_rng(3)
    joint_out, joint_boxes = flip(image=images, bbox=boxes, rng=rng)
    flipped = [not np.array_equal(o, image) for o in joint_out]
    assert len(set(flipped)) == 1  # one roll for the whole list
    out, out_boxes = flip(image=images, bbox=boxes, joint=False, rng=rng)
    flipped = [not np.array_equal(o, image) for o in out]
    assert 5 < sum(flipped) < 35  # independent rolls
    for o, b, f in zip(out, out_boxes, flipped):
        expected_x = 96 - float(box[0]) - float(box[2]) if f else float(box[0])
        assert float(b[0]) == pytest.approx(expected_x)


def test_new_roll_false_reuses_parameters(scene):
    image, mask, box = scene
    t = tfm.Transform(tfm.RandomAffine(max_rotation=40, max_scale=0.3))
    rng = np.random.default_rng(9)
    a = t(image=image, rng=rng)
    b = t(image=image, new_roll=False, rng=rng)
    c = t(image=image, rng=rng)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_tensor_and_jitter_normalize_closed_forms(scene):
    image, _, box = scene
    t = tfm.Transform(tfm.ToTensorAndJitter(0.2))
    out, out_box = t(image=image, bbox=box, rng=np.random.default_rng(1))
    ref = torch.from_numpy(image.transpose(2, 0, 1).astype(np.float32)) / 255
    unclipped = (out < 1) & (ref > 0.05)
    ratio = out[unclipped] / ref[unclipped]
    assert 0.8 <= float(ratio.mean()) <= 1.2 and float(ratio.std()) < 1e-4
    assert torch.equal(out_box, box)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    norm = tfm.Transform(tfm.ToTensor(), tfm.Normalize(mean=mean, std=std))(image=image)
    expected = (image[10, 20] / 255.0 - np.array(mean)) / np.array(std)
    np.testing.assert_allclose(norm[:, 10, 20].numpy(), expected, atol=1e-5)
    with pytest.raises(TypeError, match="ToTensor"):
        tfm.Transform(tfm.Normalize(mean=mean, std=std))(image=image)


def test_grayscale_bgr_and_blur(scene):
    image, _, _ = scene
    gray = tfm.Transform(tfm.ToGrayscale(probability=1.0))(image=image)
    luminance = image.astype(float) @ np.array([0.299, 0.587, 0.114])
    assert np.abs(gray[..., 0] - luminance).max() <= 1.0
    assert (gray[..., 0] == gray[..., 2]).all()
    kept = tfm.Transform(tfm.ToGrayscale(probability=0.0))(image=image)
    np.testing.assert_array_equal(kept, image)
    tensor_gray = tfm.Transform(tfm.ToTensor(), tfm.ToGrayscale(probability=1.0))(image=image)
    np.testing.assert_allclose(tensor_gray[0].numpy() * 255, luminance, atol=1e-3)
    bgr = tfm.Transform(tfm.ToBGR())(image=image)
    np.testing.assert_array_equal(bgr, image[:, :, ::-1])
    sigma = 1.5
    impulse = torch.zeros(1, 21, 21)
    impulse[0, 10, 10] = 1.0
    blurred = tfm.Transform(tfm.Blur(sigma))(image=impulse)[0]
    assert float(blurred.sum()) == pytest.approx(1.0, abs=1e-5)
    assert float(blurred[10, 11] / blurred[10, 10]) == pytest.approx(
        math.exp(-0.5 / sigma**2), rel=1e-4
    )
    flat = np.full((12, 12, 3), 77, dtype=np.uint8)
    np.testing.assert_array_equal(tfm.Transform(tfm.Blur(2.0))(image=flat), flat)


def test_bad_calls():
    t = tfm.Transform(tfm.ToTensor())
    with pytest.raises(ValueError, match="Unknown transform input"):
        t(img=np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="same length"):
        t(image=[np.zeros((2, 2, 3), np.uint8)], bbox=[], joint=False)
    with pytest.raises(ValueError, match="image size"):
        tfm.Transform(tfm.RandomHorizontalFlip(1.0))(bbox=torch.zeros(4))


def test_joint_flip_uses_each_images_own_width():
    small, large = np.zeros((10, 20, 3), np.uint8), np.zeros((10, 50, 3), np.uint8)
    boxes = [torch.tensor([2.0, 1.0, 4.0, 3.0]), torch.tensor([2.0, 1.0, 4.0, 3.0])]
    t = tfm.Transform(tfm.RandomHorizontalFlip(probability=1.0))
    _, out = t(image=[small, large], bbox=boxes)
    assert float(out[0][0]) == 20 - 2 - 4 and float(out[1][0]) == 50 - 2 - 4
    with pytest.raises(ValueError, match="elements"):
        t(image=[small], bbox=boxes)
