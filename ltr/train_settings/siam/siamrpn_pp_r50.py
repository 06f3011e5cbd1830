"""SiamRPN++ with the ResNet-50 backbone (layers 2-4, depth-wise heads, 25 x 25 map at 255): the
``siamrpn_pp`` set-up and datasets with ``model = 'siamrpn_resnet50'``. The backbone starts from
torchvision's ImageNet ResNet-50 when its file is in the ``pretrained_networks`` folder, otherwise
from random weights (with a warning; recorded as ``settings.backbone_pretrained``).

    python ltr/run_training.py siam siamrpn_pp_r50
"""
from __future__ import annotations

import logging

from ltr.admin.settings import Settings
from ltr.models.backbone.resnet import pretrained_weight_file
from ltr.trainers import LTRTrainer
from ltr.train_settings.siam import siamrpn_pp

logger = logging.getLogger(__name__)


def imagenet_resnet50_available() -> bool:
    """True if torchvision's ImageNet ResNet-50 file is in the ``pretrained_networks`` folder."""
    try:
        pretrained_weight_file("resnet50")
    except FileNotFoundError:
        return False
    return True


def build(settings: Settings) -> LTRTrainer:
    """SiamRPN++ settings with the ResNet-50 model, the available datasets and the trainer."""
    pretrained = imagenet_resnet50_available()
    if not pretrained:
        logger.warning("No ImageNet ResNet-50 weights in the 'pretrained_networks' folder: "
                       "training SiamRPN++ ResNet-50 from a random initialisation")
    return siamrpn_pp.build(settings, {"model": "siamrpn_resnet50",
                                       "backbone_pretrained": pretrained})


def run(settings: Settings) -> None:
    build(settings).train(settings.num_epochs, load_latest=True, fail_safe=True)
