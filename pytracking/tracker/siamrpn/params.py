"""The parameters of the SiamRPN tracker."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

from pytracking.utils.params import Params

MODELS = ("siamrpn_alexnet", "siamrpn_alexnet_dw", "siamrpn_resnet50")


@dataclasses.dataclass
class SiamRPNParams(Params):
    """SiamRPN tracking parameters; the defaults are DaSiamRPN's published values for the AlexNet
    SiamRPN (penalty_k 0.055, window_influence 0.42, lr 0.295, search 271, template 127,
    context 0.5).

    Network: ``net`` (a ready network object, used as is) or else ``network_path`` (a checkpoint
    file: an absolute path, or a file name in the ``network_path`` folder of
    pytracking/evaluation/local.py) loaded with ``ltr.admin.loading.load_network``. When that file
    does not exist the tracker warns once and uses a randomly initialised ``model`` (one of
    ``ltr.models.siam.siamrpn``'s AlexNet constructors with ``net_width`` and ``net_hidden``, or
    ``siamrpn_resnet50`` with ``net_hidden``) seeded with ``random_init_seed``: tracking then runs,
    but is not meaningful.

    Anchors must match the network's training: ``anchor_base_size`` 8, ``anchor_scales`` (8,),
    ``anchor_ratios`` (0.33, 0.5, 1, 2, 3) (k = 5 anchors per position), stride of the network.
    """

    debug: int = 0
    use_gpu: bool = True
    network_path: Optional[str] = "siamrpn_alexnet.pth"
    net: Optional[Any] = None
    # Weight files that store only weights ({'net': state dict} or a bare state dict) are built
    # with this registered constructor ('module.function') and keyword arguments (None: such files
    # are an error naming this parameter).
    net_architecture: Optional[str] = None   # e.g. 'ltr.models.siam.siamrpn.siamrpn_alexnet'
    net_architecture_kwargs: Optional[dict] = None
    random_init_seed: int = 0
    model: str = "siamrpn_alexnet"
    net_width: float = 1.0
    net_hidden: int = 256
    exemplar_sz: int = 127
    instance_sz: int = 271
    context_amount: float = 0.5
    anchor_base_size: float = 8.0
    anchor_scales: tuple = (8.0,)
    anchor_ratios: tuple = (0.33, 0.5, 1.0, 2.0, 3.0)
    penalty_k: float = 0.055
    window_influence: float = 0.42
    lr: float = 0.295
    min_target_size: float = 10.0
    normalize_mean: tuple = (0.485, 0.456, 0.406)
    normalize_std: tuple = (0.229, 0.224, 0.225)

    def validate(self) -> None:
        """Raise ValueError naming the first parameter with an impossible value."""
        checks = [
            ("model", self.model in MODELS, f"one of {MODELS}"),
            ("penalty_k", self.penalty_k >= 0, ">= 0"),
            ("window_influence", 0 <= self.window_influence <= 1, "in [0, 1]"),
            ("lr", 0 <= self.lr <= 1, "in [0, 1]"),
            ("min_target_size", self.min_target_size > 0, "> 0"),
            ("context_amount", self.context_amount >= 0, ">= 0"),
            ("instance_sz", self.instance_sz > self.exemplar_sz > 0, "> exemplar_sz > 0"),
            ("anchor_ratios", len(self.anchor_ratios) > 0 and min(self.anchor_ratios) > 0,
             "a non-empty list of positive ratios"),
            ("anchor_scales", len(self.anchor_scales) > 0 and min(self.anchor_scales) > 0,
             "a non-empty list of positive scales"),
            ("anchor_base_size", self.anchor_base_size > 0, "> 0"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ValueError(f"SiamRPN parameter '{name}' = {getattr(self, name)!r} must be "
                                 f"{expected}")

    @property
    def num_anchors(self) -> int:
        """Anchors per score-map position."""
        return len(self.anchor_ratios) * len(self.anchor_scales)
