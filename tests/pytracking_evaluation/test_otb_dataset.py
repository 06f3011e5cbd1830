"""OTB reader on a hand-built folder with the benchmark's irregularities (images are empty files:
the reader only lists them)."""
import numpy as np
import pytest

from pytracking.evaluation.data import DatasetLayoutError
from pytracking.evaluation.otbdataset import OTB_FRAME_RANGES, FrameRange, OTBDataset


def _images(seq_dir, numbers, digits=4):
    (seq_dir / "img").mkdir(parents=True)
    for i in numbers:
        (seq_dir / "img" / f"{i:0{digits}d}.jpg").write_bytes(b"")


def _gt(n, offset=0.0):
    return np.column_stack([np.arange(n) + offset, np.arange(n) * 2.0 + offset, np.full(n, 10.0), np.full(n, 20.0)])


def _write(path, rows, delim=","):
    path.write_text("".join(delim.join(f"{v:g}" for v in r) + "\n" for r in rows))


@pytest.fixture
def otb_root(tmp_path):
    root = tmp_path / "otb"
    _images(root / "Plain", range(1, 9))
    _write(root / "Plain" / "groundtruth_rect.txt", _gt(8))
    (root / "Plain" / "attributes.txt").write_text("IV, OCC\n")
    _images(root / "LateStart", range(5, 13))               # folder starts at frame 5
    _write(root / "LateStart" / "groundtruth_rect.txt", _gt(8), "\t")
    _images(root / "EndsEarly", range(1, 11))               # ground truth covers frames 1..6 only
    _write(root / "EndsEarly" / "groundtruth_rect.txt", _gt(6), " ")
    _images(root / "Twin", range(1, 5))                     # two targets
    _write(root / "Twin" / "groundtruth_rect.1.txt", _gt(4))
    _write(root / "Twin" / "groundtruth_rect.2.txt", _gt(4, offset=100.0))
    _images(root / "Human", range(1, 4))                    # empty first file, as Human4
    (root / "Human" / "groundtruth_rect.1.txt").write_text("\n")
    _write(root / "Human" / "groundtruth_rect.2.txt", _gt(3))
    _images(root / "Board5", range(1, 7), digits=5)         # five-digit names
    _write(root / "Board5" / "groundtruth_rect.txt", _gt(6))
    (root / "Mixed").mkdir()
    _images(root / "Mixed", range(1, 4))
    (root / "Mixed" / "groundtruth_rect.txt").write_text("0,0,10,20\n1\t2\t10\t20\n2 4,10\t20\n")
    _images(root / "Late", range(1, 21))                    # ground truth for frames 12..20 (as David: 300..770)
    _write(root / "Late" / "groundtruth_rect.txt", _gt(9))
    (root / "notaseq").mkdir()                              # ignored: no img/
    return root


def test_reads_irregular_otb(otb_root):
    seqs = OTBDataset(otb_root, frame_ranges={"Late": FrameRange(12, 20)}).get_sequence_list()
    assert seqs.names() == ["Board5", "EndsEarly", "Human", "Late", "LateStart", "Mixed", "Plain",
                            "Twin-1", "Twin-2"]
    late = seqs["LateStart"]
    assert [p.rsplit("/", 1)[1] for p in late.frames] == [f"{i:04d}.jpg" for i in range(5, 13)]
    np.testing.assert_array_equal(late.ground_truth_rect, _gt(8))
    assert late.init_info() == {"init_bbox": [0.0, 0.0, 10.0, 20.0]}
    early = seqs["EndsEarly"]
    assert len(early.frames) == 6 and early.frames[-1].endswith("0006.jpg")
    np.testing.assert_array_equal(seqs["Twin-1"].ground_truth_rect, _gt(4))
    np.testing.assert_array_equal(seqs["Twin-2"].ground_truth_rect, _gt(4, 100.0))
    assert len(seqs["Human"].frames) == 3
    assert seqs["Board5"].frames[0].endswith("img/00001.jpg") and len(seqs["Board5"].frames) == 6
    np.testing.assert_array_equal(seqs["Mixed"].ground_truth_rect, [[0, 0, 10, 20], [1, 2, 10, 20], [2, 4, 10, 20]])
    late = seqs["Late"]
    assert len(late.frames) == 9 and late.frames[0].endswith("0012.jpg") and late.frames[-1].endswith("0020.jpg")
    assert seqs.filter_attribute("OCC").names() == ["Plain"]
    assert seqs["Plain"].dataset == "otb"


def test_published_frame_ranges():
    assert OTB_FRAME_RANGES["David"] == FrameRange(300, 770)
    assert OTB_FRAME_RANGES["Tiger1"] == FrameRange(6, 354, omit=5)


def test_frame_range_with_omitted_frames(tmp_path):
    root = tmp_path / "otb"
    _images(root / "Tiger1", range(1, 31))
    _write(root / "Tiger1" / "groundtruth_rect.txt", _gt(25))     # frames 6..30
    (seq,) = OTBDataset(root, frame_ranges={"Tiger1": FrameRange(6, 30, omit=5)}).get_sequence_list()
    assert seq.frames[0].endswith("0011.jpg") and len(seq.frames) == 20   # first 5 frames left out
    np.testing.assert_array_equal(seq.ground_truth_rect, _gt(25)[5:])


def test_layout_errors_name_the_setting(tmp_path):
    root = tmp_path / "otb"
    _images(root / "Short", range(1, 4))
    _write(root / "Short" / "groundtruth_rect.txt", _gt(5))
    with pytest.raises(DatasetLayoutError, match=r"otb_path.*frame 4"):
        OTBDataset(root).get_sequence_list()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetLayoutError, match="otb_path"):
        OTBDataset(empty).get_sequence_list()
