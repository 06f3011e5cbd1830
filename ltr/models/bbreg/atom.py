"""ATOM's target-estimation network: a ResNet backbone and the IoU predictor on its features."""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models import backbone as backbones
from ltr.models.bbreg.atom_iou_net import AtomIoUNet


class ATOMnet(nn.Module):
    """Backbone (``feature_extractor``) + IoU predictor (``bb_regressor``).

    Args:
        feature_extractor: backbone returning an OrderedDict of the layers asked for.
        bb_regressor: the IoU predictor.
        bb_regressor_layer: backbone layers fed to the IoU predictor, e.g. ['layer2', 'layer3'].
        extractor_grad: if False, the backbone's parameters are frozen (``requires_grad=False``).

    As in the original training, a frozen backbone still follows ``train()``/``eval()``: in
    training mode its batch-norm layers use batch statistics and update their running averages.
    """

    def __init__(self, feature_extractor: nn.Module, bb_regressor: nn.Module,
                 bb_regressor_layer: Sequence[str] = ("layer2", "layer3"),
                 extractor_grad: bool = False) -> None:
        super().__init__()
        self.feature_extractor = feature_extractor
        self.bb_regressor = bb_regressor
        self.bb_regressor_layer = list(bb_regressor_layer)
        if not extractor_grad:
            for p in self.feature_extractor.parameters():
                p.requires_grad_(False)

    def forward(self, train_imgs: torch.Tensor, test_imgs: torch.Tensor, train_bb: torch.Tensor,
                test_proposals: torch.Tensor) -> torch.Tensor:
        """IoU [num_test_images, batch, num_proposals] of the test proposals.

        ``train_imgs``/``test_imgs``: [num_images, batch, 3, H, W] (or [batch, 3, H, W]);
        ``train_bb``: [num_train_images, batch, 4]; ``test_proposals``:
        [num_test_images, batch, num_proposals, 4]; boxes x, y, w, h.
        """
        num_sequences = train_imgs.shape[-4]
        num_train_images = train_imgs.shape[0] if train_imgs.dim() == 5 else 1
        num_test_images = test_imgs.shape[0] if test_imgs.dim() == 5 else 1

        train_feat = self.extract_backbone_features(train_imgs.reshape(-1, *train_imgs.shape[-3:]))
        test_feat = self.extract_backbone_features(test_imgs.reshape(-1, *test_imgs.shape[-3:]))

        return self.bb_regressor(list(train_feat.values()), list(test_feat.values()),
                                 train_bb.reshape(num_train_images, num_sequences, 4),
                                 test_proposals.reshape(num_test_images, num_sequences, -1, 4))

    def extract_backbone_features(self, im: torch.Tensor, layers: Sequence[str] | None = None):
        """Backbone outputs (OrderedDict) of ``layers`` (default: the IoU predictor's layers)."""
        return self.feature_extractor(im, self.bb_regressor_layer if layers is None else layers)

    def extract_features(self, im: torch.Tensor, layers: Sequence[str]):
        """Backbone outputs (OrderedDict) of ``layers``."""
        return self.feature_extractor(im, layers)


@model_constructor
def atom_resnet18(iou_input_dim: Sequence[int] = (256, 256),
                  iou_inter_dim: Sequence[int] = (256, 256),
                  backbone_pretrained: bool = True) -> ATOMnet:
    """ATOM with a frozen ResNet-18 (ImageNet weights when ``backbone_pretrained``)."""
    backbone_net = backbones.resnet18(pretrained=backbone_pretrained)
    iou_predictor = AtomIoUNet(pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=backbone_net, bb_regressor=iou_predictor,
                   bb_regressor_layer=["layer2", "layer3"], extractor_grad=False)


@model_constructor
def atom_resnet50(iou_input_dim: Sequence[int] = (256, 256),
                  iou_inter_dim: Sequence[int] = (256, 256),
                  backbone_pretrained: bool = True) -> ATOMnet:
    """ATOM with a frozen ResNet-50 (ImageNet weights when ``backbone_pretrained``)."""
    backbone_net = backbones.resnet50(pretrained=backbone_pretrained)
    iou_predictor = AtomIoUNet(input_dim=(4 * 128, 4 * 256), pred_input_dim=iou_input_dim,
                               pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=backbone_net, bb_regressor=iou_predictor,
                   bb_regressor_layer=["layer2", "layer3"], extractor_grad=False)
