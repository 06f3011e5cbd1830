"""The interface of feature modules: what a tracker may ask of the features it is given.

A parameter module chooses a tracker's features, as in the original framework::

    from pytracking.features.extractor import MultiResolutionExtractor
    from pytracking.features.handcrafted import FHOG, ColorNames, Intensity

    params.features = MultiResolutionExtractor([FHOG(cell_size=4), ColorNames(cell_size=4)])

:class:`pytracking.features.extractor.MultiResolutionExtractor` crops the image patches and runs
every *feature module* on them. A feature module is an object with the methods of
:class:`FeatureModule`; each module may return several feature maps (layers), and all methods
answer with one entry per layer:

* ``initialize()`` — load what the module needs (a network, a table); called once before use;
* ``dim() -> list[int]`` — channels of each layer;
* ``stride() -> list[int]`` — input pixels per feature cell (the cell size of hand-crafted
  features, the network stride of deep ones);
* ``size(im_sz) -> list[Tensor]`` — the ``(h, w)`` feature size of each layer for an input
  patch of size ``im_sz`` ``(height, width)``;
* ``extract(patches) -> TensorList`` — the features of ``patches`` (``N x C x H x W`` float32, RGB
  values in 0..255 as :func:`pytracking.features.preprocessing.sample_patch` gives them, ``C`` = 3,
  or 1 for grey images), one ``N x dim x h x w`` float32 tensor per layer.

Optional, per module (the original's ``FeatureBase`` fields): ``fparams``, tracker settings per
layer that travel with the feature (e.g. ECO's ``compressed_dim``), and ``use_for_color`` /
``use_for_gray``, which select the modules used on colour or grey sequences
(:meth:`MultiResolutionExtractor.set_is_color`).

Network features that also feed an IoU predictor (ATOM's box refinement) implement
:class:`IoUFeatureModule` in addition: ``iou_predictor``, ``iou_backbone_features()``,
``iou_features()`` and ``iou_layer_strides()`` refer to the last :meth:`FeatureModule.extract`
call (:class:`pytracking.features.net_wrappers.ATOMFeatures`).
"""
from __future__ import annotations

from typing import Any, List, Optional, Protocol, Sequence, runtime_checkable

import torch

from pytracking.libs.tensorlist import TensorList


class FeatureModule:
    """Base class of feature modules (see the module docstring for the contract).

    Subclasses implement :meth:`dim`, :meth:`stride` and :meth:`extract`; :meth:`size` defaults
    to ``floor(im_sz / stride)`` per layer, :meth:`initialize` to nothing.
    """

    #: tracker settings per layer that travel with this feature (None: none)
    fparams: Optional[Any] = None
    #: whether the module is used on colour / grey sequences (see MultiResolutionExtractor.set_is_color)
    use_for_color: bool = True
    use_for_gray: bool = True

    def initialize(self) -> None:
        """Load what the module needs (idempotent)."""

    def dim(self) -> List[int]:
        """Channels of each output layer."""
        raise NotImplementedError(f"{type(self).__name__}.dim()")

    def stride(self) -> List[int]:
        """Input pixels per feature cell, per output layer."""
        raise NotImplementedError(f"{type(self).__name__}.stride()")

    def size(self, im_sz: Sequence[float]) -> List[torch.Tensor]:
        """Feature size ``(h, w)`` of each layer for an input of size ``im_sz`` (height, width):
        here ``floor(im_sz / stride)`` (whole cells only)."""
        h, w = float(im_sz[0]), float(im_sz[1])
        return [torch.tensor([float(int(h // s)), float(int(w // s))]) for s in self.stride()]

    def extract(self, patches: torch.Tensor) -> TensorList:
        """Features of ``patches`` (``N x C x H x W``, RGB 0..255): one ``N x dim x h x w`` tensor per layer."""
        raise NotImplementedError(f"{type(self).__name__}.extract()")


@runtime_checkable
class IoUFeatureModule(Protocol):
    """A feature module that also provides the IoU-Net branch of its last extraction."""

    @property
    def iou_predictor(self) -> torch.nn.Module: ...

    def iou_backbone_features(self) -> TensorList: ...

    def iou_features(self) -> TensorList: ...

    def iou_layer_strides(self) -> list: ...


IOU_BRANCH_MEMBERS = ("iou_predictor", "iou_backbone_features", "iou_features", "iou_layer_strides")


def provides_iou_branch(module: object) -> bool:
    """Whether ``module``'s class has the members of :class:`IoUFeatureModule` (checked on the
    class, so that nothing is loaded)."""
    return all(hasattr(type(module), name) for name in IOU_BRANCH_MEMBERS)


def check_patches(patches: torch.Tensor, name: str) -> torch.Tensor:
    """``patches`` as a float32 ``N x C x H x W`` tensor with ``C`` 1 or 3; ValueError naming the
    feature ``name`` otherwise."""
    if not torch.is_tensor(patches) or patches.dim() != 4 or patches.shape[1] not in (1, 3):
        shape = tuple(patches.shape) if torch.is_tensor(patches) else type(patches).__name__
        raise ValueError(f"{name}: expected image patches N x C x H x W with C = 1 or 3 (RGB 0..255), got {shape}")
    return patches.float()
