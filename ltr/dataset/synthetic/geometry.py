"""Shapes, poses and exact rasterization of the synthetic objects.

Coordinate convention (shared by every module of this package): the image spans the continuous
rectangle [0, W] x [0, H]; pixel (row r, column c) covers [c, c+1) x [r, r+1) and belongs to a
shape when its centre (c + 0.5, r + 0.5) lies inside the shape. A pixel-aligned box
[x, y, w, h] = [min_col, min_row, max_col - min_col + 1, max_row - min_row + 1] therefore encloses
exactly the pixels of a mask in these same coordinates.

A shape is described in normalized object coordinates (u, v) in [-1, 1]^2 and placed by a `Pose`:
centre (cx, cy), size (w, h) of its unrotated box and rotation `angle` (radians, clockwise on
screen because the y axis points down).
"""
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import numpy as np

#: Convex outlines in normalized (u, v) coordinates, vertices in order around the shape.
POLYGON_VERTICES: Dict[str, np.ndarray] = {
    "rectangle": np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]),
    "triangle": np.array([[0.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]),
    "hexagon": np.array([[-1.0, 0.0], [-0.5, -1.0], [0.5, -1.0], [1.0, 0.0], [0.5, 1.0], [-0.5, 1.0]]),
    "diamond": np.array([[0.0, -1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]),
}

#: Every shape kind the generator can draw.
SHAPES: Tuple[str, ...] = ("rectangle", "ellipse", "triangle", "hexagon", "diamond")

#: Number of vertices used when an ellipse is written as a polygon (e.g. COCO segmentation).
ELLIPSE_POLYGON_VERTICES = 48


@dataclass(frozen=True)
class Pose:
    """Placement of a shape in image coordinates."""

    cx: float
    cy: float
    w: float
    h: float
    angle: float = 0.0


def _edge_coefficients(vertices: np.ndarray) -> np.ndarray:
    """Half-plane coefficients (a, b, c) with a*u + b*v + c >= 0 inside a convex polygon."""
    x, y = vertices[:, 0], vertices[:, 1]
    signed_area = 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    orientation = 1.0 if signed_area > 0 else -1.0
    nxt = np.roll(vertices, -1, axis=0)
    edge = nxt - vertices
    # cross(edge, p - v) = edge_x * (pv - vy) - edge_y * (pu - vx)
    a = -edge[:, 1] * orientation
    b = edge[:, 0] * orientation
    c = (edge[:, 1] * vertices[:, 0] - edge[:, 0] * vertices[:, 1]) * orientation
    return np.stack([a, b, c], axis=1)


_EDGES = {name: _edge_coefficients(v) for name, v in POLYGON_VERTICES.items()}


def check_shape(kind: str) -> None:
    """Raise ValueError when `kind` is not a known shape."""
    if kind not in SHAPES:
        raise ValueError(f"Unknown shape kind {kind!r}; known kinds: {', '.join(SHAPES)}")


def half_extents(pose: Pose) -> Tuple[float, float]:
    """Half width/height of the axis-aligned box enclosing the rotated box of `pose`."""
    c, s = abs(np.cos(pose.angle)), abs(np.sin(pose.angle))
    return c * pose.w / 2 + s * pose.h / 2, s * pose.w / 2 + c * pose.h / 2


def bounding_window(pose: Pose) -> Tuple[int, int, int, int]:
    """Integer window (r0, r1, c0, c1), end-exclusive, containing every pixel the shape can cover."""
    ex, ey = half_extents(pose)
    c0 = int(np.floor(pose.cx - ex - 0.5))
    c1 = int(np.ceil(pose.cx + ex + 0.5)) + 1
    r0 = int(np.floor(pose.cy - ey - 0.5))
    r1 = int(np.ceil(pose.cy + ey + 0.5)) + 1
    return r0, r1, c0, c1


def normalized_coordinates(pose: Pose, r0: int, r1: int, c0: int, c1: int) -> Tuple[np.ndarray, np.ndarray]:
    """(u, v) object coordinates of the centres of the pixels in window rows r0:r1, cols c0:c1."""
    dx = (np.arange(c0, c1, dtype=np.float64) + 0.5 - pose.cx)[None, :]
    dy = (np.arange(r0, r1, dtype=np.float64) + 0.5 - pose.cy)[:, None]
    cos, sin = np.cos(pose.angle), np.sin(pose.angle)
    u = (dx * cos + dy * sin) * (2.0 / pose.w)
    v = (dy * cos - dx * sin) * (2.0 / pose.h)
    return u, v


def shape_mask(kind: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Boolean mask of the points (u, v) inside the normalized shape `kind`."""
    if kind == "ellipse":
        return u * u + v * v <= 1.0
    if kind == "rectangle":
        return (np.abs(u) <= 1.0) & (np.abs(v) <= 1.0)
    check_shape(kind)
    inside = np.ones(np.broadcast(u, v).shape, dtype=bool)
    for a, b, c in _EDGES[kind]:
        inside &= a * u + b * v + c >= 0.0
    return inside


@dataclass
class Raster:
    """A shape rasterized inside a window: mask and object coordinates of the window's pixels."""

    r0: int
    c0: int
    mask: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @property
    def r1(self) -> int:
        return self.r0 + self.mask.shape[0]

    @property
    def c1(self) -> int:
        return self.c0 + self.mask.shape[1]


def rasterize(kind: str, pose: Pose, clip: Optional[Tuple[int, int]] = None) -> Raster:
    """Rasterize a shape. `clip` = (height, width) restricts the window to the image; None keeps
    the whole (possibly out-of-image) window so that the full silhouette area can be counted."""
    r0, r1, c0, c1 = bounding_window(pose)
    if clip is not None:
        height, width = clip
        r0, r1 = max(r0, 0), min(r1, height)
        c0, c1 = max(c0, 0), min(c1, width)
        r1, c1 = max(r1, r0), max(c1, c0)
    u, v = normalized_coordinates(pose, r0, r1, c0, c1)
    return Raster(r0, c0, shape_mask(kind, u, v), u, v)


def outline(kind: str, pose: Pose) -> np.ndarray:
    """Outline polygon of the shape in image coordinates, (K, 2) array of (x, y) vertices.
    Ellipses are approximated by ELLIPSE_POLYGON_VERTICES points on the ellipse."""
    if kind == "ellipse":
        t = np.linspace(0.0, 2 * np.pi, ELLIPSE_POLYGON_VERTICES, endpoint=False)
        uv = np.stack([np.cos(t), np.sin(t)], axis=1)
    else:
        check_shape(kind)
        uv = POLYGON_VERTICES[kind]
    cos, sin = np.cos(pose.angle), np.sin(pose.angle)
    du, dv = uv[:, 0] * pose.w / 2, uv[:, 1] * pose.h / 2
    x = pose.cx + du * cos - dv * sin
    y = pose.cy + du * sin + dv * cos
    return np.stack([x, y], axis=1)


def mask_box(mask: np.ndarray) -> np.ndarray:
    """Pixel-aligned [x, y, w, h] box of a boolean mask (float64); zeros for an empty mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return np.zeros(4, dtype=np.float64)
    cols = np.flatnonzero(mask.any(axis=0))
    return np.array([cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1], dtype=np.float64)
