"""The parameters of the SiamRPN tracker."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

from pytracking.utils.params import Params

MODELS = ("siamrpn_alexnet", "siamrpn_alexnet_dw", "siamrpn_resnet50")
CONVENTIONS = ("pytracking", "pysot", "dasiamrpn")


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

    Published weights: ``published_model`` (a name of ``ltr.models.siam.published.PUBLISHED``)
    makes ``network_path`` that project's file, converted on loading; a missing file is then an
    error (no random fallback). ``convention`` selects the tracking procedure: "pytracking" (this
    project's continuous-coordinate crops, whole box kept in the image), "pysot" or "dasiamrpn"
    (that project's integer crops, centre-only clamping, ``np.hanning`` window; see
    ``pytracking.tracker.siamrpn.published``). For "dasiamrpn", ``round_half`` is the builtin
    ``round`` of the Python that runs it ("away": Python 2, the published code's target; "even":
    Python 3), and ``adaptive_instance_sz`` (SiamRPNBIG) uses ``small_target_instance_sz`` when
    the target covers less than ``small_target_area_ratio`` of the first frame.
    ``anchor_origin``: "floor" centres the anchor grid (``-(S // 2) * stride``, pysot, and
    DaSiamRPN under Python 2); "true_division" is DaSiamRPN run by Python 3
    (``-(S / 2) * stride``, half a stride off). ``pixel_max`` (1.0 or 255.0) and
    ``channel_order`` ("RGB"/"BGR") describe the network input, with ``normalize_mean`` /
    ``normalize_std`` applied after scaling to ``pixel_max``.
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
    pixel_max: float = 1.0
    channel_order: str = "RGB"
    published_model: Optional[str] = None
    convention: str = "pytracking"
    round_half: str = "even"
    anchor_origin: str = "floor"
    adaptive_instance_sz: bool = False
    small_target_instance_sz: int = 287
    small_target_area_ratio: float = 0.004

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
            ("pixel_max", self.pixel_max in (1.0, 255.0), "1.0 or 255.0"),
            ("channel_order", self.channel_order in ("RGB", "BGR"), '"RGB" or "BGR"'),
            ("convention", self.convention in CONVENTIONS, f"one of {CONVENTIONS}"),
            ("round_half", self.round_half in ("even", "away"), '"even" or "away"'),
            ("anchor_origin", self.anchor_origin in ("floor", "true_division"),
             '"floor" or "true_division"'),
            ("small_target_instance_sz", self.small_target_instance_sz > self.exemplar_sz,
             "> exemplar_sz"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ValueError(f"SiamRPN parameter '{name}' = {getattr(self, name)!r} must be "
                                 f"{expected}")

    @property
    def num_anchors(self) -> int:
        """Anchors per score-map position."""
        return len(self.anchor_ratios) * len(self.anchor_scales)


def published_parameters(convention: str, published_model: str, network_path: str, *,
                         instance_sz: int, penalty_k: float, window_influence: float, lr: float,
                         adaptive_instance_sz: bool = False) -> SiamRPNParams:
    """The parameters shared by the published pysot and DaSiamRPN trackers (raw 0..255 BGR input,
    exemplar 127, context 0.5, anchors stride 8 with ratios 0.33/0.5/1/2/3 at scale 8, integer
    crops, centre clamped to the image, sizes to [10, image]), with the values that differ per
    model. ``network_path`` names the published weight file in the network_path folder; it is
    converted on loading (``ltr.models.siam.published``).

    DaSiamRPN's published code targets Python 2: its builtin ``round`` (ties away from zero) and
    its integer ``score_size / 2`` (centred anchors) are used here (``round_half`` "away",
    ``anchor_origin`` "floor"). The same code run by Python 3 is ``round_half = "even"`` and
    ``anchor_origin = "true_division"`` (anchors half a stride off; boxes drift by ~2 px a frame)."""
    params = SiamRPNParams()
    params.published_model = published_model
    params.network_path = network_path
    params.convention = convention
    if convention == "dasiamrpn":
        params.round_half = "away"
        params.anchor_origin = "floor"
        params.adaptive_instance_sz = adaptive_instance_sz
        params.small_target_instance_sz = 287
        params.small_target_area_ratio = 0.004
    elif adaptive_instance_sz:
        raise ValueError(f"published_parameters: adaptive_instance_sz is DaSiamRPN's, "
                         f"not {convention!r}'s")
    params.exemplar_sz = 127
    params.instance_sz = instance_sz
    params.context_amount = 0.5
    params.anchor_base_size = 8.0
    params.anchor_scales = (8.0,)
    params.anchor_ratios = (0.33, 0.5, 1.0, 2.0, 3.0)
    params.penalty_k = penalty_k
    params.window_influence = window_influence
    params.lr = lr
    params.min_target_size = 10.0
    params.pixel_max = 255.0
    params.channel_order = "BGR"
    params.normalize_mean = (0.0, 0.0, 0.0)
    params.normalize_std = (1.0, 1.0, 1.0)
    return params
