"""Each dataset reader on the synthetic generator's layouts (ground truth compared with the
generator's records), plus hand-made UAV123 and NfS folders (the generator has no such layout)."""
import numpy as np
import pytest

synthetic = pytest.importorskip("ltr.dataset.synthetic", reason="synthetic generator not available")

from pytracking.evaluation.data import DatasetLayoutError  # noqa: E402
from pytracking.evaluation.datasets import get_dataset, load_dataset  # noqa: E402

SIZE = dict(num_sequences=2, num_frames=6, seed=3, image_size=(64, 48))


def _check(seqs, info, rows=None):
    assert sorted(seqs.names()) == sorted(r.name for r in info.sequences)
    for rec in info.sequences:
        seq = seqs[rec.name]
        assert [str(p) for p in rec.frame_paths] == seq.frames
        expected = rec.written_boxes if rows is None else rows(rec)
        np.testing.assert_allclose(seq.ground_truth_rect, expected, atol=1e-9)


def test_otb_layout(tmp_path):
    info = synthetic.write_dataset("otb", tmp_path / "otb", **SIZE)
    _check(load_dataset("otb", root=info.root).get_sequence_list(), info)


def test_lasot_layout(tmp_path):
    info = synthetic.write_dataset("lasot", tmp_path / "lasot", **SIZE)
    seqs = load_dataset("lasot", root=info.root).get_sequence_list()
    _check(seqs, info)
    for rec in info.sequences:
        np.testing.assert_array_equal(seqs[rec.name].target_visible, ~(rec.full_occlusion | rec.out_of_view))
        assert seqs[rec.name].object_class == rec.name.rsplit("-", 1)[0]
    (info.root / "testing_set.txt").write_text(info.sequences[1].name + "\n")
    assert load_dataset("lasot", root=info.root).get_sequence_list().names() == [info.sequences[1].name]


@pytest.mark.parametrize("split", ["val", "test"])
def test_got10k_layout(tmp_path, monkeypatch, split):
    info = synthetic.write_dataset("got10k", tmp_path / "got10k", split=split, **SIZE)
    monkeypatch.setenv("PYTRACKING_GOT10K_PATH", str(tmp_path / "got10k"))
    seqs = get_dataset(f"got10k_{split}")
    _check(seqs, info)
    if split == "test":
        assert all(len(s.ground_truth_rect) == 1 and len(s.frames) == 6 for s in seqs)
    else:
        for rec in info.sequences:
            np.testing.assert_array_equal(seqs[rec.name].target_visible, rec.visible)
            assert seqs[rec.name].object_class == rec.class_name


def test_trackingnet_layout(tmp_path):
    info = synthetic.write_dataset("trackingnet", tmp_path / "tn", num_sets=1, **SIZE)
    seqs = load_dataset("trackingnet", root=info.root, sets=("TRAIN_0",)).get_sequence_list()
    _check(seqs, info)
    with pytest.raises(DatasetLayoutError, match="trackingnet_path.*TEST"):
        load_dataset("trackingnet", root=info.root).get_sequence_list()


def test_vot_layout_rectangles_from_polygons(tmp_path):
    info = synthetic.write_dataset("vot", tmp_path / "vot", **SIZE)

    def enclosing(rec):
        p = rec.written_boxes
        xs, ys = p[:, 0::2], p[:, 1::2]
        return np.column_stack([xs.min(1), ys.min(1), xs.max(1) - xs.min(1), ys.max(1) - ys.min(1)])

    seqs = load_dataset("vot", root=info.root).get_sequence_list()
    _check(seqs, info, rows=enclosing)
    # the first polygon reaches the trackers as it was written
    for rec in info.sequences:
        assert np.allclose(seqs[rec.name].init_info()["init_polygon"], rec.written_boxes[0], atol=1e-9)


def test_uav_layout_with_shared_folder_and_nan_rows(tmp_path):
    root = tmp_path / "uav"
    (root / "anno" / "UAV123").mkdir(parents=True)
    img = root / "data_seq" / "UAV123" / "bird1"
    img.mkdir(parents=True)
    for i in range(1, 13):
        (img / f"{i:06d}.jpg").write_bytes(b"")
    (root / "anno" / "UAV123" / "bird1_1.txt").write_text("1,2,3,4\nNaN,NaN,NaN,NaN\n5,6,7,8\n")
    (root / "anno" / "UAV123" / "bird1_2.txt").write_text("1,1,2,2\n2,2,2,2\n")
    table = {"bird1_1": ("bird1", 1, 3), "bird1_2": ("bird1", 10, 11)}
    seqs = load_dataset("uav", root=root, table=table).get_sequence_list()
    assert seqs["bird1_2"].frames == [str(img / "000010.jpg"), str(img / "000011.jpg")]
    assert seqs["bird1_1"].valid_mask().tolist() == [True, False, True]
    default = load_dataset("uav", root=root).get_sequence_list
    with pytest.raises(DatasetLayoutError, match="uav_path"):  # the published bird1_1 range needs 253 frames
        default()


def test_nfs_layout(tmp_path):
    root = tmp_path / "nfs"
    d = root / "Gymnastics" / "30" / "Gymnastics"
    d.mkdir(parents=True)
    for i in range(1, 4):
        (d / f"{i:05d}.jpg").write_bytes(b"")
    (root / "Gymnastics" / "30" / "Gymnastics.txt").write_text(
        '1 10 20 40 60 1 0 0 0 "person"\n1 11 21 41 61 2 0 1 0 "person"\n1 12 22 42 62 3 0 0 0 "person"\n')
    (seq,) = load_dataset("nfs", root=root).get_sequence_list()
    assert seq.name == "nfs_Gymnastics" and seq.object_class == "person"
    np.testing.assert_array_equal(seq.ground_truth_rect, [[10, 20, 30, 40], [11, 21, 30, 40], [12, 22, 30, 40]])
