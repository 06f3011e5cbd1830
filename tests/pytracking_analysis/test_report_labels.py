"""Run-id labels and display names, tables sorted by the main metric, partial-benchmark and
shortened-sequence warnings, and the export layouts (GOT-10k export = the server zip's files)."""
import logging
import zipfile

import numpy as np
import pytest

from pytracking import run_analysis
from pytracking.analysis import evaluate, parse_tracker_spec
from pytracking.analysis.trackers import format_runs, parse_runs
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.results import ResultFileError, tracker_results_dir, write_sequence_result
from pytracking.util_scripts import export_results, pack_got10k_results

GT = np.array([[10.0, 10, 20, 20]] * 5)


@pytest.fixture
def otb_two_runs(isolated_settings, monkeypatch):
    """Two OTB-layout sequences; run 1 of siamfc is perfect, run 2 shifted by 10 px after frame 1,
    and 'mid' shifted by 5 px."""
    root = isolated_settings / "otb"
    for name in ("Alpha", "Beta"):
        (root / name / "img").mkdir(parents=True)
        for i in range(1, 6):
            (root / name / "img" / f"{i:04d}.jpg").write_bytes(b"")
        np.savetxt(root / name / "groundtruth_rect.txt", GT, fmt="%d", delimiter=",")
    monkeypatch.setenv("PYTRACKING_OTB_PATH", str(root))
    for name in ("Alpha", "Beta"):
        for run, shift in ((1, 0), (2, 10)):
            boxes = GT.copy()
            boxes[1:, 0] += shift
            write_sequence_result(tracker_results_dir("siamfc", "default", run), name, boxes, np.full(5, 0.02))
        boxes = GT.copy()
        boxes[1:, 0] += 5
        write_sequence_result(tracker_results_dir("mid", "p"), name, boxes, np.full(5, 0.02))
    return isolated_settings


def test_runs_of_one_tracker_compared_with_display_names(otb_two_runs, capsys):
    rc = run_analysis.main(["--trackers", "siamfc:default:2", "mid:p", "siamfc:default:1", "--dataset", "otb"])
    out = capsys.readouterr().out
    assert rc == 0
    # sorted by AUC, best first: run 1 (perfect), mid (5 px), run 2 (10 px)
    rows = [line for line in out.splitlines() if line.startswith(("siamfc_default", "mid_p"))]
    assert [r.split(")")[0] if r.startswith("siamfc") else r.split()[0] for r in rows] == [
        "siamfc_default (run 1", "mid_p", "siamfc_default (run 2"]
    assert "otb: 2 of 100 sequences" in out and "sorted by AUC" in out
    rc = run_analysis.main(["--trackers", "siamfc:default:1=before", "siamfc:default:2=after", "--dataset", "otb"])
    out = capsys.readouterr().out
    assert rc == 0 and "before" in out and "after" in out and "siamfc_default" not in out
    # the same label twice is still an error, with the way out
    assert run_analysis.main(["--trackers", "siamfc:default:1=x", "mid:p=x", "--dataset", "otb"]) == 2
    assert "=LABEL" in capsys.readouterr().err


def test_table_sorted_by_main_metric(otb_two_runs):
    res = evaluate(["siamfc:default:2", "mid:p", "siamfc:default:1"], "otb")
    table = res.table()
    assert list(table.index) == ["siamfc_default (run 1)", "mid_p", "siamfc_default (run 2)"]
    assert table["AUC"].is_monotonic_decreasing
    # frame 1 perfect, then IoU 10/30 (10 px shift) or 15/25 (5 px) on frames 2..5 (pytracking +1 px IoU)
    iou_mid, iou_run2 = (15 * 20) / (2 * 400 - 15 * 20), (10 * 20) / (2 * 400 - 10 * 20)
    auc = lambda iou: 100 * (20 + 4 * np.sum(iou > np.linspace(0, 1, 21))) / (21 * 5)  # noqa: E731
    assert table.loc["mid_p", "AUC"] == pytest.approx(auc(iou_mid))
    assert table.loc["siamfc_default (run 2)", "AUC"] == pytest.approx(auc(iou_run2))


def test_spec_syntax_and_labels():
    spec = parse_tracker_spec("atom:default:0-2,5=ATOM (mine)")
    assert (spec.run_ids, spec.label) == ((0, 1, 2, 5), "ATOM (mine)")
    assert parse_tracker_spec("atom:default:0-2,5").label == "atom_default (runs 0-2,5)"
    assert parse_tracker_spec("atom:default").label == "atom_default"
    with pytest.raises(ValueError, match="display name after '=' is empty"):
        parse_tracker_spec("atom:default=")
    for text in ("0-4", "0,2,5-6", "3", "none"):
        assert parse_runs(format_runs(parse_runs(text))) == parse_runs(text)


def test_partial_benchmark_and_shortened_sequence_warn(isolated_settings, monkeypatch, caplog):
    root = isolated_settings / "otb"
    (root / "Long" / "img").mkdir(parents=True)
    for i in range(1, 726):
        (root / "Long" / "img" / f"{i:04d}.jpg").write_bytes(b"")
    (root / "Long" / "groundtruth_rect.txt").write_text("1,2,3,4\n")
    monkeypatch.setenv("PYTRACKING_OTB_PATH", str(root))
    with caplog.at_level(logging.WARNING):
        seqs = get_dataset("otb")
    assert len(seqs) == 1 and len(seqs[0].frames) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("'Long': 725 images" in m and "1 rows" in m and "724 images left out" in m for m in messages)
    assert any("otb: 1 of 100 sequences" in m for m in messages)


