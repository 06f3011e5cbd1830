"""Region-proposal heads of SiamRPN (up-channel correlation) and SiamRPN++ (depth-wise correlation).

Both heads work in two steps so that trackers compute the template part once:
``kernels = head.template(z_feat)`` and ``cls, reg = head(kernels, x_feat)``, with ``cls``
``N x 2k x S x S`` and ``reg`` ``N x 4k x S x S`` in the anchor layout of
:mod:`ltr.models.siam.anchors`. A batch-1 template is shared by every search sample.

Module and parameter names follow the published implementations, so their key names carry over:
DaSiamRPN's ``conv_cls1``, ``conv_r1`` (template), ``conv_cls2``, ``conv_r2`` (search) and
``regress_adjust``; pysot's ``cls`` / ``loc`` branches with ``conv_kernel``, ``conv_search`` and
``head``.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.siam.correlation import xcorr_depthwise


def xcorr_up_channel(kernel: torch.Tensor, x: torch.Tensor, out_channels: int) -> torch.Tensor:
    """Correlate ``N x (O C) x h x w`` kernels, read as O kernels of C channels each (channel
    ``o * C + c``), with ``N x C x H x W`` features: ``N x O x (H - h + 1) x (W - w + 1)``,
    ``out[n, o, i, j] = sum_{c, u, v} kernel[n, o C + c, u, v] x[n, c, i + u, j + v]``."""
    if kernel.dim() != 4 or x.dim() != 4:
        raise ValueError(f"xcorr_up_channel: expected 4-D tensors, got kernel {tuple(kernel.shape)}"
                         f" and x {tuple(x.shape)}")
    n, c, height, width = x.shape
    if kernel.shape[1] != out_channels * c:
        raise ValueError(f"xcorr_up_channel: kernel has {kernel.shape[1]} channels, expected "
                         f"{out_channels} x {c} (out_channels x search channels)")
    if kernel.shape[0] not in (1, n):
        raise ValueError(f"xcorr_up_channel: kernel batch {kernel.shape[0]} must be 1 or {n}")
    kh, kw = kernel.shape[-2:]
    if kh > height or kw > width:
        raise ValueError(f"xcorr_up_channel: kernel {kh}x{kw} larger than features {height}x{width}")
    if kernel.shape[0] == 1:
        return F.conv2d(x, kernel.reshape(out_channels, c, kh, kw))
    out = F.conv2d(x.reshape(1, n * c, height, width),
                   kernel.reshape(n * out_channels, c, kh, kw), groups=n)
    return out.reshape(n, out_channels, out.shape[-2], out.shape[-1])


class UpChannelRPN(nn.Module):
    """SiamRPN's head: template features -> 3x3 convs to ``2k * hidden`` and ``4k * hidden``
    channels, used as 2k and 4k correlation kernels over the 3x3-conv-adjusted search features
    (``hidden`` channels); the regression output passes a 1x1 ``regress_adjust``. A 6x6 template
    gives 4x4 kernels; 22x22 (24x24) search features give 20x20 (22x22) maps and 17x17 (19x19)
    outputs.

    Both correlations are multiplied by ``corr_scale``, by default ``1 / (hidden * 16)`` (the mean
    instead of the sum of the ``hidden x 4 x 4`` products, as SiamFC scales its score by 0.001).
    The published head uses the plain sum (``corr_scale=1``) on ImageNet-pretrained features;
    trained from scratch with it, SGD at learning rate 5e-3 diverges within a few steps (the sum
    of thousands of products gives initial logits and deltas in the tens)."""

    def __init__(self, in_channels: int = 512, hidden: int = 256, num_anchors: int = 5,
                 corr_scale: float | None = None) -> None:
        super().__init__()
        if min(in_channels, hidden, num_anchors) < 1:
            raise ValueError(f"UpChannelRPN: in_channels, hidden and num_anchors must be >= 1, got "
                             f"{in_channels}, {hidden}, {num_anchors}")
        self.num_anchors = int(num_anchors)
        self.hidden = int(hidden)
        k = self.num_anchors
        self.conv_cls1 = nn.Conv2d(in_channels, hidden * 2 * k, 3)
        self.conv_r1 = nn.Conv2d(in_channels, hidden * 4 * k, 3)
        self.conv_cls2 = nn.Conv2d(in_channels, hidden, 3)
        self.conv_r2 = nn.Conv2d(in_channels, hidden, 3)
        self.regress_adjust = nn.Conv2d(4 * k, 4 * k, 1)
        self.corr_scale = 1.0 / (self.hidden * 16) if corr_scale is None else float(corr_scale)
        if not self.corr_scale > 0:
            raise ValueError(f"UpChannelRPN: corr_scale must be positive, got {corr_scale}")

    def template(self, z_feat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(classification kernels, regression kernels) of the template features."""
        return self.conv_cls1(z_feat), self.conv_r1(z_feat)

    def forward(self, kernels: tuple[torch.Tensor, torch.Tensor],
                x_feat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cls_kernel, reg_kernel = kernels
        k = self.num_anchors
        cls = xcorr_up_channel(cls_kernel, self.conv_cls2(x_feat), 2 * k) * self.corr_scale
        reg = xcorr_up_channel(reg_kernel, self.conv_r2(x_feat), 4 * k) * self.corr_scale
        return cls, self.regress_adjust(reg)


def _conv_bn_relu(in_channels: int, out_channels: int, kernel: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class DepthwiseXCorr(nn.Module):
    """One SiamRPN++ branch: ``conv_kernel`` and ``conv_search`` (3x3 conv, BN, ReLU) adjust the
    two feature maps to ``hidden`` channels, depth-wise cross-correlation, then ``head`` (1x1 conv,
    BN, ReLU, 1x1 conv) maps to ``out_channels``."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int) -> None:
        super().__init__()
        self.conv_kernel = _conv_bn_relu(in_channels, hidden, 3)
        self.conv_search = _conv_bn_relu(in_channels, hidden, 3)
        self.head = nn.Sequential(nn.Conv2d(hidden, hidden, 1, bias=False), nn.BatchNorm2d(hidden),
                                  nn.ReLU(inplace=True), nn.Conv2d(hidden, out_channels, 1))

    def template(self, z_feat: torch.Tensor) -> torch.Tensor:
        return self.conv_kernel(z_feat)

    def forward(self, kernel: torch.Tensor, x_feat: torch.Tensor) -> torch.Tensor:
        return self.head(xcorr_depthwise(kernel, self.conv_search(x_feat)))


class DepthwiseRPN(nn.Module):
    """SiamRPN++'s head: a classification branch ``cls`` (2k outputs) and a regression branch
    ``loc`` (4k outputs), each a :class:`DepthwiseXCorr`."""

    def __init__(self, in_channels: int = 256, hidden: int = 256, num_anchors: int = 5) -> None:
        super().__init__()
        if min(in_channels, hidden, num_anchors) < 1:
            raise ValueError(f"DepthwiseRPN: in_channels, hidden and num_anchors must be >= 1, got "
                             f"{in_channels}, {hidden}, {num_anchors}")
        self.num_anchors = int(num_anchors)
        self.cls = DepthwiseXCorr(in_channels, hidden, 2 * num_anchors)
        self.loc = DepthwiseXCorr(in_channels, hidden, 4 * num_anchors)

    def template(self, z_feat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.cls.template(z_feat), self.loc.template(z_feat)

    def forward(self, kernels: tuple[torch.Tensor, torch.Tensor],
                x_feat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cls_kernel, loc_kernel = kernels
        return self.cls(cls_kernel, x_feat), self.loc(loc_kernel, x_feat)
