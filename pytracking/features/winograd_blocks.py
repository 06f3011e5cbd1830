"""ResNet basic blocks run with the Winograd convolution kernel (CPU inference).

:func:`use_winograd_blocks` swaps every batch-norm-folded :class:`BasicBlock` of a network (see
``net_wrappers.fold_batchnorm``) for a :class:`WinogradBasicBlock` that computes the same thing:
its stride-1 3x3 convolutions go through :mod:`pytracking.libs.cpu_kernels.winograd`, with the bias, the
residual and the ReLUs fused into the kernel's output pass. Strided convolutions and the
downsampling branch stay torch's.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.backbone.resnet import BasicBlock
from pytracking.libs.cpu_kernels import winograd


class WinogradBasicBlock(nn.Module):
    """``relu(conv2(relu(conv1(x))) + residual(x))`` of a folded :class:`BasicBlock`."""

    def __init__(self, block: BasicBlock) -> None:
        super().__init__()
        if not convertible(block):
            raise ValueError("WinogradBasicBlock needs an eval-mode BasicBlock with folded batch norm and a "
                             "Winograd-compatible second convolution")
        self.conv1 = block.conv1
        self.conv2 = block.conv2
        self.downsample = block.downsample
        self.conv1_winograd = winograd.supports(block.conv1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        if self.conv1_winograd:
            out = winograd.conv3x3(x, self.conv1, relu=True)
        else:
            out = F.relu(self.conv1(x))
        return winograd.conv3x3(out, self.conv2, residual=residual, relu=True)


def convertible(block: nn.Module) -> bool:
    """Whether ``block`` is an eval-mode :class:`BasicBlock` (its own forward) whose batch norms
    are folded away (``nn.Identity``) and whose second convolution the kernel supports."""
    return (isinstance(block, BasicBlock) and type(block).forward is BasicBlock.forward and not block.training
            and isinstance(block.bn1, nn.Identity) and isinstance(block.bn2, nn.Identity)
            and winograd.supports(block.conv2))


def use_winograd_blocks(net: nn.Module) -> int:
    """Replace, in place, every convertible block inside ``net``'s ``nn.Sequential`` containers by a
    :class:`WinogradBasicBlock`; returns how many were replaced (0 when the kernel is not built)."""
    if winograd.load_kernel() is None:
        return 0
    replaced = 0
    for module in list(net.modules()):
        if isinstance(module, nn.Sequential):
            for i, child in enumerate(module):
                if convertible(child):
                    module[i] = WinogradBasicBlock(child)
                    replaced += 1
    return replaced
