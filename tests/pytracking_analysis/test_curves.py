"""Curves and scores on hand-made results, with values worked out by hand.

Thresholds: success at IoU 0, 0.05, ..., 1 (success iff IoU > t, 21 values), precision at
0..50 px (error <= t), normalized precision at 0..0.5 (error <= t). A perfect tracker has
IoU 1 > t for the 20 thresholds below 1 and not at t = 1: AUC = 20/21.
"""
import numpy as np
import pytest

from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.results import ResultFileError
from pytracking.analysis import TrackerSpec, evaluate
from pytracking.analysis.sequence_eval import InvalidPredictionError

from analysis_helpers import PERFECT_AUC, constant_gt, make_sequence, write_result

# Shift by 5 px of a 10x10 box: IoU 1/3 on frames 1..3, frame 0 is the ground truth.
# Success: thresholds 0..0.30 (7 values) -> 4/4; 0.35..0.95 (13) -> 1/4; 1.0 -> 0.
SHIFT_AUC = 100 * (7 * 1 + 13 * 0.25) / 21


def _run(tmp_path, seqs, results, **kw):
    for (tracker, run, seq), boxes in results.items():
        write_result(tmp_path / "res", tracker, "p", run, seq, boxes)
    specs = sorted({(t, r) for (t, r, _) in results})
    trackers = {}
    for t, r in specs:
        trackers.setdefault(t, []).append(r)
    return evaluate([TrackerSpec(t, "p", tuple(rs)) for t, rs in trackers.items()], seqs,
                    results_path=tmp_path / "res", plot_path=tmp_path / "plots", use_cache=False, **kw)


def _shifted(n=4):
    pred = constant_gt(n)
    pred[:, 0] += 5
    return pred


def test_perfect_tracker(tmp_path):
    gt = constant_gt(10)
    res = _run(tmp_path, SequenceList([make_sequence("a", gt)]), {("t", None, "a"): gt})
    row = res.table().loc["t_p"]
    assert row["AUC"] == pytest.approx(PERFECT_AUC)
    assert row["Precision"] == 100 and row["Norm Precision"] == 100 and row["AO"] == pytest.approx(100)
    assert row["OP50"] == 100 and row["OP75"] == 100
    np.testing.assert_array_equal(res.curve("success")[0], [1.0] * 20 + [0.0])


def test_shifted_box_known_curves(tmp_path):
    res = _run(tmp_path, SequenceList([make_sequence("a", constant_gt(4))]), {("t", None, "a"): _shifted()})
    success = res.curve("success")[0]
    np.testing.assert_allclose(success, [1.0] * 7 + [0.25] * 13 + [0.0])
    precision = res.curve("precision")[0]      # centre error 5 px on frames 1..3
    np.testing.assert_allclose(precision, [0.25] * 5 + [1.0] * 46)
    norm = res.curve("norm_precision")[0]      # normalized error 0.5
    np.testing.assert_allclose(norm, [0.25] * 50 + [1.0])
    row = res.table().loc["t_p"]
    assert row["AUC"] == pytest.approx(SHIFT_AUC)
    assert row["Precision"] == 100 and row["Norm Precision"] == 25
    assert row["OP50"] == 25 and row["AO"] == pytest.approx(100 * (1 + 3 / 3) / 4)


def test_first_frame_replaced_by_ground_truth(tmp_path):
    gt = constant_gt(5)
    pred = gt.copy()
    pred[0] = [100, 100, 3, 3]
    res = _run(tmp_path, SequenceList([make_sequence("a", gt)]), {("t", None, "a"): pred})
    assert res.table().loc["t_p", "AUC"] == pytest.approx(PERFECT_AUC)


def test_invisible_frames_excluded_or_failures(tmp_path):
    gt = constant_gt(4)
    pred = gt.copy()
    pred[2] = [200, 200, 10, 10]                          # wrong, but the target is not visible there
    seqs = SequenceList([make_sequence("a", gt, visible=[True, True, False, True])])
    res = _run(tmp_path, seqs, {("t", None, "a"): pred})
    assert res.table().loc["t_p", "AUC"] == pytest.approx(PERFECT_AUC)
    assert res.sequence_table()["Frames"].tolist() == [3]
    res = _run(tmp_path, seqs, {("t", None, "a"): gt}, exclude_invalid_frames=False)
    assert res.table().loc["t_p", "AUC"] == pytest.approx(0.75 * PERFECT_AUC)   # counted as a failure
    assert res.table().loc["t_p", "Precision"] == pytest.approx(75)


