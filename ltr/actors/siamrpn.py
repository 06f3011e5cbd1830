"""Actor of SiamRPN / SiamRPN++: run the RPN on template/search pairs, apply the RPN loss."""
from __future__ import annotations

import torch

from ltr.actors.base_actor import BaseActor
from ltr.models.siam.rpn_loss import flatten_cls
from pytracking.libs import TensorDict


def sampled_accuracy(cls: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Share of the sampled anchors (label 0 or 1) whose foreground/background call is right."""
    logits = flatten_cls(cls)
    used = labels >= 0
    if not used.any():
        return logits.new_zeros(())
    return (logits[used].argmax(dim=-1) == labels[used]).float().mean()


class SiamRPNActor(BaseActor):
    """The net maps ('train_images' templates, 'test_images' searches) to (cls, reg); the
    objective (:class:`ltr.models.siam.rpn_loss.RPNLoss`) compares them with 'test_label' and
    'test_reg_target'."""

    def __call__(self, data: TensorDict) -> tuple[torch.Tensor, dict[str, float]]:
        """Returns (loss, {'Loss/total', 'Loss/cls', 'Loss/reg', 'Acc/cls'})."""
        cls, reg = self.net(data["train_images"], data["test_images"])
        labels = data["test_label"]
        total, cls_loss, reg_loss = self.objective(cls, reg, labels, data["test_reg_target"])
        return total, {"Loss/total": total.item(), "Loss/cls": cls_loss.item(),
                       "Loss/reg": reg_loss.item(),
                       "Acc/cls": sampled_accuracy(cls.detach(), labels).item()}
