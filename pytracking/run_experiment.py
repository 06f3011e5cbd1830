"""Run an experiment: the trackers and sequences that a function of an experiment module names.

An experiment module is pytracking/experiments/<module>.py; each of its functions returns
(trackers, dataset), e.g. trackerlist('atom', 'default', range(5)) and get_dataset('nfs', 'uav').
Add your own module or function there.

Examples (from the repository root):
  python pytracking/run_experiment.py myexperiments eco_synthetic        # needs no weights or data
  python pytracking/run_experiment.py myexperiments atom_nfs_uav --threads 4
  python pytracking/run_experiment.py myexperiments                      # lists its experiments
Results go where run_tracker.py writes them (<results_path>/<tracker>/<param>[_<runid>]/); sequences
whose results exist are skipped, so an interrupted experiment continues where it stopped. Compare
them with run_analysis.py.
"""
from __future__ import annotations

import argparse
import difflib
import inspect
import logging
from types import ModuleType
from typing import Optional

from ltr.admin.cli import UnknownNameError, UserError, run_main
from pytracking.evaluation.running import add_run_arguments, run_dataset, summary_line
from pytracking.evaluation.tracker import Tracker, import_named
from pytracking.utils.visualization.cli import visualization_options

EXPERIMENTS_PACKAGE = "pytracking.experiments"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_experiment.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment_module", help="module in pytracking/experiments/, e.g. myexperiments")
    parser.add_argument("experiment_name", nargs="?", default=None,
                        help="function of that module, e.g. eco_synthetic (left out: list them)")
    add_run_arguments(parser)
    return parser


def experiments(module: ModuleType) -> dict[str, str]:
    """The experiments of ``module`` (its public functions defined there) and their first doc lines."""
    return {name: (inspect.getdoc(fn) or "").split("\n")[0]
            for name, fn in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and fn.__module__ == module.__name__}


def load_experiment(module_name: str, name: str) -> tuple[list[Tracker], list]:
    """``(trackers, sequences)`` of experiment ``module_name.name``."""
    module = import_named(EXPERIMENTS_PACKAGE, module_name, "experiment module")
    available = experiments(module)
    if name not in available:
        close = difflib.get_close_matches(name, available, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownNameError(f"Unknown experiment '{name}' in pytracking/experiments/{module_name}.py.{hint} "
                               f"Available: {', '.join(available) or '(none)'}")
    result = getattr(module, name)()
    where = f"pytracking/experiments/{module_name}.py: {name}()"
    if not (isinstance(result, tuple) and len(result) == 2):
        raise UserError(f"{where} must return (trackers, dataset), got {type(result).__name__}")
    trackers, sequences = list(result[0]), list(result[1])
    if not trackers or not all(isinstance(t, Tracker) for t in trackers):
        raise UserError(f"{where} must return a non-empty list of Tracker as its trackers")
    folders, names = [t.results_dir for t in trackers], [t.display_name for t in trackers]
    twice = sorted({n for n, d in zip(names, folders) if folders.count(d) > 1 or names.count(n) > 1})
    if twice:
        raise UserError(f"{where} lists {', '.join(twice)} more than once (each tracker needs a results "
                        f"folder and a display name of its own)")
    return trackers, sequences


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.experiment_name is None:
        module = import_named(EXPERIMENTS_PACKAGE, args.experiment_module, "experiment module")
        print(f"Experiments in pytracking/experiments/{args.experiment_module}.py:")
        for name, doc in experiments(module).items():
            print(f"  {name:28s} {doc}")
        return 0
    visualization = visualization_options(args)
    trackers, sequences = load_experiment(args.experiment_module, args.experiment_name)
    records = run_dataset(sequences, trackers, debug=args.debug, threads=args.threads,
                          skip_existing=not args.rerun, visualization=visualization)
    for tracker in trackers:
        print(summary_line(tracker.display_name, records, tracker))
    return 1 if any(r.status == "failed" for r in records) else 0


if __name__ == "__main__":
    run_main(main)
