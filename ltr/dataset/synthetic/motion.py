"""Per-frame poses of the target, distractor, occluder and camera, with scripted events.

Events (each placed at a random time, never touching frame 0, so the first frame always shows
the whole target unoccluded):
- occlusion: a bar spanning the whole image slides across the target; the frame at the middle of
  the event has the target completely behind it, the frames around it partial occlusion;
- out of view: the target moves to the nearest image border (the last ramp frame has its centre
  on the border, i.e. it is partly outside), stays fully outside for a few frames, and returns.
"""
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from .geometry import Pose


@dataclass
class Track:
    """Per-frame pose parameters of one object, arrays of length N."""

    cx: np.ndarray
    cy: np.ndarray
    w: np.ndarray
    h: np.ndarray
    angle: np.ndarray

    def pose(self, t: int) -> Pose:
        return Pose(float(self.cx[t]), float(self.cy[t]), float(self.w[t]), float(self.h[t]), float(self.angle[t]))

    def half_extents(self) -> Tuple[np.ndarray, np.ndarray]:
        c, s = np.abs(np.cos(self.angle)), np.abs(np.sin(self.angle))
        return c * self.w / 2 + s * self.h / 2, s * self.w / 2 + c * self.h / 2


@dataclass
class EventPlan:
    """Frame ranges of the scripted events (inclusive starts, exclusive ends); None when absent."""

    occlusion: Optional[Tuple[int, int]]
    out_of_view: Optional[Tuple[int, int]]
    ramp: int
    occluder_vertical: bool
    occluder_sign: float


def _wander(rng: np.random.Generator, t: np.ndarray, low: float, high: float) -> np.ndarray:
    """Smooth bounded 1-D path in [low, high]: mean plus two slow sinusoids."""
    centre, half = (low + high) / 2, max((high - low) / 2, 0.0)
    split = rng.uniform(0.5, 0.8)
    path = np.full(t.shape, centre + rng.uniform(-0.3, 0.3) * half)
    rest = half - abs(path[0] - centre)
    for amp in (split * rest, (1 - split) * rest):
        period = rng.uniform(50, 140)
        path = path + amp * np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))
    return path


def _oscillation(rng: np.random.Generator, t: np.ndarray, amplitude: Tuple[float, float],
                 period: Tuple[float, float]) -> np.ndarray:
    """Sinusoid with random amplitude, period (frames) and phase drawn from the given ranges."""
    amp = rng.uniform(*amplitude)
    frames = rng.uniform(*period)
    return amp * np.sin(2 * np.pi * t / frames + rng.uniform(0, 2 * np.pi))


def object_track(rng: np.random.Generator, n: int, image_size: Tuple[int, int], base_size: float,
                 rotating: bool) -> Track:
    """A track whose whole (rotated) box stays inside the image in every frame."""
    width, height = image_size
    t = np.arange(n, dtype=np.float64)
    aspect0 = rng.uniform(0.5, 2.0)
    scale = np.exp(_oscillation(rng, t, (0.15, 0.35), (40, 120)))
    aspect = aspect0 * np.exp(_oscillation(rng, t, (0.1, 0.25), (40, 120)))
    w = base_size * scale * np.sqrt(aspect)
    h = base_size * scale / np.sqrt(aspect)
    if rotating:
        angle = rng.uniform(0, np.pi) + _oscillation(rng, t, (0.4, 0.8), (30, 80))
    else:
        angle = np.full(n, rng.uniform(-0.1, 0.1))
    track = Track(np.zeros(n), np.zeros(n), w, h, angle)
    ex, ey = track.half_extents()
    mx, my = float(ex.max()) + 1.0, float(ey.max()) + 1.0
    if 2 * mx >= width or 2 * my >= height:
        raise ValueError(f"Object of size {base_size:.1f} px does not fit an image of {width}x{height}")
    track.cx = _wander(rng, t, mx, width - mx)
    track.cy = _wander(rng, t, my, height - my)
    return track


