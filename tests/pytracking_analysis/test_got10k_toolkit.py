"""The 'got10k' convention agrees with the GOT-10k toolkit's OTB experiment (its own report code,
run on the same random result files)."""
import json

import numpy as np
import pytest

got10k_otb = pytest.importorskip("got10k.experiments.otb",
                                 reason="the got10k toolkit (pip install got10k) is not installed")

from pytracking.evaluation.data import SequenceList  # noqa: E402
from pytracking.evaluation.results import tracker_results_dir, write_sequence_result  # noqa: E402
from pytracking.analysis import TrackerSpec, evaluate  # noqa: E402

from analysis_helpers import make_sequence  # noqa: E402


class _FakeOTB:
    """Just what ExperimentOTB.report iterates over: names and (images, annotation) pairs."""

    def __init__(self, names, annos):
        self.seq_names = names
        self._annos = annos

    def __len__(self):
        return len(self.seq_names)

    def __iter__(self):
        return iter([(None, a) for a in self._annos])


def _random_boxes(rng, n):
    xy = rng.uniform(0, 200, (n, 2))
    wh = rng.uniform(5, 60, (n, 2))
    return np.round(np.column_stack([xy, wh]), 3)


def test_agrees_with_got10k_toolkit(tmp_path):
    rng = np.random.default_rng(1234)
    names, annos, seqs = [], [], []
    tracker = "rnd"
    exp = got10k_otb.ExperimentOTB.__new__(got10k_otb.ExperimentOTB)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    exp.result_dir, exp.report_dir = str(tmp_path / "tk_results"), str(tmp_path / "tk_reports")
    for i in range(6):
        n = int(rng.integers(20, 80))
        gt = _random_boxes(rng, n)
        # predictions near the ground truth, with some far off, so every threshold range is exercised
        pred = gt + np.column_stack([rng.normal(0, 8, (n, 2)), rng.normal(0, 4, (n, 2))])
        lost = rng.random(n) < 0.2
        pred[lost] = _random_boxes(rng, int(lost.sum()))
        pred[:, 2:] = np.abs(pred[:, 2:]) + 1
        pred = np.round(pred, 3)
        name = f"Seq{i}"
        names.append(name)
        annos.append(gt)
        seqs.append(make_sequence(name, gt))
        d = tmp_path / "tk_results" / tracker
        d.mkdir(parents=True, exist_ok=True)
        np.savetxt(d / f"{name}.txt", pred, fmt="%.3f", delimiter=",")
        write_sequence_result(tracker_results_dir(tracker, "p", None, tmp_path / "res"), name, pred)
    exp.dataset = _FakeOTB(names, annos)
    exp.plot_curves = lambda tracker_names: None        # plotting is not under test
    perf = exp.report([tracker])[tracker]

    ours = evaluate([TrackerSpec(tracker, "p")], SequenceList(seqs), convention="got10k",
                    results_path=tmp_path / "res", plot_path=tmp_path / "plots", use_cache=False)
    np.testing.assert_allclose(ours.curve("success")[0], perf["overall"]["success_curve"], atol=1e-12)
    np.testing.assert_allclose(ours.curve("precision")[0], perf["overall"]["precision_curve"], atol=1e-12)
    table = ours.table().iloc[0]
    assert table["AUC"] == pytest.approx(100 * perf["overall"]["success_score"], abs=1e-9)
    assert table["Precision"] == pytest.approx(100 * perf["overall"]["precision_score"], abs=1e-9)
    assert table["OP50"] == pytest.approx(100 * perf["overall"]["success_rate"], abs=1e-9)
    per_seq = ours.sequence_table().set_index("Sequence")
    for name in names:
        assert per_seq.loc[name, "AUC"] == pytest.approx(100 * perf["seq_wise"][name]["success_score"], abs=1e-9)
        assert per_seq.loc[name, "Precision"] == pytest.approx(
            100 * perf["seq_wise"][name]["precision_score"], abs=1e-9)
    # the toolkit also wrote its report file; it holds the same numbers
    with open(tmp_path / "tk_reports" / tracker / "performance.json") as f:
        assert json.load(f)[tracker]["overall"]["success_score"] == pytest.approx(perf["overall"]["success_score"])
    assert not np.allclose(ours.curve("success")[0], ours.curve("success")[0][0])  # curves are not trivial
