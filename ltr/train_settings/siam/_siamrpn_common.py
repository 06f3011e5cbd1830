"""What the SiamRPN / SiamRPN++ training settings share: defaults, data pipeline, actor, learning-rate
schedule and trainer.

A settings module sets ``settings`` fields (:func:`set_defaults` with the published values of
SiamRPN, or those of SiamRPN++ as overrides), builds its datasets and calls :func:`build_trainer`.

Choices (documented because the published set-ups cannot be reproduced exactly here):

* SiamRPN (Li et al. 2018): SGD, momentum 0.9, learning rate log-spaced 1e-2 -> 1e-6 over 50
  epochs, search 255, template 127, anchors of ratios [0.33, 0.5, 1, 2, 3] (scale 8, stride 8),
  IoU thresholds 0.6 / 0.3, 16 positives in 64 samples per pair. The paper trained on ImageNet
  VID and YouTube-BB from an ImageNet-pretrained AlexNet; here ImageNet VID plus GOT-10k, LaSOT and
  TrackingNet (YouTube-BB is not in the framework) and an AlexNet trained from scratch (no
  pretrained AlexNet file exists for this backbone). Shift of the search crop up to 12 pixels,
  scale 0.85-1.15, batch 32 and weight decay 5e-4 are the usual choices of re-implementations.
* SiamRPN++ (Li et al. 2019, recalled from the authors' pysot configuration): 20 epochs, warm-up
  of 5 epochs from 1e-3 to 5e-3 (geometric here), then log-spaced 5e-3 -> 5e-4, weight decay 1e-4,
  search shift up to 64 pixels, classification loss averaged over positives and negatives
  separately, regression weight 1.2, 600,000 pairs per epoch; ImageNet VID, COCO, GOT-10k, LaSOT
  and TrackingNet stand in for VID/YouTube-BB/COCO/DET. pysot's L1 regression loss is replaced by
  smooth-L1 (the SiamRPN loss) and the backbone is trained from the start (pysot freezes its
  pretrained ResNet for 10 epochs; there is no pretrained backbone here).
* ``settings.model = 'siamrpn_resnet50'`` trains the ResNet-50 SiamRPN++ (25 x 25 map at 255;
  ``backbone_pretrained = True`` loads torchvision's ImageNet ResNet-50 file from the
  ``pretrained_networks`` folder); the whole network is trained at one learning rate.
* The up-channel head scales its correlations (see ``UpChannelRPN``): the published plain sum
  diverges when trained from scratch.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

import ltr.models.siam.siamrpn as siamrpn_models
import ltr.models.siam.siamrpn_resnet as siamrpn_resnet
from ltr.actors.siamrpn import SiamRPNActor
from ltr.admin.cli import MissingFileError
from ltr.admin.settings import Settings
from ltr.data.siam_processing import IMAGENET_MEAN, IMAGENET_STD
from ltr.data.siamrpn_processing import SiamRPNProcessing
from ltr.models.siam.anchors import RATIOS
from ltr.models.siam.rpn_loss import RPNLoss
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam._pair_data import datasets_with_paths, image_transforms, pair_loaders


MODELS = ("siamrpn_alexnet", "siamrpn_alexnet_dw", "siamrpn_resnet50")

#: SiamRPN's training set-up (see the module docstring for what is published and what is chosen).
SIAMRPN_DEFAULTS = {
    "description": "SiamRPN (AlexNet, up-channel RPN head)",
    "batch_size": 32,
    "num_workers": 8,
    "print_interval": 100,
    "normalize_mean": list(IMAGENET_MEAN),
    "normalize_std": list(IMAGENET_STD),
    "exemplar_sz": 127,
    "instance_sz": 255,
    "context_amount": 0.5,
    "total_stride": 8,
    "anchor_base_size": 8,
    "anchor_scales": [8.0],
    "anchor_ratios": list(RATIOS),
    "pos_iou": 0.6,
    "neg_iou": 0.3,
    "max_pos": 16,
    "total_samples": 64,
    "max_shift": 12.0,
    "scale_jitter": 0.15,
    "grayscale_probability": 0.0,
    "max_gap": 100,
    "samples_per_epoch": 50000,
    "num_epochs": 50,
    "lr_warmup_epochs": 0,
    "lr_warmup_start": 1e-2,
    "lr_start": 1e-2,
    "lr_end": 1e-6,
    "momentum": 0.9,
    "weight_decay": 5e-4,
    "cls_weight": 1.0,
    "reg_weight": 1.2,
    "cls_loss_mode": "sampled",
    "smooth_l1_beta": 1.0,
    "model": "siamrpn_alexnet",
    "net_width": 1.0,
    "net_hidden": 256,
    "backbone_pretrained": False,
    "score_sz": None,
    "sampler_seed": None,
    "loader_seed": None,
}

#: SiamRPN++ (AlexNet, depth-wise head) as overrides of :data:`SIAMRPN_DEFAULTS`.
SIAMRPN_PP_OVERRIDES = {
    "description": "SiamRPN++-style (AlexNet, depth-wise RPN head)",
    "max_shift": 64.0,
    "samples_per_epoch": 600000,
    "num_epochs": 20,
    "lr_warmup_epochs": 5,
    "lr_warmup_start": 1e-3,
    "lr_start": 5e-3,
    "lr_end": 5e-4,
    "weight_decay": 1e-4,
    "cls_loss_mode": "balanced",
    "model": "siamrpn_alexnet_dw",
}


def set_defaults(settings: Settings, overrides: dict | None = None) -> None:
    """Set every SiamRPN field to its default, or to the value in ``overrides``."""
    settings.add_fields(SIAMRPN_DEFAULTS, overrides, "SiamRPN training settings")


def epoch_learning_rates(settings: Settings) -> list[float]:
    """The learning rate of every epoch: ``lr_warmup_epochs`` epochs log-spaced from
    ``lr_warmup_start`` towards ``lr_start`` (reached in the first epoch after the warm-up), then
    log-spaced from ``lr_start`` to ``lr_end`` (reached in the last epoch)."""
    epochs, warmup = int(settings.num_epochs), int(settings.lr_warmup_epochs)
    rates = (settings.lr_warmup_start, settings.lr_start, settings.lr_end)
    if epochs < 1 or not 0 <= warmup < epochs or min(rates) <= 0:
        raise ValueError(f"SiamRPN settings: need num_epochs >= 1, 0 <= lr_warmup_epochs < "
                         f"num_epochs and positive learning rates; got num_epochs={epochs}, "
                         f"lr_warmup_epochs={warmup}, lr_warmup_start/lr_start/lr_end={rates}")
    start, top, end = (float(r) for r in rates)
    warm = [start * (top / start) ** (e / warmup) for e in range(warmup)]
    decay_steps = epochs - warmup - 1
    decay = [top * (end / top) ** (e / decay_steps) if decay_steps else top
             for e in range(epochs - warmup)]
    return warm + decay


def build_optimizer(settings: Settings, net: torch.nn.Module):
    """SGD (momentum, weight decay) with the per-epoch learning rates of :func:`epoch_learning_rates`
    (a LambdaLR; epochs past the last keep the last rate)."""
    rates = epoch_learning_rates(settings)
    optimizer = torch.optim.SGD(net.parameters(), lr=rates[0], momentum=settings.momentum,
                                weight_decay=settings.weight_decay)
    factors = [r / rates[0] for r in rates]
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda epoch: factors[min(int(epoch), len(factors) - 1)])
    return optimizer, scheduler


def build_net(settings: Settings) -> torch.nn.Module:
    """The network named by ``settings.model`` with ``net_hidden`` and one anchor per ratio and
    scale; the AlexNet models with ``net_width``, the ResNet-50 one with ``backbone_pretrained``
    (torchvision's ImageNet file from the ``pretrained_networks`` folder)."""
    if settings.model not in MODELS:
        raise ValueError(f"SiamRPN settings: model must be one of {MODELS}, got {settings.model!r}")
    num_anchors = len(settings.anchor_ratios) * len(settings.anchor_scales)
    if settings.model == "siamrpn_resnet50":
        return siamrpn_resnet.siamrpn_resnet50(hidden=settings.net_hidden, num_anchors=num_anchors,
                                               backbone_pretrained=settings.backbone_pretrained)
    constructor = getattr(siamrpn_models, settings.model)
    return constructor(width=settings.net_width, hidden=settings.net_hidden,
                       num_anchors=num_anchors)


def build_processing(settings: Settings) -> SiamRPNProcessing:
    """SiamRPN pair processing with optional grayscale (joint) and normalization."""
    transform, joint = image_transforms(settings)
    return SiamRPNProcessing(
        exemplar_sz=settings.exemplar_sz, instance_sz=settings.instance_sz,
        context_amount=settings.context_amount, total_stride=settings.total_stride,
        max_shift=settings.max_shift, scale_jitter=settings.scale_jitter,
        anchor_base_size=settings.anchor_base_size, anchor_scales=settings.anchor_scales,
        anchor_ratios=settings.anchor_ratios, pos_iou=settings.pos_iou, neg_iou=settings.neg_iou,
        max_pos=settings.max_pos, total_samples=settings.total_samples,
        score_sz=check_score_size(settings), transform=transform, joint_transform=joint)


def build_trainer(settings: Settings, datasets: Sequence,
                  p_datasets: Sequence[float] | None,
                  val_datasets: Sequence | None = None) -> LTRTrainer:
    """Network, actor (RPN loss), loaders, optimizer, schedule and trainer. With ``val_datasets``
    (held-out sequences), a 'val' loader of ``settings.val_samples_per_epoch`` pairs runs every
    epoch without gradients (its loss is the held-out check)."""
    check_score_size(settings)
    net = build_net(settings)
    objective = RPNLoss(settings.cls_weight, settings.reg_weight, settings.cls_loss_mode,
                        settings.smooth_l1_beta)
    actor = SiamRPNActor(net=net, objective=objective)
    loaders = pair_loaders(settings, lambda: build_processing(settings), datasets, p_datasets,
                           val_datasets, seed=settings.loader_seed)
    optimizer, scheduler = build_optimizer(settings, net)
    return LTRTrainer(actor, loaders, optimizer, settings, scheduler)


def available_datasets(settings: Settings,
                       candidates: Sequence[tuple[str, Callable[[str], object]]]) -> list:
    """The datasets of ``candidates`` ((env setting, builder) pairs) whose path is set; an error
    naming all of them when none is."""
    datasets = datasets_with_paths(settings, candidates, "SiamRPN training")
    if not datasets:
        names = ", ".join(field for field, _ in candidates)
        raise MissingFileError(f"SiamRPN training needs at least one dataset: set one of {names} "
                               f"in {settings.env.settings_file} (or the LTR_<NAME> "
                               "environment variables, e.g. LTR_GOT10K_DIR). To try it without "
                               "datasets: python ltr/run_training.py siam siamrpn_synthetic "
                               "(synthetic videos made on the spot, trains on a CPU in minutes)")
    return datasets


#: Score-map side of the ResNet-50 SiamRPN++ for a 255 search region (see siamrpn_resnet).
RESNET50_SCORE_SZ_255 = 25


def check_score_size(settings: Settings) -> int:
    """Score-map side: ``settings.score_sz`` if set, else from the crop sizes,
    ``(instance_sz - exemplar_sz) / total_stride + 1`` for the AlexNet models (the two must be a
    whole number of strides apart) and 25 for the ResNet-50 model at 255."""
    if settings.score_sz is not None:
        if int(settings.score_sz) < 1:
            raise ValueError(f"SiamRPN settings: score_sz must be >= 1, got {settings.score_sz}")
        return int(settings.score_sz)
    if settings.model == "siamrpn_resnet50":
        if (settings.exemplar_sz, settings.instance_sz) != (127, 255):
            raise ValueError("SiamRPN settings: for siamrpn_resnet50 with crops other than 127 / 255"
                             " set score_sz to the network's output size")
        return RESNET50_SCORE_SZ_255
    gap = settings.instance_sz - settings.exemplar_sz
    if gap <= 0 or gap % settings.total_stride:
        raise ValueError(f"SiamRPN settings: instance_sz - exemplar_sz ({gap}) must be a positive "
                         f"multiple of total_stride ({settings.total_stride})")
    return gap // settings.total_stride + 1


__all__ = ["SIAMRPN_DEFAULTS", "SIAMRPN_PP_OVERRIDES", "set_defaults", "epoch_learning_rates",
           "build_optimizer", "build_net", "build_processing", "build_trainer",
           "available_datasets", "check_score_size"]
