"""Instant SiamFC training on synthetic videos: a narrow AlexNet (width 0.25), a few small epochs;
trains in minutes on a CPU. The GOT-10k-layout synthetic set is generated on first use (by rank 0
of a distributed run) under
``<workspace_dir>/synthetic/siamfc_got10k_<sequences>x<frames>_<width>x<height>_seed<seed>``.

    python ltr/run_training.py siam siamfc_synthetic

The last ``synthetic_val_sequences`` videos are held out for a 'val' loader (the val loss every
epoch). At the end, the held-out check tracks 3 new synthetic sequences (another seed) with the
trained network and with an untrained one and prints both tracking AUCs (``heldout_*`` fields).
"""
from __future__ import annotations

from ltr.admin.settings import Settings
from ltr.models.siam import siamfc_alexnet
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam._heldout_tracking import trained_vs_untrained
from ltr.train_settings.siam._instant import SMALL_SCHEDULE, SYNTHETIC, train_then_check
from ltr.train_settings.siam._pair_data import synthetic_train_val
from ltr.train_settings.siam._siamfc_common import build_trainer, set_defaults

INSTANT = dict(
    SMALL_SCHEDULE,
    description="SiamFC, narrow AlexNet, synthetic videos (instant CPU training)",
    lr_start=1e-2,
    lr_end=1e-3,
)


def configure(settings: Settings) -> None:
    """Set the fields of the instant setting (callers may change them before :func:`build`)."""
    set_defaults(settings, INSTANT)
    for name, value in SYNTHETIC.items():  # the synthetic videos (see _instant.SYNTHETIC)
        settings.add_field(name, value)


def build(settings: Settings) -> LTRTrainer:
    """Generate the synthetic data if needed and build the trainer."""
    train, val = synthetic_train_val(settings, "siamfc")
    return build_trainer(settings, [train], [1], val_datasets=val)


def heldout_check(settings: Settings, trainer: LTRTrainer) -> tuple[float, float]:
    """Tracking AUC of the trained network and of an untrained one (same architecture, seed 0)
    on new synthetic sequences (see :func:`trained_vs_untrained`)."""
    from pytracking.tracker.siamfc import SiamFC
    from pytracking.tracker.siamfc.params import SiamFCParams

    return trained_vs_untrained(
        settings, trainer,
        lambda: siamfc_alexnet(width=settings.net_width, groups=settings.net_groups),
        lambda net: SiamFC(SiamFCParams(net=net, use_gpu=False, net_width=settings.net_width)))


def run(settings: Settings) -> None:
    configure(settings)
    train_then_check(settings, build(settings), heldout_check)
