"""Pack a tracker's TrackingNet test results in the layout the TrackingNet server accepts: a zip
with one ``<name>.txt`` per sequence (comma-separated ``x,y,w,h`` rows) and no folder level.

    python pytracking/util_scripts/pack_trackingnet_results.py atom default

The command line packs the sequences of the configured ``trackingnet`` dataset (``--from-results``:
every result file found instead).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence, Union

from ltr.admin.cli import run_main
from pytracking.evaluation.results import format_boxes
from pytracking.util_scripts.packing import (PathLike, discover_sequences, load_run, run_dirs,
                                             run_packing_cli, write_packed)


def pack_trackingnet_results(tracker_name: str, parameter_name: str, run_id: Optional[int] = None,
                             output_name: Optional[str] = None, sequences: Optional[Sequence[str]] = None,
                             results_path: Optional[PathLike] = None,
                             packed_path: Optional[Union[str, Path]] = None) -> Path:
    """Write ``<tn_packed_results_path>/<output_name>.zip`` and return its path."""
    (d,) = run_dirs(tracker_name, parameter_name, [run_id], results_path)
    names = list(sequences) if sequences is not None else discover_sequences(d)
    entries = {f"{name}.txt": format_boxes(load_run(d, name, need_times=False)[0], delimiter=",")
               for name in names}
    output_name = output_name or f"{tracker_name}_{parameter_name}" + ("" if run_id is None else f"_{run_id:03d}")
    return write_packed(entries, output_name, len(names), packed_path, "tn_packed_results_path")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-id", type=int, default=None, help="run id to pack (default: the un-numbered run)")
    return run_packing_cli(parser, "trackingnet", lambda args, sequences: pack_trackingnet_results(
        args.tracker_name, args.parameter_name, args.run_id, args.output_name, sequences), argv)


if __name__ == "__main__":
    run_main(main)
