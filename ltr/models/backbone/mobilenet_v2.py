"""pysot's stride-8 MobileNetV2 (the backbone of ``siamrpn_mobilev2_l234_dwxcorr``).

Layers ``layer0`` (3x3/2 conv, no padding, BN, ReLU6) and ``layer1`` .. ``layer7`` of inverted
residual blocks (expansion t, channels c times ``width_mult``, n blocks, stride s, dilation d):
(1, 16, 1, 1, 1), (6, 24, 2, 2, 1), (6, 32, 3, 2, 1), (6, 64, 4, 1, 2), (6, 96, 3, 1, 2),
(6, 160, 3, 1, 4), (6, 320, 1, 1, 4). Every block has the 1x1 expansion conv (also for t = 1);
the depth-wise 3x3 conv has padding ``2 - stride`` or its dilation; the first block of a layer
whose dilation changes uses half of it. ``forward`` returns the outputs of ``used_layers``
(3, 5, 7: 44, 134, 448 channels at width 1.4; 127 -> 15 x 15, 255 -> 31 x 31).
Key names: ``layer<i>.<j>.conv.<k>`` as in pysot.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

#: (expansion t, channels c, blocks n, stride s, dilation d) of layer1..layer7.
SETTINGS = ((1, 16, 1, 1, 1), (6, 24, 2, 2, 1), (6, 32, 3, 2, 1), (6, 64, 4, 1, 2),
            (6, 96, 3, 1, 2), (6, 160, 3, 1, 4), (6, 320, 1, 1, 4))


class InvertedResidual(nn.Module):
    """1x1 expansion, depth-wise 3x3 (stride, dilation), linear 1x1 projection, each with BN;
    ReLU6 after the first two; identity shortcut when stride 1 and channels unchanged."""

    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int,
                 dilation: int = 1) -> None:
        super().__init__()
        self.use_res_connect = stride == 1 and inp == oup
        padding = dilation if dilation > 1 else 2 - stride
        hidden = inp * expand_ratio
        self.conv = nn.Sequential(
            nn.Conv2d(inp, hidden, 1, 1, 0, bias=False), nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, padding, dilation=dilation, groups=hidden,
                      bias=False),
            nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    """pysot's MobileNetV2 returning the outputs of ``used_layers`` as a list."""

    total_stride = 8

    def __init__(self, width_mult: float = 1.4, used_layers: Sequence[int] = (3, 5, 7)) -> None:
        super().__init__()
        self.used_layers = [int(i) for i in used_layers]
        if not self.used_layers or not set(self.used_layers) <= set(range(8)):
            raise ValueError(f"MobileNetV2: used_layers must be among 0..7, got {used_layers}")
        input_channel = int(32 * width_mult)
        self.layer0 = nn.Sequential(nn.Conv2d(3, input_channel, 3, 2, 0, bias=False),
                                    nn.BatchNorm2d(input_channel), nn.ReLU6(inplace=True))
        channels = [input_channel]
        last_dilation = 1
        for index, (t, c, n, s, d) in enumerate(SETTINGS, start=1):
            output_channel = int(c * width_mult)
            blocks = []
            for i in range(n):
                if i == 0:
                    first_dilation = d if d == last_dilation else max(d // 2, 1)
                    blocks.append(InvertedResidual(input_channel, output_channel, s, t,
                                                   first_dilation))
                else:
                    blocks.append(InvertedResidual(input_channel, output_channel, 1, t, d))
                input_channel = output_channel
            last_dilation = d
            channels.append(output_channel)
            self.add_module(f"layer{index}", nn.Sequential(*blocks))
        self.out_channels = [channels[i] for i in self.used_layers]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outputs = []
        for index in range(max(self.used_layers) + 1):
            x = getattr(self, f"layer{index}")(x)
            outputs.append(x)
        return [outputs[i] for i in self.used_layers]
