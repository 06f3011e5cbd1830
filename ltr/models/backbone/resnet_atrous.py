"""pysot's stride-8 ResNet-50 (``resnet_atrous``), the backbone of SiamRPN++ (Li et al., CVPR 2019).

It differs from torchvision's ResNet-50 in ways the published weights depend on: ``conv1`` has no
padding; a block's 3x3 conv has padding ``2 - stride`` (0 in the strided first block of layer2) or
its dilation; the shortcut of a block that changes stride or dilation is a 3x3 conv (stride 2, no
padding, in layer2; dilation 1 in layer3, 2 in layer4) instead of 1x1; layer3 and layer4 keep
stride 1 with dilation 2 and 4, whose first blocks use half that dilation. A 127 template gives
15 x 15 features in layers 2-4, a 255 search region 31 x 31. Key names are torchvision's
(``conv1``, ``bn1``, ``layer<i>.<j>.conv1`` ..., ``downsample.0/1``).
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn as nn


class AtrousBottleneck(nn.Module):
    """1x1 -> 3x3 (stride, dilation) -> 1x1 (x4 channels) with batch norm, residual shortcut."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: Optional[nn.Module] = None, dilation: int = 1) -> None:
        super().__init__()
        padding = 2 - stride                       # 1, or 0 for the strided block
        if downsample is not None and dilation > 1:
            dilation = dilation // 2                # first block of a dilated layer
            padding = dilation
        if dilation > 1:
            padding = dilation
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=padding, bias=False,
                               dilation=dilation)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + residual)


class ResNetAtrous(nn.Module):
    """ResNet with pysot's layer changes; ``forward`` returns the outputs of ``used_layers``
    (numbers 2, 3, 4 for layer2..layer4) as a list."""

    total_stride = 8

    def __init__(self, layers: Sequence[int] = (3, 4, 6, 3),
                 used_layers: Sequence[int] = (2, 3, 4)) -> None:
        super().__init__()
        self.used_layers = [int(i) for i in used_layers]
        if not self.used_layers or not set(self.used_layers) <= {2, 3, 4}:
            raise ValueError(f"ResNetAtrous: used_layers must be among 2, 3, 4, got {used_layers}")
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=0, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        if max(self.used_layers) >= 3:
            self.layer3 = self._make_layer(256, layers[2], dilation=2)
        if max(self.used_layers) >= 4:
            self.layer4 = self._make_layer(512, layers[3], dilation=4)
        self.out_channels = [(64 << (i - 1)) * AtrousBottleneck.expansion for i in self.used_layers]

    def _make_layer(self, planes: int, blocks: int, stride: int = 1,
                    dilation: int = 1) -> nn.Sequential:
        out = planes * AtrousBottleneck.expansion
        downsample = None
        if stride != 1 or self.inplanes != out:
            if stride == 1 and dilation == 1:
                conv = nn.Conv2d(self.inplanes, out, 1, stride=stride, bias=False)
            else:
                dd = dilation // 2 if dilation > 1 else 1
                padding = dd if dilation > 1 else 0
                conv = nn.Conv2d(self.inplanes, out, 3, stride=stride, bias=False,
                                 padding=padding, dilation=dd)
            downsample = nn.Sequential(conv, nn.BatchNorm2d(out))
        layers = [AtrousBottleneck(self.inplanes, planes, stride, downsample, dilation)]
        self.inplanes = out
        layers += [AtrousBottleneck(out, planes, dilation=dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        outputs = {}
        x = self.layer2(self.layer1(x))
        outputs[2] = x
        for index in (3, 4):
            if index > max(self.used_layers):
                break
            x = getattr(self, f"layer{index}")(x)
            outputs[index] = x
        return [outputs[i] for i in self.used_layers]


def resnet50_atrous(used_layers: Sequence[int] = (2, 3, 4)) -> ResNetAtrous:
    """pysot's ResNet-50 (3, 4, 6, 3 bottlenecks) returning ``used_layers``."""
    return ResNetAtrous((3, 4, 6, 3), used_layers)
