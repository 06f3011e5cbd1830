"""ResNet inference on the compiled CPU kernels (:mod:`pytracking.libs.cpu_kernels`).

Both conversions work in place on a batch-norm-folded eval copy (``net_wrappers.fold_batchnorm``):

* :func:`use_winograd_blocks` swaps every :class:`BasicBlock` for a :class:`WinogradBasicBlock`
  that computes the same thing: its stride-1 3x3 convolutions go through
  :mod:`pytracking.libs.cpu_kernels.winograd`, with the bias, the residual and the ReLUs fused into
  the kernel's output pass. Strided convolutions and the downsampling branch stay torch's.
* :func:`use_fused_stem` makes a :class:`ResNet` compute ``maxpool(relu(conv1(x)))`` in one pass
  (:mod:`pytracking.libs.cpu_kernels.stem`) whenever ``conv1`` is not one of its outputs.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.backbone.resnet import BasicBlock, ResNet
from pytracking.libs.cpu_kernels import load_kernel, stem, winograd


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


def fused_stem_forward(net: ResNet, x: torch.Tensor) -> torch.Tensor:
    """``maxpool(relu(conv1(x)))`` of ``net`` by the stem kernel (the ``fused_stem`` hook of ResNet)."""
    return stem.conv_relu_maxpool(x, net.conv1)


def stem_fusable(net: nn.Module) -> bool:
    """Whether ``net`` is an eval-mode :class:`ResNet` (its own stages) whose stem is
    ``conv1 -> Identity (folded batch norm) -> ReLU -> 3x3/2 max pooling`` that the kernel computes."""
    return (isinstance(net, ResNet) and type(net)._stages is ResNet._stages and type(net).forward is ResNet.forward
            and not net.training and isinstance(net.bn1, nn.Identity) and isinstance(net.relu, nn.ReLU)
            and stem.supports(net.conv1, net.maxpool))


def use_fused_stem(net: nn.Module) -> int:
    """Give every fusable :class:`ResNet` inside ``net`` a fused stem (see the module docstring);
    returns how many (0 when the kernel is not built)."""
    if load_kernel() is None:
        return 0
    fused = 0
    for module in net.modules():
        if stem_fusable(module):
            module.fused_stem = fused_stem_forward
            fused += 1
    return fused
