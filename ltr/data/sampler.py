"""Samplers: draw train/test frame sets from a mix of datasets and pass them to a processing.

A sampler is a ``torch.utils.data.Dataset`` of ``samples_per_epoch`` items; the index is ignored and
every item is a fresh random draw from a per-worker generator (see :mod:`ltr.data.rng`).
"""

from __future__ import annotations

import logging
from typing import Callable, Optional, Sequence

import numpy as np
import torch
import torch.utils.data

from ltr.data.image_loader import ImageLoadError
from ltr.data.processing import BaseProcessing, no_processing
from ltr.data.rng import WorkerRNG
from ltr.dataset.errors import AnnotationError
from pytracking.libs import TensorDict

logger = logging.getLogger(__name__)

FRAME_SAMPLE_MODES = ("causal", "interval")


class FrameSamplingError(RuntimeError):
    """No usable sequence or frame set could be drawn."""


class TrackingSampler(torch.utils.data.Dataset):
    """Draws ``num_train_frames`` train and ``num_test_frames`` test frames from one sequence.

    1. A dataset is chosen with probabilities ``p_datasets`` (default: proportional to size).
    2. A sequence with enough visible frames (more than 2 * (num_train + num_test) and at least
       ``min_sequence_length`` frames) is chosen; sequences without enough are skipped.
    3. Frames are chosen among the visible frames. 'causal': a base train frame, the other train
       frames within ``max_gap`` before it, test frames within ``max_gap`` after it. 'interval': a
       base frame, the other train frames and the test frames within +-``max_gap`` of it. When no
       visible frame qualifies, the gap widens by 5 and a new base frame is drawn.
    Still-image datasets give the one image repeated for every frame.

    A frame that cannot be read is logged (dataset, sequence, frames) and a new sample is drawn; after
    ``max_load_failures`` consecutive failures the sampler raises.
    """

    def __init__(
        self,
        datasets: Sequence,
        p_datasets: Optional[Sequence[float]],
        samples_per_epoch: int,
        max_gap: int,
        num_test_frames: int,
        num_train_frames: int = 1,
        processing: Callable = no_processing,
        frame_sample_mode: str = "causal",
        seed: Optional[int] = None,
        min_sequence_length: int = 20,
        max_load_failures: int = 10,
    ) -> None:
        if not datasets:
            raise ValueError("TrackingSampler needs at least one dataset")
        if p_datasets is None:
            p_datasets = [len(d) for d in datasets]
        if len(p_datasets) != len(datasets):
            raise ValueError(
                f"p_datasets has {len(p_datasets)} entries for {len(datasets)} datasets"
            )
        p = np.asarray(p_datasets, dtype=np.float64)
        if (p < 0).any() or p.sum() <= 0 or not np.isfinite(p).all():
            raise ValueError(
                f"p_datasets must be non-negative with a positive sum, got {list(p_datasets)}"
            )
        if frame_sample_mode not in FRAME_SAMPLE_MODES:
            raise ValueError(
                f"frame_sample_mode must be one of {FRAME_SAMPLE_MODES}, got '{frame_sample_mode}'"
            )
        if num_test_frames < 1 or num_train_frames < 1:
            raise ValueError("num_test_frames and num_train_frames must be at least 1")
        for d in datasets:
            if d.get_num_sequences() == 0:
                raise ValueError(f"Dataset '{d.get_name()}' has no sequences")
        self.datasets = list(datasets)
        self.p_datasets = (p / p.sum()).tolist()
        self.samples_per_epoch = int(samples_per_epoch)
        self.max_gap = int(max_gap)
        self.num_test_frames = int(num_test_frames)
        self.num_train_frames = int(num_train_frames)
        self.processing = processing
        self.frame_sample_mode = frame_sample_mode
        self.min_sequence_length = int(min_sequence_length)
        self.max_load_failures = int(max_load_failures)
        self.rng = WorkerRNG(seed)
        self._unusable: dict[int, set] = {}

    def __len__(self) -> int:
        return self.samples_per_epoch

    # ------------------------------------------------------------------ frame selection
    @staticmethod
    def _sample_visible_ids(
        rng: np.random.Generator,
        visible: torch.Tensor,
        num_ids: int = 1,
        min_id: Optional[int] = None,
        max_id: Optional[int] = None,
    ):
        """``num_ids`` draws (with replacement) among visible ids in [min_id, max_id); None if none."""
        if num_ids == 0:
            return []
        min_id = 0 if min_id is None else max(0, int(min_id))
        max_id = len(visible) if max_id is None else min(len(visible), int(max_id))
        if min_id >= max_id:
            return None
        candidates = torch.nonzero(visible[min_id:max_id]).flatten() + min_id
        if len(candidates) == 0:
            return None
        return [int(candidates[i]) for i in rng.integers(len(candidates), size=num_ids)]

    def _enough_visible(self, dataset, visible: torch.Tensor) -> bool:
        if not dataset.is_video_sequence():
            return bool(visible.any())
        needed = 2 * (self.num_test_frames + self.num_train_frames)
        return int(visible.sum()) > needed and len(visible) >= self.min_sequence_length

    def _choose_sequence(self, rng: np.random.Generator, dataset_index: int):
        """A random sequence with enough visible frames (random draws, then a full scan)."""
        dataset = self.datasets[dataset_index]
        unusable = self._unusable.setdefault(dataset_index, set())
        n = dataset.get_num_sequences()

        def candidates():
            yield from rng.integers(n, size=min(50, n))
            yield from rng.permutation(n)  # only reached when random draws keep failing

        for seq_id in candidates():
            seq_id = int(seq_id)
            if seq_id in unusable:
                continue
            try:
                info = dataset.get_sequence_info(seq_id)
            except AnnotationError as exc:
                unusable.add(seq_id)
                logger.warning("Skipping %s sequence '%s': %s", dataset.get_name(),
                               dataset.get_sequence_name(seq_id), exc)
                continue
            if self._enough_visible(dataset, info["visible"]):
                return seq_id, info
            unusable.add(seq_id)
            logger.debug(
                "Skipping %s sequence %s: too few visible frames",
                dataset.get_name(),
                dataset.get_sequence_name(seq_id),
            )
        raise FrameSamplingError(
            f"No sequence of dataset '{dataset.get_name()}' has enough visible frames (more than "
            f"{2 * (self.num_test_frames + self.num_train_frames)} visible and at least "
            f"{self.min_sequence_length} frames)"
        )

    def _choose_frames(self, rng: np.random.Generator, visible: torch.Tensor):
        """(train ids, test ids) among the visible frames, or None if the sequence has no valid set."""
        gap_increase = 0
        for _ in range(1000):
            gap = self.max_gap + gap_increase
            if self.frame_sample_mode == "interval":
                base = self._sample_visible_ids(rng, visible, 1)
                extra = self._sample_visible_ids(
                    rng, visible, self.num_train_frames - 1, base[0] - gap, base[0] + gap + 1
                )
                if extra is None:
                    gap_increase += 5
                    continue
                train = base + extra
                test = self._sample_visible_ids(
                    rng, visible, self.num_test_frames, train[0] - gap, train[0] + gap + 1
                )
            else:
                base = self._sample_visible_ids(
                    rng, visible, 1, self.num_train_frames - 1, len(visible) - self.num_test_frames
                )
                if base is None:
                    return None  # no visible frame leaves room for the test frames
                previous = self._sample_visible_ids(
                    rng, visible, self.num_train_frames - 1, base[0] - gap, base[0]
                )
                if previous is None:
                    gap_increase += 5
                    continue
                train = base + previous
                test = self._sample_visible_ids(
                    rng, visible, self.num_test_frames, train[0] + 1, train[0] + gap + 1
                )
            if test is not None:
                return train, test
            gap_increase += 5
        return None

    # ------------------------------------------------------------------ sampling
    def _draw(self, rng: np.random.Generator) -> TensorDict:
        dataset_index = int(rng.choice(len(self.datasets), p=self.p_datasets))
        dataset = self.datasets[dataset_index]
        while True:  # ends: every failing sequence is marked unusable, _choose_sequence raises
            seq_id, info = self._choose_sequence(rng, dataset_index)
            if not dataset.is_video_sequence():
                train_ids, test_ids = [0] * self.num_train_frames, [0] * self.num_test_frames
                break
            chosen = self._choose_frames(rng, info["visible"])
            if chosen is not None:
                train_ids, test_ids = chosen
                break
            self._unusable[dataset_index].add(seq_id)
            logger.debug(
                "Skipping %s sequence %s: no valid train/test frame set",
                dataset.get_name(),
                dataset.get_sequence_name(seq_id),
            )
        try:
            train_frames, train_anno, _ = dataset.get_frames(seq_id, train_ids, info)
            test_frames, test_anno, meta_test = dataset.get_frames(seq_id, test_ids, info)
        except ImageLoadError as exc:
            logger.warning(
                "Unreadable frame in %s sequence '%s' (train frames %s, test frames %s): "
                "%s. Drawing another sample.",
                dataset.get_name(),
                dataset.get_sequence_name(seq_id),
                train_ids,
                test_ids,
                exc,
            )
            raise
        return TensorDict(
            {
                "train_images": train_frames,
                "train_anno": train_anno["bbox"],
                "test_images": test_frames,
                "test_anno": test_anno["bbox"],
                "dataset": dataset.get_name(),
                "test_class": meta_test.get("object_class_name"),
            }
        )

    def sample(self, rng: Optional[np.random.Generator] = None) -> TensorDict:
        """One raw draw (before processing), retrying after unreadable frames."""
        rng = self.rng.get() if rng is None else rng
        last_error = None
        for _ in range(self.max_load_failures):
            try:
                return self._draw(rng)
            except ImageLoadError as exc:
                last_error = exc
        raise FrameSamplingError(
            f"{self.max_load_failures} samples in a row failed to load frames; "
            f"last error: {last_error}"
        ) from last_error

    def __getitem__(self, index: int) -> TensorDict:
        rng = self.rng.get()
        data = self.sample(rng)
        if isinstance(self.processing, BaseProcessing) or self.processing is no_processing:
            return self.processing(data, rng=rng)
        return self.processing(data)


class ATOMSampler(TrackingSampler):
    """TrackingSampler with ATOM's defaults: one train and one test frame, 'interval' sampling."""

    def __init__(
        self,
        datasets: Sequence,
        p_datasets: Optional[Sequence[float]],
        samples_per_epoch: int,
        max_gap: int,
        num_test_frames: int = 1,
        num_train_frames: int = 1,
        processing: Callable = no_processing,
        frame_sample_mode: str = "interval",
        **kwargs,
    ) -> None:
        super().__init__(
            datasets,
            p_datasets,
            samples_per_epoch,
            max_gap,
            num_test_frames,
            num_train_frames,
            processing,
            frame_sample_mode,
            **kwargs,
        )
