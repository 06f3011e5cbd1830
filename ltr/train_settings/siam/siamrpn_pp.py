"""SiamRPN++-style training (AlexNet, depth-wise RPN head): 20 epochs of 600,000 pairs, SGD with a
5-epoch warm-up 1e-3 -> 5e-3 then log-spaced 5e-3 -> 5e-4, weight decay 1e-4, search crops shifted
by up to 64 pixels against the centre bias, positive/negative-balanced classification loss (see
``_siamrpn_common`` for what is published and what is chosen). Data: every dataset whose path is
set in ltr/admin/local.py among ImageNet VID, COCO (train 2017/2014), GOT-10k, LaSOT (train split)
and TrackingNet (TRAIN_0..3), standing in for the paper's VID, YouTube-BB, COCO and DET; sampled
with equal probability. ``siamrpn_pp_r50`` is the same with the ResNet-50 model.

    python ltr/run_training.py siam siamrpn_pp
"""
from __future__ import annotations

from ltr.admin.settings import Settings
from ltr.dataset import Got10k, ImagenetVID, Lasot, MSCOCOSeq, TrackingNet
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam._siamrpn_common import (SIAMRPN_PP_OVERRIDES, available_datasets,
                                                     build_trainer, set_defaults)

DATASETS = (
    ("imagenet_dir", lambda root: ImagenetVID(root)),
    ("coco_dir", lambda root: MSCOCOSeq(root)),
    ("got10k_dir", lambda root: Got10k(root)),
    ("lasot_dir", lambda root: Lasot(root, split="train")),
    ("trackingnet_dir", lambda root: TrackingNet(root, set_ids=list(range(4)))),
)


def build(settings: Settings, overrides: dict | None = None) -> LTRTrainer:
    """SiamRPN++ settings (plus ``overrides``, e.g. ``{'model': 'siamrpn_resnet50'}``), the
    available datasets and the trainer."""
    set_defaults(settings, dict(SIAMRPN_PP_OVERRIDES, **(overrides or {})))
    datasets = available_datasets(settings, DATASETS)
    return build_trainer(settings, datasets, [1] * len(datasets))


def run(settings: Settings) -> None:
    build(settings).train(settings.num_epochs, load_latest=True, fail_safe=True)
