"""VOT polygon -> box conversions, against hand-computed rectangles."""
import math

import numpy as np
import pytest

from pytracking.evaluation.data import Sequence
from pytracking.utils.box_conversion import polygon_to_rect


def _rotated_square(cx, cy, side, degrees):
    a = math.radians(degrees)
    corners = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = dx * side / 2, dy * side / 2
        corners += [cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)]
    return corners


def test_axis_aligned_polygon_gives_its_rectangle_both_ways():
    poly = [10, 20, 50, 20, 50, 80, 10, 80]
    for conversion in ("union", "preserve_area"):
        assert np.allclose(polygon_to_rect(poly, conversion), [10, 20, 40, 60])


def test_square_rotated_45_degrees():
    # side 10 about (100, 50): the enclosing square has side 10 sqrt 2 (area 200), the polygon 100
    poly = _rotated_square(100, 50, 10, 45)
    s = 10 * math.sqrt(2)
    assert np.allclose(polygon_to_rect(poly, "union"), [100 - s / 2, 50 - s / 2, s, s])
    # preserve_area: scaled by sqrt(100 / 200) about the centre -> the 10 x 10 square
    assert np.allclose(polygon_to_rect(poly, "preserve_area"), [95, 45, 10, 10])


def test_four_values_pass_through_and_bad_input_is_rejected():
    assert np.allclose(polygon_to_rect([1, 2, 3, 4], "preserve_area"), [1, 2, 3, 4])
    with pytest.raises(ValueError, match="unknown polygon conversion"):
        polygon_to_rect([0] * 8, "area")
    with pytest.raises(ValueError, match="8 finite values"):
        polygon_to_rect([0, 0, 1, 1, 2], "union")
    with pytest.raises(ValueError, match="no area"):
        polygon_to_rect([0, 0, 0, 0, 0, 0, 0, 0], "preserve_area")


def test_sequence_init_info_carries_the_polygon():
    seq = Sequence("s", ["a.jpg"], "vot", np.array([[10, 20, 40, 60]]), init_polygon=[10, 20, 50, 20, 50, 80, 10, 80])
    assert seq.init_info() == {"init_bbox": [10.0, 20.0, 40.0, 60.0],
                               "init_polygon": [10.0, 20.0, 50.0, 20.0, 50.0, 80.0, 10.0, 80.0]}
    assert "init_polygon" not in Sequence("t", ["a.jpg"], "otb", np.array([[1, 2, 3, 4]])).init_info()
    with pytest.raises(ValueError, match="init_polygon must have 8 values"):
        Sequence("u", ["a.jpg"], "vot", np.array([[1, 2, 3, 4]]), init_polygon=[1, 2, 3])
