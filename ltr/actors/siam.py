"""Actors of the Siamese trackers."""
from __future__ import annotations

import torch

from ltr.actors.base_actor import BaseActor
from pytracking.libs import TensorDict


def peak_in_positives(scores: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Fraction of samples whose score-map maximum falls on a positive label cell."""
    flat_scores = scores.reshape(scores.shape[0], -1)
    flat_labels = labels.reshape(labels.shape[0], -1)
    peak = flat_scores.argmax(dim=1, keepdim=True)
    return flat_labels.gather(1, peak).gt(0.5).float().mean()


class SiamFCActor(BaseActor):
    """SiamFC: score the exemplars ('train_images') against the search regions ('test_images')
    and compare with 'test_label' using the objective (the balanced logistic loss)."""

    def __call__(self, data: TensorDict) -> tuple[torch.Tensor, dict[str, float]]:
        """Returns (loss, {'Loss/total', 'Loss/logistic', 'Acc/peak'}); 'Acc/peak' is the share of
        score maps whose maximum lies on a positive cell."""
        scores = self.net(data["train_images"], data["test_images"])
        labels = data["test_label"]
        if labels.dim() == scores.dim() - 1:
            labels = labels.unsqueeze(1)
        if labels.shape != scores.shape:
            raise ValueError(f"SiamFCActor: test_label has shape {tuple(data['test_label'].shape)} "
                             f"but the network scores have shape {tuple(scores.shape)}; check "
                             f"score_sz of the processing against the network")
        loss = self.objective(scores, labels)
        value = loss.item()
        return loss, {"Loss/total": value, "Loss/logistic": value,
                      "Acc/peak": peak_in_positives(scores.detach(), labels).item()}
