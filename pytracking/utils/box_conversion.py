"""Axis-aligned ``[x, y, w, h]`` boxes from VOT's rotated-rectangle polygon annotations."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

#: How a polygon becomes a box: 'union' = the enclosing rectangle; 'preserve_area' = the enclosing
#: rectangle scaled about the polygon's centre to the area of the rotated rectangle.
POLYGON_CONVERSIONS = ("union", "preserve_area")


def polygon_to_rect(polygon: Sequence[float], conversion: str = "union") -> np.ndarray:
    """``[x, y, w, h]`` of a polygon ``[x1, y1, x2, y2, x3, y3, x4, y4]`` (VOT's rotated
    rectangles, corners in order); a 4-value box is returned unchanged.

    'preserve_area' keeps the polygon's centre (mean of the corners) and the enclosing rectangle's
    aspect ratio, with the area ``|c1 - c2| * |c2 - c3|`` of the rotated rectangle (the original
    project's conversion for VOT; it also adds one pixel to width and height, which we do not)."""
    if conversion not in POLYGON_CONVERSIONS:
        raise ValueError(f"unknown polygon conversion {conversion!r}; choose one of {POLYGON_CONVERSIONS}")
    p = np.asarray(polygon, dtype=np.float64).reshape(-1)
    if p.size == 4:
        return p.copy()
    if p.size != 8 or not np.isfinite(p).all():
        raise ValueError(f"a polygon must have 8 finite values (4 corners x, y), got {p.tolist()}")
    xs, ys = p[0::2], p[1::2]
    x1, x2, y1, y2 = xs.min(), xs.max(), ys.min(), ys.max()
    if conversion == "union":
        return np.array([x1, y1, x2 - x1, y2 - y1])
    enclosing = (x2 - x1) * (y2 - y1)
    if enclosing <= 0:
        raise ValueError(f"polygon {p.tolist()} has no area")
    rotated = math.hypot(*(p[0:2] - p[2:4])) * math.hypot(*(p[2:4] - p[4:6]))
    s = math.sqrt(rotated / enclosing)
    w, h = s * (x2 - x1), s * (y2 - y1)
    return np.array([xs.mean() - w / 2, ys.mean() - h / 2, w, h])
