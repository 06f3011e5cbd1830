"""The typed parameter set of the ECO tracker (defaults = the published ECO-HC OTB settings).

Values follow the hand-crafted-feature OTB configuration of the first public ECO release (ECO 1.0,
``OTB_HC_settings.m``; Danelljan et al., "ECO: Efficient Convolution Operators for Tracking", CVPR
2017), which the public Python port pyECO also uses. The original repository's later version 2.0
changed five of them (``pytracking/parameter/eco/otb_hc_v2.py``). Parameter modules in
``pytracking/parameter/eco/`` build an :class:`ECOParams` and change what they need; a misspelled
name raises :class:`pytracking.utils.params.ParameterError`.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.features.handcrafted import FHOG, ColorNames, IntensityChannels
from pytracking.utils.params import Params


def hand_crafted_features() -> MultiResolutionExtractor:
    """ECO-HC's features: FHOG (6 x 6 cells) and colour names (4 x 4 cells) on colour video,
    FHOG and intensity channels (``intensityChannelNorm6``, 4 x 4 cells) on grey video."""
    return MultiResolutionExtractor([FHOG(cell_size=6, normalize_power=2),
                                     ColorNames(cell_size=4, use_for_gray=False, normalize_power=2),
                                     IntensityChannels(cell_size=4, use_for_color=False, normalize_power=2)])


@dataclasses.dataclass
class ECOParams(Params):
    """All parameters of :class:`pytracking.tracker.eco.ECO` (see the field comments)."""

    # ---- general
    debug: int = 0
    # ---- features: a MultiResolutionExtractor; the tracker calls ``set_is_color`` with whether the
    # first frame has colour (R, G, B not all equal), which keeps the modules meant for that kind of
    # video. ``compressed_dim``: one projected dimension per active feature module (capped at its
    # dimension).
    features: Any = dataclasses.field(default_factory=lambda: hand_crafted_features())
    compressed_dim: tuple = (10, 3)          # fhog (cell 6) -> 10, colour names / intensity channels (cell 4) -> 3

    # ---- search area
    search_area_scale: float = 4.0
    min_image_sample_size: float = 150.0 ** 2
    max_image_sample_size: float = 200.0 ** 2

    # 'original': translation samples as the original's sample_patch around round(pos), the
    # displacement measured from round(pos) (a patch of an even pixel count is centred df/2 pixels
    # past it); this project's 'exact': cropped at the nearest grid position of the exact centre,
    # the displacement measured from the centre of the pixels cropped
    sample_centring: str = "original"

    # ---- detection
    refinement_iterations: int = 1           # detections per frame at the new position
    newton_iterations: int = 5               # Newton steps to the score maximum (continuous)
    clamp_position: bool = False             # keep the target centre inside the image (the original's
                                             # option; off in its OTB and VOT settings)
    newton_requires_maximum: bool = False    # this project's option: step only where the score's Hessian
                                             # is negative definite (the original always steps)

    # ---- learning
    output_sigma_factor: float = 1.0 / 16    # label std / sqrt(target area)
    learning_rate: float = 0.009
    num_samples: int = 30                    # components of the sample space model
    train_gap: int = 5                       # frames between filter updates (update every 6th)
    skip_after_frame: int = 10               # before this frame the filter is updated every frame

    # ---- factorized convolution (projection matrix, frame 1 only)
    projection_reg: float = 1e-7
    # ---- conjugate gradient
    init_CG_iter: int = 10 * 15              # first-frame CG iterations: ceil(this / init_GN_iter) per GN step
    init_GN_iter: int = 10
    CG_iter: int = 5                         # CG iterations per filter update
    CG_forgetting_rate: float = 50.0         # warm start: direction forget factor (1-lr)^rate
    precond_data_param: float = 0.75
    precond_reg_param: float = 0.25
    precond_proj_param: float = 40.0

    # this project's option: count the kx = 0 column of half spectra once (the exact full-spectrum
    # sums) in the projection-matrix rows of the first frame's Gauss-Newton and in the sample
    # model's distances; the original counts it 0 and 2 times there
    exact_half_spectrum_sums: bool = False

    # ---- spatial regularization
    reg_window_min: float = 1e-4
    reg_window_edge: float = 10e-3
    reg_window_power: float = 2.0
    reg_sparsity_threshold: float = 0.05

    # ---- interpolation to the continuous domain
    interpolation_bicubic_a: float = -0.75

    # ---- scale filter (fDSST-style, ECO's use_scale_filter)
    scale_sigma_factor: float = 1.0 / 16
    scale_learning_rate: float = 0.025
    number_of_scales_filter: int = 17
    number_of_interp_scales: int = 33
    scale_model_factor: float = 1.0
    scale_step_filter: float = 1.02
    scale_model_max_area: float = 32.0 * 16
    scale_lambda: float = 1e-2
    do_poly_interp: bool = True
    scale_parabola_requires_maximum: bool = False   # this project's option: use the parabola's vertex
                                                    # only where it is a maximum (the original always does)
    # 'original': the original's scale samples (the frame subsampled by floor(min scale), patches of
    # whole pixels around floor(pos), each resized); this project's 'smooth': one crop averaged over
    # df x df cells, sampled bilinearly around the exact position (steadier on a still target, and
    # faster on large ones)
    scale_sampling: str = "original"

    def validate(self) -> None:
        """Raise ValueError naming the first parameter whose value cannot work."""
        positive = ("search_area_scale", "min_image_sample_size", "max_image_sample_size",
                    "output_sigma_factor", "learning_rate", "scale_step_filter",
                    "scale_model_max_area", "scale_sigma_factor")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"ECO parameter {name}={getattr(self, name)!r} must be > 0")
        if not 0 < self.learning_rate < 1:
            raise ValueError(f"ECO parameter learning_rate={self.learning_rate} must be in (0, 1)")
        if self.num_samples < 2:
            raise ValueError(f"ECO parameter num_samples={self.num_samples} must be >= 2")
        if self.init_GN_iter < 1 or self.init_CG_iter < self.init_GN_iter:
            raise ValueError(f"ECO parameters init_GN_iter={self.init_GN_iter} / init_CG_iter="
                             f"{self.init_CG_iter}: need 1 <= init_GN_iter <= init_CG_iter")
        if self.number_of_scales_filter < 1 or self.number_of_interp_scales < self.number_of_scales_filter:
            raise ValueError(f"ECO parameters number_of_scales_filter={self.number_of_scales_filter} / "
                             f"number_of_interp_scales={self.number_of_interp_scales}: need "
                             f"1 <= scales <= interp_scales")
        for name, choices in (("sample_centring", ("original", "exact")), ("scale_sampling", ("original", "smooth"))):
            if getattr(self, name) not in choices:
                raise ValueError(f"ECO parameter {name}={getattr(self, name)!r} must be "
                                 + " or ".join(repr(c) for c in choices))
        if self.min_image_sample_size > self.max_image_sample_size:
            raise ValueError(f"ECO parameter min_image_sample_size={self.min_image_sample_size} exceeds "
                             f"max_image_sample_size={self.max_image_sample_size}")
