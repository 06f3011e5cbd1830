"""Benchmark sequences and datasets: :class:`Sequence`, :class:`SequenceList`, :class:`BaseDataset`."""
from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Iterable, Optional, Sequence as Seq

import numpy as np

from pytracking.evaluation.environment import env_settings

logger = logging.getLogger(__name__)


class DatasetLayoutError(FileNotFoundError):
    """A benchmark folder does not have the layout its reader expects; names the setting."""


class Sequence:
    """One benchmark sequence: frame paths, ground-truth boxes ``[x, y, w, h]`` and metadata.

    ``ground_truth_rect`` has one row per annotated frame (test splits of GOT-10k and TrackingNet
    provide only the first). ``target_visible`` (bool per frame) marks frames where the target is
    present; ``None`` means the benchmark gives no such flag. ``attributes`` are benchmark tags
    such as OTB's ``IV``/``OCC`` where the dataset folder provides them. ``init_polygon`` is the
    first frame's rotated-rectangle annotation (8 values) where the benchmark has one (VOT).
    ``cover`` is GOT-10k's per-frame visible-ratio class (``cover.label``, 0 = target not visible)
    and ``image_size`` the ``(width, height)`` of the frames, where the benchmark states them.
    """

    def __init__(self, name: str, frames: Seq[str], dataset: str, ground_truth_rect: np.ndarray,
                 object_class: Optional[str] = None, target_visible: Optional[np.ndarray] = None,
                 attributes: Iterable[str] = (), init_polygon: Optional[Seq[float]] = None,
                 cover: Optional[np.ndarray] = None, image_size: Optional[tuple[int, int]] = None) -> None:
        gt = np.asarray(ground_truth_rect, dtype=np.float64)
        if gt.ndim == 1 and gt.size == 4:
            gt = gt.reshape(1, 4)
        if gt.ndim != 2 or gt.shape[1] != 4 or gt.shape[0] == 0:
            raise ValueError(f"Sequence '{name}' ({dataset}): ground_truth_rect must be N x 4 with "
                             f"N >= 1, got shape {gt.shape}")
        frames = [os.fspath(f) for f in frames]
        if gt.shape[0] > len(frames):
            raise ValueError(f"Sequence '{name}' ({dataset}): {gt.shape[0]} ground-truth rows but only "
                             f"{len(frames)} frames")
        if target_visible is not None:
            target_visible = np.asarray(target_visible, dtype=bool).reshape(-1)
            if target_visible.shape[0] != gt.shape[0]:
                raise ValueError(f"Sequence '{name}' ({dataset}): target_visible has "
                                 f"{target_visible.shape[0]} entries for {gt.shape[0]} ground-truth rows")
        if cover is not None:
            cover = np.asarray(cover, dtype=np.float64).reshape(-1)
            if cover.shape[0] != gt.shape[0]:
                raise ValueError(f"Sequence '{name}' ({dataset}): cover has {cover.shape[0]} entries for "
                                 f"{gt.shape[0]} ground-truth rows")
        self.cover = cover
        self.image_size = None if image_size is None else (int(image_size[0]), int(image_size[1]))
        self.name = name
        self.frames = frames
        self.dataset = dataset
        self.ground_truth_rect = gt
        self.object_class = object_class
        self.target_visible = target_visible
        self.attributes = frozenset(attributes)
        if init_polygon is not None:
            init_polygon = [float(v) for v in np.asarray(init_polygon, dtype=np.float64).reshape(-1)]
            if len(init_polygon) != 8:
                raise ValueError(f"Sequence '{name}' ({dataset}): init_polygon must have 8 values "
                                 f"(4 corners x, y), got {len(init_polygon)}")
        self.init_polygon = init_polygon

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"Sequence(name={self.name!r}, dataset={self.dataset!r}, frames={len(self.frames)})"

    def init_bbox(self) -> list[float]:
        """The first frame's ground-truth box ``[x, y, w, h]``."""
        return [float(v) for v in self.ground_truth_rect[0]]

    def init_info(self) -> dict:
        """What a tracker's ``initialize`` receives: ``{'init_bbox': [x, y, w, h]}``, plus
        ``'init_polygon'`` (8 values) where the benchmark annotates rotated rectangles (VOT)."""
        info = {"init_bbox": self.init_bbox()}
        if self.init_polygon is not None:
            info["init_polygon"] = list(self.init_polygon)
        return info

    def valid_mask(self) -> np.ndarray:
        """Frames whose ground truth is usable for evaluation (finite, positive size, visible)."""
        return valid_rows(self.ground_truth_rect, self.target_visible)


