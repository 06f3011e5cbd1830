"""Results analysis: success/precision curves, tables, plots (``evaluate(trackers, dataset)``)."""
from pytracking.analysis.evaluator import evaluate, tracker_curves
from pytracking.analysis.report import AnalysisResults
from pytracking.analysis.trackers import TrackerSpec, parse_runs, parse_tracker_spec, specs_from_trackers

__all__ = ["evaluate", "tracker_curves", "AnalysisResults", "TrackerSpec", "parse_runs", "parse_tracker_spec",
           "specs_from_trackers"]
