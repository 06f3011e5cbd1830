"""Every layout read back with small readers written here (not the package's), against the truth."""
import configparser
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from matplotlib.path import Path as PolygonPath

from ltr.dataset.synthetic import FORMATS, generate_sequence, write_dataset
from ltr.dataset.synthetic.formats import common

SIZE = (96, 72)
FRAMES = 8


def read_rgb(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, f"cannot read {path}"
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def read_rows(path: Path) -> np.ndarray:
    lines = path.read_text().splitlines()
    return np.array([[float(v) for v in line.split(",")] for line in lines])


def read_flag_line(path: Path) -> np.ndarray:
    lines = path.read_text().splitlines()
    assert len(lines) == 1
    return np.array([int(v) for v in lines[0].split(",")], dtype=bool)


def assert_frames_match(paths, seed: int, **kwargs) -> None:
    """JPEG k is close to in-memory frame k (mean abs diff), and closer to it than to the other
    frames or to its own channel-swapped (BGR) version."""
    truth = generate_sequence(seed, FRAMES, SIZE, **kwargs)
    assert len(paths) == FRAMES
    for k, path in enumerate(paths):
        image = read_rgb(path).astype(np.int16)
        assert image.shape == truth.frames[k].shape
        errors = [np.abs(image - frame).mean() for frame in truth.frames]
        assert errors[k] < 5.0
        assert int(np.argmin(errors)) == k
        assert np.abs(image[..., ::-1] - truth.frames[k]).mean() > errors[k]


def expected_cover(ratio: float) -> int:
    if ratio == 0:
        return 0
    if ratio == 1:
        return 8
    for label, upper in enumerate([0.15, 0.30, 0.45, 0.60, 0.75, 0.90], start=1):
        if ratio <= upper:
            return label
    return 7


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    infos = {
        "got10k": write_dataset("got10k", out / "got10k", 2, FRAMES, seed=3, image_size=SIZE),
        "got10k_test": write_dataset("got10k", out / "got10k", 2, FRAMES, seed=4, image_size=SIZE, split="test"),
        "lasot": write_dataset("lasot", out / "lasot", 3, FRAMES, seed=5, image_size=SIZE, sequences_per_class=2),
        "trackingnet": write_dataset("trackingnet", out / "tn", 3, FRAMES, seed=6, image_size=SIZE, num_sets=2),
        "coco": write_dataset("coco", out / "coco", 3, FRAMES, seed=7, image_size=SIZE),
        "coco2014": write_dataset("coco", out / "coco14", 1, FRAMES, seed=7, image_size=SIZE, version="2014"),
        "otb": write_dataset("otb", out / "otb", 2, FRAMES, seed=8, image_size=SIZE),
        "vot": write_dataset("vot", out / "vot", 2, FRAMES, seed=9, image_size=SIZE),
        "uav": write_dataset("uav", out / "uav", 2, FRAMES, seed=10, image_size=SIZE),
        "nfs": write_dataset("nfs", out / "nfs", 2, FRAMES, seed=11, image_size=SIZE),
    }
    return out, infos


def test_formats_listed():
    assert set(FORMATS) == {"got10k", "lasot", "trackingnet", "coco", "otb", "vot", "uav", "nfs"}


def test_got10k_train_layout(written):
    out, infos = written
    root = out / "got10k" / "train"
    assert infos["got10k"].root == root
    names = root.joinpath("list.txt").read_text().splitlines()
    assert names == ["GOT-10k_Train_000001", "GOT-10k_Train_000002"]
    for name, record in zip(names, infos["got10k"].sequences):
        folder = root / name
        frames = sorted(p.name for p in folder.glob("*.jpg"))
        assert frames == ["%08d.jpg" % i for i in range(1, FRAMES + 1)]
        assert_frames_match([folder / f for f in frames], record.seed)
        truth = generate_sequence(record.seed, FRAMES, SIZE)
        rows = read_rows(folder / "groundtruth.txt")
        assert rows.shape == (FRAMES, 4)
        lines = (folder / "groundtruth.txt").read_text().splitlines()
        assert all(re.fullmatch(r"\d+\.\d{4}(,\d+\.\d{4}){3}", line) for line in lines)
        last = None
        for t in range(FRAMES):
            if truth.out_of_view[t]:
                assert last is not None and rows[t].tolist() == last
            else:
                assert rows[t].tolist() == truth.boxes[t].tolist()
                last = truth.boxes[t].tolist()
        absence = [int(v) for v in (folder / "absence.label").read_text().split()]
        cover = [int(v) for v in (folder / "cover.label").read_text().split()]
        cut = [int(v) for v in (folder / "cut_by_image.label").read_text().split()]
        assert absence == [int(not v) for v in truth.visible]
        assert cover == [expected_cover(r) for r in truth.visible_ratio]
        assert cut == [int(v) for v in truth.cut_by_image]
        meta = (folder / "meta_info.ini").read_text().splitlines()
        assert meta[0] == "[METAINFO]"
        keys = [line.split(":")[0] for line in meta[1:]]
        assert keys == ["url", "begin", "end", "anno_fps", "object_class", "motion_class", "major_class",
                        "root_class", "motion_adverb", "resolution"]
        assert meta[5] == f"object_class: {truth.class_name}"
        assert meta[10] == f"resolution: ({SIZE[0]}, {SIZE[1]})"
        parser = configparser.ConfigParser()
        parser.read(folder / "meta_info.ini")
        assert parser["METAINFO"]["object_class"] == truth.class_name


def test_got10k_test_split_has_first_box_only(written):
    out, infos = written
    root = out / "got10k" / "test"
    assert (out / "got10k" / "train" / "list.txt").exists(), "writing the test split removed the train split"
    names = root.joinpath("list.txt").read_text().splitlines()
    assert names == ["GOT-10k_Test_000001", "GOT-10k_Test_000002"]
    for name, record in zip(names, infos["got10k_test"].sequences):
        folder = root / name
        expected_files = ["%08d.jpg" % i for i in range(1, FRAMES + 1)] + ["groundtruth.txt"]
        assert sorted(p.name for p in folder.iterdir()) == expected_files
        rows = read_rows(folder / "groundtruth.txt")
        truth = generate_sequence(record.seed, FRAMES, SIZE)
        assert rows.tolist() == [truth.boxes[0].tolist()]


def test_lasot_layout(written):
    out, infos = written
    root = out / "lasot"
    assert infos["lasot"].root == root
    classes = sorted(p.name for p in root.iterdir())
    assert len(classes) >= 2
    count = 0
    for cls in classes:
        for folder in sorted((root / cls).iterdir()):
            count += 1
            assert re.fullmatch(rf"{cls}-\d+", folder.name)
            record = next(r for r in infos["lasot"].sequences if r.name == folder.name)
            frames = sorted(p.name for p in (folder / "img").iterdir())
            assert frames == ["%08d.jpg" % i for i in range(1, FRAMES + 1)]
            assert_frames_match([folder / "img" / f for f in frames], record.seed, shape=cls)
            truth = generate_sequence(record.seed, FRAMES, SIZE, shape=cls)
            assert truth.class_name == cls
            text = (folder / "groundtruth.txt").read_text().splitlines()
            assert all(re.fullmatch(r"\d+,\d+,\d+,\d+", line) for line in text)
            rows = read_rows(folder / "groundtruth.txt")
            expected = np.where(truth.visible[:, None], truth.boxes, 0.0)
            assert np.array_equal(rows, expected)
            assert np.array_equal(read_flag_line(folder / "out_of_view.txt"), truth.out_of_view)
            assert np.array_equal(read_flag_line(folder / "full_occlusion.txt"), truth.full_occlusion)
            nlp = (folder / "nlp.txt").read_text().splitlines()
            assert len(nlp) == 1 and cls in nlp[0]
    assert count == 3


def test_trackingnet_layout(written):
    out, infos = written
    root = out / "tn"
    assert sorted(p.name for p in root.iterdir()) == ["TRAIN_0", "TRAIN_1"]
    seen = 0
    for chunk in ("TRAIN_0", "TRAIN_1"):
        for anno in sorted((root / chunk / "anno").glob("*.txt")):
            seen += 1
            name = anno.stem
            record = next(r for r in infos["trackingnet"].sequences if r.name == name)
            frame_dir = root / chunk / "frames" / name
            frames = sorted((p.name for p in frame_dir.iterdir()), key=lambda s: int(s.split(".")[0]))
            assert frames == [f"{i}.jpg" for i in range(FRAMES)]
            assert_frames_match([frame_dir / f for f in frames], record.seed)
            truth = generate_sequence(record.seed, FRAMES, SIZE)
            rows = read_rows(anno)
            assert np.array_equal(rows, np.where(truth.visible[:, None], truth.boxes, 0.0))
    assert seen == 3


def _polygon_mask(flat, height, width):
    points = np.asarray(flat, dtype=np.float64).reshape(-1, 2)
    cols, rows = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    inside = PolygonPath(points).contains_points(np.stack([cols.ravel(), rows.ravel()], 1))
    return inside.reshape(height, width)


def _rle_decode(rle):
    height, width = rle["size"]
    flat = np.zeros(height * width, dtype=bool)
    position, value = 0, False
    for count in rle["counts"]:
        flat[position:position + count] = value
        position += count
        value = not value
    assert position == height * width
    return flat.reshape(width, height).T


def _box_of(mask):
    rows, cols = np.where(mask)
    return [cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1]


def test_coco_layout(written):
    out, infos = written
    root = out / "coco"
    document = json.loads((root / "annotations" / "instances_train2017.json").read_text())
    assert {"images", "annotations", "categories"} <= set(document)
    categories = {c["id"]: c for c in document["categories"]}
    assert all({"id", "name", "supercategory"} <= set(c) for c in categories.values())
    images = {im["id"]: im for im in document["images"]}
    assert len(images) == 3
    for image in images.values():
        assert re.fullmatch(r"\d{12}\.jpg", image["file_name"])
        pixels = read_rgb(root / "train2017" / image["file_name"])
        assert pixels.shape == (image["height"], image["width"], 3)
    ids = [a["id"] for a in document["annotations"]]
    assert len(ids) == len(set(ids))
    crowd = tiny = 0
    for ann in document["annotations"]:
        assert ann["image_id"] in images and ann["category_id"] in categories
        image = images[ann["image_id"]]
        if ann["iscrowd"]:
            crowd += 1
            mask = _rle_decode(ann["segmentation"])
            assert ann["bbox"] == [float(v) for v in _box_of(mask)]
            assert ann["area"] == float(mask.sum())
            continue
        assert ann["iscrowd"] == 0
        mask = _polygon_mask(ann["segmentation"][0], image["height"], image["width"])
        box = _box_of(mask)
        assert np.abs(np.array(ann["bbox"]) - box).max() <= 1.0
        assert abs(ann["area"] - mask.sum()) <= max(2.0, 0.06 * ann["area"])
        x, y, w, h = ann["bbox"]
        assert ann["area"] <= w * h
        if w * h <= 16:
            tiny += 1
    assert crowd >= 1 and tiny >= 1


def test_coco_pixels_match_annotation(written):
    """Inside an annotated ordinary object the JPEG differs from the object-free background."""
    out, infos = written
    from ltr.dataset.synthetic.stills import render_still
    record = infos["coco"].sequences[1]
    still = render_still(record.seed, SIZE)
    pixels = read_rgb(record.path)
    assert np.abs(pixels.astype(np.int16) - still.image).mean() < 4.0
    assert len(record.annotations) == len(still.objects)


def test_coco_2014_file_names(written):
    out, infos = written
    root = out / "coco14"
    document = json.loads((root / "annotations" / "instances_train2014.json").read_text())
    assert document["images"][0]["file_name"] == "COCO_train2014_000000000001.jpg"
    assert (root / "train2014" / "COCO_train2014_000000000001.jpg").is_file()


def test_otb_layout(written):
    out, infos = written
    root = out / "otb"
    names = sorted(p.name for p in root.iterdir())
    assert len(names) == 2
    for name in names:
        assert re.fullmatch(r"([A-Z][a-z]+)+\d*", name)
        record = next(r for r in infos["otb"].sequences if r.name == name)
        frames = sorted(p.name for p in (root / name / "img").iterdir())
        assert frames == ["%04d.jpg" % i for i in range(1, FRAMES + 1)]
        assert_frames_match([root / name / "img" / f for f in frames], record.seed)
        truth = generate_sequence(record.seed, FRAMES, SIZE)
        lines = (root / name / "groundtruth_rect.txt").read_text().splitlines()
        assert all(re.fullmatch(r"\d+,\d+,\d+,\d+", line) for line in lines)
        rows = read_rows(root / name / "groundtruth_rect.txt")
        assert np.array_equal(rows, np.where(truth.out_of_view[:, None], 0.0, truth.boxes))


def test_vot_layout(written):
    out, infos = written
    root = out / "vot"
    names = root.joinpath("list.txt").read_text().splitlines()
    assert len(names) == 2
    rotated = False
    for index, name in enumerate(names):
        record = next(r for r in infos["vot"].sequences if r.name == name)
        frames = sorted(p.name for p in (root / name / "color").iterdir())
        assert frames == ["%08d.jpg" % i for i in range(1, FRAMES + 1)]
        kwargs = dict(shape="rectangle", rotating=index % 2 == 0, out_of_view=False)
        assert_frames_match([root / name / "color" / f for f in frames], record.seed, **kwargs)
        truth = generate_sequence(record.seed, FRAMES, SIZE, **kwargs)
        rows = read_rows(root / name / "groundtruth.txt")
        assert rows.shape == (FRAMES, 8)
        for row, box in zip(rows, truth.boxes):
            xs, ys = row[0::2], row[1::2]
            assert abs(xs.min() - box[0]) <= 1.5 and abs(xs.max() - (box[0] + box[2])) <= 1.5
            assert abs(ys.min() - box[1]) <= 1.5 and abs(ys.max() - (box[1] + box[3])) <= 1.5
            rotated |= abs(row[3] - row[1]) > 0.5
    assert rotated


def test_uav_layout(written):
    out, infos = written
    root = out / "uav"
    assert sorted(p.name for p in root.iterdir()) == ["anno", "data_seq"]
    annos = sorted((root / "anno" / "UAV123").iterdir())
    assert len(annos) == 2
    for anno in annos:
        name = anno.stem
        assert re.fullmatch(r"[a-z]+\d+", name)
        record = next(r for r in infos["uav"].sequences if r.name == name)
        frame_dir = root / "data_seq" / "UAV123" / name
        frames = sorted(p.name for p in frame_dir.iterdir())
        assert frames == ["%06d.jpg" % i for i in range(1, FRAMES + 1)]
        assert_frames_match([frame_dir / f for f in frames], record.seed)
        truth = generate_sequence(record.seed, FRAMES, SIZE)
        for line, visible, box in zip(anno.read_text().splitlines(), truth.visible, truth.boxes):
            if visible:
                assert [float(v) for v in line.split(",")] == box.tolist()
            else:
                assert line == "NaN,NaN,NaN,NaN"


def test_nfs_layout(written):
    out, infos = written
    root = out / "nfs"
    names = sorted(p.name for p in root.iterdir())
    assert len(names) == 2
    for name in names:
        record = next(r for r in infos["nfs"].sequences if r.name == name)
        frame_dir = root / name / "30" / name
        frames = sorted(p.name for p in frame_dir.iterdir())
        assert frames == ["%05d.jpg" % i for i in range(1, FRAMES + 1)]
        assert_frames_match([frame_dir / f for f in frames], record.seed)
        truth = generate_sequence(record.seed, FRAMES, SIZE)
        lines = (root / name / "30" / f"{name}.txt").read_text().splitlines()
        assert len(lines) == FRAMES
        for t, line in enumerate(lines):
            fields = line.split()
            assert fields[0] == "1" and int(fields[5]) == t + 1 and fields[9] == f'"{truth.class_name}"'
            xmin, ymin, xmax, ymax = (float(v) for v in fields[1:5])
            assert [xmin, ymin, xmax - xmin, ymax - ymin] == truth.boxes[t].tolist()
            assert int(fields[6]) == int(not truth.visible[t])
            hidden = (truth.target_masks[t] & ~truth.visible_masks[t]).any()
            assert int(fields[7]) == int(hidden)


def test_records_point_at_written_files(written):
    _, infos = written
    for key, info in infos.items():
        for record in info.sequences:
            if info.format == "coco":
                assert record.path.is_file()
                continue
            assert record.annotation_path.is_file() and all(p.is_file() for p in record.frame_paths)
            assert len(record.frame_paths) == FRAMES


def test_refuses_non_empty_folder_and_overwrites_on_request(tmp_path):
    target = tmp_path / "otb"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        write_dataset("otb", target, 1, 3, image_size=SIZE)
    assert (target / "keep.txt").exists()
    info = write_dataset("otb", target, 1, 3, image_size=SIZE, overwrite=True)
    assert not (target / "keep.txt").exists()
    assert len(list(target.iterdir())) == 1 and info.root == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["otb"]


def test_crash_leaves_no_dataset(tmp_path, monkeypatch):
    calls = []
    original = common.write_jpeg

    def failing(path, image, quality):
        calls.append(path)
        if len(calls) > 3:
            raise OSError("disk full (simulated)")
        original(path, image, quality)

    monkeypatch.setattr(common, "write_jpeg", failing)
    with pytest.raises(OSError, match="simulated"):
        write_dataset("lasot", tmp_path / "lasot", 2, 4, image_size=SIZE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt, options, word", [
    ("lasot", {"split": "train"}, "split"),
    ("got10k", {"split": "training"}, "split"),
    ("coco", {"version": "2019"}, "version"),
    ("nope", {}, "nope"),
    ("otb", {"image_size": (16, 16)}, "image_size"),
    ("otb", {"num_frames": 0}, "num_frames"),
])
def test_bad_options_are_rejected(tmp_path, fmt, options, word):
    arguments = {"num_sequences": 1, "num_frames": 2, "image_size": SIZE, **options}
    with pytest.raises(ValueError, match=word):
        write_dataset(fmt, tmp_path / "x", **arguments)
    assert list(tmp_path.iterdir()) == []