def test_no_shortening_warning_for_published_ranges(isolated_settings, caplog):
    from pytracking.evaluation.otbdataset import OTBDataset
    root = isolated_settings / "otb"
    (root / "Football1" / "img").mkdir(parents=True)
    for i in range(1, 80):
        (root / "Football1" / "img" / f"{i:04d}.jpg").write_bytes(b"")
    (root / "Football1" / "groundtruth_rect.txt").write_text("1,2,3,4\n" * 74)
    with caplog.at_level(logging.WARNING):
        seqs = OTBDataset(root).get_sequence_list()
    assert len(seqs[0].frames) == 74
    assert not [r for r in caplog.records if "shortened" in r.getMessage()]


def test_got10k_export_has_the_server_zip_files(isolated_settings):
    rng = np.random.default_rng(3)
    for run in (0, 1):
        for name in ("GOT-10k_Test_000001", "GOT-10k_Test_000002"):
            write_sequence_result(tracker_results_dir("trk", "p", run), name, np.round(rng.uniform(1, 99, (4, 4)), 4),
                                  np.full(4, 0.05))
    folder = export_results.export_results("trk", "p", "got10k", isolated_settings / "exp", run_ids=(0, 1))
    zip_path = pack_got10k_results.pack_got10k_results("trk", "p", (0, 1))
    with zipfile.ZipFile(zip_path) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(str(p.relative_to(folder)) for p in folder.rglob("*.txt"))
        for name in names:
            assert (folder / name).read_text() == zf.read(name).decode()
    with pytest.raises(ValueError, match="one run per tracker"):
        export_results.export_results("trk", "p", "otb", isolated_settings / "exp", run_ids=(0, 1))
    with pytest.raises(ResultFileError, match="Results folder not found"):
        export_results.export_results("nope", "p", "otb", isolated_settings / "exp")
    assert export_results.main(["trk", "p", "--layout", "otb", "--runs", "1", "--out",
                                str(isolated_settings / "otbexp"), "--label", "mine"]) == 0
    otb = isolated_settings / "otbexp" / "mine"
    assert np.loadtxt(otb / "GOT-10k_Test_000001.txt", delimiter=",").shape == (4, 4)
    assert np.loadtxt(otb / "times" / "GOT-10k_Test_000001_time.txt").shape == (4,)


def test_got10k_frame_and_ground_truth_counts_disagree_warns(tmp_path, caplog):
    from pytracking.evaluation.got10kdataset import GOT10kDataset
    seq_dir = tmp_path / "val" / "GOT-10k_Val_000001"
    seq_dir.mkdir(parents=True)
    (tmp_path / "val" / "list.txt").write_text("GOT-10k_Val_000001\n")
    for i in range(1, 4):
        (seq_dir / f"{i:08d}.jpg").write_bytes(b"")
    (seq_dir / "groundtruth.txt").write_text("1,2,3,4\n5,6,7,8\n")
    with caplog.at_level(logging.WARNING):
        seqs = GOT10kDataset("val", tmp_path).get_sequence_list()
    assert len(seqs) == 1
    assert any("3 frames but 2 ground-truth rows" in r.getMessage() for r in caplog.records)


def test_uav_folder_longer_than_annotation_warns(tmp_path, caplog):
    from pytracking.evaluation.uavdataset import UAVDataset
    (tmp_path / "anno" / "UAV123").mkdir(parents=True)
    (tmp_path / "anno" / "UAV123" / "myseq.txt").write_text("1,2,3,4\nNaN,NaN,NaN,NaN\n")
    img_dir = tmp_path / "data_seq" / "UAV123" / "myseq"
    img_dir.mkdir(parents=True)
    for i in range(1, 6):
        (img_dir / f"{i:06d}.jpg").write_bytes(b"")
    with caplog.at_level(logging.WARNING):
        seqs = UAVDataset(tmp_path, table={}).get_sequence_list()
    assert len(seqs[0].frames) == 2
    assert any("uav sequence 'myseq': 5 images" in r.getMessage() and "3 images left out" in r.getMessage()
               for r in caplog.records)


def test_got10k_val_clips_to_the_frame_size_when_meta_has_none(tmp_path):
    """Without a resolution in meta_info.ini the image size comes from the first frame."""
    import cv2
    from pytracking.evaluation.data import Sequence
    frames = []
    for i in range(3):
        path = tmp_path / f"{i:08d}.png"
        cv2.imwrite(str(path), np.zeros((40, 50, 3), np.uint8))       # 50 wide, 40 high
        frames.append(str(path))
    gt = np.array([[0, 0, 10, 10], [40, 30, 20, 20], [40, 30, 20, 20]], dtype=float)
    pred = np.array([[0, 0, 10, 10], [40, 30, 10, 10], [45, 35, 20, 20]], dtype=float)
    write_sequence_result(tracker_results_dir("t", "p", None, tmp_path / "res"), "s", pred)
    res = evaluate(["t:p"], [Sequence("s", frames, "toy", gt)], convention="got10k-val",
                   results_path=tmp_path / "res", plot_path=tmp_path / "plots", use_cache=False)
    # clipped ground truth: [40, 30, 10, 10] on frames 2 and 3; predictions [40, 30, 10, 10] and [45, 35, 5, 5]
    assert res.table().loc["t_p", "AO"] == pytest.approx(100 * (1.0 + 25 / 100) / 2)
    # its success plot ranks by AO
    [png] = res.plot(plot_types=("success",), formats=("png",))
    assert png.stat().st_size > 0
