"""Run a tracker on a benchmark dataset (or some of its sequences) and write the result files.

Trackers: eco (ECO-HC, hand-crafted features: needs NO weight file; the built-in default),
atom, siamfc, siamrpn (network trackers: they load their weights from the network_path setting,
e.g. atom_default.pth, or network=/abs/path.pth; without the file they run on a seeded RANDOM
network, which does not track). To switch from eco to ATOM with published weights, put
atom_default.pth in the network_path folder and run 'atom default'.

Examples (from the repository root):
  python pytracking/run_tracker.py eco default --dataset otb
  python pytracking/run_tracker.py atom default --dataset otb
  python pytracking/run_tracker.py atom default --dataset otb --sequence Crossing --debug 1
  python pytracking/run_tracker.py atom default --dataset lasot --threads 4 --runid 0
  python pytracking/run_tracker.py atom default --dataset synthetic sample_memory_size=100
  python pytracking/run_tracker.py eco default --sequence Crossing --debug 1 --use_visdom
  python pytracking/run_tracker.py atom default --sequence Crossing --debug 2 --use_visdom
  python pytracking/run_tracker.py siamfc default --sequence Crossing --debug 1 --save_video --rerun
Results go to <results_path>/<tracker>/<param>[_<runid>]/<sequence>.txt; sequences whose results
exist already are skipped, so an interrupted run continues where it stopped.
--use_visdom needs a server: python -m pytracking.utils.visdom_server (space pauses, right arrow
steps). --save_video / --save_frames write <results dir>/<sequence>_vis.mp4 / <sequence>_frames/.
"""
from __future__ import annotations

import argparse
import difflib
import logging

from pytracking.evaluation.datasets import DATASETS, load_dataset
from ltr.admin.cli import UnknownNameError, run_main
from pytracking.evaluation.running import add_run_arguments, run_dataset, summary_line
from pytracking.evaluation.tracker import Tracker, overrides_results_name
from pytracking.utils.visualization.cli import visualization_options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_tracker.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tracker_name", help="tracker package in pytracking/tracker/, e.g. eco (needs no "
                        "weights) or atom")
    parser.add_argument("tracker_param", help="parameter module in pytracking/parameter/<tracker>/")
    parser.add_argument("overrides", nargs="*", metavar="key=value",
                        help="override parameters of the parameter module (results then go to "
                        "<param>+key=value[+...] instead of <param>)")
    parser.add_argument("--runid", type=int, default=None, help="run id (results in <param>_<id>)")
    parser.add_argument("--dataset", default="otb", choices=sorted(DATASETS),
                        help="benchmark dataset (default: otb)")
    parser.add_argument("--sequence", action="append", default=None,
                        help="run only this sequence (name or index); may be repeated")
    add_run_arguments(parser)
    return parser


def select_sequences(sequences, wanted):
    if not wanted:
        return sequences
    chosen = []
    names = [seq.name for seq in sequences]
    for item in wanted:
        if item.isdigit() and int(item) < len(names):
            chosen.append(sequences[int(item)])
        elif item in names:
            chosen.append(sequences[names.index(item)])
        else:
            close = difflib.get_close_matches(item, names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            raise UnknownNameError(f"--sequence {item}: no such sequence (name, or index below "
                                   f"{len(names)}) in this dataset.{hint} Sequences: {shown}")
    return type(sequences)(chosen)


def main(argv=None) -> int:
    args = build_parser().parse_intermixed_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    visualization = visualization_options(args)
    tracker = Tracker(args.tracker_name, args.tracker_param, args.runid,
                      results_name=overrides_results_name(args.tracker_param, args.overrides))
    tracker.check_overrides(args.overrides)  # fail early on a misspelled or unusable override
    sequences = select_sequences(load_dataset(args.dataset).get_sequence_list(), args.sequence)
    records = run_dataset(sequences, [tracker], overrides=args.overrides, debug=args.debug,
                          threads=args.threads, skip_existing=not args.rerun,
                          visualization=visualization)
    print(summary_line(f"{tracker.display_name} on {args.dataset}", records, tracker))
    return 1 if any(r.status == "failed" for r in records) else 0


if __name__ == "__main__":
    run_main(main)
