"""What the SiamFC training settings share: defaults, data pipeline, actor, optimizer, trainer.

A settings module sets ``settings`` fields (:func:`set_defaults` gives the paper's values), builds
its training datasets and calls :func:`build_trainer`.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import torch

import ltr.data.transforms as tfm
from ltr.actors.siam import SiamFCActor
from ltr.admin.settings import Settings
from ltr.data import LTRLoader, sampler
from ltr.data.siam_processing import IMAGENET_MEAN, IMAGENET_STD, SiamFCProcessing
from ltr.dataset import Got10k
from ltr.models.siam import BalancedLogisticLoss, siamfc_alexnet
from ltr.trainers import LTRTrainer

logger = logging.getLogger(__name__)

#: SiamFC's training set-up (Bertinetto et al. 2016): 50 epochs of 50,000 pairs, mini-batches of 8,
#: SGD with momentum 0.9, learning rate log-spaced from 1e-2 to 1e-5, weight decay 5e-4, labels
#: positive within R = 16 search pixels of the target. The augmentation amounts (shift of up to 8
#: search pixels, 5 % scale jitter, 25 % grayscale pairs) and the 100-frame maximum gap are common
#: choices of SiamFC re-implementations rather than values stated in the paper.
PAPER_DEFAULTS = {
    "description": "SiamFC (AlexNet backbone) trained with the balanced logistic loss",
    "batch_size": 8,
    "num_workers": 8,
    "print_interval": 100,
    "normalize_mean": list(IMAGENET_MEAN),
    "normalize_std": list(IMAGENET_STD),
    "exemplar_sz": 127,
    "instance_sz": 255,
    "context_amount": 0.5,
    "total_stride": 8,
    "label_radius": 16.0,
    "max_shift": 8.0,
    "scale_jitter": 0.05,
    "grayscale_probability": 0.25,
    "max_gap": 100,
    "samples_per_epoch": 50000,
    "num_epochs": 50,
    "lr_start": 1e-2,
    "lr_end": 1e-5,
    "momentum": 0.9,
    "weight_decay": 5e-4,
    "net_width": 1.0,
    "net_groups": 1,
    "sampler_seed": None,
}


def set_defaults(settings: Settings, overrides: dict | None = None) -> None:
    """Set every SiamFC field to its paper value, or to the value in ``overrides``."""
    settings.add_fields(PAPER_DEFAULTS, overrides, "SiamFC training settings")


def score_size(settings: Settings) -> int:
    """Side of the score map: (instance_sz - exemplar_sz) / total_stride + 1 (17)."""
    return (settings.instance_sz - settings.exemplar_sz) // settings.total_stride + 1


def build_processing(settings: Settings) -> SiamFCProcessing:
    """SiamFC pair processing with optional grayscale (joint) and ImageNet normalization."""
    joint = None
    if settings.grayscale_probability > 0:
        joint = tfm.Transform(tfm.ToGrayscale(probability=settings.grayscale_probability))
    transform = tfm.Transform(tfm.ToTensor(),
                              tfm.Normalize(settings.normalize_mean, settings.normalize_std))
    return SiamFCProcessing(exemplar_sz=settings.exemplar_sz, instance_sz=settings.instance_sz,
                            context_amount=settings.context_amount, score_sz=score_size(settings),
                            total_stride=settings.total_stride, radius=settings.label_radius,
                            max_shift=settings.max_shift, scale_jitter=settings.scale_jitter,
                            transform=transform, joint_transform=joint)


def build_loader(settings: Settings, datasets: Sequence, p_datasets: Sequence[float] | None,
                 name: str = "train", training: bool = True, seed: int | None = None,
                 samples_per_epoch: int | None = None) -> LTRLoader:
    """Pairs of one train and one test frame at most ``max_gap`` apart, processed, batched
    (``samples_per_epoch`` pairs; default ``settings.samples_per_epoch``)."""
    pair_sampler = sampler.TrackingSampler(
        datasets, p_datasets, samples_per_epoch=samples_per_epoch or settings.samples_per_epoch,
        max_gap=settings.max_gap, num_test_frames=1, num_train_frames=1,
        processing=build_processing(settings), frame_sample_mode="interval",
        seed=settings.sampler_seed)
    return LTRLoader(name, pair_sampler, training=training, batch_size=settings.batch_size,
                     shuffle=training, num_workers=settings.num_workers, drop_last=True,
                     stack_dim=0, seed=seed)


def build_optimizer(settings: Settings, net: torch.nn.Module):
    """SGD with momentum and weight decay; learning rate log-spaced from lr_start (first epoch) to
    lr_end (last epoch), i.e. multiplied by (lr_end / lr_start) ** (1 / (num_epochs - 1)) per epoch."""
    optimizer = torch.optim.SGD(net.parameters(), lr=settings.lr_start, momentum=settings.momentum,
                                weight_decay=settings.weight_decay)
    steps = max(int(settings.num_epochs) - 1, 1)
    gamma = (settings.lr_end / settings.lr_start) ** (1.0 / steps)
    return optimizer, torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)


def build_trainer(settings: Settings, datasets: Sequence, p_datasets: Sequence[float] | None,
                  loader_seed: int | None = None,
                  val_datasets: Sequence | None = None) -> LTRTrainer:
    """Network, actor, loaders, optimizer and trainer of a SiamFC training. With
    ``val_datasets`` (held-out sequences), a 'val' loader of ``settings.val_samples_per_epoch``
    pairs runs every epoch without gradients (its loss is the held-out check)."""
    net = siamfc_alexnet(width=settings.net_width, groups=settings.net_groups)
    actor = SiamFCActor(net=net, objective=BalancedLogisticLoss())
    loaders = [build_loader(settings, datasets, p_datasets, seed=loader_seed)]
    if val_datasets:
        loaders.append(build_loader(settings, val_datasets, None, name="val", training=False,
                                    seed=loader_seed,
                                    samples_per_epoch=settings.val_samples_per_epoch))
    optimizer, scheduler = build_optimizer(settings, net)
    return LTRTrainer(actor, loaders, optimizer, settings, scheduler)


def split_held_out(root: str, num_sequences: int, num_val: int) -> tuple[Got10k, list | None]:
    """The GOT-10k-layout set at ``root`` as training sequences and, held out for validation,
    the last ``num_val`` ones (``None`` when ``num_val`` is 0)."""
    if num_val < 0 or num_sequences - num_val < 1:
        raise ValueError(f"synthetic_val_sequences ({num_val}) must be between 0 and "
                         f"synthetic_sequences - 1 ({num_sequences - 1})")
    train = Got10k(root, seq_ids=list(range(num_sequences - num_val)))
    val = [Got10k(root, seq_ids=list(range(num_sequences - num_val, num_sequences)))] \
        if num_val else None
    return train, val


def ensure_synthetic_got10k(root: Path, num_sequences: int, num_frames: int, seed: int,
                            image_size: tuple[int, int]) -> Path:
    """The GOT-10k-layout synthetic training set under ``root`` (its ``train`` folder), generated on
    first use (only by rank 0 in a distributed run)."""
    from ltr.dataset.synthetic import ensure_dataset  # only needed for synthetic data

    return ensure_dataset("got10k", root, num_sequences=num_sequences, num_frames=num_frames,
                          seed=seed, image_size=tuple(image_size), split="train")