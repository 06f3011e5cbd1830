"""The parts of ATOM's IoU-Net training shared by ``bbreg/atom.py`` and ``bbreg/atom_synthetic.py``.

Each function reads the fields it needs from the run's settings, so a train-settings module sets
its values on ``settings`` (as users are used to) and then assembles the pieces:

    transforms -> processing (train/val) -> samplers + loaders
               -> actor, optimizer, scheduler, trainer
"""
from __future__ import annotations

import logging
from typing import Sequence

import torch.nn as nn
import torch.optim as optim

import ltr.data.transforms as tfm
from ltr.actors import AtomActor
from ltr.admin.multigpu import MultiGPU, is_distributed
from ltr.admin.settings import Settings
from ltr.data import LTRLoader, processing, sampler
from ltr.trainers import LTRTrainer

logger = logging.getLogger(__name__)

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

#: ATOM's proposal sampling: 16 boxes per test frame with IoU > 0.1 to the target box, each
#: drawn with a Gaussian whose standard deviation is a random entry of ``sigma_factor`` times
#: the box size.
ATOM_PROPOSAL_PARAMS = {"min_iou": 0.1, "boxes_per_frame": 16,
                        "sigma_factor": [0.01, 0.05, 0.1, 0.2, 0.3]}


def set_atom_geometry(settings: Settings, output_sz: int) -> None:
    """ATOM's crop geometry and jitter: a square 5 times the target size, resized to ``output_sz``;
    no jitter on the train (reference) frame, centre jitter 4.5 and scale jitter 0.5 on the test
    frame; ImageNet normalization."""
    settings.normalize_mean = list(IMAGENET_MEAN)
    settings.normalize_std = list(IMAGENET_STD)
    settings.search_area_factor = 5.0
    settings.output_sz = int(output_sz)
    settings.center_jitter_factor = {"train": 0, "test": 4.5}
    settings.scale_jitter_factor = {"train": 0, "test": 0.5}
    settings.proposal_params = {k: (list(v) if isinstance(v, list) else v)
                                for k, v in ATOM_PROPOSAL_PARAMS.items()}


def atom_transforms(settings: Settings) -> tuple[tfm.Transform, tfm.Transform, tfm.Transform]:
    """(joint, train, val) transforms: 5 % grayscale on all frames of a sample; brightness jitter
    0.2 and normalization for training; plain conversion and normalization for validation."""
    transform_joint = tfm.Transform(tfm.ToGrayscale(probability=0.05))
    transform_train = tfm.Transform(tfm.ToTensorAndJitter(0.2),
                                    tfm.Normalize(mean=settings.normalize_mean,
                                                  std=settings.normalize_std))
    transform_val = tfm.Transform(tfm.ToTensor(),
                                  tfm.Normalize(mean=settings.normalize_mean,
                                                std=settings.normalize_std))
    return transform_joint, transform_train, transform_val


def atom_processing(settings: Settings, transform: tfm.Transform,
                    joint_transform: tfm.Transform) -> processing.ATOMProcessing:
    """ATOMProcessing ('sequence' mode) with the settings' geometry (:func:`set_atom_geometry`)."""
    return processing.ATOMProcessing(search_area_factor=settings.search_area_factor,
                                     output_sz=settings.output_sz,
                                     center_jitter_factor=settings.center_jitter_factor,
                                     scale_jitter_factor=settings.scale_jitter_factor,
                                     mode="sequence",
                                     proposal_params=settings.proposal_params,
                                     transform=transform,
                                     joint_transform=joint_transform)


def atom_loaders(settings: Settings, train_datasets: Sequence, p_train: Sequence[float],
                 val_datasets: Sequence) -> list[LTRLoader]:
    """The 'train' and 'val' loaders.

    Reads ``batch_size`` (per process), ``num_workers``, ``train_samples_per_epoch``,
    ``val_samples_per_epoch``, ``max_gap`` and ``val_epoch_interval``. Sampling randomness comes
    from torch's seed of the process (``run_training --seed``; rank r of a distributed run uses
    seed + r), so every process draws its own samples.
    """
    transform_joint, transform_train, transform_val = atom_transforms(settings)
    dataset_train = sampler.ATOMSampler(train_datasets, list(p_train),
                                        samples_per_epoch=settings.train_samples_per_epoch,
                                        max_gap=settings.max_gap,
                                        processing=atom_processing(settings, transform_train,
                                                                   transform_joint))
    dataset_val = sampler.ATOMSampler(val_datasets, [1] * len(val_datasets),
                                      samples_per_epoch=settings.val_samples_per_epoch,
                                      max_gap=settings.max_gap,
                                      processing=atom_processing(settings, transform_val,
                                                                 transform_joint))
    loader_train = LTRLoader("train", dataset_train, training=True,
                             batch_size=settings.batch_size, num_workers=settings.num_workers,
                             shuffle=True, drop_last=True, stack_dim=1)
    loader_val = LTRLoader("val", dataset_val, training=False, batch_size=settings.batch_size,
                           num_workers=settings.num_workers, shuffle=False, drop_last=True,
                           epoch_interval=settings.val_epoch_interval, stack_dim=1)
    return [loader_train, loader_val]


def atom_trainer(settings: Settings, net: nn.Module, loaders: Sequence[LTRLoader]) -> LTRTrainer:
    """AtomActor with an MSE objective; Adam (``settings.learning_rate``) on the IoU predictor's
    parameters only (the backbone is frozen); StepLR (``lr_step_size``, ``lr_gamma``) per epoch.

    ``settings.multi_gpu`` wraps the network in DataParallel (one process, several GPUs); a
    distributed run (torchrun) is wrapped in DistributedDataParallel by the trainer instead.
    """
    if settings.multi_gpu:
        if is_distributed():
            raise ValueError(f"settings.multi_gpu is set in a distributed run "
                             f"({settings.module_name} {settings.script_name}); use one "
                             f"process per GPU (torchrun) or DataParallel in one process, "
                             f"not both")
        net = MultiGPU(net, dim=1)
    actor = AtomActor(net=net, objective=nn.MSELoss())
    optimizer = optim.Adam(actor.net.bb_regressor.parameters(), lr=settings.learning_rate)
    lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=settings.lr_step_size,
                                             gamma=settings.lr_gamma)
    return LTRTrainer(actor, loaders, optimizer, settings, lr_scheduler)


def check_positive(settings: Settings, *names: str) -> None:
    """Raise ValueError naming the settings module and field when a field is not a positive int."""
    for name in names:
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"Training settings {settings.module_name} {settings.script_name}: "
                             f"{name} must be a positive integer, got {value!r}")

