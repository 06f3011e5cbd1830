"""Instant SiamRPN training on synthetic videos: a narrow AlexNet (width 0.25, 64 hidden channels),
the up-channel head, a few small epochs; trains in minutes on a CPU. The GOT-10k-layout synthetic
set is generated on first use (by rank 0 of a distributed run) under
``<workspace_dir>/synthetic/siamrpn_got10k_<sequences>x<frames>_<width>x<height>_seed<seed>``.
Sampling is seeded with ``settings.process_seed`` when run_training set it (so the processes of
a distributed run draw different pairs), else with 0. Set ``settings.model =
'siamrpn_alexnet_dw'`` (after :func:`configure`) for the depth-wise head.

    python ltr/run_training.py siam siamrpn_synthetic

The last ``synthetic_val_sequences`` videos are held out for a 'val' loader (the val loss every
epoch). At the end, the held-out check tracks new synthetic sequences (another seed) with the
trained network and with an untrained one and prints both tracking AUCs (``heldout_*`` fields).
"""
from __future__ import annotations

from ltr.admin.settings import Settings
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam._heldout_tracking import trained_vs_untrained
from ltr.train_settings.siam._instant import SMALL_SCHEDULE, SYNTHETIC, train_then_check
from ltr.train_settings.siam._pair_data import synthetic_train_val
from ltr.train_settings.siam._siamrpn_common import build_net, build_trainer, set_defaults

INSTANT = dict(
    SMALL_SCHEDULE,
    description="SiamRPN, narrow AlexNet, synthetic videos (instant CPU training)",
    lr_start=2e-2,
    lr_warmup_start=2e-2,
    lr_end=4e-3,
    weight_decay=1e-4,
    net_hidden=64,
)


def configure(settings: Settings) -> None:
    """Set the fields of the instant setting (callers may change them before :func:`build`)."""
    seed = getattr(settings, "process_seed", None)
    seed = 0 if seed is None else int(seed)
    set_defaults(settings, dict(INSTANT, sampler_seed=seed, loader_seed=seed))
    for name, value in SYNTHETIC.items():  # the synthetic videos (see _instant.SYNTHETIC)
        settings.add_field(name, value)


def build(settings: Settings) -> LTRTrainer:
    """Generate the synthetic data if needed and build the trainer."""
    train, val = synthetic_train_val(settings, "siamrpn")
    return build_trainer(settings, [train], [1], val_datasets=val)


def heldout_check(settings: Settings, trainer: LTRTrainer) -> tuple[float, float]:
    """Tracking AUC of the trained network and of an untrained one (same architecture, seed 0)
    on new synthetic sequences (see :func:`trained_vs_untrained`)."""
    from pytracking.tracker.siamrpn import SiamRPN
    from pytracking.tracker.siamrpn.params import SiamRPNParams

    return trained_vs_untrained(
        settings, trainer, lambda: build_net(settings),
        lambda net: SiamRPN(SiamRPNParams(net=net, use_gpu=False, model=settings.model,
                                          net_width=settings.net_width,
                                          net_hidden=settings.net_hidden)))


def run(settings: Settings) -> None:
    configure(settings)
    train_then_check(settings, build(settings), heldout_check)
