"""Per-frame measures on boxes whose values are worked out by hand."""
import numpy as np

from pytracking.analysis.metrics import center_error, iou_continuous, iou_pixel, normalized_center_error

GT = np.array([[0.0, 0.0, 10.0, 10.0]])


def test_iou_hand_values():
    cases = [
        ([0, 0, 10, 10], 1.0),                 # identical
        ([5, 0, 10, 10], 50 / 150),            # shifted by half the width: 5x10 overlap
        ([0, 0, 5, 5], 25 / 100),              # contained quarter
        ([10, 0, 10, 10], 0.0),                # touching: pixels 0..9 and 10..19 do not overlap
        ([2.5, 2.5, 5, 5], 25 / 100),          # centred, non-integer corner
        ([-5, -5, 10, 10], 25 / 175),          # diagonal shift
    ]
    for box, expected in cases:
        pred = np.array([box], dtype=float)
        assert np.isclose(iou_pixel(pred, GT)[0], expected, rtol=0, atol=1e-12), box
        assert np.isclose(iou_continuous(pred, GT)[0], expected, rtol=0, atol=1e-12), box


def test_iou_zero_size_is_zero():
    assert iou_pixel(np.zeros((1, 4)), np.zeros((1, 4)))[0] == 0.0


def test_center_errors():
    pred = np.array([[3.0, 4.0, 10.0, 10.0], [0.0, 0.0, 20.0, 10.0]])
    gt = np.array([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0]])
    np.testing.assert_allclose(center_error(pred, gt), [5.0, 5.0])          # (3,4) shift; centre 9.5 vs 4.5
    np.testing.assert_allclose(normalized_center_error(pred, gt), [0.5, 0.5])


def test_count_below_matches_searchsorted():
    from pytracking.analysis.curves import count_below
    from pytracking.analysis.metrics import NORM_PRECISION_THRESHOLDS, PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS

    rng = np.random.default_rng(7)
    for thr in (SUCCESS_THRESHOLDS, PRECISION_THRESHOLDS, NORM_PRECISION_THRESHOLDS):
        values = np.concatenate([rng.uniform(-1, 1.2 * thr[-1], 20000), thr, np.nextafter(thr, np.inf),
                                 np.nextafter(thr, -np.inf), [np.inf, -np.inf, -1.0, 1e300]])
        np.testing.assert_array_equal(count_below(values, thr), np.searchsorted(thr, values, side="left"))
