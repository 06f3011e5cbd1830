"""Analysis on a dataset read from disk: LaSOT's absent frames are excluded (or failures)."""
import numpy as np
import pytest

synthetic = pytest.importorskip("ltr.dataset.synthetic", reason="synthetic generator not available")

from pytracking.analysis import TrackerSpec, evaluate  # noqa: E402
from pytracking.evaluation.datasets import load_dataset  # noqa: E402
from pytracking.evaluation.results import tracker_results_dir, write_sequence_result  # noqa: E402


def test_lasot_absent_frames(tmp_path):
    info = synthetic.write_dataset("lasot", tmp_path / "lasot", num_sequences=4, num_frames=40, seed=5,
                                   image_size=(64, 48))
    seqs = load_dataset("lasot", root=info.root).get_sequence_list()
    for seq in seqs:
        write_sequence_result(tracker_results_dir("t", "p", None, tmp_path / "res"), seq.name, seq.ground_truth_rect)
    kw = dict(results_path=tmp_path / "res", plot_path=tmp_path / "plots", use_cache=False)
    # ground-truth rows where the target is absent are 0,0,0,0: as a prediction they would fail
    absent = {r.name: r.full_occlusion | r.out_of_view for r in info.sequences}
    usable = {n: ~a for n, a in absent.items() if (~a).any()}
    assert any(a.any() for a in absent.values()), "fixture should contain absent frames"
    res = evaluate([TrackerSpec("t", "p")], seqs, **kw)
    assert res.table().iloc[0]["AUC"] == pytest.approx(100 * 20 / 21)
    assert res.table().iloc[0]["Sequences"] == len(usable)
    res = evaluate([TrackerSpec("t", "p")], seqs, exclude_invalid_frames=False, **kw)
    # every absent frame fails; frame 0 is always replaced by the ground truth (and visible here)
    visible_fraction = np.mean([(~a).mean() for a in absent.values()])
    assert res.table().iloc[0]["AUC"] == pytest.approx(100 * 20 / 21 * visible_fraction)
