"""Each named convention against its reference, the got10k toolkit's own report code, on the same files.

The data sets are written here in the OTB and GOT-10k folder layouts, with invalid (negative size),
empty (zero size) and NaN ground-truth rows. The project's results are written in its own layout,
exported with ``export_results`` in the toolkit's layouts, and the toolkit's experiments read the
exported files as they are.
"""
import json

import numpy as np
import pytest

got10k_otb = pytest.importorskip("got10k.experiments.otb",
                                 reason="the got10k toolkit (pip install got10k) is not installed")
got10k_got = pytest.importorskip("got10k.experiments.got10k")
got10k_datasets = pytest.importorskip("got10k.datasets")

from pytracking.analysis import TrackerSpec, evaluate  # noqa: E402
from pytracking.evaluation.got10kdataset import GOT10kDataset  # noqa: E402
from pytracking.evaluation.otbdataset import OTBDataset  # noqa: E402
from pytracking.evaluation.results import tracker_results_dir, write_sequence_result  # noqa: E402
from pytracking.util_scripts.export_results import export_results  # noqa: E402

#: OTB-2015 names (the toolkit keeps only folders with these names); Jogging has two targets.
OTB_SEQS = {"Basketball": 1, "Bolt": 1, "Crossing": 1, "Jogging": 2, "Deer": 1}


def _boxes(rng, n, lo=0.0, hi=200.0):
    return np.round(np.column_stack([rng.uniform(lo, hi, (n, 2)), rng.uniform(5, 60, (n, 2))]), 2)


def _predictions(rng, gt):
    """Near the ground truth (far off on some frames), finite, non-negative sizes."""
    n = len(gt)
    base = np.where(np.isfinite(gt), gt, 50.0)
    base[:, 2:] = np.where(base[:, 2:] > 0, base[:, 2:], 20.0)
    pred = base + np.column_stack([rng.normal(0, 6, (n, 2)), rng.normal(0, 3, (n, 2))])
    lost = rng.random(n) < 0.15
    pred[lost] = _boxes(rng, int(lost.sum()))
    pred[:, 2:] = np.abs(pred[:, 2:]) + 0.5
    return np.round(pred, 2)


def _spoil(rng, gt, first_ok=True):
    """Put NaN, empty (zero-size) and invalid (negative-size) rows into ``gt`` (not on frame 1)."""
    n = len(gt)
    rows = rng.choice(np.arange(1, n), size=6, replace=False)
    gt[rows[:2]] = np.nan
    gt[rows[2]] = [0, 0, 0, 0]
    gt[rows[3], 2] = 0.0
    gt[rows[4]] = [-1, -1, -1, -1]
    gt[rows[5], 3] = -4.0
    return gt


@pytest.fixture(scope="module")
def otb_data(tmp_path_factory):
    """An OTB-layout folder with spoiled ground truth, results of two trackers and their OTB-layout export."""
    tmp = tmp_path_factory.mktemp("otb")
    rng = np.random.default_rng(7)
    root, res = tmp / "OTB", tmp / "res"
    for name, targets in OTB_SEQS.items():
        n = int(rng.integers(8, 40))
        (root / name / "img").mkdir(parents=True)
        for i in range(1, n + 1):
            (root / name / "img" / f"{i:04d}.jpg").write_bytes(b"")
        for t in range(1, targets + 1):
            gt = _spoil(rng, _boxes(rng, n))
            fname = "groundtruth_rect.txt" if targets == 1 else f"groundtruth_rect.{t}.txt"
            delimiter = "," if t == 1 else "\t"          # OTB mixes delimiters
            np.savetxt(root / name / fname, gt, fmt="%.2f", delimiter=delimiter)
    sequences = OTBDataset(root).get_sequence_list()
    for tracker in ("near", "far"):
        for seq in sequences:
            pred = _predictions(rng, seq.ground_truth_rect)
            if tracker == "far":
                pred[:, :2] += rng.normal(0, 15, (len(pred), 2))
                pred[:, 2:] = np.abs(pred[:, 2:]) + 0.5
            times = rng.uniform(0.01, 0.05, len(pred))
            write_sequence_result(tracker_results_dir(tracker, "p", None, res), seq.name, pred, times)
        export_results(tracker, "p", "otb", tmp / "tk_results" / "OTB2015", label=tracker, results_path=res)
    return tmp, root, res, sequences


def _toolkit_otb(tmp, root, experiment_cls=None):
    cls = experiment_cls or got10k_otb.ExperimentOTB
    exp = cls.__new__(cls)
    exp.dataset = got10k_datasets.OTB(str(root), 2015, download=False)
    exp.result_dir = str(tmp / "tk_results" / "OTB2015")
    exp.report_dir = str(tmp / "tk_reports" / cls.__name__)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    exp.plot_curves = lambda tracker_names: None       # plots are not under test
    return exp, exp.report(["near", "far"])


