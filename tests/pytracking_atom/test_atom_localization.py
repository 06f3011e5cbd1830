"""ATOM's advanced localization on hand-made score maps (20 x 20, zero displacement at (10, 10))."""
import pytest
import torch

from pytracking.tracker.atom.localization import centre_scores, localize_advanced, localize_simple

# thresholds of the default parameters
KW = dict(neighborhood_sz=(4.0, 4.0), target_not_found_threshold=0.25, distractor_threshold=0.8,
          hard_negative_threshold=0.5, displacement_scale=0.8)
# displacement threshold: 0.8 * sqrt(20 * 20) / 2 = 8 score pixels


def _map(*peaks, size=20):
    s = torch.zeros(1, size, size)
    for (r, c), v in peaks:
        s[0, r, c] = v
    return s


def _disp(loc):
    return loc.displacement.tolist()


def test_single_peak_is_normal_at_the_peak():
    loc = localize_advanced(_map(((12, 7), 1.0)), **KW)
    assert loc.flag is None and _disp(loc) == [2.0, -3.0] and loc.scale_index == 0
    assert loc.max_score == pytest.approx(1.0)


def test_weak_peak_is_not_found():
    loc = localize_advanced(_map(((5, 6), 0.2)), **KW)
    assert loc.flag == "not_found" and _disp(loc) == [-5.0, -4.0]


def test_secondary_peak_above_hard_negative_threshold():
    # neighbourhood of (10, 11): rows round(8)..round(13)-1, cols 9..13 are masked; (10, 17) is not
    loc = localize_advanced(_map(((10, 11), 1.0), ((10, 17), 0.6)), **KW)
    assert loc.flag == "hard_negative" and _disp(loc) == [0.0, 1.0]


def test_secondary_peak_inside_neighbourhood_is_ignored():
    loc = localize_advanced(_map(((10, 11), 1.0), ((11, 12), 0.95)), **KW)
    assert loc.flag is None and _disp(loc) == [0.0, 1.0]


def test_secondary_peak_below_hard_negative_threshold_is_normal():
    loc = localize_advanced(_map(((10, 11), 1.0), ((10, 17), 0.45)), **KW)
    assert loc.flag is None


def test_distractor_far_away_keeps_the_near_peak():
    # |disp1| = 1 < 8 and |disp2| = |(-9, -9)| = 12.7 > 8
    loc = localize_advanced(_map(((10, 11), 1.0), ((1, 1), 0.9)), **KW)
    assert loc.flag == "hard_negative" and _disp(loc) == [0.0, 1.0]


def test_strongest_peak_far_and_distractor_near_switches_to_the_near_one():
    loc = localize_advanced(_map(((1, 1), 1.0), ((10, 12), 0.9)), **KW)
    assert loc.flag == "hard_negative" and _disp(loc) == [0.0, 2.0]
    assert loc.max_score == pytest.approx(0.9)


def test_two_comparable_far_peaks_are_uncertain():
    loc = localize_advanced(_map(((1, 1), 1.0), ((19, 19), 0.95)), **KW)
    assert loc.flag == "uncertain" and _disp(loc) == [-9.0, -9.0]


def test_two_comparable_near_peaks_are_uncertain():
    loc = localize_advanced(_map(((10, 10), 1.0), ((10, 16), 0.9)), **KW)
    assert loc.flag == "uncertain" and _disp(loc) == [0.0, 0.0]


def test_best_scale_is_chosen():
    scores = torch.zeros(3, 20, 20)
    scores[0, 3, 3] = 0.5
    scores[2, 12, 9] = 0.9
    loc = localize_advanced(scores, **KW)
    assert loc.scale_index == 2 and _disp(loc) == [2.0, -1.0] and loc.flag is None
    simple = localize_simple(scores)
    assert simple.scale_index == 2 and _disp(simple) == [2.0, -1.0]


def test_centre_scores_moves_zero_displacement_to_the_middle():
    s = torch.zeros(1, 6, 5)
    s[0, 0, 0] = 1
    s[0, 5, 4] = 2                          # displacement (-1, -1) in the circular map
    c = centre_scores(s)
    assert c[0, 3, 2] == 1 and c[0, 2, 1] == 2


def test_hn_scores_without_window_are_used_for_the_second_peak():
    windowed = _map(((10, 11), 1.0), ((1, 1), 0.1))
    unwindowed = _map(((10, 11), 1.0), ((1, 1), 0.9))
    assert localize_advanced(windowed, **KW).flag is None
    assert localize_advanced(windowed, scores_for_hn=unwindowed, **KW).flag == "hard_negative"
