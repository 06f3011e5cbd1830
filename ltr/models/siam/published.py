"""The published Siamese models whose weight files users have, rebuilt from this project's parts.

Each entry of :data:`PUBLISHED` names a published file layout and says how to build the model
(a constructor of this module) and how the file's state-dict keys map onto the model's
(prefix rules, applied in order; a file key no rule maps is an error):

* pysot (STVIR/pysot model zoo, ``model.pth``): ``siamrpn_alex_dwxcorr`` (AlexNet legacy, one
  depth-wise RPN), ``siamrpn_r50_l234_dwxcorr`` (pysot's stride-8 ResNet-50, layers 2-4, neck,
  three depth-wise RPNs fused with softmax weights), ``siamrpn_mobilev2_l234_dwxcorr``
  (MobileNetV2 x1.4, layers 3, 5, 7, plain average of the three RPNs).
* DaSiamRPN (foolwood/DaSiamRPN): ``SiamRPNBIG`` (AlexNet 192-512-768-768-512), ``SiamRPNvot`` and
  ``SiamRPNotb`` (AlexNet 96-256-384-384-256), up-channel RPN with the plain correlation sum.
* siamfc-pytorch (huanglianghua/siamfc-pytorch): ``siamfc_alexnet_e50`` (AlexNetV1 with biased
  grouped convs, batch norm eps 1e-6, response times 0.001).

All take raw 0..255 pixels (no mean/std); pysot and DaSiamRPN in BGR order, siamfc-pytorch in RGB:
the tracker parameter sets of ``pytracking/parameter/siamrpn`` and ``.../siamfc`` say so.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone.alexnet import PAPER_CHANNELS, AlexNetLegacy, AlexNetV1
from ltr.models.backbone.mobilenet_v2 import MobileNetV2
from ltr.models.backbone.resnet_atrous import resnet50_atrous
from ltr.models.siam.rpn_heads import DepthwiseRPN, UpChannelRPN
from ltr.models.siam.siamfc import SiamFCNet
from ltr.models.siam.siamrpn import SIAMRPN_CHANNELS, SiamRPNNet
from ltr.models.siam.siamrpn_resnet import MultiLayerDepthwiseRPN


class FixedScale(nn.Module):
    """Multiplies the raw correlation by a constant (siamfc-pytorch's ``out_scale``), no weights."""

    def __init__(self, scale: float = 1e-3) -> None:
        super().__init__()
        self.scale = float(scale)

    def forward(self, raw: torch.Tensor) -> torch.Tensor:
        return raw * self.scale


@model_constructor
def pysot_siamrpn_alex() -> SiamRPNNet:
    """pysot ``siamrpn_alex_dwxcorr``: AlexNet legacy (96-256-384-384-256) + depth-wise RPN."""
    backbone = AlexNetLegacy(PAPER_CHANNELS)
    return SiamRPNNet(backbone, DepthwiseRPN(backbone.out_channels, 256, 5))


@model_constructor
def pysot_siamrpn_r50() -> SiamRPNNet:
    """pysot ``siamrpn_r50_l234_dwxcorr``: ResNet-50 (layers 2-4), 7x7 template crop, weighted."""
    backbone = resnet50_atrous((2, 3, 4))
    head = MultiLayerDepthwiseRPN(backbone.out_channels, 256, 5, 256, weighted=True, crop=7)
    return SiamRPNNet(backbone, head)


@model_constructor
def pysot_siamrpn_mobilev2() -> SiamRPNNet:
    """pysot ``siamrpn_mobilev2_l234_dwxcorr``: MobileNetV2 x1.4 (layers 3, 5, 7), averaged."""
    backbone = MobileNetV2(1.4, (3, 5, 7))
    head = MultiLayerDepthwiseRPN(backbone.out_channels, 256, 5, 256, weighted=False, crop=7)
    return SiamRPNNet(backbone, head)


@model_constructor
def dasiamrpn(big: bool = False) -> SiamRPNNet:
    """DaSiamRPN ``SiamRPNBIG`` (``big``) or ``SiamRPNvot``/``SiamRPNotb``: AlexNet legacy and
    the up-channel RPN (kernels of ``feature_out`` = last AlexNet width channels, plain sum)."""
    backbone = AlexNetLegacy(SIAMRPN_CHANNELS if big else PAPER_CHANNELS)
    c = backbone.out_channels
    return SiamRPNNet(backbone, UpChannelRPN(c, c, 5, corr_scale=1.0))


@model_constructor
def siamfc_pytorch_alexnet() -> SiamFCNet:
    """siamfc-pytorch ``Net(AlexNetV1(), SiamFC(0.001))``."""
    return SiamFCNet(AlexNetV1(), FixedScale(1e-3))


@dataclasses.dataclass(frozen=True)
class PublishedModel:
    """A published file layout: the project it comes from, the constructor of the model, the
    key prefix rules (file prefix -> model prefix), and the file name the project publishes
    (pysot's files are all ``model.pth``, one per ``experiments/<name>/`` folder: kept so)."""

    project: str
    build: Callable[[], nn.Module]
    prefixes: tuple[tuple[str, str], ...]
    file_name: str


_PYSOT_MULTI = (("backbone.", "feature_extractor."), ("neck.downsample2.", "rpn_head.adjust2."),
                ("neck.downsample3.", "rpn_head.adjust3."),
                ("neck.downsample4.", "rpn_head.adjust4."), ("rpn_head.", "rpn_head."))
_DASIAMRPN = (("featureExtract.", "feature_extractor.features."), ("conv_", "rpn_head.conv_"),
              ("regress_adjust.", "rpn_head.regress_adjust."))

#: Published layouts by name (the names the projects use for their models / files).
PUBLISHED: dict[str, PublishedModel] = {
    "siamrpn_alex_dwxcorr": PublishedModel(
        "pysot", pysot_siamrpn_alex,
        (("backbone.", "feature_extractor."), ("rpn_head.", "rpn_head.")),
        "siamrpn_alex_dwxcorr/model.pth"),
    "siamrpn_r50_l234_dwxcorr": PublishedModel("pysot", pysot_siamrpn_r50, _PYSOT_MULTI,
                                               "siamrpn_r50_l234_dwxcorr/model.pth"),
    "siamrpn_mobilev2_l234_dwxcorr": PublishedModel("pysot", pysot_siamrpn_mobilev2, _PYSOT_MULTI,
                                                    "siamrpn_mobilev2_l234_dwxcorr/model.pth"),
    "SiamRPNBIG": PublishedModel("DaSiamRPN", lambda: dasiamrpn(big=True), _DASIAMRPN,
                                 "SiamRPNBIG.model"),
    "SiamRPNvot": PublishedModel("DaSiamRPN", lambda: dasiamrpn(big=False), _DASIAMRPN,
                                 "SiamRPNVOT.model"),
    "SiamRPNotb": PublishedModel("DaSiamRPN", lambda: dasiamrpn(big=False), _DASIAMRPN,
                                 "SiamRPNOTB.model"),
    "siamfc_alexnet_e50": PublishedModel(
        "siamfc-pytorch", siamfc_pytorch_alexnet, (("backbone.", "feature_extractor."),),
        "siamfc_alexnet_e50.pth"),
}


def published_model(name: str) -> PublishedModel:
    """The :data:`PUBLISHED` entry ``name``, with an error listing the known names."""
    try:
        return PUBLISHED[name]
    except KeyError:
        raise KeyError(f"Unknown published Siamese model {name!r}; known: "
                       f"{sorted(PUBLISHED)}") from None


def model_key(name: str, file_key: str) -> str | None:
    """The model key of a published file key (None if no prefix rule of ``name`` matches)."""
    for old, new in published_model(name).prefixes:
        if file_key.startswith(old):
            return new + file_key[len(old):]
    return None


def published_key(name: str, key: str) -> str:
    """The published file key of model key ``key`` (the inverse of :func:`model_key`)."""
    for old, new in published_model(name).prefixes:
        if key.startswith(new):
            return old + key[len(new):]
    return key
