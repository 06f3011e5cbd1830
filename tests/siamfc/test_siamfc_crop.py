"""Exemplar/search crops with context: sizes from the formula, positions checked by resampling."""
import math

import numpy as np
import pytest

from ltr.data.siam_crop import (box_to_crop, crop_multiscale, crop_square, exemplar_crop,
                                exemplar_side, image_to_crop, mean_colour, search_side)


def test_context_sides_worked_example():
    # w = 40, h = 20: p = (40 + 20) / 2 = 30, s_z = sqrt(70 * 50), s_x = s_z * 255 / 127
    assert exemplar_side(40, 20) == pytest.approx(math.sqrt(3500))
    assert search_side(40, 20) == pytest.approx(math.sqrt(3500) * 255 / 127)
    assert exemplar_side(10, 10) == pytest.approx(20.0)  # square: side doubles


def test_bad_size_is_an_error():
    with pytest.raises(ValueError, match="positive"):
        exemplar_side(0, 10)
    with pytest.raises(ValueError, match="side"):
        crop_square(np.zeros((5, 5, 3), np.uint8), (2, 2), -1.0, 8)


def ramp_image(h=120, w=160):
    """Float image whose channel 0 is the column index and channel 1 the row index."""
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.dstack([cols, rows, np.zeros_like(cols)])


@pytest.mark.parametrize("center,side,out", [((70.3, 55.8), 41.7, 17), ((80.0, 60.0), 64.0, 32)])
def test_crop_samples_where_the_formula_says(center, side, out):
    # Crop pixel u (centre u + 0.5) shows the image point c - side/2 + (u + 0.5) * side/out, which is
    # pixel index (that - 0.5); bilinear sampling of a linear ramp returns that index exactly.
    crop = crop_square(ramp_image(), center, side, out, pad_value=(0, 0, 0))
    u = np.arange(out)
    expected_x = center[0] - side / 2 + (u + 0.5) * side / out - 0.5
    expected_y = center[1] - side / 2 + (u + 0.5) * side / out - 0.5
    np.testing.assert_allclose(crop[:, :, 0], np.broadcast_to(expected_x, (out, out)), atol=2e-3)
    np.testing.assert_allclose(crop[:, :, 1], np.broadcast_to(expected_y[:, None], (out, out)),
                               atol=2e-3)


def test_known_box_lands_at_the_crop_centre_with_the_expected_size():
    image = np.zeros((200, 300, 3), np.uint8)
    box = [100, 60, 40, 20]  # pixel columns 100..139, rows 60..79
    image[60:80, 100:140] = 255
    crop, s_z = exemplar_crop(image, box)
    assert s_z == pytest.approx(math.sqrt(3500))
    mask = crop[:, :, 0].astype(np.float64) / 255
    scale = 127 / s_z
    ys, xs = np.mgrid[0:127, 0:127] + 0.5
    # centroid at the crop centre 63.5, area w * h * scale^2
    assert (mask * xs).sum() / mask.sum() == pytest.approx(63.5, abs=0.05)
    assert (mask * ys).sum() / mask.sum() == pytest.approx(63.5, abs=0.05)
    assert mask.sum() == pytest.approx(40 * 20 * scale ** 2, rel=0.02)
    mapped = box_to_crop(box, (120.0, 70.0), s_z, 127).numpy()
    np.testing.assert_allclose(mapped, [63.5 - 20 * scale, 63.5 - 10 * scale, 40 * scale,
                                        20 * scale], rtol=1e-5)


def test_outside_is_padded_with_the_mean_colour():
    image = np.zeros((50, 60, 3), np.uint8)
    image[:, :30] = (200, 100, 0)
    assert mean_colour(image) == pytest.approx((100.0, 50.0, 0.0))
    crop = crop_square(image, (500.0, 500.0), 40.0, 16)  # fully outside the image
    assert (crop == np.array([100, 50, 0], np.uint8)).all()


def test_multiscale_crops_and_point_mapping():
    image = ramp_image()
    crops = crop_multiscale(image, (80.0, 60.0), [30.0, 40.0], 20, pad_value=(0, 0, 0))
    assert crops.shape == (2, 20, 20, 3)
    np.testing.assert_array_equal(crops[1], crop_square(image, (80.0, 60.0), 40.0, 20, (0, 0, 0)))
    # the image point (90, 60) lies 10 px right of the centre: 10 * 20 / 40 = 5 crop px
    np.testing.assert_allclose(image_to_crop([90.0, 60.0], (80.0, 60.0), 40.0, 20), [15.0, 10.0])
