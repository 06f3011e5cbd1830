"""SiamRPN (Li et al., CVPR 2018) and the SiamRPN++ depth-wise head (Li et al., CVPR 2019) on the
AlexNet backbone.

``SiamRPNNet(z, x)`` maps ``N x 3 x 127 x 127`` templates and ``N x 3 x 255 x 255`` (271, 287)
search images to (``N x 2k x S x S`` classification, ``N x 4k x S x S`` regression), S = 17 (19,
21). Trackers call ``kernels = net.template(z)`` once and ``net.rpn(kernels, net.search(x))`` per
frame.

Backbones: SiamRPN's AlexNet is SiamFC's five-convolution AlexNet
(:class:`ltr.models.backbone.alexnet.AlexNetSiam`, stride 8, 127 -> 6, 255 -> 22, 271 -> 24)
with the channels of DaSiamRPN's model, 192-512-768-768-512; the depth-wise variant uses the
AlexNet channels 96-256-384-384-256 of pysot's SiamRPN++ AlexNet. ``width`` scales the channels
(small, fast variants for tests and instant training).

The ResNet-50 SiamRPN++ (stride-8 dilated ResNet-50, three depth-wise heads) is in
:mod:`ltr.models.siam.siamrpn_resnet`.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone.alexnet import PAPER_CHANNELS, AlexNetSiam
from ltr.models.siam.rpn_heads import DepthwiseRPN, UpChannelRPN

#: AlexNet channels of DaSiamRPN's SiamRPN model.
SIAMRPN_CHANNELS = (192, 512, 768, 768, 512)


def scaled_channels(channels: Sequence[int], width: float) -> list[int]:
    """``channels`` times ``width``, at least 1 each."""
    if not width > 0:
        raise ValueError(f"scaled_channels: width must be positive, got {width}")
    return [max(1, int(round(c * width))) for c in channels]


class SiamRPNNet(nn.Module):
    """A shared ``feature_extractor`` and an ``rpn_head`` (:mod:`ltr.models.siam.rpn_heads`)."""

    def __init__(self, feature_extractor: nn.Module, rpn_head: nn.Module) -> None:
        super().__init__()
        self.feature_extractor = feature_extractor
        self.rpn_head = rpn_head
        self.total_stride = int(getattr(feature_extractor, "total_stride", 8))
        self.num_anchors = int(rpn_head.num_anchors)

    def template(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The head's (classification, regression) kernels of the template images."""
        return self.rpn_head.template(self.feature_extractor(z))

    def search(self, x: torch.Tensor) -> torch.Tensor:
        """Search-image features."""
        return self.feature_extractor(x)

    def rpn(self, kernels: tuple[torch.Tensor, torch.Tensor],
            x_feat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(classification ``N x 2k x S x S``, regression ``N x 4k x S x S``)."""
        return self.rpn_head(kernels, x_feat)

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.rpn(self.template(z), self.search(x))


@model_constructor
def siamrpn_alexnet(width: float = 1.0, hidden: int = 256, num_anchors: int = 5,
                    corr_scale: float | None = None) -> SiamRPNNet:
    """SiamRPN: AlexNet (192-512-768-768-512 channels times ``width``) and the up-channel head
    with ``hidden`` channels per kernel (256), ``num_anchors`` anchors per position and the
    correlation scale ``corr_scale`` (None: ``1 / (hidden * 16)``, see ``UpChannelRPN``)."""
    backbone = AlexNetSiam(scaled_channels(SIAMRPN_CHANNELS, width))
    return SiamRPNNet(backbone, UpChannelRPN(backbone.out_channels, hidden, num_anchors,
                                             corr_scale))


@model_constructor
def siamrpn_alexnet_dw(width: float = 1.0, hidden: int = 256, num_anchors: int = 5) -> SiamRPNNet:
    """SiamRPN++-style AlexNet model: AlexNet (96-256-384-384-256 times ``width``) and the
    depth-wise head with ``hidden`` adjusted channels."""
    backbone = AlexNetSiam(scaled_channels(PAPER_CHANNELS, width))
    return SiamRPNNet(backbone, DepthwiseRPN(backbone.out_channels, hidden, num_anchors))
