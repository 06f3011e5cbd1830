"""ECO's separate scale filter (fDSST: Danelljan et al., TPAMI 2017, as used by ECO-HC).

``number_of_scales_filter`` patches around the target, their sizes spaced by
``scale_step_filter ** (number_of_interp_scales / number_of_scales_filter)``, are resized to a
small model size and described by FHOG (4 x 4 cells); the stacked descriptors ``x`` (``D x S``, one
column per scale) are compressed by an orthonormal basis ``Q`` of the running numerator ``s``
(QR, ``s_num_compressed_dim = 'MAX'``), and a 1-D correlation filter over the scale dimension is
learned with a Gaussian label. Its response is interpolated in the Fourier domain to
``number_of_interp_scales`` scales and the maximum refined by a parabola through the neighbouring
scale factors.

Because ``Q Q^T`` projects onto a space that contains every column of ``s``, the filter's products
``sum_d F(w Q^T s)_d^* F(w Q^T x)_d`` equal ``sum_ij w_i w_j (s^T x)_ij e^{2 pi i k (i - j) / S}``,
and the denominator (the energy of ``x`` in its own basis) is the same form in ``x^T x``: both are
computed from these ``S x S`` inner products, without QR.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from pytracking.tracker.eco.params import ECOParams
from pytracking.tracker.eco.region import crop_replicate, resize_boxes_auto, to_tensor


def scale_patches(image: np.ndarray, pos: Sequence[float], base_sz: Sequence[float], factors: np.ndarray,
                  out_sz: Sequence[int]) -> torch.Tensor:
    """The scale samples of the original's ``extract_scale_sample``: ``S x C x h x w`` float patches
    of ``image`` (``H x W x C`` uint8) for the scale ``factors`` of the target size ``base_sz``
    (h, w), centred at ``pos`` (y, x; pixel centres at integers), resized to ``out_sz`` (h, w).

    The frame is first subsampled by ``df = floor(min(factors))`` (every ``df``-th pixel from the
    first); each patch is ``floor(base_sz * factor / df)`` pixels (at least 2) starting
    ``floor(size / 2) - 1`` pixels before ``floor(pos / df)``, border pixels repeated, and resized
    by :func:`region.resize_auto` (:func:`region.resize_boxes_auto`)."""
    factors = np.asarray(factors, dtype=np.float64)
    df = int(math.floor(factors.min()))
    if df > 1:
        image = image[::df, ::df]
        factors = factors / df
    py, px = math.floor(float(pos[0]) / max(df, 1)), math.floor(float(pos[1]) / max(df, 1))
    sizes = np.maximum(np.floor(np.asarray(base_sz, dtype=np.float64)[None, :] * factors[:, None]), 2).astype(int)
    tops, lefts = py - sizes[:, 0] // 2 + 1, px - sizes[:, 1] // 2 + 1
    # the pixels of all patches copied (with the replicated border) once; each patch is a box in them
    t0, l0 = int(tops.min()), int(lefts.min())
    region = np.ascontiguousarray(crop_replicate(image, t0, l0, int((tops + sizes[:, 0]).max()) - t0,
                                                 int((lefts + sizes[:, 1]).max()) - l0))
    boxes = np.concatenate([(tops - t0)[:, None], (lefts - l0)[:, None], sizes], axis=1)
    return to_tensor(resize_boxes_auto(region, boxes, out_sz))


def smooth_scale_patches(image: np.ndarray, pos: Sequence[float], sizes: np.ndarray,
                         out_sz: Sequence[int]) -> torch.Tensor:
    """This project's scale samples (``scale_sampling='smooth'``): patches of ``sizes`` (``S x 2``,
    (h, w) in pixels) centred exactly at ``pos`` (y, x) of ``image`` (``H x W x C`` uint8; borders
    replicated), resized to ``out_sz``: ``S x C x h x w`` float. The pixels they cover are cropped
    once, averaged over ``df x df`` cells (``df`` from the smallest patch) against aliasing, and
    sampled bilinearly."""
    sizes = np.asarray(sizes, dtype=np.float64)
    oh, ow = int(out_sz[0]), int(out_sz[1])
    py0, px0 = float(pos[0]), float(pos[1])
    df = max(1, int(min(sizes[:, 0].min() / oh, sizes[:, 1].min() / ow)))
    half_y, half_x = sizes[:, 0].max() / 2 + df + 1, sizes[:, 1].max() / 2 + df + 1
    y0, x0 = int(math.floor(py0 - half_y)), int(math.floor(px0 - half_x))
    # whole df x df cells (the cells past the largest patch are never sampled)
    h = -(-(int(math.ceil(2 * half_y)) + 1) // df) * df
    w = -(-(int(math.ceil(2 * half_x)) + 1) // df) * df
    crop = crop_replicate(image, y0, x0, h, w)
    if df > 1:
        # cell means, rounded to uint8 as the original's resize of the uint8 frame
        crop = cv2.resize(crop, (w // df, h // df), interpolation=cv2.INTER_AREA)
        if crop.ndim == 2:
            crop = crop[:, :, None]
    region = torch.from_numpy(crop.astype(np.float32)).permute(2, 0, 1).unsqueeze(0)
    rh, rw = region.shape[-2:]
    s = sizes.shape[0]
    v = (np.arange(oh) + 0.5) / oh - 0.5                                   # -0.5 .. 0.5
    u = (np.arange(ow) + 0.5) / ow - 0.5
    # pooled cell i covers region pixels i*df .. i*df+df-1, centre i*df + (df-1)/2
    py = (py0 - y0 + v[None, :] * sizes[:, 0:1] - (df - 1) / 2) / df      # S x oh
    px = (px0 - x0 + u[None, :] * sizes[:, 1:2] - (df - 1) / 2) / df      # S x ow
    grid = np.empty((s, oh, ow, 2), dtype=np.float32)
    grid[..., 0] = ((2 * px + 1) / rw - 1)[:, None, :]                   # align_corners=False
    grid[..., 1] = ((2 * py + 1) / rh - 1)[:, :, None]
    out = F.grid_sample(region, torch.from_numpy(grid).reshape(1, s * oh, ow, 2), mode="bilinear",
                        padding_mode="border", align_corners=False)
    return out.reshape(region.shape[1], s, oh, ow).transpose(0, 1)


def scale_window(n: int) -> np.ndarray:
    """ECO's window over the ``n`` scales: MATLAB's symmetric ``hann(n)`` (zero at both ends; 1 for
    ``n = 1``), for odd and even ``n`` alike as the original's ``init_scale_filter``."""
    if n == 1:
        return np.ones(1)
    return 0.5 - 0.5 * np.cos(2 * math.pi * np.arange(n, dtype=np.float64) / (n - 1))


