"""SiamFC training as in the paper (50 epochs of 50,000 pairs, SGD with momentum 0.9, learning rate
log-spaced 1e-2 -> 1e-5, weight decay 5e-4) on GOT-10k plus, when their paths are set in
ltr/admin/local.py, LaSOT (train split), TrackingNet (TRAIN_0..3) and ImageNet VID.

    python ltr/run_training.py siam siamfc
"""
from __future__ import annotations

from ltr.admin.cli import require_paths
from ltr.admin.settings import Settings
from ltr.dataset import Got10k, ImagenetVID, Lasot, TrackingNet
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam._pair_data import datasets_with_paths
from ltr.train_settings.siam._siamfc_common import build_trainer, set_defaults


OPTIONAL_DATASETS = (
    ("lasot_dir", lambda root: Lasot(root, split="train")),
    ("trackingnet_dir", lambda root: TrackingNet(root, set_ids=list(range(4)))),
    ("imagenet_dir", lambda root: ImagenetVID(root)),
)


def training_datasets(settings: Settings) -> list:
    """GOT-10k (required: every sequence of the train folder's list.txt) and the optional video
    datasets whose path settings are set."""
    require_paths(settings.env, ["got10k_dir"],
                  alternative="python ltr/run_training.py siam siamfc_synthetic (synthetic videos "
                              "made on the spot, trains on a CPU in minutes)")
    return [Got10k(settings.env.got10k_dir)] + datasets_with_paths(settings, OPTIONAL_DATASETS,
                                                                   "SiamFC training")


def build(settings: Settings) -> LTRTrainer:
    """Paper defaults, datasets (sampled with equal probability) and the trainer."""
    set_defaults(settings)
    datasets = training_datasets(settings)
    return build_trainer(settings, datasets, [1] * len(datasets))


def run(settings: Settings) -> None:
    build(settings).train(settings.num_epochs, load_latest=True, fail_safe=True)
