"""What the SiamFC training settings share: defaults, data pipeline, actor, optimizer, trainer.

A settings module sets ``settings`` fields (:func:`set_defaults` gives the paper's values), builds
its training datasets and calls :func:`build_trainer`.
"""
from __future__ import annotations

from typing import Sequence

import torch

from ltr.actors.siam import SiamFCActor
from ltr.admin.settings import Settings
from ltr.data.siam_processing import IMAGENET_MEAN, IMAGENET_STD, SiamFCProcessing
from ltr.models.siam import BalancedLogisticLoss, siamfc_alexnet
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam._pair_data import image_transforms, pair_loaders


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
    transform, joint = image_transforms(settings)
    return SiamFCProcessing(exemplar_sz=settings.exemplar_sz, instance_sz=settings.instance_sz,
                            context_amount=settings.context_amount, score_sz=score_size(settings),
                            total_stride=settings.total_stride, radius=settings.label_radius,
                            max_shift=settings.max_shift, scale_jitter=settings.scale_jitter,
                            transform=transform, joint_transform=joint)


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
    loaders = pair_loaders(settings, lambda: build_processing(settings), datasets, p_datasets,
                           val_datasets, seed=loader_seed)
    optimizer, scheduler = build_optimizer(settings, net)
    return LTRTrainer(actor, loaders, optimizer, settings, scheduler)
