"""Readers for the plain-text annotation files of the tracking datasets."""

from __future__ import annotations

import os
import re
from typing import Optional

import numpy as np
import pandas
import torch

from ltr.dataset.errors import AnnotationError

_SPLIT = re.compile(r"[,\s]+")


def _locate_bad_line(path: str, num_cols: int) -> Optional[str]:
    """Describe the first line that does not hold ``num_cols`` numbers; None if all lines do."""
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            fields = [v for v in _SPLIT.split(line.strip()) if v]
            if not fields:
                continue
            if len(fields) != num_cols:
                return (
                    f"line {lineno} has {len(fields)} values, expected {num_cols}: "
                    f"{line.strip()!r}"
                )
            if not all(_is_number(v) for v in fields):
                return f"line {lineno} is not numeric: {line.strip()!r}"
    return None


def read_number_table(path: str, num_cols: int) -> np.ndarray:
    """Read a text file of ``num_cols`` comma-separated numbers per line as float32 (N, num_cols).

    'nan' entries become NaN (such frames are invalid, not an error). A line with a missing,
    extra or non-numeric value is an error naming the file and the line.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise AnnotationError(f"Annotation file '{path}' does not exist")
    try:
        table = pandas.read_csv(
            path, header=None, sep=",", dtype=np.float32, na_filter=True, low_memory=False
        )
    except pandas.errors.EmptyDataError:
        raise AnnotationError(f"Annotation file '{path}' is empty") from None
    except (ValueError, pandas.errors.ParserError):
        raise AnnotationError(
            f"Annotation file '{path}': {_locate_bad_line(path, num_cols) or 'unparseable'}"
        ) from None
    values = table.values
    if values.ndim != 2 or values.shape[1] != num_cols:
        raise AnnotationError(
            f"Annotation file '{path}': {_locate_bad_line(path, num_cols) or 'unparseable'}"
        )
    if np.isnan(values).any():
        # pandas also reads a short line as NaN-padded: tell such lines from written 'nan's
        problem = _locate_bad_line(path, num_cols)
        if problem is not None:
            raise AnnotationError(f"Annotation file '{path}': {problem}")
    return values


def read_boxes(path: str) -> torch.Tensor:
    """Boxes [x, y, w, h] per line, as a float32 tensor (N, 4)."""
    return torch.from_numpy(np.ascontiguousarray(read_number_table(path, 4)))


def read_flags(path: str, num_frames: int | None = None) -> torch.Tensor:
    """0/1 (or small integer) flags, one per line or comma-separated on one line, as int64 tensor."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise AnnotationError(f"Annotation file '{path}' does not exist")
    with open(path) as f:
        text = f.read()
    fields = [v for v in _SPLIT.split(text.strip()) if v]
    try:
        values = torch.tensor([int(float(v)) for v in fields], dtype=torch.int64)
    except ValueError:
        bad = next(v for v in fields if not _is_number(v))
        raise AnnotationError(f"Annotation file '{path}': non-numeric entry {bad!r}") from None
    if num_frames is not None and len(values) != num_frames:
        raise AnnotationError(
            f"Annotation file '{path}' has {len(values)} entries but the sequence "
            f"has {num_frames} annotated frames"
        )
    return values


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
