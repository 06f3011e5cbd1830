"""SiamRPN++ with a ResNet-50 backbone (Li et al., CVPR 2019): stride-8 dilated ResNet-50, layers
2, 3 and 4 adjusted to 256 channels, one depth-wise RPN per layer, outputs fused with learned
softmax weights.

Backbone: ``ltr.models.backbone.resnet.resnet50`` (torchvision key names, so ImageNet weights
load) whose layer3 and layer4 are turned from stride 2 into dilation 2 and 4
(:func:`dilate_resnet`), so layers 2-4 all have stride 8: a 127 template gives 16 x 16
features, a 255 search region 32 x 32.

Neck: per layer a 1x1 conv (no bias) and batch norm to 256 channels; template features are then
cropped to their central 8 x 8 (SiamRPN++ crops its 15 x 15 to 7 x 7 to save computation and
drop padding effects). With the depth-wise heads' 3x3 adjust convs (8 -> 6, 32 -> 30) the score
map is 25 x 25 for a 255 search region, and score cell j is displaced ``(j - 12) * 8`` search
pixels from the crop centre, the layout of ``generate_anchors(25)``.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone.resnet import ResNet, resnet50
from ltr.models.siam.rpn_heads import DepthwiseRPN
from ltr.models.siam.siamrpn import SiamRPNNet

LAYERS = ("layer2", "layer3", "layer4")
LAYER_CHANNELS = (512, 1024, 2048)


def dilate_resnet(net: ResNet, dilations: dict[str, int]) -> ResNet:
    """Replace the stride of the named layers by dilation, in place (as torchvision's
    ``replace_stride_with_dilation``): each named layer gets stride 1; its first block's 3x3 conv
    keeps the dilation reached before the layer, the following blocks' use the layer's."""
    current = 1
    for name in ("layer1", "layer2", "layer3", "layer4"):
        layer = getattr(net, name)
        if name not in dilations:
            continue
        previous, current = current, int(dilations[name])
        if current < 1:
            raise ValueError(f"dilate_resnet: dilation of {name} must be >= 1, got {current}")
        for index, block in enumerate(layer):
            dilation = previous if index == 0 else current
            block.conv2.stride = (1, 1)
            block.conv2.dilation = (dilation, dilation)
            block.conv2.padding = (dilation, dilation)
            if block.downsample is not None:
                block.downsample[0].stride = (1, 1)
    return net


class DilatedResNetFeatures(nn.Module):
    """The stride-8 ResNet-50 returning the ``layer2``, ``layer3``, ``layer4`` outputs as a list."""

    total_stride = 8

    def __init__(self, pretrained: bool = False) -> None:
        super().__init__()
        self.body = dilate_resnet(resnet50(list(LAYERS), pretrained=pretrained),
                                  {"layer3": 2, "layer4": 4})

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return list(self.body(x).values())


class AdjustLayer(nn.Module):
    """1x1 conv + batch norm to ``out_channels``; template-sized maps (side < ``crop_below``) are
    cropped to their central ``crop`` x ``crop``."""

    def __init__(self, in_channels: int, out_channels: int = 256, crop: int = 8,
                 crop_below: int = 20) -> None:
        super().__init__()
        self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                        nn.BatchNorm2d(out_channels))
        self.crop, self.crop_below = int(crop), int(crop_below)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.downsample(x)
        if x.shape[-1] < self.crop_below and x.shape[-1] > self.crop:
            start = (x.shape[-1] - self.crop) // 2
            x = x[:, :, start:start + self.crop, start:start + self.crop]
        return x


class MultiLayerDepthwiseRPN(nn.Module):
    """One :class:`DepthwiseRPN` per backbone layer (``rpn2``, ``rpn3``, ``rpn4``) after an
    :class:`AdjustLayer` each (``adjust2`` ...); outputs summed with softmax-normalized learned
    weights ``cls_weight`` and ``loc_weight`` (equal at the start), or, with ``weighted=False``
    (pysot's MobileNetV2 model), averaged. ``crop``: side of the cropped template features."""

    def __init__(self, in_channels: Sequence[int] = LAYER_CHANNELS, hidden: int = 256,
                 num_anchors: int = 5, adjust_channels: int = 256, weighted: bool = True,
                 crop: int = 8) -> None:
        super().__init__()
        self.num_anchors = int(num_anchors)
        self.levels = [str(i + 2) for i in range(len(in_channels))]
        for level, channels in zip(self.levels, in_channels):
            self.add_module(f"adjust{level}", AdjustLayer(channels, adjust_channels, crop))
            self.add_module(f"rpn{level}", DepthwiseRPN(adjust_channels, hidden, num_anchors))
        self.weighted = bool(weighted)
        if self.weighted:
            self.cls_weight = nn.Parameter(torch.ones(len(in_channels)))
            self.loc_weight = nn.Parameter(torch.ones(len(in_channels)))

    def _check(self, features: Sequence[torch.Tensor]) -> None:
        if len(features) != len(self.levels):
            raise ValueError(f"MultiLayerDepthwiseRPN: expected {len(self.levels)} feature maps, "
                             f"got {len(features)}")

    def template(self, z_feats: Sequence[torch.Tensor]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        self._check(z_feats)
        return [getattr(self, f"rpn{lv}").template(getattr(self, f"adjust{lv}")(z))
                for lv, z in zip(self.levels, z_feats)]

    def forward(self, kernels: Sequence[tuple[torch.Tensor, torch.Tensor]],
                x_feats: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        self._check(x_feats)
        outputs = [getattr(self, f"rpn{lv}")(k, getattr(self, f"adjust{lv}")(x))
                   for lv, k, x in zip(self.levels, kernels, x_feats)]
        if not self.weighted:
            return (sum(out[0] for out in outputs) / len(outputs),
                    sum(out[1] for out in outputs) / len(outputs))
        cls_w = torch.softmax(self.cls_weight, dim=0)
        loc_w = torch.softmax(self.loc_weight, dim=0)
        cls = sum(w * out[0] for w, out in zip(cls_w, outputs))
        loc = sum(w * out[1] for w, out in zip(loc_w, outputs))
        return cls, loc


@model_constructor
def siamrpn_resnet50(hidden: int = 256, num_anchors: int = 5,
                     backbone_pretrained: bool = False) -> SiamRPNNet:
    """SiamRPN++ (ResNet-50, layers 2-4, depth-wise heads); ``backbone_pretrained`` loads
    torchvision's ImageNet ResNet-50 file from the ``pretrained_networks`` folder."""
    return SiamRPNNet(DilatedResNetFeatures(backbone_pretrained),
                      MultiLayerDepthwiseRPN(LAYER_CHANNELS, hidden, num_anchors))
