"""Reading a COCO instances file: images, categories and object annotations (no pycocotools)."""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from typing import Optional

import numpy as np

from ltr.dataset.base_video_dataset import empty_object_meta
from ltr.dataset.errors import AnnotationError, DatasetLayoutError, require_dir

logger = logging.getLogger(__name__)

VERSIONS = ("2017", "2014")


def find_version(root: str, split: str, version: Optional[str]) -> str:
    """The COCO version to read: ``version`` if given, else the first of 2017/2014 present."""
    candidates = [str(version)] if version is not None else list(VERSIONS)
    for v in candidates:
        if os.path.isfile(os.path.join(root, "annotations", f"instances_{split}{v}.json")):
            return v
    expected = " or ".join(f"annotations/instances_{split}{v}.json" for v in candidates)
    raise DatasetLayoutError("COCO", root, "coco_dir", f"there is no {expected}")


class CocoIndex:
    """The objects of one COCO split: ``annotations`` (non-crowd, optionally above ``min_area``).

    Unusable entries (a bbox that is not 4 numbers, an unknown image or category id) are skipped
    with a warning naming the file and the annotation id."""

    def __init__(
        self,
        root: str,
        split: str = "train",
        version: Optional[str] = None,
        min_area: Optional[float] = None,
    ) -> None:
        root = require_dir("COCO", root, "coco_dir")
        self.root = root
        self.version = find_version(root, split, version)
        self.image_dir = os.path.join(root, f"{split}{self.version}")
        self.annotation_file = os.path.join(
            root, "annotations", f"instances_{split}{self.version}.json"
        )
        if not os.path.isdir(self.image_dir):
            raise DatasetLayoutError(
                "COCO", root, "coco_dir", f"the image folder {split}{self.version}/ is missing"
            )
        try:
            with open(self.annotation_file, encoding="utf-8") as f:
                document = json.load(f)
        except json.JSONDecodeError as exc:
            raise AnnotationError(
                f"COCO annotation file '{self.annotation_file}' is not valid JSON "
                f"(line {exc.lineno}): {exc.msg}"
            ) from None
        try:
            self.images = {im["id"]: im for im in document["images"]}
            self.categories = {c["id"]: c for c in document["categories"]}
            annotations = document["annotations"]
        except (KeyError, TypeError) as exc:
            raise AnnotationError(
                f"COCO annotation file '{self.annotation_file}' lacks the "
                f"'images', 'categories' or 'annotations' entries ({exc})"
            ) from None
        if not isinstance(annotations, list):
            raise AnnotationError(
                f"COCO annotation file '{self.annotation_file}': 'annotations' is not a list"
            )
        self.annotations = []
        for position, a in enumerate(annotations):
            problem = self._annotation_problem(a)
            if problem is not None:
                ann_id = a.get("id", "?") if isinstance(a, dict) else "?"
                logger.warning(
                    "COCO annotation file '%s', annotation id %s (entry %d): %s; skipped",
                    self.annotation_file, ann_id, position, problem,
                )
                continue
            if not a.get("iscrowd", 0) and (min_area is None or a.get("area", 0) > min_area):
                self.annotations.append(a)
        self.class_list = sorted(c["name"] for c in self.categories.values())

    def _annotation_problem(self, ann: object) -> Optional[str]:
        """What is wrong with one entry of 'annotations' (None if it is usable)."""
        if not isinstance(ann, dict):
            return f"not an object but {type(ann).__name__}"
        bbox = ann.get("bbox")
        if not isinstance(bbox, list) or len(bbox) != 4 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox
        ):
            return f"'bbox' must be 4 numbers [x, y, w, h], got {bbox!r}"
        if ann.get("image_id") not in self.images:
            return f"unknown image id {ann.get('image_id')!r}"
        if ann.get("category_id") not in self.categories:
            return f"unknown category id {ann.get('category_id')!r}"
        return None

    def category(self, ann: dict) -> dict:
        return self.categories[ann["category_id"]]

    def entries_per_class(self, entries: list[int]) -> dict[str, list[int]]:
        """Class name -> positions in ``entries`` (indices into ``annotations``) of that class."""
        per_class: dict[str, list[int]] = {}
        for i, a in enumerate(entries):
            per_class.setdefault(self.category(self.annotations[a])["name"], []).append(i)
        return per_class

    def object_meta(self, ann: dict) -> OrderedDict:
        """Object meta of an annotation: class name and COCO supercategory as major class."""
        category = self.category(ann)
        meta = empty_object_meta(category["name"])
        meta["major_class"] = category.get("supercategory")
        return meta

    def image_path(self, ann: dict) -> str:
        return os.path.join(self.image_dir, self.images[ann["image_id"]]["file_name"])

    def mask(self, ann: dict) -> np.ndarray:
        """Boolean H x W mask of an annotation (polygons or uncompressed RLE)."""
        image = self.images[ann["image_id"]]
        return segmentation_to_mask(
            ann.get("segmentation"), int(image["height"]), int(image["width"])
        )


def segmentation_to_mask(segmentation, height: int, width: int) -> np.ndarray:
    """Rasterise COCO polygons (list of [x0, y0, x1, y1, ...]) or an uncompressed RLE dict."""
    if isinstance(segmentation, dict):
        counts = segmentation.get("counts")
        if not isinstance(counts, list):
            raise AnnotationError(
                "Compressed COCO RLE masks are not supported (only crowd regions "
                "use them, and those are skipped)"
            )
        flat = np.zeros(height * width, dtype=bool)
        pos, value = 0, False
        for run in counts:
            flat[pos : pos + run] = value
            pos += run
            value = not value
        return flat.reshape((width, height)).T.copy()
    mask = np.zeros((height, width), dtype=bool)
    for polygon in segmentation or []:
        vertices = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
        if len(vertices) >= 3:
            mask |= rasterize_polygon(vertices, height, width)
    return mask


def rasterize_polygon(vertices: np.ndarray, height: int, width: int) -> np.ndarray:
    """Pixels whose centre (c + 0.5, r + 0.5) lies inside the polygon (even-odd rule)."""
    mask = np.zeros((height, width), dtype=bool)
    x0, y0 = vertices[:, 0], vertices[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    first = max(0, int(np.floor(y0.min())))
    last = min(height - 1, int(np.ceil(y0.max())))
    for row in range(first, last + 1):
        yc = row + 0.5
        crossing = ((y0 <= yc) & (yc < y1)) | ((y1 <= yc) & (yc < y0))
        if not crossing.any():
            continue
        xs = np.sort(
            x0[crossing]
            + (yc - y0[crossing]) * (x1[crossing] - x0[crossing]) / (y1[crossing] - y0[crossing])
        )
        for xa, xb in zip(xs[0::2], xs[1::2]):
            c0 = max(0, int(np.ceil(xa - 0.5)))
            c1 = min(width, int(np.ceil(xb - 0.5)))
            if c1 > c0:
                mask[row, c0:c1] ^= True
    return mask
