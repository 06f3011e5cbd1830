"""Actors of bounding-box regression networks."""
from __future__ import annotations

import torch

from ltr.actors.base_actor import BaseActor
from pytracking.libs import TensorDict


class AtomActor(BaseActor):
    """ATOM's IoU predictor: regress the IoU of the test proposals with the test box."""

    def __call__(self, data: TensorDict) -> tuple[torch.Tensor, dict[str, float]]:
        """``data`` holds train_images, test_images, train_anno, test_proposals and proposal_iou
        ([num_test_images, batch, num_proposals]). Returns (loss, {'Loss/total', 'Loss/iou'})."""
        iou_pred = self.net(data["train_images"], data["test_images"], data["train_anno"],
                            data["test_proposals"])
        iou_gt = data["proposal_iou"]
        if iou_gt.numel() != iou_pred.numel():
            raise ValueError(f"AtomActor: proposal_iou has shape {tuple(iou_gt.shape)}, but the "
                             f"network predicts {tuple(iou_pred.shape)}")
        iou_pred = iou_pred.reshape(-1, iou_pred.shape[-1])
        iou_gt = iou_gt.reshape(iou_pred.shape).to(iou_pred.dtype)
        loss = self.objective(iou_pred, iou_gt)
        value = loss.item()
        return loss, {"Loss/total": value, "Loss/iou": value}
