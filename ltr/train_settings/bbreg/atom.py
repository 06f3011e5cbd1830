"""ATOM's IoU-Net (target estimation) as published: ``python ltr/run_training.py bbreg atom``.

Data: LaSOT train, GOT-10k 'vottrain', TrackingNet chunks TRAIN_0..TRAIN_3 and COCO 2017 (with
equal probability) for training, GOT-10k 'votval' for validation, read from the paths of the ltr
environment settings (``lasot_dir``, ``got10k_dir``, ``trackingnet_dir``, ``coco_dir``). The GOT-10k
split files are described in ltr/data_specs/README.md.

Network: ``atom_resnet18`` with ImageNet-pretrained, frozen ResNet-18 (the weight file in
``pretrained_networks``) and the IoU predictor on layer2/layer3, trained with an MSE loss on the
IoU of 16 jittered proposals per test frame. Adam (lr 1e-3) on the IoU predictor only, lr x0.2
every 15 epochs, 50 epochs of 1000 batches of 64 sequence pairs (288x288 crops).

``batch_size`` is per process: under ``torchrun --nproc_per_node=N`` every process trains on 64
pairs per step (global batch 64 N) and runs 1000 steps per epoch; set ``settings.batch_size =
64 // N`` here to keep the published global batch.
"""
from __future__ import annotations

from ltr.admin.cli import require_paths
from ltr.admin.settings import Settings
from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
from ltr.models.bbreg import atom as atom_models
from ltr.train_settings.bbreg._atom_common import (atom_loaders, atom_trainer, check_positive,
                                                   set_atom_geometry)

INSTANT_ALTERNATIVE = ("python ltr/run_training.py bbreg atom_synthetic (synthetic videos made "
                       "on the spot, trains on a CPU in minutes)")


def run(settings: Settings) -> None:
    settings.description = ("ATOM IoU-Net with the published settings: LaSOT, GOT-10k vottrain, "
                            "TrackingNet 0-3 and COCO 2017")
    settings.batch_size = 64
    settings.num_workers = 8
    settings.print_interval = 1
    settings.feature_sz = 18
    set_atom_geometry(settings, output_sz=settings.feature_sz * 16)  # 288x288 crops
    settings.max_gap = 50
    settings.train_samples_per_epoch = 1000 * settings.batch_size
    settings.val_samples_per_epoch = 500 * settings.batch_size
    settings.val_epoch_interval = 5
    settings.learning_rate = 1e-3
    settings.lr_step_size = 15
    settings.lr_gamma = 0.2
    settings.num_epochs = 50
    check_positive(settings, "batch_size", "train_samples_per_epoch", "val_samples_per_epoch",
                   "num_epochs")

    # Training and validation datasets (every missing path reported at once)
    require_paths(settings.env, ["lasot_dir", "got10k_dir", "trackingnet_dir", "coco_dir",
                                 "pretrained_networks"],
                  alternative=INSTANT_ALTERNATIVE)
    lasot_train = Lasot(settings.env.lasot_dir, split="train")
    got10k_train = Got10k(settings.env.got10k_dir, split="vottrain")
    trackingnet_train = TrackingNet(settings.env.trackingnet_dir, set_ids=list(range(4)))
    coco_train = MSCOCOSeq(settings.env.coco_dir, version="2017")
    got10k_val = Got10k(settings.env.got10k_dir, split="votval")

    loaders = atom_loaders(settings, [lasot_train, got10k_train, trackingnet_train, coco_train],
                           [1, 1, 1, 1], [got10k_val])

    # ImageNet-pretrained ResNet-18, frozen; only the IoU predictor is trained
    net = atom_models.atom_resnet18(backbone_pretrained=True)
    trainer = atom_trainer(settings, net, loaders)
    trainer.train(settings.num_epochs, load_latest=True, fail_safe=True)
