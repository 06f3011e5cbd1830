"""ATOM: Accurate Tracking by Overlap Maximization (Danelljan et al., CVPR 2019).

Target classification by an online two-layer convolutional classifier (a 1x1 projection of
backbone features and a 4x4 filter) trained with Gauss-Newton + conjugate gradient on a memory
of past samples; target estimation by gradient ascent on the overlap predicted by an IoU-Net.

Geometry: positions ``pos`` and sizes are ``(y, x)`` / ``(h, w)`` float tensors in image pixels;
the target scale ``s`` maps the *base* frame (where the search area is ``img_sample_sz``, 288 x 288
by default) to the image. Every sample patch reports the image region it covers; the sample
centre and scale used for labels, score displacements and IoU boxes are ``round(pos)`` and the
nominal scale, as in the original, or taken from that region (``sample_centre='patch'``).

With its default parameters the tracker does what the original implementation does, and
reproduces its traces (tests/pytracking_atom/test_atom_original_traces.py). Improvements are
parameters, all set by the ``improved`` parameter set (see the section "behaviour of the original
implementation" of :class:`ATOMParams`): the sample centre taken from the patch coordinates
instead of ``round(pos)`` (``sample_centre``); the classifier position kept when no refined box
passes the aspect-ratio check, where the original falls back to the previous frame's position
(``no_box_position``); the target kept from outgrowing the image after refinement
(``clamp_refined_scale``); patches cut around the rounded position and shrunk by averaging
(``patch_position``, ``patch_downsampling``); a wider blur kernel with replicated borders and exact
bilinear rotations (``blur_kernel``, ``rotation_warp``); a halved Nyquist term in the score
interpolation (``score_nyquist``); the PCA in float64 (``pca_precision``); and the chosen peak's
score as ``max_score`` (``max_score_source``). Speed-ups that do not change the results beyond
float rounding: the classifier's Jacobian products are explicit matrix products over the filled
memory slots (:mod:`pytracking.tracker.atom.problems`; on the original's own first-frame inputs
of Crossing its filter is within 7e-4 of the original's, autograd's double backward within 2e-4;
the CG inner products are computed as the original computes them, which the first frame's float32
CG is sensitive to: see :func:`pytracking.tracker.atom.problems.correlation_dot`), the IoU-Net
features are computed only on the cells the proposals read (``iou_feature_window_margin``,
:mod:`pytracking.features.iou_windows`), and the IoU-Net's fully connected head is differentiated
in closed form (:class:`pytracking.tracker.atom.iou_head.BoxIoUObjective`). On a CPU, 3x3
convolutions use Winograd F(4x4, 3x3) (``winograd_convolutions``; equal up to float32 rounding,
:mod:`pytracking.libs.cpu_kernels.winograd`).
"""
from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator, List, Optional, Tuple

import numpy as np
import torch

from pytracking.features import augmentation
from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.features.featurebase import IoUFeatureModule
from pytracking.features.iou_windows import WindowedIoUFeatures, iou_branch_modules
from pytracking.features.net_wrappers import ATOMFeatures, default_device
from pytracking.features.preprocessing import numpy_to_torch
from pytracking.libs import dcf, fourier, operation
from pytracking.libs.tensorlist import TensorList
from pytracking.tracker.atom.activations import Activation
from pytracking.tracker.atom.iou_refinement import optimize_boxes, random_boxes, select_box
from pytracking.tracker.atom.localization import (Localization, centre_scores, localize_advanced,
                                                  localize_simple)
from pytracking.tracker.atom.memory import SampleMemory
from pytracking.tracker.atom.params import ATOMParams
from pytracking.tracker.atom.problems import ConvProblem, ExplicitGaussNewtonCG, FactorizedConvProblem
from pytracking.tracker.base import BaseTracker
from pytracking.tracker.base.basetracker import validate_init_box
from pytracking.utils.box_conversion import POLYGON_CONVERSIONS, polygon_to_rect

logger = logging.getLogger(__name__)

TIMING_PARTS = ("backbone", "iou_features", "classifier_cg", "box_refinement")

