"""Dataset readers on the synthetic layouts: sequences, classes, boxes, visibility, pixels, errors."""

from __future__ import annotations


import cv2
import numpy as np
import pytest
import torch

import ltr.dataset.split_files as split_files
from ltr.data.image_loader import opencv_loader
from ltr.dataset import DatasetLayoutError, Got10k, Lasot, MSCOCOSeq, SplitFileError, TrackingNet
from ltr.dataset.errors import AnnotationError
from ltrdata_helpers import mask_bbox


def read_rgb(path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def check_sequence(dataset, seq_id, record):
    info = dataset.get_sequence_info(seq_id)
    n = len(record.frame_paths)
    assert info["bbox"].shape == (n, 4)
    np.testing.assert_allclose(info["bbox"].numpy(), record.written_boxes, atol=1e-3)
    return info


# ----------------------------------------------------------------------------- GOT-10k
def test_got10k_sequences_classes_boxes_and_visibility(got10k_info):
    ds = Got10k(str(got10k_info.root), image_loader=opencv_loader)
    records = got10k_info.sequences
    assert ds.get_name() == "got10k" and ds.is_video_sequence()
    assert ds.sequence_list == [r.name for r in records]
    assert ds.get_class_list() == sorted({r.class_name for r in records})
    for cls in ds.get_class_list():
        assert ds.get_sequences_in_class(cls) == [
            i for i, r in enumerate(records) if r.class_name == cls
        ]
    for i, record in enumerate(records):
        info = check_sequence(ds, i, record)
        # visible = not absent and cover > 0 (the generator's visibility)
        np.testing.assert_array_equal(info["visible"].numpy(), record.visible)
        np.testing.assert_allclose(info["visible_ratio"].numpy(), record.extra["cover"] / 8)


def test_got10k_get_frames_pixels_boxes_and_meta(got10k_info):
    ds = Got10k(str(got10k_info.root), image_loader=opencv_loader)
    record = got10k_info.sequences[1]
    frame_ids = [0, 5, 17]
    frames, anno, meta = ds.get_frames(1, frame_ids)
    for f, frame in zip(frame_ids, frames):
        assert frame.dtype == np.uint8 and frame.shape == (72, 96, 3)
        np.testing.assert_array_equal(frame, read_rgb(record.frame_paths[f]))
    np.testing.assert_allclose(
        torch.stack(anno["bbox"]).numpy(), record.written_boxes[frame_ids], atol=1e-3
    )
    assert meta["object_class_name"] == record.class_name
    with open(record.sequence_dir / "meta_info.ini") as f:
        lines = f.read().splitlines()
    assert meta["motion_class"] == lines[6].split(": ", 1)[1]
    assert meta["major_class"] == lines[7].split(": ", 1)[1]
    assert meta["root_class"] == lines[8].split(": ", 1)[1]
    assert meta["motion_adverb"] == lines[9].split(": ", 1)[1]


def test_got10k_frames_match_generator_truth(got10k_info):
    ds = Got10k(str(got10k_info.root), image_loader=opencv_loader)
    from ltr.dataset.synthetic import generate_sequence

    record = got10k_info.sequences[0]
    truth = generate_sequence(record.seed, len(record.frame_paths), (96, 72))
    frames, _, _ = ds.get_frames(0, [3, 4])
    err_right = np.abs(frames[0].astype(float) - truth.frames[3]).mean()
    err_wrong = np.abs(frames[0].astype(float) - truth.frames[10]).mean()
    assert err_right < 4.0 and err_wrong > err_right


def test_got10k_seq_ids_split_file_and_fraction(got10k_info, tmp_path, monkeypatch):
    names = [r.name for r in got10k_info.sequences]
    ds = Got10k(str(got10k_info.root), seq_ids=[2, 0])
    assert ds.sequence_list == [names[2], names[0]]
    split = tmp_path / "my_split.txt"
    split.write_text("# vot train\n3\n1\n")
    ds = Got10k(str(got10k_info.root), split="vottrain", split_file=str(split))
    assert ds.sequence_list == [names[3], names[1]]
    # the shipped-file location is used when no split_file is given
    monkeypatch.setattr(split_files, "DATA_SPECS_DIR", tmp_path)
    (tmp_path / "got10k_vot_val_split.txt").write_text("0\n")
    assert Got10k(str(got10k_info.root), split="votval").sequence_list == [names[0]]
    with pytest.raises(SplitFileError) as err:
        Got10k(str(got10k_info.root), split="vottrain")
    assert "got10k_vot_train_split.txt" in str(err.value) and str(tmp_path) in str(err.value)
    bad = tmp_path / "bad.txt"
    bad.write_text("0\n9\n")
    with pytest.raises(SplitFileError, match=r"line 2.*index 9"):
        Got10k(str(got10k_info.root), split="train", split_file=str(bad))
    assert len(Got10k(str(got10k_info.root), data_fraction=0.5).sequence_list) == 2


def test_got10k_bad_roots(tmp_path):
    with pytest.raises(DatasetLayoutError) as err:
        Got10k(str(tmp_path / "nowhere"))
    text = str(err.value)
    assert "GOT-10k" in text and "nowhere" in text and "got10k_dir" in text
    with pytest.raises(DatasetLayoutError, match="list.txt"):
        Got10k(str(tmp_path))


def test_got10k_planted_nan_zero_negative_boxes_are_not_visible(got10k_copy):
    gt = got10k_copy / "GOT-10k_Train_000001" / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    lines[2] = "nan,nan,nan,nan"
    lines[3] = "10,10,0,5"
    lines[4] = "10,10,-3,5"
    gt.write_text("\n".join(lines) + "\n")
    info = Got10k(str(got10k_copy)).get_sequence_info(0)
    assert not info["valid"][2:5].any() and not info["visible"][2:5].any()


def test_got10k_malformed_annotation_names_file_and_line(got10k_copy):
    gt = got10k_copy / "GOT-10k_Train_000002" / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    lines[6] = "1,2,three,4"
    gt.write_text("\n".join(lines) + "\n")
    with pytest.raises(AnnotationError) as err:
        Got10k(str(got10k_copy)).get_sequence_info(1)
    assert str(gt) in str(err.value) and "line 7" in str(err.value)
    lines[6] = "1,2,3"  # pandas alone would pad this line with NaN
    gt.write_text("\n".join(lines) + "\n")
    with pytest.raises(AnnotationError, match="line 7 has 3 values"):
        Got10k(str(got10k_copy)).get_sequence_info(1)
    lines[6] = "1,2,3,4,5"
    gt.write_text("\n".join(lines) + "\n")
    with pytest.raises(AnnotationError, match="line 7 has 5 values"):
        Got10k(str(got10k_copy)).get_sequence_info(1)
    absence = got10k_copy / "GOT-10k_Train_000002" / "absence.label"
    gt.write_text("\n".join(["1,2,3,4"] * len(lines)) + "\n")
    absence.write_text("0\n" * (len(lines) - 1))
    with pytest.raises(AnnotationError, match="absence.label"):
        Got10k(str(got10k_copy)).get_sequence_info(1)


# ----------------------------------------------------------------------------- LaSOT
def test_lasot_sequences_classes_boxes_visibility_and_frames(lasot_info):
    ds = Lasot(str(lasot_info.root), image_loader=opencv_loader)
    records = lasot_order(lasot_info)
    assert ds.sequence_list == [r.name for r in records]
    assert ds.get_class_list() == sorted({r.class_name for r in records})
    assert ds.get_sequences_in_class(records[0].class_name) == [0, 1]
    assert ds.get_sequences_in_class(records[2].class_name) == [2, 3]
    for i, record in enumerate(records):
        info = check_sequence(ds, i, record)
        np.testing.assert_array_equal(info["visible"].numpy(), record.visible)
    frames, anno, meta = ds.get_frames(2, [0, 7])
    np.testing.assert_array_equal(frames[1], read_rgb(records[2].frame_paths[7]))
    assert meta["object_class_name"] == records[2].class_name


def lasot_order(info):
    """Records in the documented order: by class name, then by sequence number."""
    return sorted(info.sequences, key=lambda r: (r.class_name, int(r.name.rsplit("-", 1)[1])))


def test_lasot_train_split_file_is_used_when_present(lasot_info, tmp_path, monkeypatch):
    names = [r.name for r in lasot_order(lasot_info)]
    monkeypatch.setattr(split_files, "DATA_SPECS_DIR", tmp_path)
    (tmp_path / "lasot_train_split.txt").write_text(f"{names[1]}\n{names[2]}\n")
    assert Lasot(str(lasot_info.root), split="train").sequence_list == [names[1], names[2]]
    with pytest.raises(SplitFileError, match="lasot_test_split.txt"):
        Lasot(str(lasot_info.root), split="test")


def test_lasot_splits(lasot_info, tmp_path):
    names = [r.name for r in lasot_order(lasot_info)]
    # none of the synthetic names is in the official test list: train = everything
    assert Lasot(str(lasot_info.root), split="train").sequence_list == names
    with pytest.raises(SplitFileError, match="not under"):
        Lasot(str(lasot_info.root), split="test")
    user = tmp_path / "lasot_mine.txt"
    user.write_text(f"{names[3]}\n{names[0]}\n")
    assert Lasot(str(lasot_info.root), split="test", split_file=str(user)).sequence_list == [
        names[3],
        names[0],
    ]
    assert Lasot(str(lasot_info.root), vid_ids=[2]).sequence_list == [
        n for n in names if n.endswith("-2")
    ]


def test_lasot_shipped_test_split_is_protocol_ii():
    path = split_files.spec_path("lasot_test_split.txt")
    names = split_files.read_name_list(path)
    assert len(names) == 280 and len(set(names)) == 280
    classes = {}
    for n in names:
        cls, num = n.rsplit("-", 1)
        assert 1 <= int(num) <= 20
        classes.setdefault(cls, []).append(n)
    assert len(classes) == 70 and all(len(v) == 4 for v in classes.values())


def test_lasot_bad_roots(tmp_path):
    with pytest.raises(DatasetLayoutError) as err:
        Lasot(str(tmp_path / "missing"))
    assert "LaSOT" in str(err.value) and "lasot_dir" in str(err.value)
    (tmp_path / "airplane").mkdir()
    with pytest.raises(DatasetLayoutError, match="<class>-<n>"):
        Lasot(str(tmp_path))


# ----------------------------------------------------------------------------- TrackingNet
def test_trackingnet_sets_boxes_and_frames(trackingnet_info):
    records = trackingnet_info.sequences
    ds = TrackingNet(str(trackingnet_info.root), image_loader=opencv_loader, set_ids=[1])
    expected = sorted(r.name for r in records if r.extra["set_id"] == 1)
    assert [name for _, name in ds.sequence_list] == expected
    full = TrackingNet(str(trackingnet_info.root), image_loader=opencv_loader)
    assert full.get_num_sequences() == len(records) and not full.has_class_info()
    with pytest.raises(ValueError, match="trackingnet dataset has no class information"):
        full.get_sequences_in_class(records[0].class_name)
    by_name = {r.name: r for r in records}
    for i, (_, name) in enumerate(full.sequence_list):
        info = check_sequence(full, i, by_name[name])
        np.testing.assert_array_equal(info["visible"].numpy(), by_name[name].visible)
    frames, anno, _ = full.get_frames(0, [0, 9])
    rec = by_name[full.sequence_list[0][1]]
    np.testing.assert_array_equal(frames[1], read_rgb(rec.frame_paths[9]))
    assert rec.frame_paths[9].name == "9.jpg"


def test_trackingnet_bad_roots(trackingnet_info, tmp_path):
    with pytest.raises(DatasetLayoutError) as err:
        TrackingNet(str(trackingnet_info.root), set_ids=[5])
    assert "TRAIN_5" in str(err.value) and "trackingnet_dir" in str(err.value)
    with pytest.raises(DatasetLayoutError, match="TRAIN_<k>"):
        TrackingNet(str(tmp_path))


# ----------------------------------------------------------------------------- COCO
def _coco_objects(info):
    return [a for r in info.sequences for a in r.annotations if not a["iscrowd"]]


def test_coco_objects_classes_and_frames(coco_info):
    ds = MSCOCOSeq(str(coco_info.root), image_loader=opencv_loader)
    objects = _coco_objects(coco_info)
    assert not ds.is_video_sequence() and ds.has_class_info()
    assert ds.get_num_sequences() == len(objects)
    assert ds.get_class_list() == sorted(["rectangle", "ellipse", "triangle", "hexagon", "diamond"])
    image_of = {r.image_id: r for r in coco_info.sequences}
    cat_name = {1: "rectangle", 3: "ellipse", 4: "triangle", 7: "hexagon", 9: "diamond"}
    for i, ann in enumerate(objects):
        info = ds.get_sequence_info(i)
        np.testing.assert_allclose(info["bbox"][0].numpy(), ann["bbox"], atol=1e-4)
        assert bool(info["visible"][0])
        np.testing.assert_allclose(mask_bbox(info["mask"][0].numpy()), ann["bbox"], atol=1.0)
        assert i in ds.get_sequences_in_class(cat_name[ann["category_id"]])
    frames, anno, meta = ds.get_frames(0, [0, 0, 0])
    assert len(frames) == 3 and len(anno["bbox"]) == 3
    np.testing.assert_array_equal(frames[2], read_rgb(image_of[objects[0]["image_id"]].path))
    assert meta["object_class_name"] == cat_name[objects[0]["category_id"]]


def test_coco_min_area_version_and_errors(coco_info, coco2014_info, tmp_path):
    objects = _coco_objects(coco_info)
    big = MSCOCOSeq(str(coco_info.root), min_area=20)
    assert big.get_num_sequences() == len([a for a in objects if a["area"] > 20]) < len(objects)
    old = MSCOCOSeq(str(coco2014_info.root))
    assert old.coco.version == "2014" and old.get_num_sequences() == len(
        _coco_objects(coco2014_info)
    )
    frames, _, _ = old.get_frames(0, [0])
    assert frames[0].shape == (72, 96, 3)
    with pytest.raises(DatasetLayoutError) as err:
        MSCOCOSeq(str(coco_info.root), version="2014")
    assert "instances_train2014.json" in str(err.value) and "coco_dir" in str(err.value)
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "instances_train2017.json").write_text("{not json")
    (tmp_path / "train2017").mkdir()
    with pytest.raises(AnnotationError, match="not valid JSON"):
        MSCOCOSeq(str(tmp_path))


def test_coco_image_dataset_matches_sequence_view(coco_info):
    from ltr.dataset import MSCOCO

    images = MSCOCO(str(coco_info.root), image_loader=opencv_loader)
    seqs = MSCOCOSeq(str(coco_info.root), image_loader=opencv_loader)
    objects = _coco_objects(coco_info)
    assert (
        images.get_num_images() == len(objects) and images.get_class_list() == seqs.get_class_list()
    )
    for i, ann in enumerate(objects):
        image, anno, meta = images.get_image(i)
        np.testing.assert_allclose(anno["bbox"].numpy(), ann["bbox"], atol=1e-4)
        assert bool(anno["valid"]) and anno["mask"].shape == image.shape[:2]
        assert meta["object_class_name"] == seqs.get_meta_info(i)["object_class_name"]
        assert meta["major_class"] in ("polygon", "round shape")
    for cls in images.get_class_list():
        assert images.get_images_in_class(cls) == seqs.get_sequences_in_class(cls)
