"""The benchmark's distribution of a mean over sequences (benchmarks/bench_eco.py), against an
enumeration of every combination written out in the test."""
from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_eco.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_eco_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_sequences_give_every_pairwise_mean_once(bench):
    values, probs = bench.mean_distribution([[0.0, 10.0], [20.0, 40.0, 60.0]])
    np.testing.assert_allclose(values, [10, 15, 20, 25, 30, 35])
    np.testing.assert_allclose(probs, np.full(6, 1 / 6))


def test_repeated_means_are_merged_and_match_an_enumeration(bench):
    runs = [[50.0, 52.5, 50.0], [70.0, 71.0], [10.0, 30.0, 20.0, 30.0]]
    values, probs = bench.mean_distribution(runs)
    combos = [np.mean(c) for c in itertools.product(*runs)]
    want_values = np.unique(np.round(combos, 6))
    want_probs = [sum(abs(c - v) < 1e-6 for c in combos) / len(combos) for v in want_values]
    np.testing.assert_allclose(values, want_values, atol=1e-3)
    np.testing.assert_allclose(probs, want_probs)
    assert abs(probs.sum() - 1) < 1e-12
    assert values[0] == pytest.approx((50 + 70 + 10) / 3) and values[-1] == pytest.approx((52.5 + 71 + 30) / 3)


def test_more_synthetic_sequences_are_generated_once_and_the_same_everywhere(bench, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "HERE", tmp_path / "a")
    first = bench.more_synthetic_sequences(2)
    assert [len(s.frames) for s in first] == [150, 150]
    assert all(s.ground_truth_rect.shape == (150, 4) for s in first)
    stamp = [Path(f).stat().st_mtime_ns for f in first[0].frames[:3]]
    again = bench.more_synthetic_sequences(2)                  # read, not written again
    assert [Path(f).stat().st_mtime_ns for f in again[0].frames[:3]] == stamp
    monkeypatch.setattr(bench, "HERE", tmp_path / "b")
    elsewhere = bench.more_synthetic_sequences(2)
    assert [s.name for s in elsewhere] == [s.name for s in first]
    for a, b in zip(first, elsewhere):
        np.testing.assert_array_equal(a.ground_truth_rect, b.ground_truth_rect)
