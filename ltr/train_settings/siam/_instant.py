"""What the instant Siamese settings (``siamfc_synthetic``, ``siamrpn_synthetic``) share: a few
small epochs of a narrow network on synthetic videos, then the held-out tracking check."""
from __future__ import annotations

from typing import Callable

from ltr.admin import multigpu
from ltr.admin.settings import Settings
from ltr.trainers import LTRTrainer

#: The small schedule of the instant settings (each adds its description, learning rates and
#: network size).
SMALL_SCHEDULE = {"batch_size": 8, "num_workers": 0, "print_interval": 8, "max_gap": 20,
                  "samples_per_epoch": 192, "num_epochs": 5, "net_width": 0.25}

#: The synthetic training videos of the instant settings (fields of the settings, changeable before
#: ``build``); the last ``synthetic_val_sequences`` are held out for the 'val' loader
#: (``val_samples_per_epoch`` pairs every epoch, no gradients).
SYNTHETIC = {"synthetic_sequences": 12, "synthetic_frames": 40, "synthetic_seed": 0,
             "synthetic_image_size": (192, 144), "synthetic_val_sequences": 2,
             "val_samples_per_epoch": 48, "heldout_sequences": 3, "heldout_frames": 40}


def train_then_check(settings: Settings, trainer: LTRTrainer,
                     heldout_check: Callable[[Settings, LTRTrainer], object]) -> None:
    """Train ``settings.num_epochs`` epochs (resuming from the latest checkpoint, fail-safe), then
    run ``heldout_check(settings, trainer)`` on rank 0."""
    trainer.train(settings.num_epochs, load_latest=True, fail_safe=True)
    if multigpu.is_main_process():
        heldout_check(settings, trainer)
