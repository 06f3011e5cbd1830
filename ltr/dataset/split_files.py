"""Split files: the lists under ``ltr/data_specs/`` that select the sequences of a dataset split.

Two formats exist (see ltr/data_specs/README.md):
- *name lists*: one sequence name per line (LaSOT),
- *index lists*: one 0-based integer index per line into the dataset's own sequence list
  (GOT-10k: the order of ``list.txt``).
Empty lines and lines starting with '#' are ignored.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from ltr.dataset.errors import SplitFileError

DATA_SPECS_DIR = Path(__file__).resolve().parents[1] / "data_specs"


def spec_path(file_name: str) -> Path:
    """Path of a shipped split file in ltr/data_specs/ (which may not exist)."""
    return DATA_SPECS_DIR / file_name


def _read_lines(path: Path) -> list[tuple[int, str]]:
    with open(path) as f:
        return [
            (n, line.strip())
            for n, line in enumerate(f, 1)
            if line.strip() and not line.strip().startswith("#")
        ]


def resolve_split_file(
    dataset: str, split: str, file_name: str, user_file: Optional[str], how_to_get: str
) -> Path:
    """The split file to use: ``user_file`` if given, else ``ltr/data_specs/<file_name>``.

    Raises SplitFileError naming the expected location when the file is missing.
    """
    if user_file is not None:
        path = Path(os.fspath(user_file)).expanduser()
        if not path.is_file():
            raise SplitFileError(f"{dataset}: the split file '{path}' does not exist")
        return path
    path = DATA_SPECS_DIR / file_name
    if not path.is_file():
        raise SplitFileError(
            f"{dataset} split '{split}' needs the split file '{path}', which is missing. "
            f"{how_to_get} Alternatively pass split_file=<path>. The file format is described in "
            f"{DATA_SPECS_DIR / 'README.md'}."
        )
    return path


def read_name_list(path: Path) -> list[str]:
    """Sequence names, one per line."""
    names = [text for _, text in _read_lines(path)]
    if not names:
        raise SplitFileError(f"Split file '{path}' lists no sequences")
    return names


def read_index_list(path: Path, num_sequences: int) -> list[int]:
    """0-based indices, one per line, each checked against ``num_sequences``."""
    indices = []
    for lineno, text in _read_lines(path):
        try:
            index = int(text)
        except ValueError:
            raise SplitFileError(
                f"Split file '{path}', line {lineno}: expected a 0-based sequence "
                f"index, got {text!r}"
            ) from None
        if not 0 <= index < num_sequences:
            raise SplitFileError(
                f"Split file '{path}', line {lineno}: index {index} is outside the "
                f"{num_sequences} sequences of the dataset"
            )
        indices.append(index)
    if not indices:
        raise SplitFileError(f"Split file '{path}' lists no sequences")
    return indices
