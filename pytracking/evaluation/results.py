"""Layout and atomic reading/writing of tracking results.

Layout (shared with the tracker runner)::

    <results_path>/<tracker_name>/<parameter_name>            run_id None
    <results_path>/<tracker_name>/<parameter_name>_<run:03d>  run_id given
        <seq_name>.txt        one tab-delimited "x y w h" row per frame
        <seq_name>_time.txt   one time (seconds) per frame

Files are written to a temporary file in the same folder and moved into place with
``os.replace``, so a reader never sees a half-written result. Reading accepts tab, comma or
whitespace delimiters.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from ltr.admin.atomic_file import write_atomic

from pytracking.evaluation.environment import env_settings
from pytracking.utils.load_text import PathLike, load_text


class ResultFileError(ValueError):
    """A result file is missing or malformed; the message names the file."""


def results_root(results_path: Optional[PathLike] = None) -> Path:
    """``results_path`` if given, else the ``results_path`` setting."""
    return Path(results_path) if results_path is not None else Path(env_settings().results_path)


def tracker_results_dir(tracker_name: str, parameter_name: str, run_id: Optional[int] = None,
                        results_path: Optional[PathLike] = None) -> Path:
    """``<results_path>/<tracker_name>/<parameter_name>[_<run_id:03d>]``."""
    folder = parameter_name if run_id is None else f"{parameter_name}_{int(run_id):03d}"
    return results_root(results_path) / tracker_name / folder


def result_file(results_dir: PathLike, seq_name: str) -> Path:
    return Path(results_dir) / f"{seq_name}.txt"


def time_file(results_dir: PathLike, seq_name: str) -> Path:
    return Path(results_dir) / f"{seq_name}_time.txt"


def write_text_atomic(path: PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically (:func:`ltr.admin.atomic_file.write_atomic`)."""
    write_atomic(path, text)


def format_boxes(boxes: np.ndarray, delimiter: str = "\t", fmt: str = "%.4f") -> str:
    """Rows ``x<d>y<d>w<d>h``, one per frame, with a trailing newline."""
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes must be N x 4, got shape {boxes.shape}")
    return "".join(delimiter.join(fmt % v for v in row) + "\n" for row in boxes)


def format_times(times: np.ndarray, fmt: str = "%.6f") -> str:
    return "".join(fmt % t + "\n" for t in np.asarray(times, dtype=np.float64).reshape(-1))


def write_sequence_result(results_dir: PathLike, seq_name: str, boxes: np.ndarray,
                          times: Optional[np.ndarray] = None) -> Path:
    """Write ``<seq_name>.txt`` (tab-delimited boxes) and, if given, ``<seq_name>_time.txt``."""
    path = result_file(results_dir, seq_name)
    write_text_atomic(path, format_boxes(boxes))
    if times is not None:
        write_text_atomic(time_file(results_dir, seq_name), format_times(times))
    return path


def read_boxes(path: PathLike) -> np.ndarray:
    """An N x 4 array from a result file (tab, comma or whitespace delimited)."""
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"Result file not found: {path}")
    boxes = load_text(path, ncols=4)
    return boxes


def read_times(path: PathLike) -> np.ndarray:
    """Per-frame times (seconds) from a ``_time.txt`` file."""
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"Time file not found: {path}")
    return load_text(path).reshape(-1)


def read_sequence_result(results_dir: PathLike, seq_name: str) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Boxes and times (None when the time file is absent) of one sequence."""
    boxes = read_boxes(result_file(results_dir, seq_name))
    tpath = time_file(results_dir, seq_name)
    return boxes, (read_times(tpath) if tpath.is_file() else None)