def resize_dft(spectrum: np.ndarray, length: int) -> np.ndarray:
    """The original's ``resizeDFT``: a 1-D DFT of ``m`` values zero-padded (or cut) to ``length``,
    scaled by ``length / m``. Its first ``ceil(k / 2)`` and last ``floor((k - 1) / 2)`` values are
    kept (``k = min(m, length)``), so an even ``k`` loses its Nyquist value and the spectrum of
    real data stays conjugate symmetric."""
    m, length = spectrum.shape[0], int(length)
    k = min(m, length)
    head, tail = (k + 1) // 2, (k - 1) // 2
    out = np.zeros(length, dtype=np.result_type(spectrum.dtype, np.complex128))
    out[:head] = spectrum[:head]
    out[length - tail:] = spectrum[m - tail:]
    return out * (length / m)


def parabola_vertex(x: np.ndarray, y: np.ndarray, require_maximum: bool = False) -> float:
    """The vertex of the parabola through the three points ``(x_i, y_i)`` (the original's scale
    refinement), or ``x[1]`` where there is none (coincident ``x``; points collinear up to rounding)
    or, with ``require_maximum``, where the parabola opens upwards."""
    x0, x1, x2 = (float(v) for v in x)
    y0, y1, y2 = (float(v) for v in y)
    if x0 == x1 or x1 == x2 or x0 == x2:
        return x1
    # Newton's divided differences: y = c2 (x - x0)(x - x1) + d01 (x - x0) + y0
    d01, d12 = (y1 - y0) / (x1 - x0), (y2 - y1) / (x2 - x1)
    c2 = (d12 - d01) / (x2 - x0)
    if abs(c2) * (x2 - x0) ** 2 <= 1e-12 * max(abs(y0), abs(y1), abs(y2)) or (require_maximum and c2 > 0):
        return x1
    return float((x0 + x1) / 2 - d01 / (2 * c2))


