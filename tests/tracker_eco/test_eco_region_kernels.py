"""ECO's patch helpers against independent definitions: the border-repeating crop against clipped
pixel indices, and the compiled area-averaging resize of the scale samples against OpenCV's."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from pytracking.libs.cpu_kernels import load_kernel
from pytracking.tracker.eco.region import crop_replicate, resize_auto, resize_boxes_auto, takes_general_area_path

needs_area_kernel = pytest.mark.skipif(not hasattr(load_kernel(), "resize_area_u8"),
                                       reason="compiled resize_area_u8 not built")


def _clipped_crop(image, top, left, height, width):
    """Rows/columns top.., left.. with indices outside the image clipped to its border."""
    rows = np.clip(np.arange(top, top + height), 0, image.shape[0] - 1)
    cols = np.clip(np.arange(left, left + width), 0, image.shape[1] - 1)
    return image[rows[:, None], cols]


@pytest.mark.parametrize("channels", [1, 3])
def test_crop_replicate_repeats_the_border_pixels(channels):
    rng = np.random.default_rng(channels)
    image = rng.integers(0, 256, (37, 53, channels), dtype=np.uint8)
    for _ in range(2000):  # inside, over one or two borders, and wholly outside on any side
        top, left = (int(v) for v in rng.integers(-120, 120, 2))
        height, width = (int(v) for v in rng.integers(1, 90, 2))
        got = crop_replicate(image, top, left, height, width)
        assert got.shape == (height, width, channels)
        np.testing.assert_array_equal(got, _clipped_crop(image, top, left, height, width))


def test_general_area_path_decision():
    cases = {(45, 50): True,     # both factors fractional
             (42, 50): True,     # one whole factor (2) is not enough
             (42, 48): False,    # both whole: OpenCV's integer fast path
             (21, 24): False,    # unchanged
             (20, 50): False}    # taller output: OpenCV interpolates
    assert takes_general_area_path(list(cases), (21, 24)).tolist() == list(cases.values())


def _random_boxes(rng, region_hw, out_hw, count):
    boxes = []
    while len(boxes) < count:
        h = int(rng.integers(out_hw[0], region_hw[0] + 1))
        w = int(rng.integers(out_hw[1], region_hw[1] + 1))
        boxes.append((int(rng.integers(0, region_hw[0] - h + 1)), int(rng.integers(0, region_hw[1] - w + 1)), h, w))
    return np.array(boxes, dtype=np.int64)


@needs_area_kernel
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_compiled_area_resize_is_opencvs(channels):
    """Every pixel equal to cv2.resize(..., INTER_AREA) on its general path, on random, flat (exact
    averages) and coarsely quantized regions (ties of the rounding), boxes anywhere in the region."""
    kernel = load_kernel()
    rng = np.random.default_rng(10 + channels)
    compared = 0
    for trial in range(150):
        out_hw = tuple(int(v) for v in rng.integers(1, 30, 2))
        region_hw = (out_hw[0] * 4 + 3, out_hw[1] * 4 + 5)
        region = rng.integers(0, 256, (*region_hw, channels), dtype=np.uint8)
        if trial % 3 == 1:
            region[:] = rng.integers(0, 256)
        elif trial % 3 == 2:
            region = (region // 85 * 85 + rng.integers(0, 2, region.shape) * 1).astype(np.uint8)
        boxes = _random_boxes(rng, region_hw, out_hw, 12)
        boxes = boxes[takes_general_area_path(boxes[:, 2:], out_hw)]
        if not len(boxes):
            continue
        got = kernel.resize_area_u8(torch.from_numpy(region), torch.from_numpy(boxes), *out_hw).numpy()
        for patch, (top, left, h, w) in zip(got, boxes):
            expected = cv2.resize(region[top:top + h, left:left + w], out_hw[::-1], interpolation=cv2.INTER_AREA)
            np.testing.assert_array_equal(patch, expected.reshape(patch.shape))
            compared += 1
    assert compared > 1000


@pytest.mark.parametrize("use_kernel", [False, pytest.param(True, marks=needs_area_kernel)])
@pytest.mark.parametrize("out_hw", [(21, 24), (9, 30), (30, 8)])
def test_resize_boxes_auto_is_resize_auto_of_each_box(use_kernel, out_hw):
    """Boxes of every kind at once (area on the general path, whole factors, enlarged, bilinear):
    each as :func:`resize_auto` resizes it alone."""
    rng = np.random.default_rng(sum(out_hw))
    region = rng.integers(0, 256, (100, 110, 3), dtype=np.uint8)
    boxes = np.concatenate([_random_boxes(rng, (100, 110), out_hw, 20),
                            [[0, 0, 2 * out_hw[0], 3 * out_hw[1]], [5, 7, 10, 12], [1, 2, out_hw[0], out_hw[1]]]])
    got = resize_boxes_auto(region, boxes, out_hw, use_kernel=use_kernel)
    assert got.shape == (len(boxes), *out_hw, 3) and got.dtype == np.uint8
    for patch, (top, left, h, w) in zip(got, boxes):
        np.testing.assert_array_equal(patch, resize_auto(region[top:top + h, left:left + w], out_hw))


@needs_area_kernel
def test_compiled_area_resize_rejects_boxes_it_cannot_shrink():
    kernel = load_kernel()
    image = torch.zeros(40, 50, 3, dtype=torch.uint8)
    with pytest.raises(RuntimeError, match=r"box 1 \(top 30, left 0, 20x20\) must lie in the 40x50 image"):
        kernel.resize_area_u8(image, torch.tensor([[0, 0, 20, 20], [30, 0, 20, 20]]), 10, 10)
    with pytest.raises(RuntimeError, match="only shrinks"):
        kernel.resize_area_u8(image, torch.tensor([[0, 0, 8, 20]]), 10, 10)
    with pytest.raises(RuntimeError, match="uint8"):
        kernel.resize_area_u8(image.float(), torch.tensor([[0, 0, 20, 20]]), 10, 10)


@needs_area_kernel
def test_compiled_area_resize_ignores_the_stride_of_a_single_channel():
    """numpy gives a new axis stride 0 (``grey[:, :, None]``, as a border-repeated grey crop has):
    the pixels of each row are still contiguous, so the kernel takes it and gives OpenCV's result;
    pixels that are not contiguous are still refused."""
    rng = np.random.default_rng(3)
    grey = rng.integers(0, 256, (90, 100), dtype=np.uint8)
    region = grey[:, :, None]
    assert region.strides[2] == 0
    boxes = np.array([[0, 0, 90, 100], [3, 4, 50, 61], [10, 0, 45, 70]], dtype=np.int64)
    got = resize_boxes_auto(region, boxes, (17, 23), use_kernel=True)
    for patch, (top, left, h, w) in zip(got, boxes):
        expected = cv2.resize(grey[top:top + h, left:left + w], (23, 17), interpolation=cv2.INTER_AREA)
        np.testing.assert_array_equal(patch[:, :, 0], expected)
    with pytest.raises(RuntimeError, match="pixels of each image row must be contiguous"):
        load_kernel().resize_area_u8(torch.from_numpy(region[:, ::2]), torch.tensor([[0, 0, 40, 40]]), 17, 23)
