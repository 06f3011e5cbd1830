"""Errors raised by the dataset classes, with messages that say what to fix."""

from __future__ import annotations

import os


class DatasetLayoutError(FileNotFoundError):
    """A dataset root is missing or does not look like the dataset it should hold."""

    def __init__(self, dataset: str, root: str, settings_field: str, problem: str) -> None:
        message = (
            f"{dataset} dataset at '{root}': {problem}. Point the ltr setting "
            f"'{settings_field}' (ltr/admin/local.py or the LTR_{settings_field.upper()} "
            f"environment variable) to the {dataset} root."
        )
        super().__init__(message)
        self.dataset = dataset
        self.root = root
        self.settings_field = settings_field


class AnnotationError(ValueError):
    """An annotation file cannot be parsed; the message names the file (and line when known)."""


class SplitFileError(FileNotFoundError):
    """A split file is missing or malformed."""


def require_dir(dataset: str, root: str, settings_field: str) -> str:
    """Return ``root`` as a string if it is an existing directory, else raise DatasetLayoutError."""
    if root is None or os.fspath(root) == "":
        raise DatasetLayoutError(dataset, str(root), settings_field, "no root path given")
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise DatasetLayoutError(dataset, root, settings_field, "the folder does not exist")
    return root
