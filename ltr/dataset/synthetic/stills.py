"""Still images with several separate objects (for COCO-style detection data).

Objects never overlap, so each object's visible mask is its whole silhouette and its outline
polygon (geometry.outline) describes it exactly (ellipses: a 48-point polygon on the ellipse).
"""
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from . import geometry, textures
from .scene import paint


@dataclass
class StillObject:
    """One annotated object of a still image."""

    kind: str
    mask: np.ndarray
    box: np.ndarray
    area: int
    polygon: Optional[np.ndarray]
    iscrowd: bool


@dataclass
class StillImage:
    """An RGB image and its objects."""

    image: np.ndarray
    objects: List[StillObject]


def _free(occupied: np.ndarray, window: Tuple[int, int, int, int], margin: int) -> bool:
    r0, r1, c0, c1 = window
    return not occupied[max(r0 - margin, 0):r1 + margin, max(c0 - margin, 0):c1 + margin].any()


def _fits(window: Tuple[int, int, int, int], height: int, width: int) -> bool:
    r0, r1, c0, c1 = window
    return r0 >= 0 and c0 >= 0 and r1 <= height and c1 <= width


def _draw(image: np.ndarray, occupied: np.ndarray, kind: str, pose: geometry.Pose, texture: np.ndarray) -> np.ndarray:
    height, width = occupied.shape
    raster = geometry.rasterize(kind, pose, clip=(height, width))
    paint(image, raster, texture)
    mask = np.zeros((height, width), dtype=bool)
    mask[raster.r0:raster.r1, raster.c0:raster.c1] = raster.mask
    r0, r1, c0, c1 = geometry.bounding_window(pose)
    occupied[max(r0, 0):r1, max(c0, 0):c1] = True
    return mask


def render_still(seed: int, image_size: Tuple[int, int] = (320, 240), *, tiny: bool = False,
                 crowd: bool = False) -> StillImage:
    """Render a still with 1-3 objects; `tiny` adds a 3x3-pixel rectangle, `crowd` a cluster of
    small ellipses annotated as one crowd region. Objects that find no free place are skipped,
    but the first object is always placed."""
    width, height = int(image_size[0]), int(image_size[1])
    rng = np.random.default_rng(int(seed))
    image = textures.background(rng, height, width)
    occupied = np.zeros((height, width), dtype=bool)
    objects: List[StillObject] = []
    for k in range(int(rng.integers(1, 4))):
        kind = geometry.SHAPES[int(rng.integers(len(geometry.SHAPES)))]
        texture = textures.build_texture(textures.random_texture_spec(rng))
        for _ in range(30):
            size = rng.uniform(0.12, 0.3) * min(width, height)
            aspect = rng.uniform(0.6, 1.6)
            pose = geometry.Pose(rng.uniform(0, width), rng.uniform(0, height), size * np.sqrt(aspect),
                                 size / np.sqrt(aspect), rng.uniform(0, np.pi))
            window = geometry.bounding_window(pose)
            if _fits(window, height, width) and _free(occupied, window, 2):
                break
        else:
            if k > 0:
                continue
            pose = geometry.Pose(width / 2, height / 2, min(width, height) / 4, min(width, height) / 5, 0.0)
        mask = _draw(image, occupied, kind, pose, texture)
        objects.append(StillObject(kind, mask, geometry.mask_box(mask), int(mask.sum()),
                                   geometry.outline(kind, pose), False))
    if tiny:
        texture = textures.build_texture(textures.random_texture_spec(rng, "checkered"))
        for _ in range(200):
            x, y = int(rng.integers(2, width - 5)), int(rng.integers(2, height - 5))
            pose = geometry.Pose(x + 1.5, y + 1.5, 3.0, 3.0, 0.0)
            if _free(occupied, geometry.bounding_window(pose), 2):
                mask = _draw(image, occupied, "rectangle", pose, texture)
                objects.append(StillObject("rectangle", mask, geometry.mask_box(mask), int(mask.sum()),
                                           geometry.outline("rectangle", pose), False))
                break
    if crowd:
        texture = textures.build_texture(textures.random_texture_spec(rng, "dotted"))
        blob = max(3.0, 0.04 * min(width, height))
        cluster = 6 * blob
        for _ in range(200):
            x0, y0 = rng.uniform(0, width - cluster), rng.uniform(0, height - cluster)
            if _free(occupied, (int(y0), int(np.ceil(y0 + cluster)), int(x0), int(np.ceil(x0 + cluster))), 2):
                break
        else:
            return StillImage(image, objects)
        union = np.zeros((height, width), dtype=bool)
        for _ in range(int(rng.integers(4, 8))):
            pose = geometry.Pose(x0 + rng.uniform(blob, cluster - blob), y0 + rng.uniform(blob, cluster - blob),
                                 blob * rng.uniform(1.2, 2.0), blob * rng.uniform(1.2, 2.0), 0.0)
            union |= _draw(image, occupied, "ellipse", pose, texture)
        objects.append(StillObject("ellipse", union, geometry.mask_box(union), int(union.sum()), None, True))
    return StillImage(image, objects)