def plan_events(rng: np.random.Generator, n: int, occlusion: bool, out_of_view: bool) -> EventPlan:
    """Place the events in frames 1..n-1 in random order. Event lengths scale with n (occlusion
    3..41 frames, out of view 3..65); events that do not fit are dropped: sequences need at least
    4 frames for the occlusion and 7 for both events."""
    occ_len = int(np.clip(round(0.3 * n), 3, 41)) if occlusion else 0
    ramp = int(np.clip(round(0.1 * n), 1, 20))
    plateau = int(np.clip(round(0.1 * n), 1, 25))
    oov_len = 2 * ramp + plateau if out_of_view else 0
    available = n - 1
    if occ_len + oov_len > available:
        oov_len = 0
    if occ_len > available:
        occ_len = 0
    order = ["occ", "oov"] if rng.random() < 0.5 else ["oov", "occ"]
    lengths = {"occ": occ_len, "oov": oov_len}
    free = available - occ_len - oov_len
    cuts = np.sort(rng.integers(0, free + 1, size=2))
    gaps = [int(cuts[0]), int(cuts[1] - cuts[0])]
    ranges = {}
    start = 1
    for name, gap in zip(order, gaps):
        start += gap
        ranges[name] = (start, start + lengths[name]) if lengths[name] else None
        start += lengths[name]
    return EventPlan(ranges["occ"], ranges["oov"], ramp, bool(rng.random() < 0.5),
                     1.0 if rng.random() < 0.5 else -1.0)


def _smoothstep(x: float) -> float:
    return x * x * (3 - 2 * x)


def apply_out_of_view(track: Track, plan: EventPlan, image_size: Tuple[int, int]) -> None:
    """Move the target out through the nearest border during plan.out_of_view (in place)."""
    if plan.out_of_view is None:
        return
    width, height = image_size
    a, b = plan.out_of_view
    mid = (a + b - 1) // 2
    ex, ey = track.half_extents()
    distances = {"left": track.cx[mid], "right": width - track.cx[mid],
                 "top": track.cy[mid], "bottom": height - track.cy[mid]}
    side = min(distances, key=distances.get)
    horizontal = side in ("left", "right")
    sign = -1.0 if side in ("left", "top") else 1.0
    centre = track.cx if horizontal else track.cy
    extent = ex if horizontal else ey
    limit = width if horizontal else height
    to_edge = (centre if sign < 0 else limit - centre).copy()
    fully_out = to_edge + extent + 1.0
    r = plan.ramp
    for k in range(1, r + 1):
        fraction = _smoothstep(k / r)
        centre[a + k - 1] += sign * fraction * to_edge[a + k - 1]
        centre[b - k] += sign * fraction * to_edge[b - k]
    for t in range(a + r, b - r):
        centre[t] += sign * fully_out[t]


def occluder_track(target: Track, plan: EventPlan, image_size: Tuple[int, int]) -> Optional[Track]:
    """A bar spanning the image that slides across the target during plan.occlusion."""
    if plan.occlusion is None:
        return None
    width, height = image_size
    n = target.cx.shape[0]
    a, b = plan.occlusion
    mid = (a + b - 1) // 2
    ex, ey = target.half_extents()
    extent = float((ex if plan.occluder_vertical else ey)[a:b].max())
    bar = 3.2 * extent
    slope = (bar / 2 + extent + 1.0) / (min(mid - a, b - 1 - mid) + 1)
    offset = plan.occluder_sign * slope * (np.arange(n) - mid)
    length = np.full(n, 3.0 * (width + height))
    thickness = np.full(n, bar)
    if plan.occluder_vertical:
        return Track(target.cx + offset, np.full(n, height / 2), thickness, length, np.zeros(n))
    return Track(np.full(n, width / 2), target.cy + offset, length, thickness, np.zeros(n))


def camera_path(rng: np.random.Generator, n: int, pad: int) -> Tuple[np.ndarray, np.ndarray]:
    """Integer background crop offsets in [0, 2*pad] (slow smooth pan)."""
    t = np.arange(n, dtype=np.float64)
    paths: List[np.ndarray] = []
    for _ in range(2):
        path = pad + 0.9 * pad * np.sin(2 * np.pi * t / rng.uniform(80, 200) + rng.uniform(0, 2 * np.pi))
        paths.append(np.clip(np.rint(path), 0, 2 * pad).astype(np.int64))
    return paths[0], paths[1]
