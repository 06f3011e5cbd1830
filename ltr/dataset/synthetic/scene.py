"""Render one synthetic tracking sequence with exact per-frame ground truth.

Ground-truth definitions (all in the pixel convention of `geometry`):
- `target_masks[t]`: the target's whole silhouette inside the image, *including* the parts hidden
  by the occluder (amodal mask clipped to the image).
- `visible_masks[t]`: the part of that silhouette that is actually seen (`target_masks[t]` minus
  the occluder, which is drawn on top of everything).
- `boxes[t]`: pixel-aligned bounding box [x, y, w, h] of `target_masks[t]` (so a partly occluded
  target keeps the box of its whole silhouette within the image; a partly out-of-view target gets
  the box of its in-image part). When the target is entirely outside the image the box is
  [0, 0, 0, 0]; a fully occluded target keeps the box of its hidden silhouette.
- `visible_ratio[t]`: visible pixels / pixels of the whole silhouette (counted on the unbounded
  pixel grid, so both occlusion and leaving the image lower it); exactly 1.0 when nothing is hidden.
- `visible[t]` = visible_ratio > 0; `out_of_view[t]`: no silhouette pixel inside the image;
  `full_occlusion[t]`: silhouette inside the image but none of it visible; `cut_by_image[t]`:
  part of the silhouette lies outside the image.
The distractor (same shape kind and texture family as the target) is drawn behind the target.
"""
import logging
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np

from . import geometry, motion, textures

logger = logging.getLogger(__name__)


@dataclass
class SyntheticSequence:
    """Frames and exact ground truth of one generated sequence (N frames of H x W).

    frames: N RGB uint8 H x W x 3 images. boxes: (N, 4) float64 [x, y, w, h] (module docstring).
    target_masks / visible_masks: (N, H, W) bool. visible, out_of_view, full_occlusion,
    cut_by_image: (N,) bool. visible_ratio: (N,) float. target_area: (N,) pixel count of the
    whole silhouette (also outside the image). distractor_masks: (N, H, W) distractor pixels
    inside the image not covered by the target (the bar may still hide some);
    distractor_boxes: their boxes. polygons: (N, 4, 2) corners (x, y) of a rectangle target
    (top-left, top-right, bottom-right, bottom-left before rotation), None for other shapes.
    events: frame ranges [start, end) of the 'occlusion' and 'out_of_view' events (None if absent).
    """

    frames: List[np.ndarray]
    boxes: np.ndarray
    target_masks: np.ndarray
    visible_masks: np.ndarray
    visible: np.ndarray
    visible_ratio: np.ndarray
    out_of_view: np.ndarray
    full_occlusion: np.ndarray
    cut_by_image: np.ndarray
    target_area: np.ndarray
    distractor_boxes: np.ndarray
    distractor_masks: np.ndarray
    class_name: str
    texture_family: str
    color_name: str
    rotating: bool
    description: str
    motion_adverb: str
    seed: int
    image_size: Tuple[int, int]
    polygons: Optional[np.ndarray] = None
    events: dict = field(default_factory=dict)

    @property
    def num_frames(self) -> int:
        return len(self.frames)


def check_image_size(image_size: Tuple[int, int]) -> None:
    """Raise ValueError unless image_size is (width, height) with both at least 32 pixels."""
    if (not isinstance(image_size, (tuple, list)) or len(image_size) != 2
            or not all(isinstance(v, (int, np.integer)) and v >= 32 for v in image_size)):
        raise ValueError(f"image_size must be (width, height), integers of at least 32 px, got {image_size!r}")


def _validate(seed: int, num_frames: int, image_size: Tuple[int, int], shape: Optional[str]) -> None:
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(num_frames, (int, np.integer)) or num_frames < 1:
        raise ValueError(f"num_frames must be a positive integer, got {num_frames!r}")
    check_image_size(image_size)
    if shape is not None:
        geometry.check_shape(shape)