class ScaleFilter:
    """The scale filter; :meth:`track` returns the scale change, :meth:`update` learns."""

    def __init__(self, params: ECOParams, init_target_sz: Sequence[float],
                 descriptor: Callable[[torch.Tensor], torch.Tensor]) -> None:
        p = params
        n, ni = p.number_of_scales_filter, p.number_of_interp_scales
        self.n, self.ni = n, ni
        self.lr = p.scale_learning_rate
        self.lam = p.scale_lambda
        self.poly = p.do_poly_interp
        self.poly_requires_maximum = p.scale_parabola_requires_maximum
        self.step = p.scale_step_filter
        self.descriptor = descriptor
        self.sampling = p.scale_sampling
        scale_sigma = ni * p.scale_sigma_factor
        exp = (np.arange(n) - (n - 1) // 2) * ni / n
        exp_shift = np.roll(exp, -((n - 1) // 2))
        iexp = np.arange(ni) - (ni - 1) // 2
        self.interp_factors = self.step ** np.roll(iexp, -((ni - 1) // 2)).astype(np.float64)
        self.size_factors = self.step ** exp
        ys = np.exp(-0.5 * exp_shift ** 2 / scale_sigma ** 2)
        self.yf = np.fft.fft(ys)
        self.window = scale_window(n).reshape(1, -1)
        self.dft = np.exp(-2j * math.pi * np.outer(np.arange(n), np.arange(n)) / n)     # F_kj
        factor = p.scale_model_factor
        area = float(init_target_sz[0] * init_target_sz[1])
        if factor ** 2 * area > p.scale_model_max_area:
            factor = math.sqrt(p.scale_model_max_area / area)
        self.model_sz = (max(int(init_target_sz[0] * factor), 8), max(int(init_target_sz[1] * factor), 8))
        self.s_num = None
        self.sf_den = None

    def _sample(self, image: np.ndarray, pos: Sequence[float], base_sz: Sequence[float],
                scale: float) -> np.ndarray:
        factors = scale * self.size_factors
        if self.sampling == "smooth":
            sizes = np.asarray(base_sz, dtype=np.float64).reshape(1, 2) * factors.reshape(-1, 1)
            patches = smooth_scale_patches(image, pos, np.maximum(np.floor(sizes), 2), self.model_sz)
        else:
            patches = scale_patches(image, pos, base_sz, factors, self.model_sz)
        feats = self.descriptor(patches)                        # S x D x h x w
        return feats.reshape(self.n, -1).double().numpy().T     # D x S

    def _spectrum(self, gram: np.ndarray) -> np.ndarray:
        """``sum_d conj(F(w a_d))_k F(w b_d)_k`` for the inner products ``gram = a^T b`` of two sets
        of scale samples (``D x S`` each, ``d`` over the rows, ``F`` the DFT over the scales)."""
        m = self.window.T * gram * self.window                          # w_i w_j (a^T b)_ij
        return (self.dft.conj() * (m @ self.dft.T).T).sum(1)

    def track(self, image: np.ndarray, pos: Sequence[float], base_sz: Sequence[float], scale: float) -> float:
        """The factor by which the current scale should change."""
        xs = self._sample(image, pos, base_sz, scale)
        resp_f = self.yf * self._spectrum(self.s_num.T @ xs) / (self.sf_den + self.lam)
        # interpolated to ni scales by zero-padding the spectrum
        ni = self.ni
        resp = np.fft.ifft(resize_dft(resp_f, ni)).real
        idx = int(np.argmax(resp))
        if not self.poly:
            return float(self.interp_factors[idx])
        ids = [(idx - 1) % ni, idx, (idx + 1) % ni]
        return parabola_vertex(self.interp_factors[ids], resp[ids], self.poly_requires_maximum)

    def update(self, image: np.ndarray, pos: Sequence[float], base_sz: Sequence[float], scale: float) -> None:
        xs = self._sample(image, pos, base_sz, scale)
        first = self.s_num is None
        self.s_num = xs if first else (1 - self.lr) * self.s_num + self.lr * xs
        new_den = self._spectrum(xs.T @ xs).real
        self.sf_den = new_den if first else (1 - self.lr) * self.sf_den + self.lr * new_den
