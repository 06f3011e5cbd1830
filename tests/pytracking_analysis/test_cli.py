"""run_analysis.py end to end on a small OTB-layout folder."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.results import tracker_results_dir, write_sequence_result
from pytracking import run_analysis

from analysis_helpers import PERFECT_AUC

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def otb_with_results(isolated_settings, monkeypatch):
    root = isolated_settings / "otb"
    for name, n in (("Alpha", 5), ("Beta", 4)):
        (root / name / "img").mkdir(parents=True)
        for i in range(1, n + 1):
            (root / name / "img" / f"{i:04d}.jpg").write_bytes(b"")
        (root / name / "groundtruth_rect.txt").write_text("10,10,20,20\n" * n)
    monkeypatch.setenv("PYTRACKING_OTB_PATH", str(root))
    for seq in get_dataset("otb"):
        for run in (0, 1):
            boxes = seq.ground_truth_rect.copy()
            if run == 1:
                boxes[1:, 0] += 10      # IoU (10*20)/(600) = 1/3 after the first frame
            write_sequence_result(tracker_results_dir("trk", "default", run), seq.name, boxes)
        write_sequence_result(tracker_results_dir("other", "p"), seq.name, seq.ground_truth_rect)
    return isolated_settings


def test_cli_table_csv_and_plots(otb_with_results, capsys):
    rc = run_analysis.main(["--trackers", "trk:default", "other:p:none", "--runs", "0-1", "--dataset", "otb",
                            "--plot", "--per-sequence"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "trk_default (runs 0-1)" in out and "other_p" in out and "Alpha" in out
    plots = otb_with_results / "plots" / "otb"
    assert (plots / "overall.csv").is_file() and (plots / "success_plot.png").stat().st_size > 0
    import pandas as pd
    table = pd.read_csv(plots / "overall.csv", index_col=0)
    assert table.loc["other_p", "AUC"] == pytest.approx(PERFECT_AUC, abs=1e-4)
    # Alpha: run 1 has 1 perfect + 4 frames at IoU 1/3; Beta: 1 + 3 -> mean of runs, then sequences
    shift = {5: (7 * 1 + 13 * 0.2) / 21, 4: (7 * 1 + 13 * 0.25) / 21}
    expected = 100 * np.mean([(20 / 21 + shift[5]) / 2, (20 / 21 + shift[4]) / 2])
    assert table.loc["trk_default (runs 0-1)", "AUC"] == pytest.approx(expected, abs=1e-4)


def test_cli_errors_are_reported(otb_with_results, capsys):
    assert run_analysis.main(["--trackers", "missing:p", "--dataset", "otb"]) == 2
    assert "missing/p/Alpha.txt" in capsys.readouterr().err
    assert run_analysis.main(["--trackers", "bad-spec", "--dataset", "otb"]) == 2
    assert "name:parameter" in capsys.readouterr().err


def test_cli_runs_as_script():
    proc = subprocess.run([sys.executable, str(REPO / "pytracking" / "run_analysis.py"), "--help"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0 and "--trackers" in proc.stdout and "atom:default" in proc.stdout
    from pytracking.analysis.conventions import CONVENTIONS
    help_lines = proc.stdout.splitlines()
    for conv in CONVENTIONS.values():     # each rule is stated in one line
        assert f"  {conv.name}: {conv.rule}" in help_lines


def test_an_experiment_is_analysed_as_its_trackers_and_sequences(otb_with_results, monkeypatch, capsys):
    """``--experiment`` gives the table ``--trackers ... --dataset`` gives for the same result files:
    the runs of one tracker averaged, a display name as the label, the report named after it."""
    import types
    import pandas as pd
    from pytracking.evaluation.tracker import trackerlist

    for seq in get_dataset("otb"):
        for run in (0, 1):
            boxes = seq.ground_truth_rect.copy()
            if run == 1:
                boxes[1:, 0] += 10
            write_sequence_result(tracker_results_dir("eco", "default", run), seq.name, boxes)
        write_sequence_result(tracker_results_dir("eco", "default_vot"), seq.name, seq.ground_truth_rect)
    module = types.ModuleType("pytracking.experiments.analysis_example")

    def both():
        return (trackerlist("eco", "default", range(2)) + trackerlist("eco", "default_vot", display_name="VOT set"),
                get_dataset("otb"))
    both.__module__ = module.__name__
    module.both = both
    monkeypatch.setitem(sys.modules, module.__name__, module)

    assert run_analysis.main(["--experiment", "analysis_example", "both"]) == 0
    assert "Report: analysis_example.both" in capsys.readouterr().out
    got = pd.read_csv(otb_with_results / "plots" / "analysis_example.both" / "overall.csv", index_col=0)
    assert run_analysis.main(["--trackers", "eco:default:0-1", "eco:default_vot=VOT set", "--dataset", "otb"]) == 0
    expected = pd.read_csv(otb_with_results / "plots" / "otb" / "overall.csv", index_col=0)
    assert sorted(got.index) == sorted(expected.index) == ["VOT set", "eco_default (runs 0-1)"]
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index())
    assert got.loc["VOT set", "AUC"] == pytest.approx(PERFECT_AUC, abs=1e-4)


@pytest.mark.parametrize("argv", [["--experiment", "myexperiments", "eco_synthetic", "--dataset", "otb"],
                                  ["--experiment", "myexperiments", "eco_synthetic", "--runs", "0-4"],
                                  ["--trackers", "eco:default"], ["--dataset", "otb"], []])
def test_an_experiment_or_trackers_with_a_dataset(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_analysis.main(argv)
    assert exit_info.value.code == 2
    assert "give --trackers and --dataset, or --experiment MODULE NAME" in capsys.readouterr().err
