"""Convolution and linear blocks with batch normalization and ReLU."""
from __future__ import annotations

import torch
import torch.nn as nn


def conv_block(in_planes: int, out_planes: int, kernel_size: int = 3, stride: int = 1,
               padding: int = 1, dilation: int = 1, bias: bool = True, batch_norm: bool = True,
               relu: bool = True) -> nn.Sequential:
    """Conv2d (index 0) followed by BatchNorm2d (1) and ReLU, as ``nn.Sequential``."""
    layers: list[nn.Module] = [nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size,
                                         stride=stride, padding=padding, dilation=dilation,
                                         bias=bias)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_planes))
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class LinearBlock(nn.Module):
    """Linear layer on a flattened ``in_planes x input_sz x input_sz`` map, then BN and ReLU.

    Input [N, in_planes, input_sz, input_sz] (e.g. pooled RoI features), output [N, out_planes].
    The batch norm is a ``BatchNorm2d`` over [N, out_planes, 1, 1] (as in the original ATOM weights).
    """

    def __init__(self, in_planes: int, out_planes: int, input_sz: int, bias: bool = True,
                 batch_norm: bool = True, relu: bool = True) -> None:
        super().__init__()
        self.linear = nn.Linear(in_planes * input_sz * input_sz, out_planes, bias=bias)
        self.bn = nn.BatchNorm2d(out_planes) if batch_norm else None
        self.relu = nn.ReLU(inplace=True) if relu else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.linear(x.reshape(x.shape[0], -1))
        if self.bn is not None:
            x = self.bn(x.reshape(x.shape[0], x.shape[1], 1, 1))
        if self.relu is not None:
            x = self.relu(x)
        return x.reshape(x.shape[0], -1)