# Allowed values of the parameters that choose between the original behaviour (first) and an
# improvement (second); the modules' own tuples are named beside them.
ORIGINAL_BEHAVIOUR_CHOICES = {
    "sample_centre": ("rounded_pos", "patch"),
    "no_box_position": ("previous", "classifier"),
    "patch_position": ("truncate", "round"),                # PATCH_POSITIONS
    "patch_downsampling": ("subsample", "average"),         # PATCH_DOWNSAMPLING
    "blur_kernel": ("original", "replicate"),               # augmentation.BLUR_KERNELS
    "rotation_warp": ("opencv", "bilinear"),                # augmentation.ROTATION_WARPS
    "score_nyquist": ("full", "split"),                     # fourier.NYQUIST_MODES
    "pca_precision": ("float32", "float64"),
    "max_score_source": ("map", "peak"),
}


def sample_location(coords: torch.Tensor, sample_sz: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Centres ``S x 2`` (y, x) and scales ``S`` of patches with coords ``S x 4`` [y0, x0, y1, x1]
    (end exclusive) resized to ``sample_sz``."""
    coords = coords.float()
    centre = (coords[:, :2] + coords[:, 2:] - 1) / 2
    scale = ((coords[:, 2:] - coords[:, :2]) / sample_sz).prod(dim=1).sqrt()
    return centre, scale


def _clipped_window_1d(n: int, effective: float) -> torch.Tensor:
    e = int(round(effective))
    e = max(e + (e - n) % 2, 1)                      # same parity as n: equal margins
    w = dcf.hann1d(e, centered=True)
    if e >= n:
        start = (e - n) // 2
        return w[start:start + n]
    pad = (n - e) // 2
    return torch.cat((w[:1].expand(pad), w, w[-1:].expand(pad)))


def clipped_window(sz: List[int], effective_sz: List[float]) -> torch.Tensor:
    """Cosine window of size ``effective_sz`` centred on a map of size ``sz`` (1 x 1 x H x W), per
    axis: held constant beyond its ends when shorter than the map, its central part when longer
    (as the original ``hann2d_clipped``, whose padding becomes a crop then)."""
    wy = _clipped_window_1d(int(sz[0]), float(effective_sz[0]))
    wx = _clipped_window_1d(int(sz[1]), float(effective_sz[1]))
    return (wy.reshape(-1, 1) * wx.reshape(1, -1)).reshape(1, 1, len(wy), len(wx))


class ATOM(BaseTracker):
    """The ATOM tracker; parameters: :class:`pytracking.tracker.atom.params.ATOMParams`."""

    def __init__(self, params: ATOMParams) -> None:
        if not isinstance(params, ATOMParams):
            raise TypeError(f"ATOM needs ATOMParams, got {type(params).__name__}")
        super().__init__(params)
        self._check_params(params)
        self.device = default_device(params.use_gpu, params.device)
        if params.features is None:
            self.features = ATOMFeatures(params.network, params.output_layers, params.normalize_power,
                                         self.device, use_iou_net=params.use_iou_net,
                                         winograd=params.winograd_convolutions,
                                         architecture=params.net_architecture,
                                         architecture_kwargs=params.net_architecture_kwargs)
            self.extractor = MultiResolutionExtractor([self.features])
        else:
            self.extractor, self.features = self._given_features(params)
        self.generator = torch.Generator()
        self.timings = defaultdict(float)
        self.projection_activation = Activation(*params.activation_spec("projection_activation"))
        self.response_activation = Activation(*params.activation_spec("response_activation"))

    # ------------------------------------------------------------------ checks and helpers
    @staticmethod
    def _check_params(p: ATOMParams) -> None:
        if len(p.output_layers) != 1:
            raise ValueError(f"ATOM parameter output_layers={p.output_layers!r}: the classifier uses "
                             f"exactly one backbone layer")
        if len(p.kernel_size) != 2 or min(p.kernel_size) < 1:
            raise ValueError(f"ATOM parameter kernel_size={p.kernel_size!r} must be (kh, kw) >= 1")
        if p.search_area_shape not in ("square", "initrect"):
            raise ValueError(f"ATOM parameter search_area_shape={p.search_area_shape!r}: "
                             f"expected 'square' or 'initrect'")
        if p.proj_init_method not in ("pca", "randn"):
            raise ValueError(f"ATOM parameter proj_init_method={p.proj_init_method!r}: expected 'pca' or 'randn'")
        if p.filter_init_method not in ("zeros", "randn"):
            raise ValueError(f"ATOM parameter filter_init_method={p.filter_init_method!r}: "
                             f"expected 'zeros' or 'randn'")
        if len(p.scale_factors) == 0:
            raise ValueError("ATOM parameter scale_factors must not be empty")
        if p.train_skipping < 1:
            raise ValueError(f"ATOM parameter train_skipping={p.train_skipping} must be >= 1")
        unknown = set(p.augmentation) - {"fliplr", "rotate", "blur", "relativeshift", "shift",
                                         "scale", "dropout"}
        if unknown:
            raise ValueError(f"ATOM parameter augmentation has unknown keys {sorted(unknown)}")
        for name, choices in ORIGINAL_BEHAVIOUR_CHOICES.items():
            if getattr(p, name) not in choices:
                raise ValueError(f"ATOM parameter {name}={getattr(p, name)!r}: expected one of {choices}")
        if p.vot_anno_conversion_type is not None and p.vot_anno_conversion_type not in POLYGON_CONVERSIONS:
            raise ValueError(f"ATOM parameter vot_anno_conversion_type={p.vot_anno_conversion_type!r}: "
                             f"expected None or one of {POLYGON_CONVERSIONS}")

    @staticmethod
    def _given_features(p: ATOMParams) -> Tuple[MultiResolutionExtractor, Optional[IoUFeatureModule]]:
        """The extractor of ``params.features`` and its module with the IoU branch (None without
        use_iou_net)."""
        extractor = p.features
        if not isinstance(extractor, MultiResolutionExtractor):
            raise ValueError(f"ATOM parameter features: expected a MultiResolutionExtractor, got "
                             f"{type(extractor).__name__}")
        if len(extractor.stride()) != 1:
            raise ValueError(f"ATOM parameter features: the classifier uses exactly one feature layer, the "
                             f"extractor gives {len(extractor.stride())}")
        iou_module = extractor.iou_feature_module() if p.use_iou_net else None
        if p.use_iou_net and iou_module is None:
            raise ValueError("ATOM parameter features: use_iou_net needs a feature module with an IoU branch "
                             "(e.g. ATOMFeatures); set use_iou_net=False for features without one")
        return extractor, iou_module

    @contextmanager
    def _timed(self, part: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            if self.device.type == "cuda":
                torch.cuda.synchronize(self.device)
            self.timings[part] += time.perf_counter() - start

    # ------------------------------------------------------------------ first frame
    def initialize_target(self, image: np.ndarray, box: np.ndarray, info: dict) -> dict:
        p = self.params
        start = time.perf_counter()
        self.timings.clear()
        self.generator.manual_seed(p.random_seed)
        self.extractor.initialize()

        if p.vot_anno_conversion_type is not None and info.get("init_polygon") is not None:
            box = validate_init_box(polygon_to_rect(info["init_polygon"], p.vot_anno_conversion_type), image.shape)
        pos, sz = self.box_center_size(box)
        self.pos = torch.tensor(pos, dtype=torch.float32)
        self.target_sz = torch.tensor(sz, dtype=torch.float32)

        search_area = float(torch.prod(self.target_sz * p.search_area_scale))
        self.target_scale = 1.0
        if search_area > p.max_image_sample_size:
            self.target_scale = math.sqrt(search_area / p.max_image_sample_size)
        elif search_area < p.min_image_sample_size:
            self.target_scale = math.sqrt(search_area / p.min_image_sample_size)
        self.base_target_sz = self.target_sz / self.target_scale

        stride = max(self.extractor.stride())
        if p.search_area_shape == "square":
            side = torch.round(torch.sqrt(torch.prod(self.base_target_sz * p.search_area_scale)))
            self.img_sample_sz = side * torch.ones(2)
        else:
            self.img_sample_sz = torch.round(self.base_target_sz * p.search_area_scale)
        if p.feature_size_odd:
            self.img_sample_sz += stride - self.img_sample_sz % (2 * stride)
        else:
            self.img_sample_sz += stride - (self.img_sample_sz + stride) % (2 * stride)
        self.img_support_sz = self.img_sample_sz.clone()
        self.feature_sz = self.extractor.size(self.img_sample_sz)[0].float()
        self.output_sz = torch.round(p.score_upsample_factor * self.img_support_sz)
        self.kernel_size = (int(p.kernel_size[0]), int(p.kernel_size[1]))

        if p.CG_forgetting_rate is None or p.learning_rate >= 1:
            self.direction_forget_factor = 0.0
        else:
            self.direction_forget_factor = (1 - p.learning_rate) ** p.CG_forgetting_rate

        self.output_window = None
        if p.window_output:
            out = self.output_sz.long()
            if p.use_clipped_window:
                effective = p.effective_search_area if p.effective_search_area is not None else p.search_area_scale
                window = clipped_window(out.tolist(), (out.float() * effective / p.search_area_scale).tolist())
            else:
                window = dcf.hann2d(out, centered=True)
            self.output_window = window.reshape(1, *window.shape[-2:]).to(self.device)
        self.feature_window = dcf.hann2d(self.feature_sz.long()).to(self.device) if p.feature_window else None

        im = numpy_to_torch(image)
        self._set_image_size(im)

        init_x, sample_pos, sample_scale = self._generate_init_samples(im)
        if p.use_iou_net:
            with self._timed("iou_features"):
                self._init_iou_net(sample_pos, sample_scale)
        self._init_projection_matrix(init_x)
        if self.feature_window is not None:
            init_x = init_x * self.feature_window
        self.sigma = float((self.feature_sz / self.img_support_sz * self.base_target_sz).prod().sqrt()
                           * p.output_sigma_factor)
        init_y = self._init_labels(sample_pos, sample_scale, init_x.shape[0])
        with self._timed("classifier_cg"):
            self._init_optimization(init_x, init_y)
        self.pos_iounet = self.pos.clone()
        self.iou_window_growths = 0
        return {"time": time.perf_counter() - start}

    def _set_image_size(self, im: torch.Tensor) -> None:
        self.image_sz = torch.tensor([im.shape[-2], im.shape[-1]], dtype=torch.float32)
        self.min_scale_factor = float(torch.max(10 / self.base_target_sz))
        self.max_scale_factor = max(float(torch.min(self.image_sz / self.base_target_sz)), self.min_scale_factor)

    def _augmentation_transforms(self) -> List[augmentation.Transform]:
        p = self.params
        aug = p.augmentation if p.use_augmentation else {}
        out_sz = self.img_sample_sz.long().tolist() if p.augmentation_expansion_factor != 1 else None

        def rand_shift() -> Optional[list]:
            if p.random_shift_factor <= 0:
                return None
            r = torch.rand(2, generator=self.generator) - 0.5
            return (r * self.img_sample_sz * p.random_shift_factor).long().tolist()

        transforms: List[augmentation.Transform] = [augmentation.Identity(out_sz)]
        transforms += [augmentation.Translation(s, out_sz) for s in aug.get("shift", [])]
        for rel in aug.get("relativeshift", []):
            shift = (torch.tensor(rel, dtype=torch.float32) * self.img_sample_sz / 2).long().tolist()
            transforms.append(augmentation.Translation(shift, out_sz))
        if aug.get("fliplr", False):
            transforms.append(augmentation.FlipHorizontal(out_sz, rand_shift()))
        transforms += [augmentation.Blur(sigma, out_sz, rand_shift(), kernel=p.blur_kernel)
                       for sigma in aug.get("blur", [])]
        transforms += [augmentation.Scale(s, out_sz, rand_shift()) for s in aug.get("scale", [])]
        transforms += [augmentation.Rotate(a, out_sz, rand_shift(), warp=p.rotation_warp)
                       for a in aug.get("rotate", [])]
        return transforms

    def _generate_init_samples(self, im: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Augmented first-frame features (``N x C x H x W``) and the identity sample's centre/scale."""
        p = self.params
        expansion = self.img_sample_sz.clone()
        if p.augmentation_expansion_factor != 1:
            expansion = (self.img_sample_sz * p.augmentation_expansion_factor).long()
            expansion += (expansion - self.img_sample_sz.long()) % 2
            expansion = expansion.float()
        self.transforms = self._augmentation_transforms()
        with self._timed("backbone"):
            feats, coords = self.extractor.extract_transformed(im, self.pos, self.target_scale, expansion,
                                                               self.transforms, **self._patch_options())
        x = feats[0]
        sample_pos, sample_scale = self._sample_location(coords, expansion, [self.target_scale])
        aug = p.augmentation if p.use_augmentation else {}
        if "dropout" in aug:
            num, prob = aug["dropout"]
            num = int(num)
            self.transforms.extend(self.transforms[:1] * num)
            keep = (torch.rand(num, x.shape[1], 1, 1, generator=self.generator) >= prob).float() / (1 - prob)
            x = torch.cat((x, x[0:1].expand(num, -1, -1, -1) * keep.to(x.device)))
        return x, sample_pos[0], float(sample_scale[0])

    def _patch_options(self) -> dict:
        return {"position": self.params.patch_position, "downsampling": self.params.patch_downsampling}

    def _sample_location(self, coords: torch.Tensor, sample_sz: torch.Tensor,
                         nominal_scales: List[float]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Sample centres (S x 2) and scales (S) of the patches: from their coords (``sample_centre
        ='patch'``) or, as the original, ``round(pos)`` and the nominal scales."""
        if self.params.sample_centre == "patch":
            return sample_location(coords, sample_sz)
        centre = self.pos.round().reshape(1, 2).expand(len(nominal_scales), 2)
        return centre, torch.tensor(nominal_scales, dtype=torch.float32)

    def _init_projection_matrix(self, x: torch.Tensor) -> None:
        p = self.params
        c = x.shape[1]
        if not p.use_projection_matrix:
            self.compressed_dim = c
            self.projection_matrix = torch.eye(c, device=x.device).reshape(c, c, 1, 1)
            return
        self.compressed_dim = min(int(p.compressed_dim), c) if p.proj_init_method == "pca" else int(p.compressed_dim)
        if p.proj_init_method == "pca":
            x_mat = x.permute(1, 0, 2, 3).reshape(c, -1)
            x_mat = x_mat - x_mat.mean(dim=1, keepdim=True)
            cov = x_mat @ x_mat.t()
            u = torch.linalg.svd(cov.double() if p.pca_precision == "float64" else cov)[0].float()
            self.projection_matrix = u[:, :self.compressed_dim].t().reshape(self.compressed_dim, c, 1, 1).clone()
        else:
            P = torch.randn(self.compressed_dim, c, 1, 1, generator=self.generator) / math.sqrt(c)
            self.projection_matrix = P.to(x.device)

    def _label(self, centre: torch.Tensor) -> torch.Tensor:
        """Gaussian label ``1 x 1 x H x W`` peaking at ``centre`` (feature cells from the middle)."""
        return dcf.label_function_spatial(self.feature_sz.long().tolist(), self.sigma, centre.tolist())

    def _label_centre(self, sample_pos: torch.Tensor, sample_scale: float) -> torch.Tensor:
        kernel_offset = 0.5 * torch.tensor([(self.kernel_size[0] + 1) % 2, (self.kernel_size[1] + 1) % 2],
                                           dtype=torch.float32)
        return self.feature_sz * ((self.pos - sample_pos) / (sample_scale * self.img_support_sz)) + kernel_offset

    def _init_labels(self, sample_pos: torch.Tensor, sample_scale: float, num: int) -> torch.Tensor:
        centre = self._label_centre(sample_pos, sample_scale)
        labels = [self._label(centre + torch.tensor(t.shift, dtype=torch.float32) / self.img_support_sz
                              * self.feature_sz) for t in self.transforms[:num]]
        return torch.cat(labels).to(self.device)

    def _init_optimization(self, init_x: torch.Tensor, init_y: torch.Tensor) -> None:
        p = self.params
        debug = p.debug >= 1
        kh, kw = self.kernel_size
        filt = torch.zeros(1, self.compressed_dim, kh, kw)
        if p.filter_init_method == "randn":
            filt.normal_(0, 1 / filt.numel(), generator=self.generator)
        self.filter = filt.to(self.device)

        if p.use_projection_matrix and p.update_projection_matrix:
            weights = init_x.new_ones(1) / init_x.shape[0]
            joint = FactorizedConvProblem(init_x, init_y, weights, p.filter_reg, p.projection_reg,
                                          self.projection_activation, self.response_activation)
            joint_var = TensorList([self.filter, self.projection_matrix])
            joint_opt = ExplicitGaussNewtonCG(joint, joint_var, debug=debug)
            joint_opt.run(max(p.init_CG_iter // max(p.init_GN_iter, 1), 0), p.init_GN_iter)
            if debug:
                logger.info("ATOM first-frame joint optimization losses: %s",
                            [round(v, 5) for v in joint_opt.losses.tolist()])

        with torch.no_grad():
            projected = self._project(init_x)
        self.memory = SampleMemory(projected, init_y, p.sample_memory_size, p.learning_rate,
                                   p.init_samples_minimum_weight)
        self.conv_problem = ConvProblem(self.memory, p.filter_reg, self.response_activation)
        self.filter_optimizer = ExplicitGaussNewtonCG(
            self.conv_problem, TensorList([self.filter]), fletcher_reeves=p.fletcher_reeves,
            standard_alpha=p.standard_alpha, direction_forget_factor=self.direction_forget_factor, debug=debug)
        if not (p.use_projection_matrix and p.update_projection_matrix):
            self.filter_optimizer.run(p.init_CG_iter)
        self.filter_optimizer.run(p.post_init_CG_iter)

    def _project(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection_activation(operation.conv1x1(x, self.projection_matrix))

    # ------------------------------------------------------------------ IoU-Net
    def _iou_box(self, pos: torch.Tensor, sz: torch.Tensor, sample_pos: torch.Tensor,
                 sample_scale: float) -> torch.Tensor:
        """[x, y, w, h] of the box (pos, sz) in the coordinates of a sample patch."""
        centre = (pos - sample_pos) / sample_scale + (self.img_sample_sz - 1) / 2
        box_sz = sz / sample_scale
        ul = centre - (box_sz - 1) / 2
        return torch.cat((ul.flip(0), box_sz.flip(0)))

    def _init_iou_net(self, sample_pos: torch.Tensor, sample_scale: float) -> None:
        p = self.params
        self.iou_target_box = self._iou_box(self.pos, self.target_sz, sample_pos, sample_scale)
        boxes = [self.iou_target_box.clone()]
        if p.iounet_augmentation:
            simple = (augmentation.Translation, augmentation.FlipHorizontal, augmentation.FlipVertical,
                      augmentation.Blur)
            for t in self.transforms[1:]:
                if not isinstance(t, simple):
                    break
                boxes.append(self.iou_target_box + torch.tensor([t.shift[1], t.shift[0], 0, 0], dtype=torch.float32))
        target_boxes = torch.stack(boxes).to(self.device)
        backbone = [f[:target_boxes.shape[0]] for f in self.features.iou_backbone_features()]
        with torch.no_grad():
            modulation = self.features.iou_predictor.get_modulation(backbone, target_boxes)
        self.iou_modulation = [m.mean(dim=0, keepdim=True) for m in modulation]

    def _refine_target_box(self, sample_pos: torch.Tensor, sample_scale: float, scale_ind: int,
                           update_scale: bool) -> None:
        p = self.params
        init_box = self._iou_box(self.pos, self.target_sz, sample_pos, sample_scale)
        with self._timed("box_refinement"):
            boxes = random_boxes(init_box, p.num_init_random_boxes, p.box_jitter_pos, p.box_jitter_sz,
                                 self.generator)
        self._last_proposals = boxes
        boxes, ious = self._optimize_boxes(boxes, scale_ind)
        self._last_refined = boxes
        with self._timed("box_refinement"):
            chosen = select_box(boxes, ious, p.maximal_aspect_ratio, p.iounet_k)
        if chosen is None:
            if p.no_box_position == "classifier":
                self.pos_iounet = self.pos.clone()
            return
        box, _ = chosen
        new_pos = (box[:2] + box[2:] / 2 - (self.img_sample_sz - 1) / 2).flip(0) * sample_scale + sample_pos
        new_sz = box[2:].flip(0) * sample_scale
        new_scale = math.sqrt(float(new_sz.prod() / self.base_target_sz.prod()))
        clamped = new_scale
        if p.clamp_refined_scale:
            clamped = min(new_scale, self.max_scale_factor)   # the target may not outgrow the image
            new_sz = new_sz * (clamped / new_scale)
        self.pos_iounet = new_pos.clone()
        self.pos = new_pos.clone()
        self.target_sz = new_sz
        if update_scale:
            self.target_scale = clamped

    def _optimize_boxes(self, boxes: torch.Tensor, scale_ind: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """IoU refinement of ``boxes``. With ``iou_feature_window_margin`` set, the IoU features are
        computed only on the cells the boxes read (plus that margin x box size), and the window
        grows when boxes leave it: the result is that of the full features either way."""
        p = self.params
        args = (p.box_refinement_iter, p.box_refinement_step_length, p.box_refinement_step_decay)
        windowed_features = p.iou_feature_window_margin is not None and \
            iou_branch_modules(self.features.iou_predictor) is not None
        if windowed_features:
            backbone = [f[scale_ind:scale_ind + 1] for f in self.features.iou_backbone_features()]
            windowed = WindowedIoUFeatures(self.features.iou_predictor, backbone,
                                           self.features.iou_layer_strides(), p.iou_feature_window_margin,
                                           winograd=self.features.winograd_in_use)

            def features_for(b: torch.Tensor) -> TensorList:
                with self._timed("iou_features"):
                    return windowed(b)
        else:
            with self._timed("iou_features"):
                full = [f[scale_ind:scale_ind + 1] for f in self.features.iou_features()]

            def features_for(b: torch.Tensor) -> list:
                return full
        before = self.timings["iou_features"]
        with self._timed("box_refinement"):
            out = optimize_boxes(self.features.iou_predictor, self.iou_modulation, features_for, boxes, *args)
        # the refinement's own time: the loop minus the feature computations inside it
        self.timings["box_refinement"] -= self.timings["iou_features"] - before
        if windowed_features:
            self.iou_window_growths += max(windowed.computations - 1, 0)
        return out

    # ------------------------------------------------------------------ tracking
    def _update_state(self, new_pos: torch.Tensor, new_scale: Optional[float] = None) -> None:
        if new_scale is not None:
            self.target_scale = min(max(new_scale, self.min_scale_factor), self.max_scale_factor)
            self.target_sz = self.base_target_sz * self.target_scale
        inside_offset = (0.2 - 0.5) * self.target_sz
        self.pos = torch.max(torch.min(new_pos, self.image_sz - inside_offset), inside_offset)

    def score_map(self, x: torch.Tensor) -> torch.Tensor:
        """Interpolated score maps ``S x oh x ow`` (zero displacement at index 0) of projected
        samples ``x`` (S x D x H x W)."""
        raw = operation.conv2d(x, self.filter, mode="same")
        if self.params.score_activation:
            raw = self.response_activation(raw)
        h, w = raw.shape[-2:]
        sf = fourier.cfft2(raw, nyquist=self.params.score_nyquist) / (h * w)
        kh, kw = self.kernel_size
        sf = fourier.shift_fs(sf, (math.pi * (1 - (kh % 2) / h), math.pi * (1 - (kw % 2) / w)))
        scores = fourier.sample_fs(sf, self.output_sz.long().tolist())
        return scores.reshape(scores.shape[0], *scores.shape[-2:])

    def localize(self, scores: torch.Tensor) -> Localization:
        """Localization on uncentred score maps (see :mod:`pytracking.tracker.atom.localization`)."""
        p = self.params
        centred = centre_scores(scores)
        unwindowed = None
        if self.output_window is not None:
            unwindowed = centred if p.perform_hn_without_windowing else None
            centred = centred * self.output_window
        if not p.advanced_localization:
            loc = localize_simple(centred)
        else:
            neighborhood = (p.target_neighborhood_scale * self.target_sz / self.target_scale
                            * self.output_sz / self.img_support_sz).tolist()
            loc = localize_advanced(centred.cpu(), neighborhood, p.target_not_found_threshold,
                                    p.distractor_threshold, p.hard_negative_threshold, p.displacement_scale,
                                    None if unwindowed is None else unwindowed.cpu())
        if p.max_score_source == "map":
            # the original reports the maximum of the map it searched last (the unwindowed one when
            # it looked for a second peak without the window)
            searched = unwindowed if unwindowed is not None and loc.flag != "not_found" else centred
            loc.max_score = float(searched[loc.scale_index].max())
        return loc

    def track_frame(self, image: np.ndarray, info: dict) -> dict:
        p = self.params
        im = numpy_to_torch(image)
        self._set_image_size(im)

        self._last_proposals = self._last_refined = self._anchor_box = None
        nominal_scales = [self.target_scale * float(f) for f in p.scale_factors]
        with self._timed("backbone"):
            feats, coords = self.extractor.extract(im, self.pos, nominal_scales, self.img_sample_sz,
                                                   **self._patch_options())
        sample_pos, sample_scales = self._sample_location(coords, self.img_sample_sz, nominal_scales)
        with torch.no_grad():
            x = self._project(feats[0])
            if self.feature_window is not None:
                x = x * self.feature_window
            scores = self.score_map(x)
            self._last_scores = centre_scores(scores)
            loc = self.localize(scores)
        ind = loc.scale_index
        translation = loc.displacement * (self.img_support_sz / self.output_sz) * float(sample_scales[ind])
        new_pos = sample_pos[ind] + translation

        flag = loc.flag
        if flag != "not_found":
            if p.use_iou_net:
                self._update_state(new_pos)
                self._anchor_box = self.center_size_box(self.pos, self.target_sz)
                self._refine_target_box(sample_pos[ind], float(sample_scales[ind]), ind,
                                        p.update_scale_when_uncertain or flag != "uncertain")
            else:
                self._update_state(new_pos, nominal_scales[ind])

        debug = p.debug > 0 or self.debug_sink.enabled(1)
        out = {"flag": flag, "max_score": loc.max_score}
        if debug:
            out.update(self._debug_items(loc, sample_pos[ind], float(sample_scales[ind])))

        hard_negative = flag == "hard_negative"
        if flag not in ("not_found", "uncertain"):
            label = self._label(self._label_centre(sample_pos[ind], float(sample_scales[ind]))).to(self.device)
            self.memory.update(x[ind:ind + 1], label,
                               p.hard_negative_learning_rate if hard_negative else None)
        num_losses = self.filter_optimizer.losses.numel()
        with self._timed("classifier_cg"):
            if hard_negative:
                self.filter_optimizer.run(p.hard_negative_CG_iter)
            elif (self.frame_num - 1) % p.train_skipping == 0:
                self.filter_optimizer.run(p.CG_iter)

        if p.use_iou_net and flag != "not_found":
            self.pos = self.pos_iounet.clone()
        out["target_bbox"] = self.center_size_box(self.pos, self.target_sz)
        if debug:
            losses = self.filter_optimizer.losses[num_losses:]
            if losses.numel():
                out["cg_losses"] = losses.numpy()
            weights = self.memory.active()[2]
            out["memory_weights"] = weights.cpu().numpy()
            self.debug_sink.info("atom", {"frame": self.frame_num, "flag": str(flag),
                                          "max_score": round(loc.max_score, 4),
                                          "box": [round(v, 1) for v in out["target_bbox"]]}, level=1)
        return out

    def _sample_boxes_to_image(self, boxes: torch.Tensor, sample_pos: torch.Tensor,
                               sample_scale: float) -> np.ndarray:
        """[x, y, w, h] boxes in sample coordinates -> image coordinates (for display)."""
        boxes = boxes.reshape(-1, 4)
        centre = (boxes[:, :2] + boxes[:, 2:] / 2 - (self.img_sample_sz.flip(0) - 1) / 2) * sample_scale \
            + sample_pos.flip(0)
        size = boxes[:, 2:] * sample_scale
        return torch.cat((centre - size / 2, size), dim=1).numpy()

    def _debug_items(self, loc: Localization, sample_pos: torch.Tensor, sample_scale: float) -> dict:
        """Score map, classifier box and IoU proposals of this frame (the runner shows them: score-map
        pane, and the frame and proposals panes with these boxes)."""
        scores = self._last_scores[loc.scale_index].cpu().numpy()
        items = {"score_map": scores}
        if self._anchor_box is not None:
            items["anchor_box"] = self._anchor_box
        if self._last_proposals is not None:
            items["proposals"] = self._sample_boxes_to_image(self._last_proposals, sample_pos,
                                                             sample_scale)
            items["refined_boxes"] = self._sample_boxes_to_image(self._last_refined, sample_pos,
                                                                 sample_scale)
        return items