def _clip(raster: geometry.Raster, height: int, width: int) -> geometry.Raster:
    """Part of an unclipped raster that lies inside the image."""
    r0, c0 = max(raster.r0, 0), max(raster.c0, 0)
    r1, c1 = max(min(raster.r1, height), r0), max(min(raster.c1, width), c0)
    rows = slice(r0 - raster.r0, r1 - raster.r0)
    cols = slice(c0 - raster.c0, c1 - raster.c0)
    return geometry.Raster(r0, c0, raster.mask[rows, cols], raster.u[rows, cols], raster.v[rows, cols])


def paint(frame: np.ndarray, raster: geometry.Raster, texture: np.ndarray,
          tile: Optional[Tuple[float, float]] = None) -> None:
    """Draw the textured shape of a (clipped) raster into `frame` in place. By default the texture
    is stretched over the object's box; `tile` = (width, height) of the object in pixels repeats it
    instead at one texel per pixel (for long objects such as the occluding bar)."""
    mask = raster.mask
    if not mask.any():
        return
    size = texture.shape[0]
    span_u, span_v = (size, size) if tile is None else tile
    tu = ((raster.u + 1.0) * (0.5 * span_u)).astype(np.int32)
    tv = ((raster.v + 1.0) * (0.5 * span_v)).astype(np.int32)
    if tile is None:
        np.clip(tu, 0, size - 1, out=tu)
        np.clip(tv, 0, size - 1, out=tv)
    else:
        np.remainder(tu, size, out=tu)
        np.remainder(tv, size, out=tv)
    colors = texture.reshape(-1, texture.shape[2])[tv * size + tu]
    np.copyto(frame[raster.r0:raster.r1, raster.c0:raster.c1], colors, where=mask[..., None])


def _place(mask_out: np.ndarray, raster: geometry.Raster) -> None:
    mask_out[raster.r0:raster.r1, raster.c0:raster.c1] = raster.mask


def _distractor_track(rng: np.random.Generator, target: motion.Track, n: int, image_size: Tuple[int, int],
                      base_size: float, rotating: bool) -> motion.Track:
    """Distractor track whose box at frame 0 is disjoint from the target's (best of a few draws)."""
    tex, tey = target.half_extents()
    best, best_gap = None, -np.inf
    for _ in range(20):
        track = motion.object_track(rng, n, image_size, base_size * rng.uniform(0.8, 1.1), rotating)
        dex, dey = track.half_extents()
        gap = max(abs(track.cx[0] - target.cx[0]) - tex[0] - dex[0], abs(track.cy[0] - target.cy[0]) - tey[0] - dey[0])
        if gap > best_gap:
            best, best_gap = track, gap
        if gap >= 2.0:
            break
    return best


def _describe(color: str, family: str, kind: str, adverb: str, plan: motion.EventPlan) -> str:
    article = "an" if color[0] in "aeiou" else "a"
    parts = [f"{article} {color} {family} {kind} moving {adverb} over a cluttered background"]
    if plan.occlusion is not None:
        parts.append("passing behind a bar")
    if plan.out_of_view is not None:
        parts.append("leaving the view and coming back")
    return ", ".join(parts) + "."


