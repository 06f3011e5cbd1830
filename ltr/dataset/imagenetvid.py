"""ImageNet VID (ILSVRC 2015 video detection): every object track is one sequence.

Layout: ``<root>/Data/VID/train/<set>/<video>/%06d.JPEG`` and the matching
``<root>/Annotations/VID/train/<set>/<video>/%06d.xml`` (PASCAL-VOC style: size, and per object
trackid, name (WordNet id), bndbox xmin/ymin/xmax/ymax, occluded). A track spans the frames from the
first to the last appearance of its trackid; frames in between where the object is missing, or
marked occluded, are not visible. Parsing the XML files takes long for the full dataset, so the
result is cached in a JSON file (``cache_file``, default ``<root>/ltr_imagenetvid_cache.json``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import xml.etree.ElementTree as ET
from typing import Optional, Sequence

import torch
from tqdm import tqdm

from ltr.admin.atomic_file import atomic_open
from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_video_dataset import (
    BaseVideoDataset,
    ImageLoader,
    empty_object_meta,
    make_sequence_info,
)
from ltr.dataset.errors import AnnotationError, DatasetLayoutError, require_dir
from ltr.dataset.subset import fraction_subset

logger = logging.getLogger(__name__)

CACHE_VERSION = 1
_ANNO = os.path.join("Annotations", "VID", "train")
_DATA = os.path.join("Data", "VID", "train")


def _parse_frame(path: str) -> tuple[tuple[int, int], list[dict]]:
    """(width, height) and the objects of one annotation XML file."""
    try:
        root = ET.parse(path).getroot()
        size = (int(root.findtext("size/width")), int(root.findtext("size/height")))
        objects = []
        for obj in root.iter("object"):
            box = obj.find("bndbox")
            x1, y1 = float(box.findtext("xmin")), float(box.findtext("ymin"))
            x2, y2 = float(box.findtext("xmax")), float(box.findtext("ymax"))
            objects.append(
                {
                    "trackid": int(obj.findtext("trackid")),
                    "name": obj.findtext("name"),
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "occluded": int(obj.findtext("occluded", "0")),
                }
            )
    except (ET.ParseError, TypeError, ValueError, AttributeError) as exc:
        raise AnnotationError(
            f"ImageNet VID annotation file '{path}' is malformed ({exc})"
        ) from None
    return size, objects


def parse_video(anno_dir: str) -> list[dict]:
    """The tracks of one video folder of annotation XML files."""
    files = sorted(f for f in os.listdir(anno_dir) if f.endswith(".xml"))
    per_track: dict[int, dict] = {}
    size = None
    for index, name in enumerate(files):
        size, objects = _parse_frame(os.path.join(anno_dir, name))
        for obj in objects:
            track = per_track.setdefault(obj["trackid"], {"class_name": obj["name"], "frames": {}})
            track["frames"][index] = (obj["bbox"], obj["occluded"])
    tracks = []
    for trackid in sorted(per_track):
        frames = per_track[trackid]["frames"]
        start, end = min(frames), max(frames)
        boxes, visible = [], []
        for f in range(start, end + 1):
            box, occluded = frames.get(f, ([math.nan] * 4, 1))
            boxes.append(box)
            visible.append(occluded == 0 and f in frames)
        tracks.append(
            {
                "trackid": trackid,
                "class_name": per_track[trackid]["class_name"],
                "start_frame": start,
                "boxes": boxes,
                "visible": visible,
                "image_size": list(size),
            }
        )
    return tracks


class ImagenetVID(BaseVideoDataset):
    """ImageNet VID object tracks (``min_length`` visible frames at least; mean target area at most
    ``max_target_area`` times the image area)."""

    def __init__(
        self,
        root: str,
        image_loader: ImageLoader = default_image_loader,
        min_length: int = 0,
        max_target_area: float = 1.0,
        cache_file: Optional[str] = None,
        data_fraction: Optional[float] = None,
    ) -> None:
        root = require_dir("ImageNet VID", root, "imagenet_dir")
        super().__init__("imagenetvid", root, image_loader)
        if not os.path.isdir(os.path.join(root, _ANNO)) or not os.path.isdir(
            os.path.join(root, _DATA)
        ):
            raise DatasetLayoutError(
                "ImageNet VID", root, "imagenet_dir", f"expected the folders {_ANNO} and {_DATA}"
            )
        cache_file = cache_file or os.path.join(root, "ltr_imagenetvid_cache.json")
        tracks = self._load(root, cache_file)
        kept = [t for t in tracks if self._keep(t, min_length, max_target_area)]
        self.sequence_list = fraction_subset(kept, data_fraction)
        self.seq_per_class: dict[str, list[int]] = {}
        for i, t in enumerate(self.sequence_list):
            self.seq_per_class.setdefault(t["class_name"], []).append(i)
        self.class_list = sorted(self.seq_per_class)

    @staticmethod
    def _keep(track: dict, min_length: int, max_target_area: float) -> bool:
        visible = [b for b, v in zip(track["boxes"], track["visible"]) if v]
        if len(visible) < min_length or not visible:
            return False
        w, h = track["image_size"]
        mean_area = sum(b[2] * b[3] for b in visible) / len(visible)
        return mean_area <= max_target_area * w * h

    @staticmethod
    def _load(root: str, cache_file: str) -> list[dict]:
        if os.path.isfile(cache_file):
            with open(cache_file) as f:
                cached = json.load(f)
            if cached.get("version") == CACHE_VERSION:
                return cached["tracks"]
        tracks = []
        anno_root = os.path.join(root, _ANNO)
        videos = [
            (s, v)
            for s in sorted(os.listdir(anno_root))
            if os.path.isdir(os.path.join(anno_root, s))
            for v in sorted(os.listdir(os.path.join(anno_root, s)))
        ]
        for set_name, video in tqdm(
            videos, desc="Parsing ImageNet VID annotations", disable=len(videos) < 50
        ):
            for track in parse_video(os.path.join(anno_root, set_name, video)):
                track.update(set=set_name, video=video)
                tracks.append(track)
        try:
            with atomic_open(cache_file, "w") as f:
                json.dump({"version": CACHE_VERSION, "tracks": tracks}, f)
        except OSError as exc:
            logger.warning("Could not write the ImageNet VID cache %s (%s)", cache_file, exc)
        return tracks

    def has_class_info(self) -> bool:
        return True

    def has_occlusion_info(self) -> bool:
        return True

    def get_sequence_name(self, seq_id: int) -> str:
        t = self.sequence_list[seq_id]
        return f"{t['set']}/{t['video']} track {t['trackid']}"

    def get_sequence_info(self, seq_id: int) -> dict:
        t = self.sequence_list[seq_id]
        return make_sequence_info(
            torch.tensor(t["boxes"], dtype=torch.float32),
            torch.tensor(t["visible"], dtype=torch.bool),
        )

    def frame_path(self, seq_id: int, frame_id: int) -> str:
        t = self.sequence_list[seq_id]
        return os.path.join(
            self.root, _DATA, t["set"], t["video"], f"{t['start_frame'] + frame_id:06d}.JPEG"
        )

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[dict] = None):
        frames = [self.image_loader(self.frame_path(seq_id, f)) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        meta = empty_object_meta(self.sequence_list[seq_id]["class_name"])
        return frames, self.select_frames_anno(anno, frame_ids), meta
