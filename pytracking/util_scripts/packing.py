"""Shared pieces of the benchmark-server packers: collecting a tracker's results and writing a zip
atomically (:mod:`ltr.admin.atomic_file`)."""
from __future__ import annotations

import argparse
import logging
import zipfile
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

import numpy as np

from ltr.admin.atomic_file import atomic_open
from ltr.admin.cli import add_verbose_argument, report_user_error
from pytracking.evaluation.environment import env_settings
from pytracking.evaluation.results import (PathLike, ResultFileError, read_boxes, read_times, result_file, time_file,
                                           tracker_results_dir)

logger = logging.getLogger(__name__)


def discover_sequences(results_dir: Path) -> list[str]:
    """Sequence names with a ``<name>.txt`` result in ``results_dir`` (time files excluded)."""
    if not results_dir.is_dir():
        raise ResultFileError(f"Results folder not found: {results_dir}")
    names = sorted(p.stem for p in results_dir.glob("*.txt") if not p.stem.endswith("_time"))
    if not names:
        raise ResultFileError(f"No result files in {results_dir}")
    return names


def run_dirs(tracker_name: str, parameter_name: str, run_ids: Sequence[Optional[int]],
             results_path: Optional[PathLike]) -> list[Path]:
    return [tracker_results_dir(tracker_name, parameter_name, r, results_path) for r in run_ids]


def load_run(results_dir: Path, name: str, need_times: bool) -> tuple[np.ndarray, Optional[np.ndarray]]:
    boxes = read_boxes(result_file(results_dir, name))
    tpath = time_file(results_dir, name)
    if tpath.is_file():
        times = read_times(tpath)
    elif need_times:
        raise ResultFileError(f"Time file not found: {tpath}")
    else:
        times = None
    return boxes, times


def write_zip_atomic(zip_path: Path, entries: dict[str, str]) -> Path:
    """Write ``entries`` (archive name -> text) to ``zip_path`` atomically."""
    with atomic_open(zip_path, "wb") as f, \
            zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname, text in entries.items():
            zf.writestr(arcname, text)
    return zip_path


def write_packed(entries: dict[str, str], output_name: str, num_sequences: int,
                 packed_path: Optional[Union[str, Path]], setting: str) -> Path:
    """Write ``entries`` to ``<folder>/<output_name>.zip`` atomically and return its path; the
    folder is ``packed_path``, by default the environment setting ``setting``."""
    out_dir = Path(packed_path) if packed_path is not None else Path(getattr(env_settings(), setting))
    zip_path = write_zip_atomic(out_dir / f"{output_name}.zip", entries)
    logger.info("Packed %d sequences into %s", num_sequences, zip_path)
    return zip_path


def run_packing_cli(parser: argparse.ArgumentParser, dataset: str,
                    pack: Callable[[argparse.Namespace, Optional[list[str]]], Path],
                    argv: Optional[list[str]] = None) -> int:
    """Common command line of the packers: tracker and parameter names, ``--output-name`` and
    ``--from-results`` (otherwise the sequences of ``dataset``); ``pack(args, sequences)`` writes
    the zip. Errors are printed and give exit code 2."""
    parser.add_argument("tracker_name", help="tracker whose results are packed, e.g. atom")
    parser.add_argument("parameter_name", help="its parameter setting, e.g. default")
    parser.add_argument("--output-name", default=None, help="zip name (default: <tracker>_<param>)")
    parser.add_argument("--from-results", action="store_true",
                        help=f"pack every <name>.txt in the results folder (default: the sequences of "
                             f"the {dataset} dataset, which must be configured)")
    add_verbose_argument(parser)
    args = parser.parse_args(argv)
    try:
        sequences = None
        if not args.from_results:
            from pytracking.evaluation.datasets import get_dataset
            sequences = get_dataset(dataset).names()
        path = pack(args, sequences)
    except (ValueError, FileNotFoundError) as exc:  # bad names or runs, missing results
        return report_user_error(exc, verbose=args.verbose)
    print(f"wrote {path}")
    return 0
