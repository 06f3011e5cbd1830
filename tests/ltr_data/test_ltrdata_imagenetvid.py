"""ImageNet VID reader on a hand-written miniature of the layout."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from ltr.data.image_loader import opencv_loader
from ltr.dataset import DatasetLayoutError, ImagenetVID
from ltr.dataset.errors import AnnotationError

XML = """<annotation><folder>x</folder><filename>{f:06d}</filename>
<size><width>40</width><height>30</height></size>{objects}</annotation>"""
OBJ = """<object><trackid>{tid}</trackid><name>{name}</name><bndbox><xmax>{x2}</xmax><xmin>{x1}</xmin>
<ymax>{y2}</ymax><ymin>{y1}</ymin></bndbox><occluded>{occ}</occluded><generated>0</generated></object>"""

# video A: track 0 (n01) in frames 0..5 with frame 3 missing and frame 4 occluded; track 1 (n02) in 2..3
# video B: track 0 (n01) covers almost the whole image in frames 0..1
VIDEOS = {
    ("ILSVRC2015_VID_train_0000", "vidA"): [
        [(0, "n01", 2 + f, 3, 12 + f, 13, 0)] * (f not in (3, 4))
        + [(0, "n01", 2 + f, 3, 12 + f, 13, 1)] * (f == 4)
        + [(1, "n02", 20, 20, 30, 28, 0)] * (f in (2, 3))
        for f in range(6)
    ],
    ("ILSVRC2015_VID_train_0001", "vidB"): [[(0, "n01", 0, 0, 39, 29, 0)] for _ in range(2)],
}


@pytest.fixture()
def vid_root(tmp_path):
    for (set_name, video), frames in VIDEOS.items():
        anno = tmp_path / "Annotations" / "VID" / "train" / set_name / video
        data = tmp_path / "Data" / "VID" / "train" / set_name / video
        anno.mkdir(parents=True)
        data.mkdir(parents=True)
        for f, objects in enumerate(frames):
            body = "".join(
                OBJ.format(tid=t, name=n, x1=a, y1=b, x2=c, y2=d, occ=o)
                for t, n, a, b, c, d, o in objects
            )
            (anno / f"{f:06d}.xml").write_text(XML.format(f=f, objects=body))
            cv2.imwrite(str(data / f"{f:06d}.JPEG"), np.full((30, 40, 3), 10 * f, np.uint8))
    return tmp_path


def test_tracks_boxes_visibility_and_frames(vid_root):
    ds = ImagenetVID(str(vid_root), image_loader=opencv_loader)
    assert ds.get_num_sequences() == 3
    assert ds.get_class_list() == ["n01", "n02"] and ds.get_sequences_in_class("n01") == [0, 2]
    info = ds.get_sequence_info(0)
    assert info["visible"].tolist() == [True, True, True, False, False, True]
    assert info["bbox"][1].tolist() == [3.0, 3.0, 10.0, 10.0]
    assert all(math.isnan(v) for v in info["bbox"][3].tolist())
    frames, anno, meta = ds.get_frames(1, [1])  # track 1 starts at frame 2 of vidA
    assert int(frames[0][0, 0, 0]) == pytest.approx(30, abs=2)
    assert (
        anno["bbox"][0].tolist() == [20.0, 20.0, 10.0, 8.0] and meta["object_class_name"] == "n02"
    )
    # cached parse gives the same result; filters apply on top
    again = ImagenetVID(str(vid_root), min_length=3, max_target_area=0.5)
    assert [t["video"] for t in again.sequence_list] == ["vidA"]
    assert (vid_root / "ltr_imagenetvid_cache.json").is_file()
    assert ImagenetVID(str(vid_root), data_fraction=0.4).get_num_sequences() == 1


def test_bad_layouts(vid_root, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty_vid")
    with pytest.raises(DatasetLayoutError, match="imagenet_dir"):
        ImagenetVID(str(empty))
    broken = (
        vid_root
        / "Annotations"
        / "VID"
        / "train"
        / "ILSVRC2015_VID_train_0001"
        / "vidB"
        / "000001.xml"
    )
    broken.write_text("<annotation><size>")
    with pytest.raises(AnnotationError, match="000001.xml"):
        ImagenetVID(str(vid_root))
