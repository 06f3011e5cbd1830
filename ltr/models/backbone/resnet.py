"""ResNet-18/50 backbones with torchvision's state-dict key names.

The modules are named as in torchvision (``conv1``, ``bn1``, ``layer1`` ... ``layer4`` made of blocks
``<i>.conv1``/``bn1``/``conv2``/``bn2`` [``conv3``/``bn3``] and ``<i>.downsample.0`` (1x1 conv) /
``.1`` (BN), and ``fc``), so torchvision's ImageNet weight files load unchanged.

``forward`` returns an ``OrderedDict`` with the requested outputs, named as in ATOM:

========  ==============================================================  ======  =====================
name      what                                                            stride  channels (18 / 50)
========  ==============================================================  ======  =====================
conv1     conv1 -> bn1 -> relu (before the max-pool)                      2       64 / 64
layer1    max-pool -> layer1                                              4       64 / 256
layer2    layer2                                                          8       128 / 512
layer3    layer3                                                          16      256 / 1024
layer4    layer4                                                          32      512 / 2048
fc        global average pool -> flatten -> fc (ImageNet logits)          -       1000
========  ==============================================================  ======  =====================

Computation stops after the deepest requested output.
"""
from __future__ import annotations

import logging
import math
import os
from collections import OrderedDict
from typing import Sequence

import torch
import torch.nn as nn

from ltr.admin.cli import MissingFileError
from ltr.admin.env_file import SettingsPathError
from ltr.admin.environment import env_settings

logger = logging.getLogger(__name__)

#: Output names in the order they are computed.
LAYER_NAMES = ("conv1", "layer1", "layer2", "layer3", "layer4", "fc")

#: torchvision's ImageNet weight files, newest first (the first one found is used).
PRETRAINED_FILES = {
    "resnet18": ("resnet18-f37072fd.pth", "resnet18-5c106cde.pth"),
    "resnet50": ("resnet50-0676ba61.pth", "resnet50-19c8e357.pth"),
}


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, dilation: int = 1) -> nn.Conv2d:
    """3x3 convolution without bias, padded to keep the size (at stride 1)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation,
                     dilation=dilation, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual connection (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, dilation: int = 1) -> None:
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride, dilation)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes, dilation=dilation)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + residual)


class Bottleneck(nn.Module):
    """1x1 -> 3x3 (strided) -> 1x1 convolutions with a residual connection (ResNet-50/101)."""

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, dilation: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride, dilation)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + residual)


def _check_layers(output_layers: Sequence[str]) -> list[str]:
    if isinstance(output_layers, str):
        output_layers = [output_layers]
    layers = list(output_layers)
    unknown = [name for name in layers if name not in LAYER_NAMES]
    if not layers or unknown:
        raise ValueError(f"ResNet output_layers {layers!r}: unknown or empty; choose from "
                         f"{', '.join(LAYER_NAMES)}")
    return layers


class ResNet(nn.Module):
    """ResNet returning the outputs named in ``output_layers`` (see the module docstring)."""

    def __init__(self, block: type[BasicBlock] | type[Bottleneck], layers: Sequence[int],
                 output_layers: Sequence[str], num_classes: int = 1000, inplanes: int = 64) -> None:
        super().__init__()
        self.output_layers = _check_layers(output_layers)
        self.inplanes = inplanes
        self.conv1 = nn.Conv2d(3, inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, inplanes, layers[0])
        self.layer2 = self._make_layer(block, inplanes * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, inplanes * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, inplanes * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes * 8 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2.0 / fan_out))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()

    def _make_layer(self, block, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride,
                          bias=False),
                nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def _stages(self):
        """(name, function) for every output, in computation order."""
        return (
            ("conv1", lambda x: self.relu(self.bn1(self.conv1(x)))),
            ("layer1", lambda x: self.layer1(self.maxpool(x))),
            ("layer2", self.layer2),
            ("layer3", self.layer3),
            ("layer4", self.layer4),
            ("fc", lambda x: self.fc(torch.flatten(self.avgpool(x), 1))),
        )

    def forward(self, x: torch.Tensor,
                output_layers: Sequence[str] | None = None) -> "OrderedDict[str, torch.Tensor]":
        """Outputs of ``output_layers`` (default: the constructor's) for images ``x`` [N,3,H,W].

        An inference copy may set ``fused_stem`` to a function ``(resnet, x)`` computing
        ``maxpool(relu(bn1(conv1(x))))`` at once; it is used whenever ``conv1`` is not an output."""
        layers = self.output_layers if output_layers is None else _check_layers(output_layers)
        wanted = set(layers)
        last = max(LAYER_NAMES.index(name) for name in wanted)
        found = {}
        stages = self._stages()[:last + 1]
        fused_stem = getattr(self, "fused_stem", None)
        if fused_stem is not None and "conv1" not in wanted:
            x = fused_stem(self, x)
            stages = (("layer1", self.layer1),) + stages[2:]
        for name, stage in stages:
            x = stage(x)
            if name in wanted:
                found[name] = x
        return OrderedDict((name, found[name]) for name in layers)


def pretrained_weight_file(arch: str) -> str:
    """Path of torchvision's ImageNet weight file for ``arch`` in ``pretrained_networks``."""
    names = PRETRAINED_FILES[arch]
    try:
        folder = env_settings().pretrained_networks
    except SettingsPathError as exc:
        raise MissingFileError(
            f"Pretrained {arch} weights ({' or '.join(names)}) are looked up in the folder of the "
            f"'pretrained_networks' setting, which is not usable: {exc}") from exc
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    raise MissingFileError(
        f"Pretrained {arch} weights not found: expected {' or '.join(names)} (torchvision's "
        f"ImageNet weights) in {folder} (the 'pretrained_networks' setting). Nothing is "
        f"downloaded; put the file there.")


def _load_pretrained(model: ResNet, arch: str) -> None:
    path = pretrained_weight_file(arch)
    state = torch.load(path, map_location="cpu", weights_only=True)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise RuntimeError(f"Weight file {path} does not fit {arch}: {exc}") from exc
    logger.info("Loaded %s ImageNet weights from %s", arch, path)


def resnet18(output_layers: Sequence[str] | None = None, pretrained: bool = False) -> ResNet:
    """ResNet-18; ``pretrained`` loads torchvision's ImageNet weights from ``pretrained_networks``."""
    model = ResNet(BasicBlock, [2, 2, 2, 2], output_layers or ["layer3"])
    if pretrained:
        _load_pretrained(model, "resnet18")
    return model


def resnet50(output_layers: Sequence[str] | None = None, pretrained: bool = False) -> ResNet:
    """ResNet-50; ``pretrained`` loads torchvision's ImageNet weights from ``pretrained_networks``."""
    model = ResNet(Bottleneck, [3, 4, 6, 3], output_layers or ["layer3"])
    if pretrained:
        _load_pretrained(model, "resnet50")
    return model
