"""Cache, CSV files and plots of an analysis."""
import os

import cv2
import pandas as pd
import pytest

from pytracking.evaluation.data import SequenceList
from pytracking.analysis import TrackerSpec, evaluate
import pytracking.analysis.evaluator as evaluate_mod
from pytracking.analysis.plots import DPI, FIGSIZE

from analysis_helpers import PERFECT_AUC, constant_gt, make_sequence, write_result


def _setup(tmp_path):
    gt = constant_gt(6)
    seqs = SequenceList([make_sequence("a", gt), make_sequence("b", gt)])
    shifted = gt.copy()
    shifted[:, 0] += 5
    for s in ("a", "b"):
        write_result(tmp_path / "res", "good", "p", None, s, gt)
        write_result(tmp_path / "res", "bad", "p", None, s, shifted)
    return seqs, [TrackerSpec("bad", "p"), TrackerSpec("good", "p")]


def test_cache_reused_and_invalidated(tmp_path, monkeypatch):
    seqs, specs = _setup(tmp_path)
    kw = dict(results_path=tmp_path / "res", plot_path=tmp_path / "plots")
    first = evaluate(specs, seqs, **kw)
    cache_files = sorted(os.listdir(tmp_path / "plots" / "toy" / "cache"))
    assert len(cache_files) == 2
    calls = []
    real = evaluate_mod._compute
    monkeypatch.setattr(evaluate_mod, "_compute", lambda *a, **k: calls.append(a[0].name) or real(*a, **k))
    again = evaluate(specs, seqs, **kw)
    assert calls == []                                  # both trackers from the cache
    pd.testing.assert_frame_equal(first.table(), again.table())
    # rewriting a result file invalidates only that tracker's entry
    write_result(tmp_path / "res", "good", "p", None, "a", constant_gt(3))
    changed = evaluate(specs, seqs, **kw)
    assert calls == ["good"]
    assert changed.table().loc["good_p", "AUC"] == pytest.approx(0.75 * PERFECT_AUC)


def test_csv_and_plots(tmp_path):
    seqs, specs = _setup(tmp_path)
    res = evaluate(specs, seqs, results_path=tmp_path / "res", plot_path=tmp_path / "plots")
    overall, per_seq = res.save_csv()
    table = pd.read_csv(overall, index_col=0)
    assert table.loc["good_p", "AUC"] == pytest.approx(PERFECT_AUC, abs=1e-4)
    assert len(pd.read_csv(per_seq)) == 4
    files = res.plot()
    assert sorted(p.name for p in files) == sorted(f"{k}_plot.{e}" for k in ("success", "precision", "norm_precision")
                                                   for e in ("png", "pdf"))
    for path in files:
        assert path.stat().st_size > 0
        if path.suffix == ".png":
            img = cv2.imread(str(path))
            assert img is not None and img.shape == (round(FIGSIZE[1] * DPI), round(FIGSIZE[0] * DPI), 3)
        else:
            assert path.read_bytes().startswith(b"%PDF")


def test_legend_sorted_by_score_with_score(tmp_path, monkeypatch):
    import matplotlib.axes

    seqs, specs = _setup(tmp_path)
    res = evaluate(specs, seqs, results_path=tmp_path / "res", plot_path=tmp_path / "plots")
    seen = []
    real_legend = matplotlib.axes.Axes.legend

    def spy(ax, *a, **k):
        seen.append([t.get_label() for t in ax.get_lines()])
        return real_legend(ax, *a, **k)

    monkeypatch.setattr(matplotlib.axes.Axes, "legend", spy)
    res.plot(plot_types=("success",), formats=("png",))
    # "bad" is shifted by half the box width on frames 1..5 of 6: IoU 1/3, success 1/6 above 0.30
    good = f"good_p [AUC: {PERFECT_AUC:.1f}]"
    assert seen == [[good, f"bad_p [AUC: {100 * (7 * 1 + 13 * (1 / 6)) / 21:.1f}]"]]
