"""Feature extraction at several resolutions (search scales) around a target position.

:class:`MultiResolutionExtractor` crops image patches (``pytracking.features.preprocessing``) and
runs one or more feature modules on them (objects with ``initialize()``, ``extract(patches) ->
TensorList``, ``stride()``, ``size(im_sz)`` and ``dim()``, e.g.
:class:`pytracking.features.net_wrappers.ATOMFeatures`). The features of all modules are
returned together as one TensorList, one entry per feature layer.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import torch

from pytracking.features.augmentation import Transform
from pytracking.features.preprocessing import sample_patch, sample_patch_multiscale
from pytracking.libs.tensorlist import TensorList


class MultiResolutionExtractor:
    """Extract features of patches at several scales (or of augmented patches) of an image.

    ``patch_mode`` / ``max_scale_change`` are passed to :func:`sample_patch` (``'replicate'``
    pads with the border pixels; ``'inside'`` keeps the patch within the image).
    """

    def __init__(self, features: Sequence, patch_mode: str = "replicate",
                 max_scale_change: Optional[float] = None) -> None:
        if len(features) == 0:
            raise ValueError("MultiResolutionExtractor needs at least one feature module")
        self.features = list(features)
        self.patch_mode = patch_mode
        self.max_scale_change = max_scale_change

    def initialize(self) -> None:
        for f in self.features:
            f.initialize()

    def stride(self) -> list:
        return [s for f in self.features for s in f.stride()]

    def dim(self) -> list:
        return [d for f in self.features for d in f.dim()]

    def size(self, im_sz: Sequence[float]) -> list:
        return [s for f in self.features for s in f.size(im_sz)]

    def _features_of(self, patches: torch.Tensor) -> TensorList:
        return TensorList([feat for f in self.features for feat in f.extract(patches)])

    def extract(self, im: torch.Tensor, pos: Sequence[float], scales: Sequence[float],
                image_sz: Sequence[float], position: str = "round",
                downsampling: str = "average") -> Tuple[TensorList, torch.Tensor]:
        """Features of patches of size ``scale * image_sz`` around ``pos`` (y, x), resized to
        ``image_sz``, one per scale. Returns (features, patch coords ``S x 4`` [y0, x0, y1, x1]).
        ``position`` / ``downsampling``: how the patches are cut (:func:`sample_patch`)."""
        patches, coords = sample_patch_multiscale(im, pos, list(scales), image_sz, mode=self.patch_mode,
                                                  max_scale_change=self.max_scale_change,
                                                  position=position, downsampling=downsampling)
        return self._features_of(patches), coords

    def extract_transformed(self, im: torch.Tensor, pos: Sequence[float], scale: float,
                            image_sz: Sequence[float], transforms: Sequence[Transform],
                            position: str = "round", downsampling: str = "average"
                            ) -> Tuple[TensorList, torch.Tensor]:
        """Features of every transform applied to one patch of size ``scale * image_sz`` around
        ``pos`` resized to ``image_sz`` (all transforms in one network pass). Returns
        (features with one sample per transform, coords ``1 x 4`` of the patch)."""
        sz = (float(image_sz[0]), float(image_sz[1]))
        patch, coords = sample_patch(im, pos, (scale * sz[0], scale * sz[1]), sz, mode=self.patch_mode,
                                     max_scale_change=self.max_scale_change, position=position,
                                     downsampling=downsampling)
        patches = torch.cat([t(patch) for t in transforms])
        return self._features_of(patches), coords