def valid_rows(gt: np.ndarray, visible: Optional[np.ndarray] = None) -> np.ndarray:
    """Rows of ``gt`` that are finite with positive size and, where ``visible`` is given, visible."""
    gt = np.asarray(gt, dtype=np.float64)
    valid = np.isfinite(gt).all(axis=1) & (gt[:, 2] > 0) & (gt[:, 3] > 0)
    if visible is not None:
        valid &= np.asarray(visible, dtype=bool)
    return valid


class SequenceList(list):
    """A list of :class:`Sequence` that can be indexed by name and filtered."""

    def __getitem__(self, item):
        if isinstance(item, str):
            for seq in self:
                if seq.name == item:
                    return seq
            raise KeyError(f"No sequence named '{item}' (have {len(self)} sequences)")
        if isinstance(item, slice):
            return SequenceList(list.__getitem__(self, item))
        return list.__getitem__(self, item)

    def __add__(self, other) -> "SequenceList":
        return SequenceList(list(self) + list(other))

    def names(self) -> list[str]:
        return [s.name for s in self]

    def filter_names(self, names: Iterable[str]) -> "SequenceList":
        """The sequences with the given names, in the given order; unknown names are an error."""
        by_name = {s.name: s for s in self}
        wanted = list(names)
        missing = [n for n in wanted if n not in by_name]
        if missing:
            raise KeyError(f"Unknown sequence name(s): {', '.join(missing)}")
        return SequenceList(by_name[n] for n in wanted)

    def filter_attribute(self, attribute: str) -> "SequenceList":
        """The sequences tagged with ``attribute`` (e.g. OTB's 'OCC')."""
        if not any(s.attributes for s in self):
            raise ValueError(f"Cannot filter by attribute '{attribute}': none of these sequences "
                             f"carries attributes (the dataset folder provides none)")
        return SequenceList(s for s in self if attribute in s.attributes)

    def attributes(self) -> list[str]:
        """All attribute tags present, sorted."""
        return sorted(set().union(*(s.attributes for s in self))) if self else []


class BaseDataset(ABC):
    """A benchmark: knows its settings field and builds a :class:`SequenceList` from disk."""

    #: The ``pytracking`` environment field holding the dataset root.
    settings_field: str = ""
    #: Short dataset name written into each :class:`Sequence`.
    name: str = ""

    def __init__(self, root: Optional[os.PathLike] = None) -> None:
        self._root = Path(root) if root is not None else None

    @property
    def root(self) -> Path:
        """The dataset root: the constructor argument, else the settings field (checked)."""
        if self._root is None:
            # Attribute access raises SettingsPathError naming the field when unset or missing.
            self._root = Path(getattr(env_settings(), self.settings_field))
        if not self._root.is_dir():
            raise DatasetLayoutError(f"{self.name}: dataset root {self._root} (setting "
                                     f"'{self.settings_field}') is not a folder")
        return self._root

    def layout_error(self, message: str) -> DatasetLayoutError:
        """An error about the dataset layout that names the root and the settings field."""
        return DatasetLayoutError(f"{self.name} dataset at {self._root} (setting '{self.settings_field}'): "
                                  f"{message}")

    def require_file(self, path: Path, what: str) -> Path:
        if not path.is_file():
            raise self.layout_error(f"missing {what}: {path}")
        return path

    def require_dir(self, path: Path, what: str) -> Path:
        if not path.is_dir():
            raise self.layout_error(f"missing {what}: {path}")
        return path

    @abstractmethod
    def get_sequence_list(self) -> SequenceList:
        """All sequences of the benchmark (split)."""

    def __len__(self) -> int:
        return len(self.get_sequence_list())