class _ExperimentOTBFrames2N(got10k_otb.ExperimentOTB):
    """The toolkit's OTB report computed on frames 2..N (its own metric and curve code)."""

    def _calc_metrics(self, boxes, anno):
        return super()._calc_metrics(boxes[1:], anno[1:])


def _compare_otb(ours, perf, exp):
    """Overall curves and scores, and every sequence's, equal to the toolkit's."""
    table = ours.table()
    per_seq = ours.sequence_table().set_index(["Tracker", "Sequence"])
    for tracker in ("near_p", "far_p"):
        ref = perf[tracker.split("_")[0]]
        t = ours.labels.index(tracker)
        np.testing.assert_allclose(ours.curve("success")[t], ref["overall"]["success_curve"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.curve("precision")[t], ref["overall"]["precision_curve"], rtol=0, atol=1e-12)
        assert table.loc[tracker, "AUC"] == pytest.approx(100 * ref["overall"]["success_score"], abs=1e-9)
        assert table.loc[tracker, "Precision"] == pytest.approx(100 * ref["overall"]["precision_score"], abs=1e-9)
        assert table.loc[tracker, "OP50"] == pytest.approx(100 * ref["overall"]["success_rate"], abs=1e-9)
        for seq in ours.sequence_names:
            tk_name = seq.replace("Jogging-", "Jogging.")
            assert tk_name in exp.dataset.seq_names
            assert per_seq.loc[(tracker, seq), "AUC"] == pytest.approx(
                100 * ref["seq_wise"][tk_name]["success_score"], abs=1e-9), seq
            assert per_seq.loc[(tracker, seq), "Precision"] == pytest.approx(
                100 * ref["seq_wise"][tk_name]["precision_score"], abs=1e-9), seq


def test_got10k_otb_convention_equals_experiment_otb(otb_data):
    tmp, root, res, sequences = otb_data
    exp, perf = _toolkit_otb(tmp, root)
    assert len(exp.dataset) == len(sequences) == 6
    ours = evaluate(["near:p", "far:p"], sequences, convention="got10k-otb", results_path=res,
                    plot_path=tmp / "plots", use_cache=False)
    _compare_otb(ours, perf, exp)
    # the alias gives the same numbers; the toolkit also wrote them to its report file
    alias = evaluate(["near:p", "far:p"], sequences, convention="got10k", results_path=res,
                     plot_path=tmp / "plots", use_cache=False)
    np.testing.assert_array_equal(alias.curve("success"), ours.curve("success"))
    with open(tmp / "tk_reports" / "ExperimentOTB" / "near" / "performance.json") as f:
        assert json.load(f)["far"]["overall"]["success_score"] == pytest.approx(perf["far"]["overall"]["success_score"])
    # the spoiled rows matter: leaving them out (the pytracking rule) gives other numbers
    pyt = evaluate(["near:p"], sequences, results_path=res, plot_path=tmp / "plots", use_cache=False)
    assert abs(pyt.table().loc["near_p", "AUC"] - ours.table().loc["near_p", "AUC"]) > 0.5


def test_otb_frames_2_to_n_equals_toolkit_on_frames_2_to_n(otb_data):
    tmp, root, res, sequences = otb_data
    exp, perf = _toolkit_otb(tmp, root, _ExperimentOTBFrames2N)
    ours = evaluate(["near:p", "far:p"], sequences, convention="otb-2n", results_path=res,
                    plot_path=tmp / "plots", use_cache=False)
    _compare_otb(ours, perf, exp)
    full = evaluate(["near:p"], sequences, convention="got10k-otb", results_path=res, plot_path=tmp / "plots",
                    use_cache=False)
    # frame 1 (the given box, IoU 1) raises the score on these short sequences
    assert full.table().loc["near_p", "AUC"] > ours.table().loc["near_p", "AUC"] + 0.5


def test_toolkit_conventions_refuse_the_invalid_frame_switch(otb_data):
    tmp, root, res, sequences = otb_data
    with pytest.raises(ValueError, match="got10k-otb.*include-invalid-frames"):
        evaluate(["near:p"], sequences, convention="got10k-otb", exclude_invalid_frames=False, results_path=res,
                 plot_path=tmp / "plots", use_cache=False)


def test_exported_otb_layout(otb_data):
    tmp = otb_data[0]
    folder = tmp / "tk_results" / "OTB2015" / "near"
    names = sorted(p.name for p in folder.glob("*.txt"))
    assert names == sorted(["Basketball.txt", "Bolt.txt", "Crossing.txt", "Deer.txt", "Jogging.1.txt",
                            "Jogging.2.txt"])
    assert sorted(p.name for p in (folder / "times").iterdir()) == [n.replace(".txt", "_time.txt") for n in names]
    first = (folder / "Bolt.txt").read_text().splitlines()[0]
    assert first.count(",") == 3 and "\t" not in first


# ----------------------------------------------------------------------------- GOT-10k


GOT_SEQS = ("GOT-10k_Val_000001", "GOT-10k_Val_000002", "GOT-10k_Val_000003", "GOT-10k_Val_000004")
RESOLUTION = (320, 240)


def _write_got_sequence(seq_dir, rng, n):
    seq_dir.mkdir(parents=True)
    for i in range(1, n + 1):
        (seq_dir / f"{i:08d}.jpg").write_bytes(b"")
    # boxes partly outside the image, so the clipping to the image matters
    gt = _boxes(rng, n, lo=-20, hi=300)
    cover = rng.integers(1, 9, n)
    hidden = rng.choice(np.arange(1, n), size=4, replace=False)
    cover[hidden] = 0
    gt[hidden[0]] = np.nan                  # NaN where the target is absent (the toolkit leaves it out)
    gt[hidden[1]] = [0, 0, 0, 0]            # empty box where absent
    visible_rows = np.flatnonzero(cover > 0)
    gt[visible_rows[-1], 2] = 0.0           # an empty box on a visible frame: IoU 0 for the toolkit
    gt[visible_rows[-2]] = [-1, -1, -1, -1]  # an invalid box on a visible frame
    absence = (cover == 0).astype(int)
    absence[hidden[3]] = 0                  # absence.label and cover.label disagree: the toolkit uses cover
    np.savetxt(seq_dir / "groundtruth.txt", gt, fmt="%.2f", delimiter=",")
    np.savetxt(seq_dir / "cover.label", cover, fmt="%d")
    np.savetxt(seq_dir / "absence.label", absence, fmt="%d")
    np.savetxt(seq_dir / "cut_by_image.label", np.zeros(n), fmt="%d")
    (seq_dir / "meta_info.ini").write_text(
        "[METAINFO]\nurl: none\nbegin_time: 0\nend_time: 1\nobject_class: thing\nmotion_class: none\n"
        "major_class: none\nroot_class: none\nmotion_adverb: none\n"
        f"resolution: ({RESOLUTION[0]}, {RESOLUTION[1]})\n")
    return gt


@pytest.fixture(scope="module")
def got_data(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("got")
    rng = np.random.default_rng(11)
    root, res = tmp / "GOT10k", tmp / "res"
    (root / "val").mkdir(parents=True)
    (root / "val" / "list.txt").write_text("\n".join(GOT_SEQS) + "\n")
    lengths = [int(rng.integers(10, 50)) for _ in GOT_SEQS]
    for name, n in zip(GOT_SEQS, lengths):
        _write_got_sequence(root / "val" / name, rng, n)
    sequences = GOT10kDataset("val", root).get_sequence_list()
    for tracker, runs in (("multi", (0, 1, 2)), ("single", (None,))):
        for run in runs:
            for seq in sequences:
                pred = _predictions(rng, seq.ground_truth_rect)
                pred[:, :2] += rng.normal(0, 8, (len(pred), 2))
                pred[:, 2:] = np.abs(pred[:, 2:]) + 0.5
                write_sequence_result(tracker_results_dir(tracker, "p", run, res), seq.name, pred,
                                      rng.uniform(0.01, 0.05, len(pred)))
        export_results(tracker, "p", "got10k", tmp / "tk_results" / "GOT-10k", run_ids=runs, label=tracker,
                       results_path=res)
    return tmp, root, res, sequences


def test_got10k_val_convention_equals_experiment_got10k(got_data):
    tmp, root, res, sequences = got_data
    exp = got10k_got.ExperimentGOT10k(str(root), subset="val", result_dir=str(tmp / "tk_results"),
                                      report_dir=str(tmp / "tk_reports"))
    exp.plot_curves = lambda report_files, tracker_names: None
    exp.result_dir = str(tmp / "tk_results" / "GOT-10k")
    perf = exp.report(["multi", "single"])
    assert sequences[0].image_size == RESOLUTION and sequences[0].cover is not None
    ours = evaluate([TrackerSpec("multi", "p", (0, 1, 2), "multi"), TrackerSpec("single", "p", (None,), "single")],
                    sequences, convention="got10k-val", results_path=res, plot_path=tmp / "plots", use_cache=False)
    table = ours.table()
    assert list(table.columns[:3]) == ["AO", "SR0.50", "SR0.75"]
    per_seq = ours.sequence_table().set_index(["Tracker", "Sequence"])
    for tracker in ("multi", "single"):
        ref = perf[tracker]["overall"]
        succ = np.asarray(ref["succ_curve"])             # 101 thresholds 0, 0.01, ..., 1
        assert table.loc[tracker, "AO"] == pytest.approx(100 * ref["ao"], abs=1e-9)
        assert table.loc[tracker, "SR0.50"] == pytest.approx(100 * ref["sr"], abs=1e-9)
        assert table.loc[tracker, "SR0.50"] == pytest.approx(100 * succ[50], abs=1e-9)
        assert table.loc[tracker, "SR0.75"] == pytest.approx(100 * succ[75], abs=1e-9)
        np.testing.assert_allclose(ours.curve("success")[ours.labels.index(tracker)], succ[::5], rtol=0, atol=1e-12)
        for seq in GOT_SEQS:
            assert per_seq.loc[(tracker, seq), "AO"] == pytest.approx(
                100 * perf[tracker]["seq_wise"][seq]["ao"], abs=1e-9)
    # pooling over frames is not the mean over sequences
    seq_ao = per_seq.loc["multi", "AO"].mean()
    assert abs(seq_ao - table.loc["multi", "AO"]) > 1e-6


def test_got10k_val_rejects_nan_ground_truth_on_visible_frames(got_data, tmp_path):
    tmp, root, res, sequences = got_data
    seq = sequences[0]
    row = int(np.flatnonzero(seq.cover > 0)[1])
    seq_bad = type(seq)(seq.name, seq.frames, seq.dataset, seq.ground_truth_rect.copy(), cover=seq.cover,
                        image_size=seq.image_size)
    seq_bad.ground_truth_rect[row] = np.nan
    with pytest.raises(ValueError, match=f"row {row + 1} is not finite.*NaN"):
        evaluate(["single:p"], [seq_bad], convention="got10k-val", results_path=res, plot_path=tmp_path,
                 use_cache=False)


def _original_framework_curves(pred, anno, exclude_invalid_frames):
    """A per-frame restatement of the original framework's rules (calc_seq_err_robust and the curve
    code of its extract_results): success and precision curves of one sequence."""
    pred = pred.copy()
    for i in range(1, len(pred)):
        if (pred[i, 2:] == 0).any() and not np.isnan(anno[i]).any():
            pred[i] = pred[i - 1]
    pred[0] = anno[0]
    valid = (anno[:, 2] > 0) & (anno[:, 3] > 0)          # NaN compares False
    overlap, center = np.empty(len(pred)), np.empty(len(pred))
    for i, (p, a) in enumerate(zip(pred, anno)):
        tl = np.maximum(p[:2], a[:2])
        br = np.minimum(p[:2] + p[2:] - 1.0, a[:2] + a[2:] - 1.0)
        inter = np.prod(np.clip(br - tl + 1.0, 0, None))
        overlap[i] = inter / (p[2] * p[3] + a[2] * a[3] - inter)
        center[i] = np.linalg.norm((p[:2] + 0.5 * (p[2:] - 1.0)) - (a[:2] + 0.5 * (a[2:] - 1.0)))
    overlap[~valid] = -1.0
    center[~valid] = np.inf
    length = valid.sum() if exclude_invalid_frames else len(anno)
    success = np.array([(overlap > t).sum() for t in np.linspace(0, 1, 21)]) / length
    precision = np.array([(center <= t).sum() for t in np.arange(51)]) / length
    return success, precision


@pytest.mark.parametrize("exclude", [True, False])
def test_pytracking_convention_equals_the_original_rules(otb_data, exclude):
    tmp, root, res, sequences = otb_data
    rng = np.random.default_rng(5)
    refs = []
    for seq in sequences:
        pred = _predictions(rng, seq.ground_truth_rect)
        pred[rng.random(len(pred)) < 0.2, 2] = 0.0          # "lost" boxes: repeated from the previous frame
        write_sequence_result(tracker_results_dir("zs", "p", None, res), seq.name, pred)
        refs.append(_original_framework_curves(pred, seq.ground_truth_rect, exclude))
    ours = evaluate(["zs:p"], sequences, convention="pytracking", exclude_invalid_frames=exclude, results_path=res,
                    plot_path=tmp / "plots", use_cache=False)
    np.testing.assert_allclose(ours.curve("success")[0], np.mean([s for s, _ in refs], axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.curve("precision")[0], np.mean([p for _, p in refs], axis=0), rtol=0, atol=1e-12)
