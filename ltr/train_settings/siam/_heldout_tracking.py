"""Held-out check of a Siamese training: tracking success (AUC) on synthetic sequences the
training never saw, the trained network against an untrained one of the same architecture."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from ltr.admin.multigpu import unwrap
from pytracking.analysis.metrics import iou_continuous
from pytracking.evaluation.syntheticdataset import SyntheticDataset, ensure_synthetic_benchmark
from pytracking.utils.image_io import read_frame

logger = logging.getLogger(__name__)

SUCCESS_THRESHOLDS = np.linspace(0.0, 1.0, 21)  # OTB's success plot: overlap 0, 0.05, ..., 1


def success_auc(pred: np.ndarray, gt: np.ndarray) -> float:
    """Area under the success curve of one sequence (frames 2..N; the first is the given box):
    the mean over the thresholds 0, 0.05, ..., 1 of the fraction of frames with IoU above."""
    iou = iou_continuous(np.asarray(pred, np.float64)[1:], np.asarray(gt, np.float64)[1:])
    return float(np.mean([(iou > t).mean() for t in SUCCESS_THRESHOLDS]))


def heldout_sequences(workspace_dir: str, seed: int, num_sequences: int = 3,
                      num_frames: int = 40, image_size: tuple[int, int] = (192, 144)):
    """New synthetic sequences (OTB layout, generated once) under ``<workspace_dir>/synthetic``."""
    width, height = image_size
    root = (Path(workspace_dir).expanduser() / "synthetic"
            / f"heldout_otb_{num_sequences}x{num_frames}_{width}x{height}_seed{seed}")
    ensure_synthetic_benchmark(root, num_sequences, num_frames, seed, (width, height))
    return SyntheticDataset(root).get_sequence_list()


def track(tracker, frames: Sequence[str], init_box: Sequence[float]) -> np.ndarray:
    """The tracker's boxes on ``frames`` from ``init_box`` in the first."""
    boxes = [list(init_box)]
    tracker.initialize(read_frame(frames[0]), {"init_bbox": list(init_box)})
    for path in frames[1:]:
        boxes.append(tracker.track(read_frame(path))["target_bbox"])
    return np.asarray(boxes, np.float64)


@torch.no_grad()
def mean_auc(make_tracker: Callable[[], object], sequences) -> float:
    """Mean success AUC of a fresh tracker from ``make_tracker()`` on each sequence."""
    aucs = []
    for seq in sequences:
        gt = np.asarray(seq.ground_truth_rect, np.float64)
        aucs.append(success_auc(track(make_tracker(), seq.frames, gt[0]), gt))
    return float(np.mean(aucs))


def trained_vs_untrained(settings, trainer, build_untrained: Callable[[], torch.nn.Module],
                         make_tracker: Callable[[torch.nn.Module], object]) -> tuple[float, float]:
    """Mean tracking AUC of ``make_tracker(net)`` with the trainer's trained network and with an
    untrained one (``build_untrained()`` under torch seed 0, outside the global random stream) on
    ``settings.heldout_sequences`` new synthetic sequences of ``settings.heldout_frames`` frames
    (seed 1000 + ``synthetic_seed``: not the training videos); printed and recorded as
    ``settings.heldout_auc``."""
    trained = unwrap(trainer.actor.net)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        untrained = build_untrained()
    sequences = heldout_sequences(settings.env.workspace_dir, seed=1000 + settings.synthetic_seed,
                                  num_sequences=settings.heldout_sequences,
                                  num_frames=settings.heldout_frames,
                                  image_size=tuple(settings.synthetic_image_size))
    aucs = tuple(mean_auc(lambda n=net: make_tracker(n), sequences)
                 for net in (trained.eval().cpu(), untrained.eval().cpu()))
    settings.add_field("heldout_auc", {"trained": aucs[0], "untrained": aucs[1]})
    print(f"Held-out check: tracking AUC on {len(sequences)} new synthetic sequences: trained "
          f"{aucs[0]:.3f}, untrained {aucs[1]:.3f}", flush=True)
    return aucs
