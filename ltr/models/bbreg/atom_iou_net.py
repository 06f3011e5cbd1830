"""ATOM's IoU predictor (IoU-Net with target modulation), Danelljan et al., CVPR 2019.

The *reference branch* turns the features of a reference image and its target box into two
modulation vectors, one per feature level; the *test branch* multiplies the test features by them,
pools every proposal box with PrRoIPool and predicts the proposal's IoU with the target.

Features come in pairs [block3, block4]: ResNet layer2 (stride 8) and layer3 (stride 16) outputs.
Boxes are [x, y, w, h] in the pixel coordinates of the image crops.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
from prroi_pool import PrRoIPool2D

from ltr.models.layers.blocks import LinearBlock, conv_block


def boxes_to_rois(boxes: torch.Tensor) -> torch.Tensor:
    """[B, P, 4] x,y,w,h boxes -> [B*P, 5] rois (batch index, x1, y1, x2, y2)."""
    batch_size, num_boxes = boxes.shape[:2]
    batch_index = torch.arange(batch_size, dtype=boxes.dtype, device=boxes.device)
    batch_index = batch_index.reshape(-1, 1, 1).expand(-1, num_boxes, 1)
    xyxy = torch.cat((boxes[..., 0:2], boxes[..., 0:2] + boxes[..., 2:4]), dim=2)
    return torch.cat((batch_index, xyxy), dim=2).reshape(-1, 5)


class AtomIoUNet(nn.Module):
    """IoU predictor of ATOM.

    Args:
        input_dim: channels of the block3 and block4 input features (128, 256 for ResNet-18).
        pred_input_dim: channels of the modulated test features (= modulation vector lengths).
        pred_inter_dim: output size of the two fully connected layers before the IoU predictor.
    """

    def __init__(self, input_dim: Sequence[int] = (128, 256),
                 pred_input_dim: Sequence[int] = (256, 256),
                 pred_inter_dim: Sequence[int] = (256, 256)) -> None:
        super().__init__()
        # Block 3 (stride 8). Reference: conv, 3x3 pooling, 3x3 conv without padding -> 1x1.
        # Test: two convs, modulation, 5x5 pooling, fully connected.
        self.conv3_1r = conv_block(input_dim[0], 128, kernel_size=3, stride=1)
        self.conv3_1t = conv_block(input_dim[0], 256, kernel_size=3, stride=1)
        self.conv3_2t = conv_block(256, pred_input_dim[0], kernel_size=3, stride=1)
        self.prroi_pool3r = PrRoIPool2D(3, 3, 1 / 8)
        self.prroi_pool3t = PrRoIPool2D(5, 5, 1 / 8)
        self.fc3_1r = conv_block(128, 256, kernel_size=3, stride=1, padding=0)

        # Block 4 (stride 16). Reference: conv, 1x1 pooling. Test: two convs, modulation,
        # 3x3 pooling, fully connected.
        self.conv4_1r = conv_block(input_dim[1], 256, kernel_size=3, stride=1)
        self.conv4_1t = conv_block(input_dim[1], 256, kernel_size=3, stride=1)
        self.conv4_2t = conv_block(256, pred_input_dim[1], kernel_size=3, stride=1)
        self.prroi_pool4r = PrRoIPool2D(1, 1, 1 / 16)
        self.prroi_pool4t = PrRoIPool2D(3, 3, 1 / 16)

        # Reference vectors of both blocks concatenated -> one modulation vector per block.
        self.fc34_3r = conv_block(256 + 256, pred_input_dim[0], kernel_size=1, stride=1, padding=0)
        self.fc34_4r = conv_block(256 + 256, pred_input_dim[1], kernel_size=1, stride=1, padding=0)

        self.fc3_rt = LinearBlock(pred_input_dim[0], pred_inter_dim[0], 5)
        self.fc4_rt = LinearBlock(pred_input_dim[1], pred_inter_dim[1], 3)

        self.iou_predictor = nn.Linear(pred_inter_dim[0] + pred_inter_dim[1], 1, bias=True)

        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight.data, mode="fan_in")
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.uniform_()
                m.bias.data.zero_()

    def forward(self, feat1: Sequence[torch.Tensor], feat2: Sequence[torch.Tensor],
                bb1: torch.Tensor, proposals2: torch.Tensor) -> torch.Tensor:
        """Predicted IoU [num_test_images, batch, num_proposals] of the test proposals.

        Args:
            feat1: reference features [block3, block4], each [num_ref_images*batch, C, H, W] or
                [num_ref_images, batch, C, H, W]; only the first reference image is used.
            feat2: test features, same layout, num_test_images*batch samples.
            bb1: reference boxes [num_ref_images, batch, 4] (x, y, w, h).
            proposals2: test proposals [num_test_images, batch, num_proposals, 4] (x, y, w, h).
        """
        if bb1.dim() != 3 or bb1.shape[-1] != 4:
            raise ValueError(f"AtomIoUNet: bb1 must be [num_images, batch, 4], got {tuple(bb1.shape)}")
        if proposals2.dim() != 4 or proposals2.shape[-1] != 4:
            raise ValueError(f"AtomIoUNet: proposals2 must be [num_images, batch, num_proposals, 4], "
                             f"got {tuple(proposals2.shape)}")
        num_images, num_sequences = proposals2.shape[:2]

        ref_feat = [f[0] if f.dim() == 5 else f.reshape(-1, num_sequences, *f.shape[-3:])[0]
                    for f in feat1]
        modulation = self.get_modulation(ref_feat, bb1[0])
        iou_feat = self.get_iou_feat(feat2)
        # Same modulation vector for every test image of a sequence (test samples are image-major).
        modulation = [m.reshape(1, num_sequences, -1).expand(num_images, -1, -1)
                      .reshape(num_images * num_sequences, -1) for m in modulation]
        proposals = proposals2.reshape(num_images * num_sequences, -1, 4)
        pred_iou = self.predict_iou(modulation, iou_feat, proposals)
        return pred_iou.reshape(num_images, num_sequences, -1)

    def predict_iou(self, modulation: Sequence[torch.Tensor], feat: Sequence[torch.Tensor],
                    proposals: torch.Tensor) -> torch.Tensor:
        """IoU [B, num_proposals] of ``proposals`` [B, num_proposals, 4] (x, y, w, h).

        ``modulation``: the two vectors of :meth:`get_modulation`, [B, C3(,1,1)] and [B, C4(,1,1)];
        ``feat``: the two test feature maps of :meth:`get_iou_feat`, [B, C, H, W].
        """
        mod3, mod4 = modulation
        c3_t, c4_t = feat
        batch_size = c3_t.shape[0]
        c3_t_att = c3_t * mod3.reshape(batch_size, -1, 1, 1)
        c4_t_att = c4_t * mod4.reshape(batch_size, -1, 1, 1)

        num_proposals = proposals.shape[1]
        rois = boxes_to_rois(proposals.to(c3_t.dtype))
        roi3t = self.prroi_pool3t(c3_t_att, rois)
        roi4t = self.prroi_pool4t(c4_t_att, rois)
        fc34_rt = torch.cat((self.fc3_rt(roi3t), self.fc4_rt(roi4t)), dim=1)
        return self.iou_predictor(fc34_rt).reshape(batch_size, num_proposals)

    def get_modulation(self, feat: Sequence[torch.Tensor],
                       bb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Modulation vectors [B, C3, 1, 1], [B, C4, 1, 1] from reference features [block3, block4]
        ([B, C, H, W]) and reference boxes ``bb`` [B, 4] (x, y, w, h)."""
        feat3_r, feat4_r = feat
        rois = boxes_to_rois(bb.reshape(-1, 1, 4).to(feat3_r.dtype))

        roi3r = self.prroi_pool3r(self.conv3_1r(feat3_r), rois)
        roi4r = self.prroi_pool4r(self.conv4_1r(feat4_r), rois)
        fc34_r = torch.cat((self.fc3_1r(roi3r), roi4r), dim=1)
        return self.fc34_3r(fc34_r), self.fc34_4r(fc34_r)

    def get_iou_feat(self, feat2: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """Test features [block3, block4] ([..., C, H, W]) through the test-branch convolutions."""
        feat3_t, feat4_t = [f.reshape(-1, *f.shape[-3:]) for f in feat2]
        c3_t = self.conv3_2t(self.conv3_1t(feat3_t))
        c4_t = self.conv4_2t(self.conv4_1t(feat4_t))
        return c3_t, c4_t


def is_plain_atom_iou_net(module: nn.Module, *methods: str) -> bool:
    """True for an eval-mode :class:`AtomIoUNet` whose ``methods`` are AtomIoUNet's own (not
    overridden by a subclass): code that relies on their exact computation may then take a shortcut."""
    if not isinstance(module, AtomIoUNet) or module.training:
        return False
    return all(getattr(type(module), name) is getattr(AtomIoUNet, name) for name in methods)
