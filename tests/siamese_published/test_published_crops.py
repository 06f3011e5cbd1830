"""The integer crops and roundings of the published trackers, against values worked out by hand."""
import numpy as np
import pytest

from ltr.data.published_crops import (crop_and_resize, crop_subwindow, floor_half_up,
                                      round_half_away, round_half_even)
from pytracking.tracker.siamrpn.published import anchor_origin_shift, published_window


def index_image(height: int = 12, width: int = 16) -> np.ndarray:
    """Channel 0 = column, channel 1 = row, channel 2 = 7: every pixel says where it is."""
    rows, cols = np.mgrid[0:height, 0:width]
    return np.stack([cols, rows, np.full_like(rows, 7)], axis=2).astype(np.uint8)


@pytest.mark.parametrize("x, even, away, up", [(2.5, 2, 3, 3), (3.5, 4, 4, 4), (-2.5, -2, -3, -2),
                                               (142.5, 142, 143, 143), (1.4, 1, 1, 1)])
def test_roundings(x, even, away, up):
    assert (round_half_even(x), round_half_away(x), floor_half_up(x)) == (even, away, up)


def test_crop_subwindow_inside_is_the_pixel_block():
    image = index_image()
    # side 5 around index position (6, 4): corner = round(6 - 3) = 3, rows round(4 - 3) = 1
    patch = crop_subwindow(image, (6.0, 4.0), 5, 5.0, np.array([9.0, 9.0, 9.0]), floor_half_up)
    assert patch.shape == (5, 5, 3)
    np.testing.assert_array_equal(patch[0, :, 0], [3, 4, 5, 6, 7])
    np.testing.assert_array_equal(patch[:, 0, 1], [1, 2, 3, 4, 5])


def test_crop_subwindow_corner_rounding_differs_at_ties():
    image = index_image()
    # side 4 around 5.0: corner 5 - 2.5 = 2.5 -> pysot 3, Python 3 round 2, Python 2 round 3
    avg = np.zeros(3)
    assert crop_subwindow(image, (5.0, 5.0), 4, 4.0, avg, floor_half_up)[0, 0, 0] == 3
    assert crop_subwindow(image, (5.0, 5.0), 4, 4.0, avg, round_half_even)[0, 0, 0] == 2
    assert crop_subwindow(image, (5.0, 5.0), 4, 4.0, avg, round_half_away)[0, 0, 0] == 3


def test_crop_subwindow_pads_with_truncated_mean():
    image = index_image()
    avg = np.array([100.9, 50.5, 20.2])
    # corner floor(0 - 3 + 0.5) = -3: three rows and columns of padding
    patch = crop_subwindow(image, (0.0, 0.0), 5, 5.0, avg, floor_half_up)
    np.testing.assert_array_equal(patch[0, 0], [100, 50, 20])              # stored as uint8
    np.testing.assert_array_equal(patch[2, 4], [100, 50, 20])
    np.testing.assert_array_equal(patch[3, 3], [0, 0, 7])                   # pixel (0, 0)
    np.testing.assert_array_equal(patch[4, 4], [1, 1, 7])


def test_crop_subwindow_resizes_to_model_size():
    patch = crop_subwindow(np.full((20, 20, 3), 40, np.uint8), (10.0, 10.0), 7, 9.0,
                           np.zeros(3), floor_half_up)
    assert patch.shape == (7, 7, 3) and (patch == 40).all()


def test_crop_and_resize_corners_and_border():
    image = index_image()
    # centre (row 4, col 6) float32, size 5: corners round(4 - 2) = 2 .. 7, round(6 - 2) = 4 .. 9
    patch = crop_and_resize(image, np.array([4.0, 6.0], np.float32), 5.0, 5, (0.0, 0.0, 0.0))
    np.testing.assert_array_equal(patch[:, 0, 1], [2, 3, 4, 5, 6])
    np.testing.assert_array_equal(patch[0, :, 0], [4, 5, 6, 7, 8])
    # at the corner: padded with the border value, which OpenCV rounds (50.5 -> 50, 20.7 -> 21)
    patch = crop_and_resize(image, np.array([0.0, 0.0], np.float32), 5.0, 5, (100.0, 50.5, 20.7))
    np.testing.assert_array_equal(patch[0, 0], [100, 50, 21])
    np.testing.assert_array_equal(patch[2, 2], [0, 0, 7])


def test_anchor_origin_and_window():
    assert anchor_origin_shift(19, 8, "floor") == 0.0
    assert anchor_origin_shift(19, 8, "true_division") == -4.0      # -(19 / 2) * 8 = -76 vs -72
    assert anchor_origin_shift(20, 8, "true_division") == 0.0
    window = published_window(5, 2)
    assert window.shape == (50,)
    np.testing.assert_allclose(window[:5], 0.0)                      # hanning(5) = 0 .5 1 .5 0
    assert window[12] == pytest.approx(1.0) and window[25 + 12] == pytest.approx(1.0)
    assert window[6] == pytest.approx(0.25) and window[7] == pytest.approx(0.5)
