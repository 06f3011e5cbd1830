"""SiamFC (Bertinetto et al., ECCV-W 2016): score map = adjust(phi(z) * phi(x)), phi shared."""
from __future__ import annotations

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone.alexnet import alexnet_siam
from ltr.models.siam.correlation import xcorr_batched


class ScoreAdjust(nn.Module):
    """Learnable affine map of the raw correlation: ``scale * gain * r + bias``.

    ``scale`` is the paper's fixed 0.001, which brings the initial scores to the order of 1;
    ``gain`` (starts at 1) and ``bias`` (starts at 0) are learned. Learning the gain instead of the
    product keeps its gradient of the order of the other weights' (a learnable 0.001 weight gets
    gradients about 1000 times larger than its value and diverges at the paper's learning rate).
    """

    def __init__(self, scale: float = 1e-3, bias: float = 0.0) -> None:
        super().__init__()
        if not scale > 0:
            raise ValueError(f"ScoreAdjust: scale must be positive, got {scale}")
        self.scale = float(scale)
        self.gain = nn.Parameter(torch.ones(1))
        self.bias = nn.Parameter(torch.full((1,), float(bias)))

    def forward(self, raw: torch.Tensor) -> torch.Tensor:
        return raw * (self.scale * self.gain) + self.bias


class SiamFCNet(nn.Module):
    """A shared fully-convolutional ``feature_extractor`` phi, cross-correlation and ``adjust``.

    ``forward(z, x)`` maps ``N x 3 x 127 x 127`` exemplars and ``N x 3 x 255 x 255`` search images
    (ImageNet-normalized) to ``N x 1 x 17 x 17`` scores. Trackers compute ``template(z)`` once and
    call ``score(template, search(x))`` per frame (a batch-1 template is shared by all searches).
    """

    def __init__(self, feature_extractor: nn.Module, adjust: nn.Module) -> None:
        super().__init__()
        self.feature_extractor = feature_extractor
        self.adjust = adjust
        self.total_stride = int(getattr(feature_extractor, "total_stride", 8))

    def template(self, z: torch.Tensor) -> torch.Tensor:
        """Exemplar features phi(z)."""
        return self.feature_extractor(z)

    def search(self, x: torch.Tensor) -> torch.Tensor:
        """Search-region features phi(x)."""
        return self.feature_extractor(x)

    def score(self, z_feat: torch.Tensor, x_feat: torch.Tensor) -> torch.Tensor:
        """Adjusted cross-correlation of exemplar and search features: ``N x 1 x H' x W'``."""
        return self.adjust(xcorr_batched(z_feat, x_feat))

    def forward(self, z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return self.score(self.template(z), self.search(x))


@model_constructor
def siamfc_alexnet(width: float = 1.0, groups: int = 1, score_scale: float = 1e-3) -> SiamFCNet:
    """SiamFC with the paper's AlexNet (channels times ``width``) and a 0.001-scaled score."""
    return SiamFCNet(alexnet_siam(width=width, groups=groups), ScoreAdjust(score_scale))
