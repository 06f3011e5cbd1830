"""Pack a tracker's GOT-10k test results in the layout the GOT-10k server accepts.

The zip holds, per sequence, ``<name>/<name>_001.txt`` (``_002``, ``_003`` for further runs) with
comma-separated ``x,y,w,h`` rows and ``<name>/<name>_time.txt`` (per-frame seconds of the first run).

    python pytracking/util_scripts/pack_got10k_results.py atom default --runs 0-2

The command line packs the sequences of the configured ``got10k_test`` dataset (``--from-results``:
every result file found instead).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence, Union

from pytracking.analysis.trackers import parse_runs
from ltr.admin.cli import run_main
from pytracking.evaluation.results import ResultFileError, format_boxes, format_times
from pytracking.util_scripts.packing import (PathLike, discover_sequences, load_run, run_dirs,
                                             run_packing_cli, write_packed)

MAX_RUNS = 3


def got10k_entries(tracker_name: str, parameter_name: str, run_ids: Sequence[Optional[int]] = (None,),
                   sequences: Optional[Sequence[str]] = None,
                   results_path: Optional[PathLike] = None) -> dict[str, str]:
    """The GOT-10k layout as ``relative path -> text``: ``<name>/<name>_001.txt`` per run and
    ``<name>/<name>_time.txt`` (first run). ``sequences`` defaults to every result of the first run."""
    run_ids = list(run_ids)
    if not 1 <= len(run_ids) <= MAX_RUNS:
        raise ValueError(f"GOT-10k accepts 1 to {MAX_RUNS} runs per sequence, got {len(run_ids)}")
    dirs = run_dirs(tracker_name, parameter_name, run_ids, results_path)
    names = list(sequences) if sequences is not None else discover_sequences(dirs[0])
    entries = {}
    for name in names:
        for k, d in enumerate(dirs, start=1):
            boxes, times = load_run(d, name, need_times=(k == 1))
            entries[f"{name}/{name}_{k:03d}.txt"] = format_boxes(boxes, delimiter=",")
            if k == 1:
                if len(times) != len(boxes):
                    raise ResultFileError(f"{d}: {name} has {len(boxes)} boxes but {len(times)} times")
                entries[f"{name}/{name}_time.txt"] = format_times(times)
    return entries


def pack_got10k_results(tracker_name: str, parameter_name: str, run_ids: Sequence[Optional[int]] = (None,),
                        output_name: Optional[str] = None, sequences: Optional[Sequence[str]] = None,
                        results_path: Optional[PathLike] = None,
                        packed_path: Optional[Union[str, Path]] = None) -> Path:
    """Write ``<got_packed_results_path>/<output_name>.zip`` and return its path.

    ``sequences`` defaults to every result found for the first run; every run must have them all.
    """
    entries = got10k_entries(tracker_name, parameter_name, run_ids, sequences, results_path)
    names = {arcname.split("/", 1)[0] for arcname in entries}
    return write_packed(entries, output_name or f"{tracker_name}_{parameter_name}", len(names),
                        packed_path, "got_packed_results_path")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="none", help="run ids to pack as _001.._003, e.g. 0-2 (default: the "
                                                       "un-numbered run)")
    return run_packing_cli(parser, "got10k_test", lambda args, sequences: pack_got10k_results(
        args.tracker_name, args.parameter_name, parse_runs(args.runs), args.output_name, sequences), argv)


if __name__ == "__main__":
    run_main(main)
