"""run_experiment.py: experiment modules name trackers and sequences; results as run_tracker's."""
from __future__ import annotations

import sys
import types

import pytest

from ltr.admin.cli import EXIT_USER_ERROR, call_main
from pytracking import run_experiment
from pytracking.evaluation.tracker import Tracker, trackerlist


def test_trackerlist_makes_one_tracker_per_run():
    runs = trackerlist("eco", "default", range(3))
    assert [t.run_id for t in runs] == [0, 1, 2]
    assert [t.results_dir.name for t in runs] == ["default_000", "default_001", "default_002"]
    single = trackerlist("eco", "default_vot")
    assert len(single) == 1 and single[0].run_id is None and single[0].results_dir.name == "default_vot"
    assert trackerlist("eco", "default", 4)[0].results_dir.name == "default_004"
    assert [t.display_name for t in trackerlist("eco", "default", [1, 2], display_name="ECO")] == ["ECO:1", "ECO:2"]
    assert trackerlist("eco", "default", display_name="ECO")[0].display_name == "ECO"


def test_the_example_experiment_runs_and_an_interrupted_one_continues(isolated_settings, capsys):
    assert run_experiment.main(["myexperiments", "eco_synthetic"]) == 0
    out = capsys.readouterr().out
    assert "eco:default: 3 sequences tracked, 0 skipped" in out
    results = isolated_settings / "results" / "eco" / "default"
    first = sorted(p.name for p in results.glob("*.txt") if not p.name.endswith("_time.txt"))
    assert len(first) == 3
    (results / first[0]).unlink()     # as if stopped before the first sequence was written
    assert run_experiment.main(["myexperiments", "eco_synthetic"]) == 0
    assert "eco:default: 1 sequences tracked, 2 skipped" in capsys.readouterr().out
    assert sorted(p.name for p in results.glob("*.txt") if not p.name.endswith("_time.txt")) == first


def test_without_a_name_the_experiments_are_listed(capsys):
    assert run_experiment.main(["myexperiments"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Experiments in pytracking/experiments/myexperiments.py:"
    names = [line.split()[0] for line in lines[1:]]
    assert names == sorted(names) and {"eco_synthetic", "atom_nfs_uav"} <= set(names)
    assert "get_dataset" not in names and "trackerlist" not in names   # imported, not experiments


@pytest.mark.parametrize("argv, message", [
    (["myexperiment", "eco_synthetic"], "Unknown experiment module 'myexperiment'. Did you mean 'myexperiments'?"),
    (["myexperiments", "eco_synth"], "Unknown experiment 'eco_synth' in pytracking/experiments/myexperiments.py. "
                                     "Did you mean 'eco_synthetic'?"),
])
def test_unknown_names_are_one_line_with_the_closest(argv, message, capsys):
    assert call_main(run_experiment.main, argv) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: " + message) and "Traceback" not in err


@pytest.mark.parametrize("returned, message", [
    (lambda: [Tracker("eco", "default")], "must return (trackers, dataset), got list"),
    (lambda: ([], []), "must return a non-empty list of Tracker"),
    (lambda: (["eco"], []), "must return a non-empty list of Tracker"),
    (lambda: (trackerlist("eco", "default") * 2, []), "lists eco:default more than once"),
    (lambda: ([Tracker("eco", "default", display_name="X"), Tracker("eco", "default_vot", display_name="X")], []),
     "lists X more than once"),
])
def test_a_malformed_experiment_names_its_function(returned, message, monkeypatch, capsys):
    module = types.ModuleType("pytracking.experiments.broken")
    returned.__module__ = module.__name__
    module.bad = returned
    monkeypatch.setitem(sys.modules, module.__name__, module)
    assert call_main(run_experiment.main, ["broken", "bad"]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: pytracking/experiments/broken.py: bad() " + message), err


def test_specs_of_an_experiment_group_the_runs_of_each_tracker():
    from pytracking.analysis import specs_from_trackers
    trackers = (trackerlist("eco", "default", range(3)) + trackerlist("eco", "default_vot", display_name="VOT")
                + trackerlist("eco", "otb_hc_v2", [4, 7], display_name="v2") + trackerlist("atom", "default"))
    specs = specs_from_trackers(trackers)
    assert [(s.name, s.parameter_name, s.run_ids, s.display_name) for s in specs] == [
        ("eco", "default", (0, 1, 2), None), ("eco", "default_vot", (None,), "VOT"),
        ("eco", "otb_hc_v2", (4, 7), "v2"), ("atom", "default", (None,), None)]
    assert [s.label for s in specs] == ["eco_default (runs 0-2)", "VOT", "v2", "atom_default"]
