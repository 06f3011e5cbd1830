"""Predicted IoU of proposal boxes and its gradient w.r.t. the boxes (ATOM's box refinement).

ATOM's IoU-Net pools every box from the two modulated test feature maps (PrRoIPool), passes the
pooled features through one fully connected block per level (linear, batch norm, ReLU) and sums
them with a linear output layer. During refinement the network, the modulation and the features
are fixed, so :class:`BoxIoUObjective` modulates the features once, folds the batch norms into the
linear layers (once per network) and differentiates the fully connected part in closed form,
``dIoU/dpooled = W.T (relu'(pre) * w_iou)`` (on a CPU with the compiled kernels, the output and
this gradient come from two passes over one weight copy: :mod:`pytracking.libs.cpu_kernels.relu_linear`);
only the pooling goes through autograd, with the rois as its leaf. Any other predictor is
differentiated by autograd through its ``predict_iou``.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_linear_bn_weights

from ltr.models.bbreg.atom_iou_net import boxes_to_rois, is_plain_atom_iou_net
from ltr.models.layers.blocks import LinearBlock
from pytracking.libs.cpu_kernels import relu_linear
from pytracking.libs.derived_cache import DerivedCache
from pytracking.libs.packed_linear import PackedLinear


@dataclasses.dataclass
class FoldedLinear:
    """``act(x.flatten(1) @ weight.T + bias)``, act = ReLU if ``relu`` else identity.

    :meth:`output_and_input_grad` uses the compiled kernel
    (:mod:`pytracking.libs.cpu_kernels.relu_linear`) where it applies; elsewhere the products of the
    forward pass (``x -> x @ weight.T + bias``) and of the input gradient (``g -> g @ weight``) are
    prepared once, on first use."""

    weight: torch.Tensor
    bias: torch.Tensor
    relu: bool

    @functools.cached_property
    def forward(self) -> PackedLinear:
        return PackedLinear(self.weight, self.bias)

    @functools.cached_property
    def input_grad(self) -> PackedLinear:
        return PackedLinear(self.weight.t().contiguous())

    def output(self, x: torch.Tensor, out_weight: torch.Tensor) -> torch.Tensor:
        """``act(x W^T + b) out_weight`` for rows ``x`` (``P x K``)."""
        pre = self.forward(x)
        return (pre.clamp_min(0) if self.relu else pre) @ out_weight

    def output_and_input_grad(self, x: torch.Tensor, out_weight: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """:meth:`output` and its gradient w.r.t. ``x`` (``P x K``)."""
        if relu_linear.supports(x, self.weight):
            return relu_linear.relu_linear_grad(x, self.weight, self.bias, out_weight, self.relu)
        pre = self.forward(x)
        act = pre.clamp_min(0) if self.relu else pre
        d_pre = (pre > 0).to(pre.dtype) * out_weight if self.relu else out_weight.expand_as(pre)
        return act @ out_weight, self.input_grad(d_pre)


@dataclasses.dataclass
class ClosedFormHead:
    """The fully connected part of an ATOM IoU-Net with its batch norms folded."""

    pools: Tuple[nn.Module, nn.Module]         # PrRoI pooling of the two levels
    layers: Tuple[FoldedLinear, FoldedLinear]  # one fully connected block per level
    iou_weights: Tuple[torch.Tensor, torch.Tensor]  # output-layer weights of each block's outputs
    iou_bias: torch.Tensor                     # scalar


def fold_linear_block(block: nn.Module) -> FoldedLinear:
    """An eval-mode :class:`ltr.models.layers.blocks.LinearBlock` with its batch norm folded into
    the linear layer."""
    weight = block.linear.weight.detach()
    bias = block.linear.bias.detach() if block.linear.bias is not None else None
    bn = block.bn
    if bn is not None:
        scale = torch.ones_like(bn.running_var) if bn.weight is None else bn.weight.detach()
        shift = torch.zeros_like(bn.running_mean) if bn.bias is None else bn.bias.detach()
        weight, bias = (t.detach() for t in fuse_linear_bn_weights(
            weight, bias, bn.running_mean, bn.running_var, bn.eps, scale, shift))
    elif bias is None:
        bias = weight.new_zeros(weight.shape[0])
    return FoldedLinear(weight.contiguous(), bias, block.relu is not None)


def _supports_closed_form(predictor: nn.Module) -> bool:
    if not is_plain_atom_iou_net(predictor, "predict_iou"):
        return False
    blocks = (predictor.fc3_rt, predictor.fc4_rt)
    if not all(type(b) is LinearBlock and (b.bn is None or b.bn.track_running_stats) for b in blocks):
        return False
    return isinstance(predictor.iou_predictor, nn.Linear) and predictor.iou_predictor.out_features == 1


# predictor -> folded head; rebuilt when a head tensor was replaced or changed in place
_HEADS: DerivedCache[ClosedFormHead] = DerivedCache()


def _head_tensors(predictor: nn.Module) -> List[torch.Tensor]:
    modules = (predictor.fc3_rt, predictor.fc4_rt, predictor.iou_predictor)
    return [t for m in modules for t in list(m.parameters()) + list(m.buffers())]


def closed_form_head(predictor: nn.Module) -> Optional[ClosedFormHead]:
    """The folded head of an eval-mode ATOM IoU-Net (two LinearBlocks with running-statistics
    batch norm, then a one-output linear layer), or None for any other predictor."""
    if not _supports_closed_form(predictor):
        return None
    return _HEADS.get(predictor, _head_tensors(predictor), lambda: _fold_head(predictor))


def _fold_head(predictor: nn.Module) -> ClosedFormHead:
    with torch.no_grad():
        layers = (fold_linear_block(predictor.fc3_rt), fold_linear_block(predictor.fc4_rt))
        out = predictor.iou_predictor
        w_iou = out.weight.detach().reshape(-1)
        split = layers[0].weight.shape[0]
        bias = out.bias.detach().reshape(()) if out.bias is not None else w_iou.new_zeros(())
        return ClosedFormHead((predictor.prroi_pool3t, predictor.prroi_pool4t), layers,
                              (w_iou[:split], w_iou[split:]), bias)


class BoxIoUObjective:
    """Predicted IoU of proposal boxes, and its gradient w.r.t. the boxes, for a fixed predictor,
    modulation (``1 x C`` each) and test features (``1 x C x H x W`` each) of one sample."""

    def __init__(self, predictor: nn.Module, modulation: Sequence[torch.Tensor],
                 iou_feat: Sequence[torch.Tensor]) -> None:
        self.predictor = predictor
        self.modulation = modulation
        self.iou_feat = iou_feat
        self.head = closed_form_head(predictor)
        if self.head is not None:
            with torch.no_grad():
                self.features = [f * m.reshape(f.shape[0], -1, 1, 1) for f, m in zip(iou_feat, modulation)]

    @property
    def closed_form(self) -> bool:
        return self.head is not None

    def __call__(self, boxes: torch.Tensor, with_grad: bool = True) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """IoU (``P``) of ``boxes`` (``P x 4`` [x, y, w, h], on the features' device) and, if
        ``with_grad``, its gradient w.r.t. the boxes (``P x 4``; else None)."""
        if self.head is None:
            return self._autograd(boxes, with_grad)
        # rois [b, x1, y1, x2, y2] are the autograd leaf; the box gradient follows by hand below
        rois = boxes_to_rois(boxes.detach().reshape(1, -1, 4)).requires_grad_(with_grad)
        with torch.set_grad_enabled(with_grad):
            pooled = [pool(f, rois) for pool, f in zip(self.head.pools, self.features)]
        iou = self.head.iou_bias.expand(rois.shape[0]).clone()
        grads = []
        with torch.no_grad():
            for x, layer, w_iou in zip(pooled, self.head.layers, self.head.iou_weights):
                flat = x.detach().reshape(x.shape[0], -1)
                if with_grad:
                    out, grad = layer.output_and_input_grad(flat, w_iou)
                    grads.append(grad.reshape(x.shape))
                else:
                    out = layer.output(flat, w_iou)
                iou += out
        if not with_grad:
            return iou, None
        (g,) = torch.autograd.grad(pooled, rois, grads)
        # x1 = x, x2 = x + w (likewise y): d/dx = d/dx1 + d/dx2, d/dw = d/dx2
        return iou, torch.cat((g[:, 1:3] + g[:, 3:5], g[:, 3:5]), dim=1)

    def _autograd(self, boxes: torch.Tensor, with_grad: bool) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        bb = boxes.detach().reshape(1, -1, 4).clone().requires_grad_(with_grad)
        with torch.set_grad_enabled(with_grad):
            iou = self.predictor.predict_iou(self.modulation, self.iou_feat, bb).reshape(-1)
            grad = torch.autograd.grad(iou.sum(), bb)[0].reshape(-1, 4) if with_grad else None
        return iou.detach(), grad