def generate_sequence(seed: int, num_frames: int, image_size: Tuple[int, int] = (320, 240), *,
                      shape: Optional[str] = None, rotating: Optional[bool] = None,
                      occlusion: bool = True, out_of_view: bool = True,
                      distractor: bool = True) -> SyntheticSequence:
    """Render a deterministic sequence. image_size is (width, height). Options: force the target
    `shape` (one of geometry.SHAPES) or `rotating`; disable the `occlusion` or `out_of_view` events
    or the `distractor`. The same arguments always give identical frames and ground truth."""
    _validate(seed, num_frames, image_size, shape)
    width, height = int(image_size[0]), int(image_size[1])
    n = int(num_frames)
    rng = np.random.default_rng(int(seed))
    kind = shape if shape is not None else geometry.SHAPES[int(rng.integers(len(geometry.SHAPES)))]
    if rotating is None:
        rotating = bool(rng.random() < 0.5)
    target_tex_spec = textures.random_texture_spec(rng)
    target_tex = textures.build_texture(target_tex_spec)
    distractor_tex = textures.build_texture(textures.similar_texture_spec(target_tex_spec, rng))
    bar_tex = textures.occluder_texture(rng)

    base_size = rng.uniform(0.14, 0.24) * min(width, height)
    target = motion.object_track(rng, n, (width, height), base_size, rotating)
    plan = motion.plan_events(rng, n, occlusion, out_of_view)
    other = _distractor_track(rng, target, n, (width, height), base_size, rotating) if distractor else None
    motion.apply_out_of_view(target, plan, (width, height))
    bar = motion.occluder_track(target, plan, (width, height))
    pad = int(0.1 * max(width, height))
    bg = textures.background(rng, height + 2 * pad, width + 2 * pad)
    cam_x, cam_y = motion.camera_path(rng, n, pad)

    frames: List[np.ndarray] = []
    target_masks = np.zeros((n, height, width), dtype=bool)
    visible_masks = np.zeros((n, height, width), dtype=bool)
    distractor_masks = np.zeros((n, height, width), dtype=bool)
    target_area = np.zeros(n, dtype=np.int64)
    polygons = np.zeros((n, 4, 2)) if kind == "rectangle" else None
    occluder = np.zeros((height, width), dtype=bool)
    for t in range(n):
        frame = bg[cam_y[t]:cam_y[t] + height, cam_x[t]:cam_x[t] + width].copy()
        if other is not None:
            d_raster = geometry.rasterize(kind, other.pose(t), clip=(height, width))
            paint(frame, d_raster, distractor_tex)
            _place(distractor_masks[t], d_raster)
        pose = target.pose(t)
        full = geometry.rasterize(kind, pose)
        target_area[t] = int(full.mask.sum())
        t_raster = _clip(full, height, width)
        paint(frame, t_raster, target_tex)
        _place(target_masks[t], t_raster)
        occluder[:] = False
        if bar is not None:
            bar_pose = bar.pose(t)
            b_raster = geometry.rasterize("rectangle", bar_pose, clip=(height, width))
            paint(frame, b_raster, bar_tex, tile=(bar_pose.w, bar_pose.h))
            _place(occluder, b_raster)
        np.logical_and(target_masks[t], ~occluder, out=visible_masks[t])
        if other is not None:
            distractor_masks[t] &= ~target_masks[t]
        if polygons is not None:
            polygons[t] = geometry.outline(kind, pose)
        frames.append(frame)

    in_image = target_masks.reshape(n, -1).sum(axis=1)
    seen = visible_masks.reshape(n, -1).sum(axis=1)
    visible_ratio = seen / np.maximum(target_area, 1)
    speed = float(np.mean(np.hypot(np.diff(target.cx), np.diff(target.cy)))) if n > 1 else 0.0
    relative_speed = speed / max(width, height)
    adverb = "slowly" if relative_speed < 0.01 else "steadily" if relative_speed < 0.03 else "fast"
    sequence = SyntheticSequence(
        frames=frames,
        boxes=np.stack([geometry.mask_box(m) for m in target_masks]),
        target_masks=target_masks,
        visible_masks=visible_masks,
        visible=seen > 0,
        visible_ratio=visible_ratio,
        out_of_view=in_image == 0,
        full_occlusion=(in_image > 0) & (seen == 0),
        cut_by_image=in_image < target_area,
        target_area=target_area,
        distractor_boxes=np.stack([geometry.mask_box(m) for m in distractor_masks]),
        distractor_masks=distractor_masks,
        class_name=kind,
        texture_family=target_tex_spec.family,
        color_name=target_tex_spec.color_name,
        rotating=bool(rotating),
        description=_describe(target_tex_spec.color_name, target_tex_spec.family, kind, adverb, plan),
        motion_adverb=adverb,
        seed=int(seed),
        image_size=(width, height),
        polygons=polygons,
        events={"occlusion": plan.occlusion, "out_of_view": plan.out_of_view},
    )
    logger.debug("Generated sequence seed=%d: %d frames, %s, events %s", seed, n, kind, sequence.events)
    return sequence