def test_nan_ground_truth_rows_excluded(tmp_path):
    gt = constant_gt(4)
    gt[1] = np.nan
    pred = constant_gt(4)
    pred[1] = [50, 50, 1, 1]
    res = _run(tmp_path, SequenceList([make_sequence("a", gt, dataset="uav")]), {("t", None, "a"): pred})
    assert res.table().loc["t_p", "AUC"] == pytest.approx(PERFECT_AUC)
    assert res.table().loc["t_p", "Precision"] == 100


def test_short_results_padded_long_truncated(tmp_path):
    gt = constant_gt(4)
    seqs = SequenceList([make_sequence("a", gt), make_sequence("b", gt)])
    res = _run(tmp_path, seqs, {("short", None, "a"): gt[:2], ("short", None, "b"): gt[:2],
                                ("long", None, "a"): constant_gt(9), ("long", None, "b"): constant_gt(9)})
    t = res.table()
    assert t.loc["short_p", "AUC"] == pytest.approx(0.5 * PERFECT_AUC)  # 2 of 4 frames, missing ones fail
    assert t.loc["short_p", "Precision"] == pytest.approx(50)
    np.testing.assert_allclose(res.curve("precision")[res.labels.index("short_p")], 0.5)
    assert t.loc["long_p", "AUC"] == pytest.approx(PERFECT_AUC)


def test_zero_size_prediction_conventions(tmp_path):
    gt = constant_gt(4)
    pred = gt.copy()
    pred[2] = [0, 0, 0, 0]                              # "lost": the pytracking convention repeats frame 1
    seqs = SequenceList([make_sequence("a", gt)])
    res = _run(tmp_path, seqs, {("t", None, "a"): pred})
    assert res.table().loc["t_p", "AUC"] == pytest.approx(PERFECT_AUC)
    res = _run(tmp_path, seqs, {("t", None, "a"): pred}, convention="got10k")
    assert res.table().loc["t_p", "AUC"] == pytest.approx(0.75 * PERFECT_AUC)


def test_runs_and_sequences_averaged(tmp_path):
    gt = constant_gt(4)
    seqs = SequenceList([make_sequence("a", gt), make_sequence("b", gt)])
    res = _run(tmp_path, seqs, {("t", 0, "a"): gt, ("t", 0, "b"): _shifted(),
                                ("t", 1, "a"): _shifted(), ("t", 1, "b"): _shifted()})
    assert res.labels == ["t_p (runs 0-1)"]
    # sequence a: (perfect + shift) / 2, sequence b: shift; overall: mean of both
    per_seq = res.sequence_table().set_index("Sequence")["AUC"]
    assert per_seq["a"] == pytest.approx((PERFECT_AUC + SHIFT_AUC) / 2)
    assert per_seq["b"] == pytest.approx(SHIFT_AUC)
    assert res.table().iloc[0]["AUC"] == pytest.approx(((PERFECT_AUC + SHIFT_AUC) / 2 + SHIFT_AUC) / 2)


def test_missing_results(tmp_path):
    gt = constant_gt(4)
    seqs = SequenceList([make_sequence("a", gt), make_sequence("b", gt)])
    results = {("t", None, "a"): gt, ("t", None, "b"): gt, ("u", None, "a"): _shifted()}
    with pytest.raises(ResultFileError, match=r"1 result file\(s\) missing.*u/p/b\.txt"):
        _run(tmp_path, seqs, results)
    res = _run(tmp_path, seqs, results, skip_missing=True)
    assert res.sequence_table()["Sequence"].unique().tolist() == ["a"]    # b dropped for every tracker
    assert res.table().loc["t_p", "AUC"] == pytest.approx(PERFECT_AUC)


def test_invalid_prediction_names_file_and_line(tmp_path):
    gt = constant_gt(3)
    pred = gt.copy()
    pred[2, 2] = -1
    with pytest.raises(InvalidPredictionError, match=r"a\.txt.*line 3"):
        _run(tmp_path, SequenceList([make_sequence("a", gt)]), {("t", None, "a"): pred})


def test_sequence_without_valid_frames_is_skipped(tmp_path):
    gt = constant_gt(3)
    seqs = SequenceList([make_sequence("a", gt), make_sequence("b", gt, visible=[False] * 3)])
    res = _run(tmp_path, seqs, {("t", None, "a"): gt, ("t", None, "b"): gt})
    assert res.table().loc["t_p", "Sequences"] == 1


def test_ground_truth_first_frame_only_is_rejected(tmp_path):
    seq = make_sequence("a", constant_gt(1))
    seq.frames = ["0.jpg", "1.jpg", "2.jpg"]
    with pytest.raises(ValueError, match="benchmark server"):
        _run(tmp_path, SequenceList([seq]), {("t", None, "a"): constant_gt(3)})
