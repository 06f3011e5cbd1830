"""Feature extraction at several resolutions (search scales) around a target position.

:class:`MultiResolutionExtractor` crops image patches (``pytracking.features.preprocessing``) and
runs one or more feature modules on them (the interface of
:class:`pytracking.features.featurebase.FeatureModule`: ``initialize()``, ``extract(patches) ->
TensorList``, ``stride()``, ``size(im_sz)`` and ``dim()``; e.g. the network features
:class:`pytracking.features.net_wrappers.ATOMFeatures` or the hand-crafted ones in
:mod:`pytracking.features.handcrafted`). The features of all modules are returned together as one
TensorList, one entry per feature layer. A parameter module chooses them
(``params.features = MultiResolutionExtractor([...])``).

After :meth:`MultiResolutionExtractor.set_is_color`, only the modules whose ``use_for_color`` /
``use_for_gray`` fits the sequence take part (all of them until it is called).
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import torch

from pytracking.features.augmentation import Transform
from pytracking.features.featurebase import IoUFeatureModule, provides_iou_branch
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
        self.is_color: Optional[bool] = None

    def set_is_color(self, is_color: Optional[bool]) -> None:
        """Use only the modules meant for colour (True) or grey (False) sequences (their
        ``use_for_color`` / ``use_for_gray``, default True); None: all modules."""
        self.is_color = is_color
        if not self.active_features():
            raise ValueError(f"MultiResolutionExtractor: no feature module is used for "
                             f"{'colour' if is_color else 'grey'} images")

    def active_features(self) -> list:
        """The modules that take part (see :meth:`set_is_color`)."""
        if self.is_color is None:
            return list(self.features)
        flag = "use_for_color" if self.is_color else "use_for_gray"
        return [f for f in self.features if getattr(f, flag, True)]

    def initialize(self) -> None:
        for f in self.features:
            f.initialize()

    def stride(self) -> list:
        return [s for f in self.active_features() for s in f.stride()]

    def dim(self) -> list:
        return [d for f in self.active_features() for d in f.dim()]

    def size(self, im_sz: Sequence[float]) -> list:
        return [s for f in self.active_features() for s in f.size(im_sz)]

    def get_fparams(self) -> List[Any]:
        """The ``fparams`` of the active modules (None for a module without)."""
        return [getattr(f, "fparams", None) for f in self.active_features()]

    def iou_feature_module(self) -> Optional[IoUFeatureModule]:
        """The active module that provides an IoU-Net branch, or None; ValueError when several do."""
        found = [f for f in self.active_features() if provides_iou_branch(f)]
        if len(found) > 1:
            raise ValueError(f"MultiResolutionExtractor: {len(found)} feature modules provide an IoU branch "
                             f"({', '.join(type(f).__name__ for f in found)}); at most one may")
        return found[0] if found else None

    def _features_of(self, patches: torch.Tensor) -> TensorList:
        return TensorList([feat for f in self.active_features() for feat in f.extract(patches)])

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
