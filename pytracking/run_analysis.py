"""Analyse tracking results on a benchmark: table, per-sequence CSV and (optionally) plots.

Examples:
    python pytracking/run_analysis.py --trackers atom:default --dataset otb
    python pytracking/run_analysis.py --trackers atom:default siamfc:default:0-4 --dataset lasot --plot
    python pytracking/run_analysis.py --trackers atom:default --runs 0-4 --dataset otb --convention got10k-otb
    python pytracking/run_analysis.py --trackers siamfc:default:1=before siamfc:default:2=after --dataset otb
    python pytracking/run_analysis.py --trackers atom:default:0-2 --dataset got10k_val --convention got10k-val
    python pytracking/run_analysis.py --experiment myexperiments eco_synthetic --plot

Conventions (each reproduces its reference exactly on the same result files):
"""
from __future__ import annotations

import argparse
import logging

from ltr.admin.cli import report_user_error, run_main
from pytracking.analysis import evaluate, parse_runs, parse_tracker_spec, specs_from_trackers
from pytracking.analysis.conventions import ALIASES, CONVENTIONS
from pytracking.evaluation.datasets import DATASETS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Compute success (AUC), precision (@20 px), normalized precision (@0.2) and average overlap "
                    "of trackers on a benchmark dataset, from the results under the results_path setting.",
        epilog=__doc__.split("\n", 2)[2] + "".join(f"  {c.name}: {c.rule}\n" for c in CONVENTIONS.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experiment", nargs=2, default=None, metavar=("MODULE", "NAME"),
                        help="the trackers and sequences of an experiment of run_experiment.py "
                             "(pytracking/experiments/MODULE.py: NAME()), in place of --trackers and --dataset")
    parser.add_argument("--trackers", nargs="+", default=None, metavar="NAME:PARAM[:RUNS][=LABEL]",
                        help="trackers to compare, e.g. atom:default or atom:default:0-4 (RUNS: 3, 0-4, 0,2,5 "
                             "or none; results of several runs are averaged); =LABEL sets the name shown in "
                             "tables and plots (default: name_param with the run ids)")
    parser.add_argument("--dataset", nargs="+", default=None, metavar="NAME",
                        help=f"dataset name(s): {', '.join(DATASETS)}")
    parser.add_argument("--runs", default=None,
                        help="run ids for trackers given without their own, e.g. 0-4 (default: the single "
                             "un-numbered run)")
    parser.add_argument("--sequences", nargs="+", default=None, metavar="SEQ",
                        help="evaluate only these sequences")
    parser.add_argument("--attribute", default=None,
                        help="evaluate only sequences with this attribute (where the dataset provides attributes)")
    parser.add_argument("--convention", choices=list(CONVENTIONS) + list(ALIASES), default="pytracking",
                        help="evaluation rules (default: pytracking); each is stated below; 'got10k' is an "
                             "alias of got10k-otb")
    parser.add_argument("--include-invalid-frames", action="store_true",
                        help="pytracking convention only: count frames without valid ground truth (absent "
                             "target, NaN rows) as failures instead of excluding them")
    parser.add_argument("--skip-missing", action="store_true",
                        help="evaluate only the sequences every tracker has results for")
    parser.add_argument("--plot", action="store_true", help="write success/precision plots (PNG and PDF)")
    parser.add_argument("--per-sequence", action="store_true", help="also print the per-sequence table")
    parser.add_argument("--report-name", default=None,
                        help="sub-folder of result_plot_path for outputs (default: the dataset name, or "
                             "MODULE.NAME of an experiment)")
    parser.add_argument("--no-cache", action="store_true", help="recompute the curves even if cached")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log progress; on an error, show the traceback as well")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    by_experiment = args.experiment is not None and all(v is None for v in (args.trackers, args.dataset, args.runs))
    by_lists = args.experiment is None and args.trackers is not None and args.dataset is not None
    if not (by_experiment or by_lists):
        parser.error("give --trackers and --dataset, or --experiment MODULE NAME (without --trackers, "
                     "--dataset or --runs)")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from pytracking.evaluation.datasets import get_dataset
    from pytracking.evaluation.experiments import load_experiment

    try:
        if args.experiment is not None:
            trackers, sequences = load_experiment(*args.experiment)
            specs = specs_from_trackers(trackers)
            report_name = args.report_name or ".".join(args.experiment)
        else:
            default_runs = parse_runs(args.runs) if args.runs is not None else None
            specs = [parse_tracker_spec(t, default_runs) for t in args.trackers]
            sequences = get_dataset(*args.dataset)
            report_name = args.report_name or "+".join(args.dataset)
        if args.sequences:
            sequences = sequences.filter_names(args.sequences)
        if args.attribute:
            sequences = sequences.filter_attribute(args.attribute)
        results = evaluate(specs, sequences, convention=args.convention,
                           exclude_invalid_frames=False if args.include_invalid_frames else None,
                           skip_missing=args.skip_missing,
                           report_name=report_name, use_cache=not args.no_cache)
    except (ValueError, KeyError, FileNotFoundError) as exc:  # bad specs, names, missing files
        return report_user_error(exc, verbose=args.verbose)
    print(results.format_table())
    if args.per_sequence:
        print(results.sequence_table().to_string(index=False, float_format="{:.2f}".format))
    for path in results.save_csv():
        print(f"wrote {path}")
    if args.plot:
        for path in results.plot():
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    run_main(main)
