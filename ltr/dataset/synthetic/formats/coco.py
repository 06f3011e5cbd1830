"""COCO layout (still images).

    <out>/annotations/instances_<split><version>.json
    <out>/<split><version>/%012d.jpg                       (version 2017)
    <out>/<split><version>/COCO_<split><version>_%012d.jpg (version 2014)

One image per requested "sequence" (num_frames is not used). JSON keys: info, licenses, images
(id, file_name, width, height), annotations (id, image_id, category_id, bbox [x,y,w,h], area,
iscrowd, segmentation), categories (id, name, supercategory; non-contiguous ids as in COCO).
- bbox is the pixel-aligned box of the object's mask and area its pixel count (geometry.py
  convention); objects never overlap, so the mask is the whole silhouette;
- segmentation of an ordinary object is [polygon] with the exact outline (ellipses: 48 points);
- the first image always contains one tiny 3x3-pixel rectangle (iscrowd 0, area 9) and one
  crowd region (iscrowd 1, segmentation as uncompressed RLE {"counts", "size"}, column-major,
  starting with a run of zeros, as COCO stores crowd masks), so readers' filters can be tested.
"""
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

from ..stills import render_still
from .common import FormatSpec, WriteJob, progress, sequence_seed, write_jpeg

#: Category ids (deliberately non-contiguous, like COCO's) and supercategories per shape.
CATEGORIES: List[Dict[str, Any]] = [
    {"id": 1, "name": "rectangle", "supercategory": "polygon"},
    {"id": 3, "name": "ellipse", "supercategory": "round shape"},
    {"id": 4, "name": "triangle", "supercategory": "polygon"},
    {"id": 7, "name": "hexagon", "supercategory": "polygon"},
    {"id": 9, "name": "diamond", "supercategory": "polygon"},
]
_CATEGORY_ID = {c["name"]: c["id"] for c in CATEGORIES}


@dataclass
class StillRecord:
    """Truth of one written image: its JSON entries (annotations exactly as written)."""

    name: str
    image_id: int
    path: Path
    width: int
    height: int
    seed: int
    annotations: List[Dict[str, Any]]


def rle_encode(mask: np.ndarray) -> Dict[str, Any]:
    """Uncompressed COCO RLE of a boolean mask: column-major runs, first run counts zeros."""
    flat = np.asarray(mask, dtype=bool).flatten(order="F")
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], changes, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        counts = [0] + counts
    return {"counts": [int(c) for c in counts], "size": [int(mask.shape[0]), int(mask.shape[1])]}


def file_name(split: str, version: str, image_id: int) -> str:
    """Image file name per COCO version convention."""
    if version == "2014":
        return f"COCO_{split}{version}_{image_id:012d}.jpg"
    return f"{image_id:012d}.jpg"


def write(job: WriteJob) -> List[StillRecord]:
    version, split = str(job.options["version"]), job.options["split"]
    image_dir = job.tmp_root / f"{split}{version}"
    images, annotations, records = [], [], []
    next_ann = 1
    for i in progress(job, "coco"):
        image_id = i + 1
        seed = sequence_seed(job.seed, i)
        still = render_still(seed, job.image_size, tiny=(i == 0), crowd=(i == 0))
        name = file_name(split, version, image_id)
        write_jpeg(image_dir / name, still.image, job.jpeg_quality)
        height, width = still.image.shape[:2]
        images.append({"id": image_id, "file_name": name, "width": width, "height": height, "license": 0})
        own = []
        for obj in still.objects:
            if obj.iscrowd:
                segmentation: Any = rle_encode(obj.mask)
            else:
                segmentation = [[round(float(v), 2) for v in obj.polygon.reshape(-1)]]
            entry = {"id": next_ann, "image_id": image_id, "category_id": _CATEGORY_ID[obj.kind],
                     "bbox": [float(v) for v in obj.box], "area": float(obj.area),
                     "iscrowd": int(obj.iscrowd), "segmentation": segmentation}
            next_ann += 1
            annotations.append(entry)
            own.append(entry)
        records.append(StillRecord(name, image_id, job.final_root / image_dir.relative_to(job.tmp_root) / name,
                                   width, height, seed, own))
    document = {
        "info": {"description": "Synthetic shapes (ltr.dataset.synthetic)", "version": version, "year": int(version)},
        "licenses": [{"id": 0, "name": "generated", "url": ""}],
        "images": images,
        "annotations": annotations,
        "categories": CATEGORIES,
    }
    annotation_dir = job.tmp_root / "annotations"
    annotation_dir.mkdir(parents=True, exist_ok=True)
    with open(annotation_dir / f"instances_{split}{version}.json", "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    return records


SPEC = FormatSpec(name="coco", defaults={"version": "2017", "split": "train"}, unit=lambda options: "",
                  write=write, choices={"version": ("2014", "2017"), "split": ("train", "val")})
