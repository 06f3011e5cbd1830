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
