"""Reading numeric text tables (ground truth, results) whose delimiter varies between files.

OTB mixes commas, tabs and spaces between (and sometimes within) files; UAV123 writes ``NaN``
rows. :func:`load_text` tries numpy's fast parser with each candidate delimiter and falls back to a
line-by-line parser that accepts any mix of commas and whitespace and reports the offending line.
"""
from __future__ import annotations

import logging
import os
import re
import warnings
from typing import Optional, Sequence, Union

import numpy as np

logger = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]

_SPLIT = re.compile(r"[,\s;]+")


class TextTableError(ValueError):
    """A text table cannot be parsed; the message names the file and line."""


def _fast_path(path: PathLike, delimiters: Sequence[Optional[str]], dtype) -> Optional[np.ndarray]:
    for delim in delimiters:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
                # ndmin=2 keeps single-row files (GOT-10k/TrackingNet test ground truth) two-dimensional.
                return np.loadtxt(path, delimiter=delim, dtype=dtype, ndmin=2)
        except ValueError:
            continue
    return None


def _slow_path(path: PathLike, dtype, ncols: Optional[int]) -> np.ndarray:
    rows = []
    width = ncols
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TextTableError(f"{path}, line {lineno}: not text (undecodable byte "
                                     f"0x{raw[exc.start]:02x} at column {exc.start + 1})") from None
            text = line.strip().strip(",;")
            if not text:
                continue
            parts = _SPLIT.split(text)
            try:
                values = [float(p) for p in parts]
            except ValueError as exc:
                raise TextTableError(f"{path}, line {lineno}: cannot parse numbers from {line.rstrip()!r} "
                                     f"({exc})") from exc
            if width is None:
                width = len(values)
            if len(values) != width:
                raise TextTableError(f"{path}, line {lineno}: expected {width} values, found "
                                     f"{len(values)} in {line.rstrip()!r}")
            rows.append(values)
    if not rows:
        return np.zeros((0, width or 0), dtype=dtype)
    return np.asarray(rows, dtype=dtype)


def load_text(path: PathLike, delimiters: Sequence[Optional[str]] = (",", "\t", None),
              dtype=np.float64, ncols: Optional[int] = None) -> np.ndarray:
    """Load a numeric table as a 2-D array, accepting comma, tab or whitespace delimiters.

    ``None`` in ``delimiters`` means any whitespace. When no single delimiter parses the whole
    file, lines are split on any mix of commas, semicolons and whitespace. ``ncols`` (if given)
    is checked. Raises FileNotFoundError for a missing file and :class:`TextTableError` naming
    the file and line for malformed content.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Text table not found: {path}")
    data = _fast_path(path, delimiters, dtype)
    if data is None:
        logger.debug("Mixed delimiters in %s, parsing line by line", path)
        data = _slow_path(path, dtype, ncols)
    if data.size == 0:
        data = data.reshape(0, ncols or 0)
    if ncols is not None and data.shape[1] != ncols:
        raise TextTableError(f"{path}: expected {ncols} values per line, found {data.shape[1]}")
    return data
