"""Export a tracker's results in the got10k toolkit's folder layouts, readable by its experiments as they are.

``otb`` layout (``ExperimentOTB`` and the toolkit's other OTB-like experiments: UAV123, NfS, ...)::

    <out>/<label>/<seq>.txt              comma-separated x,y,w,h rows
    <out>/<label>/times/<seq>_time.txt   one time (seconds) per frame, where the run has times

Point the experiment's ``result_dir`` at ``<out>`` (``ExperimentOTB`` looks in
``<result_dir>/OTB<version>/<label>/``, so use ``--out <results>/OTB2015``). OTB sequences with two
targets are named as the toolkit names them (``Jogging.1``, not ``Jogging-1``).

``got10k`` layout (``ExperimentGOT10k``; the same files as the server zip of
``pack_got10k_results.py``)::

    <out>/<label>/<seq>/<seq>_001.txt    one file per run (up to 3), comma-separated
    <out>/<label>/<seq>/<seq>_time.txt   per-frame times of the first run

Examples:
    python pytracking/util_scripts/export_results.py atom default --layout otb --out results/OTB2015
    python pytracking/util_scripts/export_results.py atom default --runs 0-2 --layout got10k --out results/GOT-10k
"""
from __future__ import annotations

import argparse
import logging
import re
from pathlib import Path
from typing import Optional, Sequence

from ltr.admin.cli import add_verbose_argument, report_user_error, run_main
from pytracking.analysis.trackers import parse_runs
from pytracking.evaluation.results import PathLike, format_boxes, format_times, write_text_atomic
from pytracking.util_scripts.pack_got10k_results import got10k_entries
from pytracking.util_scripts.packing import discover_sequences, load_run, run_dirs

logger = logging.getLogger(__name__)

LAYOUTS = ("otb", "got10k")
_TARGET_SUFFIX = re.compile(r"^(.*)-(\d+)$")


def toolkit_otb_name(name: str) -> str:
    """The got10k toolkit's name of an OTB sequence: ``Jogging-1`` -> ``Jogging.1``."""
    m = _TARGET_SUFFIX.match(name)
    return f"{m.group(1)}.{m.group(2)}" if m else name


def otb_entries(tracker_name: str, parameter_name: str, run_id: Optional[int] = None,
                sequences: Optional[Sequence[str]] = None, results_path: Optional[PathLike] = None,
                rename_targets: bool = True) -> dict[str, str]:
    """The OTB-like layout as ``relative path -> text`` (``<seq>.txt``, ``times/<seq>_time.txt``);
    ``rename_targets`` gives two-target OTB sequences the toolkit's names."""
    results_dir = run_dirs(tracker_name, parameter_name, [run_id], results_path)[0]
    names = list(sequences) if sequences is not None else discover_sequences(results_dir)
    entries = {}
    for name in names:
        boxes, times = load_run(results_dir, name, need_times=False)
        out_name = toolkit_otb_name(name) if rename_targets else name
        entries[f"{out_name}.txt"] = format_boxes(boxes, delimiter=",")
        if times is not None:
            entries[f"times/{out_name}_time.txt"] = format_times(times)
    return entries


def export_results(tracker_name: str, parameter_name: str, layout: str, out_dir: PathLike,
                   run_ids: Sequence[Optional[int]] = (None,), label: Optional[str] = None,
                   sequences: Optional[Sequence[str]] = None, results_path: Optional[PathLike] = None) -> Path:
    """Write the results in ``layout`` under ``<out_dir>/<label>`` (default label
    ``<tracker>_<param>``) and return that folder. The ``otb`` layout takes one run."""
    if layout == "otb":
        run_ids = list(run_ids)
        if len(run_ids) != 1:
            raise ValueError(f"The otb layout holds one run per tracker, got runs {run_ids}; export each run "
                             f"under its own label")
        entries = otb_entries(tracker_name, parameter_name, run_ids[0], sequences, results_path)
    elif layout == "got10k":
        entries = got10k_entries(tracker_name, parameter_name, run_ids, sequences, results_path)
    else:
        raise ValueError(f"Unknown layout '{layout}'; choose one of {', '.join(LAYOUTS)}")
    target = Path(out_dir) / (label or f"{tracker_name}_{parameter_name}")
    for rel, text in entries.items():
        write_text_atomic(target / rel, text)
    logger.info("Exported %d files to %s", len(entries), target)
    return target


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tracker_name", help="tracker whose results are exported, e.g. atom")
    parser.add_argument("parameter_name", help="its parameter setting, e.g. default")
    parser.add_argument("--layout", choices=LAYOUTS, required=True, help="the toolkit layout to write")
    parser.add_argument("--out", required=True, help="folder that receives <label>/")
    parser.add_argument("--runs", default="none", help="run id(s): one for otb, up to 3 for got10k (default: the "
                                                       "un-numbered run)")
    parser.add_argument("--label", default=None, help="tracker folder name (default: <tracker>_<param>)")
    parser.add_argument("--sequences", nargs="+", default=None, help="only these sequences (default: all results)")
    add_verbose_argument(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        target = export_results(args.tracker_name, args.parameter_name, args.layout, args.out,
                                parse_runs(args.runs), args.label, args.sequences)
    except (ValueError, FileNotFoundError) as exc:  # bad names or runs, missing results
        return report_user_error(exc, verbose=args.verbose)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    run_main(main)
