"""ECO with hand-crafted features (ECO-HC): Danelljan, Bhat, Khan, Felsberg, "ECO: Efficient
Convolution Operators for Tracking", CVPR 2017 — a tracker that needs no weight file.

Per feature block (FHOG with 6x6 cells and colour names with 4x4 cells on colour video; FHOG and the
intensity channels of ``intensityChannelNorm6`` with 4x4 cells on grey video) the features of a
square sample of ``search_area_scale`` times the target (150^2..200^2 pixels) are normalised,
compressed by a projection matrix learned on frame 1 (joint Gauss-Newton/CG), windowed, and
interpolated to the continuous domain with a cubic kernel in the Fourier domain. The filter is
learned with a Gaussian label and a quadratic spatial regularization window by preconditioned CG on
the components of a Gaussian-mixture sample model (30 components, learning rate 0.009), on frames 2
to 9 and then every 6th frame (15, 21, ...), warm started. Detection: the score's Fourier series is
summed over blocks, maximised on the grid and refined by Newton's method.
Scale: a separate fDSST scale filter (17 scales interpolated to 33, step 1.02).

Parameters: :class:`pytracking.tracker.eco.params.ECOParams` (defaults = the published ECO-HC OTB
values of ECO 1.0; ``pytracking/parameter/eco/default.py``); ``default_vot``: the published VOT2016 HC
values; ``otb_hc_v2``: the OTB values of the original repository's version 2.0.

Deliberate differences from the original (MATLAB) implementation:

* Even-sized feature maps lose their Nyquist frequency and are interpolated with the kernel of
  their own size (the original extends them to odd size). The sample size is chosen as in the
  original ('odd_cells'), which with the cells of the shipped settings (6 and 4) gives odd-sized
  maps only, so this does not apply to them.
* Fourier series use the sample centre as origin (the original's centring shifts are implied).
* Translation samples are the original's ``sample_patch`` ones around ``round(pos)``
  (:func:`region.original_patch`; subsampled by ``df = floor(resize factor - 0.1)`` when large,
  border pixels replicated, resized bilinearly like its ``mexResize(..., 'linear')``) and the
  displacement is measured from ``round(pos)``, although a patch of an even pixel count is centred
  ``df / 2`` pixels past it (so the position jumps when that count changes parity as the scale
  drifts). This project's option ``sample_centring='exact'`` crops at the nearest pixel grid
  position of the exact centre and measures from the centre of the pixels cropped.
* The scale samples (:func:`scale_filter.scale_patches`) are the original's ``extract_scale_sample``
  ones, resized as its ``mexResize(..., 'auto')`` (:func:`region.resize_auto`). This project's
  option ``scale_sampling='smooth'`` samples them from one anti-aliased crop around the exact
  position instead (steadier on a still target, faster on large ones).
* The Gram matrix of the sample model is updated from one set of inner products per new sample.
* ``W^H W`` of the spatial regularization: the original's two sparse convolutions in the compiled
  kernel, or (without the build) one FFT convolution with the kernel's autocorrelation (the same
  operator).
* Options of this project, off by default (the original's behaviour): ``newton_requires_maximum`` (a
  Newton step only where the score's Hessian is negative definite),
  ``scale_parabola_requires_maximum`` (the scale parabola's vertex only where it is a maximum) and
  ``exact_half_spectrum_sums`` (the ``kx = 0`` column of half spectra counted once where the
  original counts it zero times, in the projection-matrix rows of the first frame's Gauss-Newton, or
  twice, in the sample model's distances). A singular Hessian or a degenerate parabola stops the
  refinement instead of producing an infinite position or scale.
* Implementation only (same results up to rounding): colour names, the regularization operator and
  the data term of the filter's normal equations run in compiled CPU kernels when they are built
  (:mod:`pytracking.libs.cpu_kernels`; torch code otherwise). The scale samples' area averaging
  runs in a compiled kernel with OpenCV's exact result (OpenCV's resize otherwise). The scale filter with
  ``s_num_compressed_dim = 'MAX'`` is computed from inner products of the scale samples, which is
  what its QR-basis formulation reduces to (:mod:`pytracking.tracker.eco.scale_filter`).
* Scale patches are at least 2 x 2 pixels (the original's would be empty for a target that shrinks
  below about 2 pixels).
* The sample model's weights and Gram matrix are double precision (the original's single), updated
  by the original's formulas. (An unmerged component's weight meets the replacement threshold
  ``lr (1 - lr) ^ (2 nSamples)`` after exactly ``2 nSamples`` updates in exact arithmetic; the
  products in either precision fall below it then, as in the original.)
* ``max_scale_factor`` follows the current frame's size, so frames may change size. The original's
  ``clamp_position`` (keep the centre inside the image) is a parameter, off as in its settings.
* Boxes are reported as computed; the original's OTB output rounds them to whole pixels.
* Box numbers are 0-based pixel coordinates (the top-left pixel's centre is (0, 0)), as for every
  tracker of this framework; the original reads them 1-based. Given the same numbers (OTB's ground
  truth, stored 1-based), its samples therefore lie one pixel up and left of ours, and both report
  boxes in the numbers they were given.
"""
from __future__ import annotations

