"""The typed parameter set of the ATOM tracker (defaults = the published ``default`` values).

Parameter modules in ``pytracking/parameter/atom/`` build an :class:`ATOMParams` and change what
they need; a misspelled name raises :class:`pytracking.utils.params.ParameterError`.
"""
from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Optional

from pytracking.utils.params import Params

# An activation is a name ('none', 'relu', 'elu', 'mlu') or a (name, parameter) pair.
Activation = Any


def _default_augmentation() -> dict:
    return {
        "fliplr": True,
        "rotate": [5, -5, 10, -10, 20, -20, 30, -30, 45, -45, -60, 60],
        "blur": [(2, 0.2), (0.2, 2), (3, 1), (1, 3), (2, 2)],
        "relativeshift": [(0.6, 0.6), (-0.6, 0.6), (0.6, -0.6), (-0.6, -0.6)],
        "dropout": (7, 0.2),
    }


@dataclasses.dataclass
class ATOMParams(Params):
    """All parameters of :class:`pytracking.tracker.atom.ATOM` (see the field comments)."""

    #: Allowed values of the numeric parameters (checked when set; None stays allowed where the
    #: type is Optional). Score thresholds have none: -1 / 100 switch a test off (default_vot).
    RANGES: ClassVar[dict[str, str]] = {
        "debug": ">= 0", "random_seed": ">= 0",
        "normalize_power": "> 0",
        "max_image_sample_size": "> 0", "min_image_sample_size": "> 0", "search_area_scale": "> 0",
        "CG_iter": ">= 0", "init_CG_iter": ">= 0", "init_GN_iter": ">= 0",
        "post_init_CG_iter": ">= 0", "CG_forgetting_rate": ">= 0",
        "learning_rate": "[0, 1]", "init_samples_minimum_weight": "[0, 1]",
        "output_sigma_factor": "> 0", "sample_memory_size": ">= 1", "train_skipping": ">= 1",
        "compressed_dim": ">= 1", "filter_reg": ">= 0", "projection_reg": ">= 0",
        "effective_search_area": "> 0", "score_upsample_factor": "> 0",
        "augmentation_expansion_factor": "> 0", "random_shift_factor": ">= 0",
        "target_neighborhood_scale": "> 0",
        "displacement_scale": ">= 0", "hard_negative_learning_rate": "[0, 1]",
        "hard_negative_CG_iter": ">= 0", "iounet_k": ">= 1", "num_init_random_boxes": ">= 0",
        "box_jitter_pos": ">= 0", "box_jitter_sz": ">= 0", "maximal_aspect_ratio": ">= 1",
        "box_refinement_iter": ">= 0", "box_refinement_step_length": ">= 0",
        "box_refinement_step_decay": "> 0", "iou_feature_window_margin": ">= 0",
    }

    # ---- general
    debug: int = 0
    use_gpu: bool = True                     # use CUDA when available
    device: Optional[str] = None             # explicit torch device; overrides use_gpu
    random_seed: int = 0                     # seed of the tracker's own random generator

    # ---- network / features
    network: str = "atom_default.pth"        # file in the network_path setting, or absolute path
    # Weight files that store only weights ({'net': state dict} or a bare state dict) are built
    # with this registered constructor ('module.function') and keyword arguments (None: such files
    # are an error naming this parameter).
    net_architecture: Optional[str] = "ltr.models.bbreg.atom.atom_resnet18"  # the published one
    net_architecture_kwargs: Optional[dict] = None
    output_layers: tuple = ("layer3",)       # backbone layers of the classifier
    normalize_power: Optional[float] = 2.0   # per-sample feature normalisation (None: off)
    use_iou_net: bool = True
    # CPU only: the backbone's ResNet blocks and the IoU-Net test branch compute their stride-1 3x3
    # convolutions by Winograd F(4x4, 3x3) (pytracking.libs.cpu_kernels.winograd): equal to torch's
    # convolution up to float32 rounding (about 1e-5 relative), 1.5-2.5x faster. Without its
    # compiled kernel torch's convolution is used (with a warning). False: always torch's.
    winograd_convolutions: bool = True

    # ---- search area
    max_image_sample_size: float = float((18 * 16) ** 2)
    min_image_sample_size: float = float((18 * 16) ** 2)
    search_area_scale: float = 5.0
    search_area_shape: str = "square"        # 'square' or 'initrect'
    feature_size_odd: bool = False

    # ---- optimization
    CG_iter: int = 5
    init_CG_iter: int = 60
    init_GN_iter: int = 6
    post_init_CG_iter: int = 0
    fletcher_reeves: bool = False
    standard_alpha: bool = True
    CG_forgetting_rate: Optional[float] = None

    # ---- learning
    learning_rate: float = 0.01
    init_samples_minimum_weight: float = 0.25
    output_sigma_factor: float = 1 / 4
    sample_memory_size: int = 250
    train_skipping: int = 10

    # ---- filter / projection
    kernel_size: tuple = (4, 4)
    compressed_dim: int = 64
    filter_reg: float = 1e-1
    projection_reg: float = 1e-4
    use_projection_matrix: bool = True
    update_projection_matrix: bool = True
    proj_init_method: str = "randn"          # 'randn' or 'pca'
    filter_init_method: str = "randn"        # 'randn' or 'zeros'
    projection_activation: Activation = "none"
    response_activation: Activation = ("mlu", 0.05)
    # Localize on response_activation(filter response) (the paper's classifier output) instead of
    # the raw response, as the original implementation does (False: the original behaviour).
    score_activation: bool = False

    # ---- windows and score map
    feature_window: bool = False
    window_output: bool = False
    use_clipped_window: bool = False
    effective_search_area: Optional[float] = None
    scale_factors: tuple = (1.0,)
    score_upsample_factor: float = 1.0

    # ---- first-frame augmentation
    augmentation: dict = dataclasses.field(default_factory=_default_augmentation)
    augmentation_expansion_factor: float = 2.0
    random_shift_factor: float = 1 / 3
    use_augmentation: bool = True

    # ---- advanced localization
    advanced_localization: bool = True
    target_not_found_threshold: float = 0.25
    distractor_threshold: float = 0.8
    hard_negative_threshold: float = 0.5
    target_neighborhood_scale: float = 2.2
    displacement_scale: float = 0.8
    perform_hn_without_windowing: bool = False
    hard_negative_learning_rate: float = 0.02
    hard_negative_CG_iter: int = 5
    update_scale_when_uncertain: bool = True

    # ---- IoU-Net
    iounet_augmentation: bool = False
    iounet_k: int = 3
    num_init_random_boxes: int = 9
    box_jitter_pos: float = 0.1
    box_jitter_sz: float = 0.5
    maximal_aspect_ratio: float = 6.0
    box_refinement_iter: int = 5
    box_refinement_step_length: float = 1.0
    box_refinement_step_decay: float = 1.0
    # Speed-up without effect on results: IoU features are computed only on the feature cells the
    # proposals read plus this many box sizes around them (exact; the window grows when a box
    # leaves it). None computes them on the whole search area.
    iou_feature_window_margin: Optional[float] = 0.1

    # ---- benchmark-specific
    # How the first frame's VOT polygon (info['init_polygon']) becomes the initial box: None uses
    # init_bbox (the enclosing rectangle), 'union' likewise, 'preserve_area' keeps the rotated
    # rectangle's area (pytracking.utils.box_conversion).
    vot_anno_conversion_type: Optional[str] = None

    def activation_spec(self, name: str) -> tuple[str, Optional[float]]:
        """``(kind, parameter)`` of the activation parameter ``name``."""
        value: Any = getattr(self, name)
        if isinstance(value, (tuple, list)):
            if len(value) != 2:
                raise ValueError(f"ATOM parameter {name}={value!r}: expected 'kind' or ('kind', param)")
            return str(value[0]), None if value[1] is None else float(value[1])
        return str(value), None
