"""ATOM's IoU-Net trained in minutes on a CPU: ``python ltr/run_training.py bbreg atom_synthetic``.

The same pipeline as ``bbreg/atom.py`` (transforms, ATOMProcessing with the search area 5,
jitter and 16 proposals per test frame, ATOMSampler, AtomActor with MSE, Adam on the IoU
predictor only, StepLR, ``load_latest`` and fail-safe training) on synthetic videos in the GOT-10k
layout, at a small scale (:class:`InstantConfig`): 144x144 crops (ATOM: 288), batch 8, 5 epochs
of 50 steps (250 in all), validation in epoch 5. A step takes about 0.8 s on one idle CPU core,
so the run takes about four minutes (the first epoch also generates the data, a few seconds).

Data: ``<workspace_dir>/synthetic_data/got10k_<...>/train`` is generated on first use (fixed seed,
written to a temporary folder and renamed into place, so an interrupted run leaves nothing half
written; in a distributed run rank 0 writes it while the others wait). The last
``num_val_sequences`` sequences are held out for validation, like GOT-10k votval.

Backbone: ImageNet-pretrained ResNet-18 if its weight file is in ``pretrained_networks``, otherwise
a randomly initialised one (frozen either way; the IoU predictor still learns, only less well).
The choice is recorded as ``settings.backbone_pretrained``.

Smaller or larger runs (tests, benchmarks): call ``train(settings, config)`` with another
:class:`InstantConfig`, e.g. ``dataclasses.replace(DEFAULT_CONFIG, epochs=2, train_iterations=10)``;
``run(settings)`` is ``train(settings, DEFAULT_CONFIG)``.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ltr.admin import multigpu
from ltr.admin.settings import Settings
from ltr.dataset import Got10k
from ltr.dataset.synthetic import ensure_dataset
from ltr.models.backbone.resnet import pretrained_weight_file
from ltr.models.bbreg import atom as atom_models
from ltr.train_settings.bbreg._atom_common import (atom_loaders, atom_trainer, check_positive,
                                                   set_atom_geometry)
from ltr.train_settings.bbreg._heldout import iou_prediction_correlation
from ltr.trainers import LTRTrainer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstantConfig:
    """Sizes of the instant ATOM run (the defaults are what ``run`` uses)."""

    num_sequences: int = 24         # synthetic GOT-10k sequences in total
    num_val_sequences: int = 4      # the last ones, held out for validation
    num_frames: int = 60            # frames per sequence (the sampler needs at least 20)
    image_size: tuple = (320, 240)  # (width, height) of the frames
    data_seed: int = 1              # seed of the generated videos
    batch_size: int = 8             # sequence pairs per step and process
    num_workers: int = 1            # data-loader worker processes (0: load in the main process)
    output_sz: int = 144            # crop size (ATOM: 288 = 18 * 16)
    epochs: int = 5
    train_iterations: int = 50      # steps per epoch
    val_iterations: int = 5         # validation batches per validation epoch
    val_epoch_interval: int = 5     # validate every n-th epoch
    learning_rate: float = 1e-3
    lr_step_size: int = 4           # epochs between learning-rate drops
    lr_gamma: float = 0.2
    print_interval: int = 10


DEFAULT_CONFIG = InstantConfig()


def synthetic_got10k_root(workspace_dir: str | Path, config: InstantConfig) -> Path:
    """Folder of the generated GOT-10k train split for ``config`` (its name encodes the content)."""
    width, height = config.image_size
    name = (f"got10k_seed{config.data_seed}_{config.num_sequences}seq_{config.num_frames}f_"
            f"{width}x{height}")
    return Path(workspace_dir).expanduser() / "synthetic_data" / name / "train"


def ensure_synthetic_got10k(workspace_dir: str | Path, config: InstantConfig) -> Path:
    """Generate the synthetic GOT-10k data unless it exists; returns its root (with list.txt).

    In a distributed run only rank 0 writes; the other ranks wait for it.
    """
    root = synthetic_got10k_root(workspace_dir, config)
    return ensure_dataset("got10k", root.parent, num_sequences=config.num_sequences,
                          num_frames=config.num_frames, seed=config.data_seed,
                          image_size=tuple(config.image_size), split="train")


def backbone_weights_available() -> bool:
    """True if the ImageNet ResNet-18 weight file is in the ``pretrained_networks`` folder."""
    try:
        pretrained_weight_file("resnet18")
    except FileNotFoundError:
        return False
    return True


def _apply_config(settings: Settings, config: InstantConfig) -> None:
    if config.num_val_sequences >= config.num_sequences:
        raise ValueError(f"InstantConfig: num_val_sequences ({config.num_val_sequences}) must be "
                         f"smaller than num_sequences ({config.num_sequences})")
    settings.description = "ATOM IoU-Net on synthetic GOT-10k videos, small crops (CPU demo)"
    settings.add_field("instant_config", asdict(config))
    settings.batch_size = config.batch_size
    settings.num_workers = config.num_workers
    settings.print_interval = config.print_interval
    set_atom_geometry(settings, output_sz=config.output_sz)
    settings.max_gap = 50
    settings.train_samples_per_epoch = config.train_iterations * config.batch_size
    settings.val_samples_per_epoch = config.val_iterations * config.batch_size
    settings.val_epoch_interval = config.val_epoch_interval
    settings.learning_rate = config.learning_rate
    settings.lr_step_size = config.lr_step_size
    settings.lr_gamma = config.lr_gamma
    settings.num_epochs = config.epochs
    check_positive(settings, "batch_size", "train_samples_per_epoch", "val_samples_per_epoch",
                   "num_epochs", "lr_step_size", "val_epoch_interval")


def build_trainer(settings: Settings, config: InstantConfig = DEFAULT_CONFIG) -> LTRTrainer:
    """Fill ``settings`` from ``config``, generate the data if needed, and build the trainer."""
    _apply_config(settings, config)
    root = ensure_synthetic_got10k(settings.env.workspace_dir, config)
    num_train = config.num_sequences - config.num_val_sequences
    got10k_train = Got10k(str(root), seq_ids=list(range(num_train)))
    got10k_val = Got10k(str(root), seq_ids=list(range(num_train, config.num_sequences)))
    loaders = atom_loaders(settings, [got10k_train], [1], [got10k_val])

    settings.backbone_pretrained = backbone_weights_available()
    if not settings.backbone_pretrained:
        logger.warning("No ImageNet ResNet-18 weights in the 'pretrained_networks' folder: "
                       "training on a randomly initialised (frozen) backbone")
    net = atom_models.atom_resnet18(backbone_pretrained=settings.backbone_pretrained)
    return atom_trainer(settings, net, loaders)


def train(settings: Settings, config: InstantConfig = DEFAULT_CONFIG) -> LTRTrainer:
    """Build the trainer for ``config``, train (resuming from this run's latest checkpoint), then
    report the held-out check: the Pearson correlation of predicted and true proposal IoUs on the
    validation sequences (0 for a predictor that learned only the mean IoU)."""
    trainer = build_trainer(settings, config)
    trainer.train(settings.num_epochs, load_latest=True, fail_safe=True)
    if multigpu.is_main_process():
        val_loader = next(loader for loader in trainer.loaders if not loader.training)
        r, count = iou_prediction_correlation(multigpu.unwrap(trainer.actor.net), val_loader,
                                              trainer.device)
        settings.add_field("heldout_iou_pearson", r)
        print(f"Held-out check: predicted vs. true IoU of {count} proposals on the "
              f"{config.num_val_sequences} validation sequences: Pearson r = {r:.3f}", flush=True)
    return trainer


def run(settings: Settings) -> None:
    """Train with :data:`DEFAULT_CONFIG`, its fields replaced by the command line's ``key=value``
    overrides (e.g. ``epochs=1 train_iterations=10``)."""
    overrides = settings.take_overrides(f.name for f in fields(InstantConfig))
    train(settings, replace(DEFAULT_CONFIG, **overrides))
