"""Readers name the file and the position on bad input (issue 18, item 7): result files (also
undecodable bytes), the analysis cache (a corrupt cache is rebuilt with a warning)."""
import logging
import os

import numpy as np
import pandas as pd
import pytest

import pytracking.analysis.evaluator as evaluate_mod
from pytracking.analysis import TrackerSpec, evaluate
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.results import read_boxes, tracker_results_dir, write_sequence_result
from pytracking.utils.load_text import TextTableError


def _setup(tmp_path):
    gt = np.tile([0.0, 0.0, 10.0, 10.0], (6, 1))
    seqs = SequenceList([Sequence(n, [f"{n}/{i:04d}.jpg" for i in range(6)], "toy", gt) for n in "ab"])
    shifted = gt + [5, 0, 0, 0]
    for name in "ab":
        write_sequence_result(tracker_results_dir("t", "p", None, tmp_path / "res"), name, shifted)
    return seqs, [TrackerSpec("t", "p")]


@pytest.mark.parametrize("content, where", [
    (b"1\t2\t3\t4\n\x89PNG\r\n\x1a\n\x00\x00binary\n", "line 2"),
    (b"\xff\xfe1\x002\x00\n", "line 1"),
])
def test_binary_result_file_names_file_and_line(tmp_path, content, where):
    path = tmp_path / "seq.txt"
    path.write_bytes(content)
    with pytest.raises(TextTableError) as err:
        read_boxes(path)
    assert str(path) in str(err.value) and where in str(err.value)
    assert "undecodable byte" in str(err.value)


@pytest.mark.parametrize("corruption", [b"", b"PK\x03\x04 not really a zip", b"\x00" * 64])
def test_corrupt_analysis_cache_is_rebuilt_with_a_warning(tmp_path, caplog, corruption, monkeypatch):
    seqs, specs = _setup(tmp_path)
    kw = dict(results_path=tmp_path / "res", plot_path=tmp_path / "plots")
    first = evaluate(specs, seqs, **kw)
    cache_dir = tmp_path / "plots" / "toy" / "cache"
    (entry,) = [cache_dir / name for name in os.listdir(cache_dir)]
    entry.write_bytes(corruption)
    calls = []
    real = evaluate_mod._compute
    monkeypatch.setattr(evaluate_mod, "_compute", lambda *a, **k: calls.append(1) or real(*a, **k))
    with caplog.at_level(logging.WARNING, logger="pytracking.analysis.cache"):
        again = evaluate(specs, seqs, **kw)
    pd.testing.assert_frame_equal(first.table(), again.table())
    assert calls == [1]  # recomputed once
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and entry.name in warnings[0] and "corrupt" in warnings[0]
    calls.clear()
    evaluate(specs, seqs, **kw)  # the rebuilt entry is used again
    assert calls == []


def test_cache_warning_is_not_appended_to_the_progress_bar(tmp_path, terminal_stderr):
    seqs, specs = _setup(tmp_path)
    write_sequence_result(tracker_results_dir("u", "p", None, tmp_path / "res"), "a", seqs[0].ground_truth_rect)
    write_sequence_result(tracker_results_dir("u", "p", None, tmp_path / "res"), "b", seqs[1].ground_truth_rect)
    specs = specs + [TrackerSpec("u", "p")]
    kw = dict(results_path=tmp_path / "res", plot_path=tmp_path / "plots")
    evaluate(specs, seqs, **kw)
    for entry in (tmp_path / "plots" / "toy" / "cache").iterdir():
        entry.write_bytes(b"")
    with terminal_stderr() as terminal:
        evaluate(specs, seqs, **kw)
    assert "Evaluating trackers" in terminal.getvalue()  # the bar was drawn on the terminal
    assert terminal.line_prefixes("Cache entry") == ["", ""]
