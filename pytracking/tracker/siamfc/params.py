"""The parameters of the SiamFC tracker."""
from __future__ import annotations

import dataclasses
from typing import Any, Optional

from pytracking.utils.params import Params

CONVENTIONS = ("pytracking", "siamfc-pytorch")


@dataclasses.dataclass
class SiamFCParams(Params):
    """SiamFC tracking parameters (defaults: the paper's values for 3 scales).

    Network: ``net`` (a ready network object, used as is) or else ``network_path`` (a checkpoint
    file: an absolute path, or a file name in the ``network_path`` folder of
    pytracking/evaluation/local.py) loaded with ``ltr.admin.loading.load_network``. When that file
    does not exist the tracker warns once and uses a randomly initialised
    ``siamfc_alexnet(width=net_width)`` seeded with ``random_init_seed`` — tracking then runs, but
    is not meaningful.

    Published weights: ``published_model`` (a name of ``ltr.models.siam.published.PUBLISHED``,
    e.g. ``siamfc_alexnet_e50``) makes ``network_path`` that project's file, converted on
    loading; a missing file is then an error (no random fallback). ``convention``
    "siamfc-pytorch" runs that project's tracker procedure (integer crops, OpenCV bicubic
    upsampling, raw-score scale choice, no size or position limits; see
    ``pytracking.tracker.siamfc.siamfc``) instead of this project's ("pytracking").
    ``pixel_max`` (1.0 or 255.0) and ``channel_order`` ("RGB"/"BGR") describe the network input,
    with ``normalize_mean`` / ``normalize_std`` applied after scaling to ``pixel_max``.
    """

    debug: int = 0
    use_gpu: bool = True
    network_path: Optional[str] = "siamfc_default.pth"
    net: Optional[Any] = None
    # Weight files that store only weights ({'net': state dict} or a bare state dict) are built
    # with this registered constructor ('module.function') and keyword arguments (None: such files
    # are an error naming this parameter).
    net_architecture: Optional[str] = None   # e.g. 'ltr.models.siam.siamfc.siamfc_alexnet'
    net_architecture_kwargs: Optional[dict] = None
    random_init_seed: int = 0
    net_width: float = 1.0
    exemplar_sz: int = 127
    instance_sz: int = 255
    context_amount: float = 0.5
    num_scales: int = 3
    scale_step: float = 1.0375
    scale_penalty: float = 0.9745
    scale_lr: float = 0.59
    response_upsample: int = 16
    window_influence: float = 0.176
    min_scale_factor: float = 0.2
    max_scale_factor: float = 5.0
    min_target_size: float = 4.0
    normalize_mean: tuple = (0.485, 0.456, 0.406)
    normalize_std: tuple = (0.229, 0.224, 0.225)
    pixel_max: float = 1.0
    channel_order: str = "RGB"
    published_model: Optional[str] = None
    convention: str = "pytracking"

    def validate(self) -> None:
        """Raise ValueError naming the first parameter with an impossible value."""
        checks = [
            ("num_scales", self.num_scales >= 1 and self.num_scales % 2 == 1,
             "an odd number >= 1 (the central scale is 1)"),
            ("scale_step", self.scale_step > 1, "> 1"),
            ("scale_penalty", 0 < self.scale_penalty <= 1, "in (0, 1]"),
            ("scale_lr", 0 <= self.scale_lr <= 1, "in [0, 1]"),
            ("response_upsample", self.response_upsample >= 1, ">= 1"),
            ("window_influence", 0 <= self.window_influence <= 1, "in [0, 1]"),
            ("min_scale_factor", 0 < self.min_scale_factor <= 1, "in (0, 1]"),
            ("max_scale_factor", self.max_scale_factor >= 1, ">= 1"),
            ("min_target_size", self.min_target_size > 0, "> 0"),
            ("context_amount", self.context_amount >= 0, ">= 0"),
            ("instance_sz", self.instance_sz > self.exemplar_sz > 0, "> exemplar_sz > 0"),
            ("pixel_max", self.pixel_max in (1.0, 255.0), "1.0 or 255.0"),
            ("channel_order", self.channel_order in ("RGB", "BGR"), '"RGB" or "BGR"'),
            ("convention", self.convention in CONVENTIONS, f"one of {CONVENTIONS}"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ValueError(f"SiamFC parameter '{name}' = {getattr(self, name)!r} must be "
                                 f"{expected}")
