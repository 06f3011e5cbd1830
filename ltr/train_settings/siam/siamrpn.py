"""SiamRPN training (AlexNet, up-channel RPN head): SGD with momentum 0.9, learning rate log-spaced
1e-2 -> 1e-6 over 50 epochs of 50,000 pairs, search crops shifted by up to 12 pixels and scaled by
0.85-1.15 (see ``_siamrpn_common`` for what is published and what is chosen). Data: every dataset
whose path is set in ltr/admin/local.py among ImageNet VID (the paper's), GOT-10k, LaSOT (train
split) and TrackingNet (TRAIN_0..3), sampled with equal probability.

    python ltr/run_training.py siam siamrpn
"""
from __future__ import annotations

from ltr.admin.settings import Settings
from ltr.dataset import Got10k, ImagenetVID, Lasot, TrackingNet
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam._siamrpn_common import available_datasets, build_trainer, set_defaults

DATASETS = (
    ("imagenet_dir", lambda root: ImagenetVID(root)),
    ("got10k_dir", lambda root: Got10k(root)),
    ("lasot_dir", lambda root: Lasot(root, split="train")),
    ("trackingnet_dir", lambda root: TrackingNet(root, set_ids=list(range(4)))),
)


def build(settings: Settings) -> LTRTrainer:
    """SiamRPN defaults, the available datasets and the trainer."""
    set_defaults(settings)
    datasets = available_datasets(settings, DATASETS)
    return build_trainer(settings, datasets, [1] * len(datasets))


def run(settings: Settings) -> None:
    build(settings).train(settings.num_epochs, load_latest=True, fail_safe=True)