import logging
import math
from typing import List, Tuple

import numpy as np
import torch

from pytracking.features.handcrafted import FHOG
from pytracking.libs import dcf
from pytracking.tracker.base import BaseTracker
from pytracking.tracker.eco import continuous as cont
from pytracking.tracker.eco.optim import FilterCG, JointGaussNewton, project, scores
from pytracking.tracker.eco.params import ECOParams
from pytracking.tracker.eco.region import matlab_round, original_patch, resized_patch, to_tensor
from pytracking.tracker.eco.sample_space import SampleSpace
from pytracking.tracker.eco.scale_filter import ScaleFilter

logger = logging.getLogger(__name__)


def is_grey(image: np.ndarray) -> bool:
    """True when the red and green channels of an RGB image are equal (as ECO decides; its grey
    video then uses the first channel)."""
    return bool((image[..., 0] == image[..., 1]).all())


def odd_cells_sample_size(size: float, cell_sizes: List[int]) -> int:
    """ECO's 'odd_cells' sample size: a multiple of the largest cell near ``size`` plus the number
    of pixels (< largest cell) that makes the most feature maps odd-sized."""
    max_cell = max(cell_sizes)
    # MATLAB's round: halves away from zero (Python's round() would take 12.5 to 12)
    base = (1 + 2 * matlab_round(size / (2 * max_cell))) * max_cell
    best, best_odd = 0, -1
    for extra in range(max_cell):
        n_odd = sum((int(base + extra) // c) % 2 for c in cell_sizes)
        if n_odd > best_odd:
            best, best_odd = extra, n_odd
    return int(round(base + best))


class ECO(BaseTracker):
    """The ECO tracker; parameters: :class:`pytracking.tracker.eco.params.ECOParams`."""

    def __init__(self, params: ECOParams) -> None:
        if not isinstance(params, ECOParams):
            raise TypeError(f"ECO needs ECOParams, got {type(params).__name__}")
        params.validate()
        super().__init__(params)

    # ------------------------------------------------------------------ features
    def _select_features(self, grey: bool) -> None:
        p = self.params
        self.extractor = p.features
        self.extractor.initialize()
        self.extractor.set_is_color(not grey)
        full = self.extractor.dim()
        if len(p.compressed_dim) != len(full):
            raise ValueError(f"ECO parameter compressed_dim={tuple(p.compressed_dim)!r} needs one value per "
                             f"active feature module ({len(full)}: dimensions {full})")
        self.compressed_dim = [min(int(c), int(d)) for c, d in zip(p.compressed_dim, full)]
        self.cell_sizes = [int(s) for s in self.extractor.stride()]
        logger.debug("ECO: %s video, feature dimensions %s -> %s, cells %s", "grey" if grey else "colour",
                     full, self.compressed_dim, self.cell_sizes)
        hog4 = FHOG(cell_size=4)                       # ECO's 'HOG4' scale feature
        self.scale_descriptor = lambda patches: hog4.extract(patches)[0]

    def _features(self, image: np.ndarray, pos: torch.Tensor, scale: float) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """Features (``D x h x w`` per block) of the sample at ``pos`` and ``scale``, and the
        position (y, x) the displacement is measured from: ``round(pos)`` as the original
        (``sample_centring='original'``), or the exact centre of the pixels cropped ('exact')."""
        sz = self.img_sample_sz
        if self.params.sample_centring == "original":
            sample_pos = (matlab_round(float(pos[0])), matlab_round(float(pos[1])))
            # extract_features.m hands sample_patch the rounded size (which it divides by df and rounds again)
            size = float(matlab_round(sz * scale))
            patch = original_patch(image, sample_pos, (size, size), (sz, sz))
            centre = (float(sample_pos[0]), float(sample_pos[1]))
        else:
            patch, centre = resized_patch(image, pos.tolist(), (sz * scale, sz * scale), (sz, sz))
        x = to_tensor(patch)
        feats = [feat[0] for f in self.extractor.active_features() for feat in f.extract(x)]
        return feats, torch.tensor(centre, dtype=torch.float32)

    def _to_fourier(self, feats: List[torch.Tensor]) -> List[torch.Tensor]:
        """Windowed, interpolated half spectra of feature maps (``C x h x w`` per block)."""
        return [cont.interpolated_spectrum(x * w, iy, ix)
                for x, w, (iy, ix) in zip(feats, self.windows, self.interp)]

    def _project(self, feats: List[torch.Tensor]) -> List[torch.Tensor]:
        return [(p.t() @ x.reshape(x.shape[0], -1)).reshape(-1, *x.shape[1:]) for p, x in zip(self.P, feats)]

    # ------------------------------------------------------------------ first frame
    def _channels(self, image: np.ndarray) -> np.ndarray:
        """The frame as the features see it: its first channel on grey video (as the original)."""
        return image[..., :1] if self.grey else image

    def initialize_target(self, image: np.ndarray, box: np.ndarray, info: dict) -> dict:
        p = self.params
        self.grey = is_grey(image)
        image = self._channels(image)
        self._select_features(self.grey)
        pos, sz = self.box_center_size(box)
        self.pos = torch.tensor(pos, dtype=torch.float32)
        self.target_sz = torch.tensor(sz, dtype=torch.float32)
        self.image_sz = torch.tensor(image.shape[:2], dtype=torch.float32)

        # in double precision as the original: the sample size rounds exact halves
        h, w = float(sz[0]), float(sz[1])
        search_area = h * p.search_area_scale * w * p.search_area_scale
        if search_area > p.max_image_sample_size:
            self.scale = math.sqrt(search_area / p.max_image_sample_size)
        elif search_area < p.min_image_sample_size:
            self.scale = math.sqrt(search_area / p.min_image_sample_size)
        else:
            self.scale = 1.0
        base_h, base_w = h / self.scale, w / self.scale
        self.base_target_sz = torch.tensor((base_h, base_w), dtype=torch.float32)
        sample = math.sqrt(base_h * p.search_area_scale * base_w * p.search_area_scale)
        self.img_sample_sz = odd_cells_sample_size(sample, self.cell_sizes)
        support = float(self.img_sample_sz)

        feats, centre = self._features(image, self.pos, self.scale)
        self.feature_sz = [tuple(x.shape[-2:]) for x in feats]
        self.filter_sz = [(cont.odd(h), cont.odd(w)) for h, w in self.feature_sz]
        k = max(f[0] for f in self.filter_sz)
        kw = max(f[1] for f in self.filter_sz)
        self.out_sz = (k, cont.half_width(kw))
        self.windows = [dcf.hann1d(h).reshape(-1, 1) * dcf.hann1d(w).reshape(1, -1) for h, w in self.feature_sz]
        a = p.interpolation_bicubic_a
        self.interp = [(cont.interp_coefficients(h, fh, a), cont.interp_coefficients(w, fw, a))
                       for (h, w), (fh, fw) in zip(self.feature_sz, self.filter_sz)]
        sigma = math.sqrt(math.floor(base_h) * math.floor(base_w)) * p.output_sigma_factor
        self.yf = cont.gaussian_label(k, kw, (sigma, sigma), (support, support))
        self.reg = cont.reg_filter((support, support), tuple(self.base_target_sz.tolist()), p.reg_window_edge,
                                   p.reg_window_min, p.reg_window_power, p.reg_sparsity_threshold)
        self.reg_energy = float((self.reg * self.reg).sum())
        self.reg_op = cont.RegOperator(self.reg)

        # projection matrices by PCA of the first sample
        self.P = []
        for x, c in zip(feats, self.compressed_dim):
            m = x.reshape(x.shape[0], -1)
            m = m - m.mean(1, keepdim=True)
            u, _, _ = torch.linalg.svd(m @ m.t())
            self.P.append(u[:, :c].contiguous())
        # the sample shifted onto the target (the crop is centred on the pixel grid)
        xf = [cont.shift_spectrum(xb, ((self.pos - centre) / self.scale).tolist(), (support, support))
              for xb in self._to_fourier(feats)]
        z = [project(pm, xb) for pm, xb in zip(self.P, xf)]
        energy = [(zb * zb.conj()).real for zb in z]
        # each block's label energy (its label is the central part of the largest block's)
        total_dim = sum(x.shape[0] for x in feats)
        proj_energy = [2 * float((cont.crop_to(self.yf, *zb.shape[-2:]).abs() ** 2).sum()) / total_dim
                       * torch.ones_like(pm) for pm, zb in zip(self.P, z)]
        diag_m = [self._precond(e) for e in energy]
        diag_m += [p.precond_proj_param * (pe + p.projection_reg) for pe in proj_energy]
        f0 = [torch.zeros_like(zb) for zb in z]
        exact = p.exact_half_spectrum_sums
        gn = JointGaussNewton(xf, self.yf, self.reg_op, p.projection_reg, 1.0 if exact else 0.0)
        self.f, self.P = gn.run(f0, self.P, diag_m, p.init_GN_iter, math.ceil(p.init_CG_iter / p.init_GN_iter))
        self.P = [pm.float() for pm in self.P]

        # the preconditioner keeps the energy of the PCA-projected sample (as the original does);
        # the model gets the sample projected by the optimized matrices
        self.sample_energy = energy
        z = [project(pm, xb) for pm, xb in zip(self.P, xf)]
        self.samples = SampleSpace(p.num_samples, p.learning_rate, 1.0 if exact else 2.0)
        self.samples.insert(z)
        self.cg = FilterCG(self.yf, self.reg_op, (1 - p.learning_rate) ** p.CG_forgetting_rate)
        self.frames_since_train = 0

        self.scale_filter = ScaleFilter(p, self.target_sz.tolist(), self.scale_descriptor)
        self._set_scale_limits(image.shape)
        self.scale_filter.update(image, self.pos.tolist(), self.base_target_sz.tolist(), self.scale)
        return {}

    def _precond(self, energy: torch.Tensor) -> torch.Tensor:
        p = self.params
        data = p.precond_data_param * energy + (1 - p.precond_data_param) * energy.mean(0, keepdim=True)
        return (1 - p.precond_reg_param) * data + p.precond_reg_param * self.reg_energy

    def _set_scale_limits(self, shape: Tuple[int, ...]) -> None:
        step = self.params.scale_step_filter
        self.min_scale = step ** math.ceil(math.log(max(5.0 / self.img_sample_sz, 1e-12)) / math.log(step))
        ratio = min(shape[0] / float(self.base_target_sz[0]), shape[1] / float(self.base_target_sz[1]))
        self.max_scale = step ** math.floor(math.log(ratio) / math.log(step))

    # ------------------------------------------------------------------ tracking
    def track_frame(self, image: np.ndarray, info: dict) -> dict:
        p = self.params
        image = self._channels(image)
        self._set_scale_limits(image.shape)
        h, w = image.shape[:2]

        for _ in range(max(1, p.refinement_iterations)):
            feats, sample_pos = self._features(image, self.pos, self.scale)
            det_scale = self.scale
            z = self._to_fourier(self._project(feats))
            sf = scores(self.f, z, *self.out_sz)
            grid = cont.sample_grid(sf, self.out_sz[0])
            r, c = cont.grid_max(grid)
            kw = 2 * self.out_sz[1] - 1
            start = (r if r <= self.out_sz[0] // 2 else r - self.out_sz[0], c if c <= kw // 2 else c - kw)
            dy, dx = cont.newton_maximum(sf, start, p.newton_iterations, p.newton_requires_maximum)
            step = self.img_sample_sz * det_scale
            disp = torch.tensor([dy * step / self.out_sz[0], dx * step / kw])
            old_pos = self.pos
            self.pos = sample_pos + disp
            if p.clamp_position:
                self.pos = torch.stack((self.pos[0].clamp(0, h - 1), self.pos[1].clamp(0, w - 1)))
            # the scale at the new position, within the limits
            change = self.scale_filter.track(image, self.pos.tolist(), self.base_target_sz.tolist(), self.scale)
            self.scale = float(min(max(self.scale * change, self.min_scale), self.max_scale))
            if torch.equal(old_pos, self.pos):
                break

        # training sample: the detection sample shifted onto the new position
        shift = ((self.pos - sample_pos) / det_scale).tolist()
        z_train = [cont.shift_spectrum(zb, shift, (self.img_sample_sz, self.img_sample_sz)) for zb in z]
        self.samples.insert(z_train)

        if self.frame_num < p.skip_after_frame or self.frames_since_train >= p.train_gap:
            # the preconditioner's running sample energy, as the original, on training frames only
            lr = p.learning_rate
            self.sample_energy = [(1 - lr) * e + lr * (zb * zb.conj()).real
                                  for e, zb in zip(self.sample_energy, z_train)]
            samples, weights = self.samples.used()
            self.cg.set_problem(samples, weights, [self._precond(e) for e in self.sample_energy])
            self.f = self.cg.solve(self.f, p.CG_iter)
            self.frames_since_train = 0
        else:
            self.frames_since_train += 1

        self.scale_filter.update(image, self.pos.tolist(), self.base_target_sz.tolist(), self.scale)
        self.target_sz = self.base_target_sz * self.scale
        out = {"target_bbox": self.center_size_box(self.pos.tolist(), self.target_sz.tolist())}
        if p.debug:
            out["score_map"] = torch.fft.fftshift(grid)
        return out
