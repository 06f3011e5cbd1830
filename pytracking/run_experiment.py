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
import logging
from typing import Optional

from ltr.admin.cli import run_main
from pytracking.evaluation.experiments import list_experiments, load_experiment
from pytracking.evaluation.running import add_run_arguments, run_dataset, summary_line
from pytracking.utils.visualization.cli import visualization_options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_experiment.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experiment_module", help="module in pytracking/experiments/, e.g. myexperiments")
    parser.add_argument("experiment_name", nargs="?", default=None,
                        help="function of that module, e.g. eco_synthetic (left out: list them)")
    add_run_arguments(parser)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.experiment_name is None:
        print(f"Experiments in pytracking/experiments/{args.experiment_module}.py:")
        for name, doc in list_experiments(args.experiment_module).items():
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
