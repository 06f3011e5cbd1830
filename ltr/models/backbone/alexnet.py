"""The AlexNet-style fully-convolutional backbone of SiamFC (Bertinetto et al., 2016).

Five convolutions without padding, batch norm after each but the last, max-pooling after conv1 and
conv2; total stride 8. A 127 x 127 exemplar becomes 6 x 6 features, a 255 x 255 search region
22 x 22. Channels 96-256-384-384-256 as in the paper (``width`` scales them for small, fast
variants; ``groups=2`` gives the paper's two-group conv2/conv4/conv5).
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

PAPER_CHANNELS = (96, 256, 384, 384, 256)
TOTAL_STRIDE = 8


def _block(in_ch: int, out_ch: int, kernel: int, stride: int = 1, groups: int = 1,
           pool: bool = False, last: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(in_ch, out_ch, kernel, stride, groups=groups, bias=last)]
    if not last:
        layers += [nn.BatchNorm2d(out_ch), nn.ReLU(inplace=True)]
    if pool:
        layers.append(nn.MaxPool2d(3, 2))
    return nn.Sequential(*layers)


class AlexNetSiam(nn.Module):
    """conv1 11x11/2 + pool 3/2, conv2 5x5 + pool 3/2, conv3..conv5 3x3; output of conv5."""

    total_stride = TOTAL_STRIDE

    def __init__(self, channels: Sequence[int] = PAPER_CHANNELS, groups: int = 1) -> None:
        super().__init__()
        channels = tuple(int(c) for c in channels)
        if len(channels) != 5 or min(channels) < 1:
            raise ValueError(f"AlexNetSiam needs 5 positive channel counts, got {channels}")
        if groups < 1 or any(c % groups for c in channels):
            raise ValueError(f"AlexNetSiam: every channel count {channels} must be divisible by "
                             f"groups={groups}")
        c1, c2, c3, c4, c5 = channels
        self.out_channels = c5
        self.conv1 = _block(3, c1, 11, stride=2, pool=True)
        self.conv2 = _block(c1, c2, 5, groups=groups, pool=True)
        self.conv3 = _block(c2, c3, 3)
        self.conv4 = _block(c3, c4, 3, groups=groups)
        self.conv5 = _block(c4, c5, 3, groups=groups, last=True)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``N x 3 x H x W`` -> ``N x C x ((H - 87) / 8 + 1) x ...`` (127 -> 6, 255 -> 22)."""
        return self.conv5(self.conv4(self.conv3(self.conv2(self.conv1(x)))))


def alexnet_siam(width: float = 1.0, groups: int = 1) -> AlexNetSiam:
    """SiamFC's AlexNet with the paper's channels times ``width``."""
    if width <= 0:
        raise ValueError(f"alexnet_siam: width must be positive, got {width}")
    channels = [max(groups, int(round(c * width / groups)) * groups) for c in PAPER_CHANNELS]
    return AlexNetSiam(channels, groups)


class AlexNetLegacy(nn.Module):
    """The AlexNet of pysot's ``alexnetlegacy`` and DaSiamRPN's ``featureExtract``: one
    ``features`` sequence (conv 11x11/2, BN, pool 3/2, ReLU, conv 5x5, BN, pool 3/2, ReLU, two
    conv 3x3 + BN + ReLU, conv 3x3 + BN), all convs with bias, batch norm also after the last conv,
    no grouping. Module indices 0, 1, 4, 5, 8, 9, 11, 12, 14, 15 hold the weights, so the
    published key names (``features.<i>.*``) load unchanged. Stride 8; 127 -> 6, 271 -> 24,
    287 -> 26."""

    total_stride = TOTAL_STRIDE

    def __init__(self, channels: Sequence[int] = PAPER_CHANNELS) -> None:
        super().__init__()
        channels = tuple(int(c) for c in channels)
        if len(channels) != 5 or min(channels) < 1:
            raise ValueError(f"AlexNetLegacy needs 5 positive channel counts, got {channels}")
        c1, c2, c3, c4, c5 = channels
        self.out_channels = c5
        self.features = nn.Sequential(
            nn.Conv2d(3, c1, 11, stride=2), nn.BatchNorm2d(c1), nn.MaxPool2d(3, 2),
            nn.ReLU(inplace=True),
            nn.Conv2d(c1, c2, 5), nn.BatchNorm2d(c2), nn.MaxPool2d(3, 2), nn.ReLU(inplace=True),
            nn.Conv2d(c2, c3, 3), nn.BatchNorm2d(c3), nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, 3), nn.BatchNorm2d(c4), nn.ReLU(inplace=True),
            nn.Conv2d(c4, c5, 3), nn.BatchNorm2d(c5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


class AlexNetV1(nn.Module):
    """siamfc-pytorch's ``AlexNetV1``: ``conv1`` .. ``conv5`` sequences, every conv with bias,
    conv2/conv4/conv5 in two groups, batch norm (``eps`` 1e-6, that project's value) and ReLU after
    conv1..conv4, max-pooling 3/2 after conv1 and conv2. Stride 8; 127 -> 6, 255 -> 22."""

    total_stride = TOTAL_STRIDE

    def __init__(self, channels: Sequence[int] = PAPER_CHANNELS, bn_eps: float = 1e-6) -> None:
        super().__init__()
        c1, c2, c3, c4, c5 = (int(c) for c in channels)
        self.out_channels = c5

        def bn(c: int) -> nn.BatchNorm2d:
            return nn.BatchNorm2d(c, eps=bn_eps, momentum=0.05)

        self.conv1 = nn.Sequential(nn.Conv2d(3, c1, 11, 2), bn(c1), nn.ReLU(inplace=True),
                                   nn.MaxPool2d(3, 2))
        self.conv2 = nn.Sequential(nn.Conv2d(c1, c2, 5, 1, groups=2), bn(c2), nn.ReLU(inplace=True),
                                   nn.MaxPool2d(3, 2))
        self.conv3 = nn.Sequential(nn.Conv2d(c2, c3, 3, 1), bn(c3), nn.ReLU(inplace=True))
        self.conv4 = nn.Sequential(nn.Conv2d(c3, c4, 3, 1, groups=2), bn(c4), nn.ReLU(inplace=True))
        self.conv5 = nn.Sequential(nn.Conv2d(c4, c5, 3, 1, groups=2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv5(self.conv4(self.conv3(self.conv2(self.conv1(x)))))
