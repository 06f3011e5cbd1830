"""ECO's separate scale filter (fDSST: Danelljan et al., TPAMI 2017, as used by ECO-HC).

``number_of_scales_filter`` patches around the target, their sizes spaced by
``scale_step_filter ** (number_of_interp_scales / number_of_scales_filter)``, are resized to a
small model size and described by FHOG (4 x 4 cells); the stacked descriptors (one column per
scale) are compressed by an orthonormal basis (QR of the running numerator), and a 1-D correlation
filter over the scale dimension is learned with a Gaussian label. Its response is interpolated in
the Fourier domain to ``number_of_interp_scales`` scales and the maximum refined by a parabola.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from pytracking.tracker.eco.params import ECOParams
from pytracking.tracker.eco.region import crop_replicate


def scale_patches(image: np.ndarray, pos: Sequence[float], sizes: torch.Tensor,
                  out_sz: Sequence[int]) -> torch.Tensor:
    """Patches of ``sizes`` (``S x 2``, (h, w) in pixels) centred at ``pos`` (y, x) of ``image``
    (``H x W x C`` uint8; borders replicated), resized to ``out_sz``: ``S x C x h x w`` float. The
    pixels they cover are cropped once, averaged over ``df x df`` cells (``df`` from the smallest
    patch) against aliasing, and sampled bilinearly."""
    oh, ow = int(out_sz[0]), int(out_sz[1])
    df = max(1, int(min(float(sizes[:, 0].min()) / oh, float(sizes[:, 1].min()) / ow)))
    half = sizes.max(0).values / 2 + df + 1
    y0 = int(math.floor(float(pos[0]) - float(half[0])))
    x0 = int(math.floor(float(pos[1]) - float(half[1])))
    # whole df x df cells (the cells past the largest patch are never sampled)
    h = -(-(int(math.ceil(2 * float(half[0]))) + 1) // df) * df
    w = -(-(int(math.ceil(2 * float(half[1]))) + 1) // df) * df
    crop = crop_replicate(image, y0, x0, h, w)
    if df > 1:
        # cell means, rounded to uint8 as the original's resize of the uint8 frame
        crop = cv2.resize(crop, (w // df, h // df), interpolation=cv2.INTER_AREA)
        if crop.ndim == 2:
            crop = crop[:, :, None]
    region = torch.from_numpy(crop.astype(np.float32)).permute(2, 0, 1).unsqueeze(0)
    rh, rw = region.shape[-2:]
    s = sizes.shape[0]
    v = (torch.arange(oh, dtype=torch.float32) + 0.5) / oh - 0.5           # -0.5 .. 0.5
    u = (torch.arange(ow, dtype=torch.float32) + 0.5) / ow - 0.5
    # pooled cell i covers region pixels i*df .. i*df+df-1, centre i*df + (df-1)/2
    py = (float(pos[0]) - y0 + v.reshape(1, -1) * sizes[:, 0:1] - (df - 1) / 2) / df
    px = (float(pos[1]) - x0 + u.reshape(1, -1) * sizes[:, 1:2] - (df - 1) / 2) / df
    gy = (2 * py + 1) / rh - 1                                             # align_corners=False
    gx = (2 * px + 1) / rw - 1
    grid = torch.stack((gx.reshape(s, 1, ow).expand(s, oh, ow), gy.reshape(s, oh, 1).expand(s, oh, ow)), -1)
    out = F.grid_sample(region, grid.reshape(1, s * oh, ow, 2), mode="bilinear", padding_mode="border",
                        align_corners=False)
    return out.reshape(region.shape[1], s, oh, ow).transpose(0, 1)


def scale_window(n: int) -> torch.Tensor:
    """ECO's window over the ``n`` scales: MATLAB's symmetric ``hann(n)`` (zero at both ends) for
    odd ``n``, ``hann(n + 1)`` without its first value for even ``n``."""
    if n == 1:
        return torch.ones(1)
    m = n if n % 2 else n + 1
    k = torch.arange(m - n, m, dtype=torch.float64)
    return (0.5 - 0.5 * torch.cos(2 * math.pi * k / (m - 1))).float()


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
        self.step = p.scale_step_filter
        self.descriptor = descriptor
        scale_sigma = ni * p.scale_sigma_factor
        exp = (np.arange(n) - (n - 1) // 2) * ni / n
        exp_shift = np.roll(exp, -((n - 1) // 2))
        iexp = np.arange(ni) - (ni - 1) // 2
        self.interp_exp = np.roll(iexp, -((ni - 1) // 2)).astype(np.float64)
        self.size_factors = torch.tensor(self.step ** exp, dtype=torch.float32)
        ys = np.exp(-0.5 * exp_shift ** 2 / scale_sigma ** 2)
        self.yf = torch.fft.fft(torch.tensor(ys, dtype=torch.float64)).to(torch.complex64)
        self.window = scale_window(n).reshape(1, -1)
        factor = p.scale_model_factor
        area = float(init_target_sz[0] * init_target_sz[1])
        if factor ** 2 * area > p.scale_model_max_area:
            factor = math.sqrt(p.scale_model_max_area / area)
        self.model_sz = (max(int(init_target_sz[0] * factor), 8), max(int(init_target_sz[1] * factor), 8))
        self.s_num = None
        self.basis = None
        self.sf_num = None
        self.sf_den = None

    def _sample(self, image: np.ndarray, pos: Sequence[float], base_sz: Sequence[float],
                scale: float) -> torch.Tensor:
        sizes = torch.tensor(base_sz, dtype=torch.float32).reshape(1, 2) * (scale * self.size_factors).reshape(-1, 1)
        patches = scale_patches(image, pos, sizes.floor().clamp(min=2), self.model_sz)
        feats = self.descriptor(patches)                        # S x D x h x w
        return feats.reshape(self.n, -1).t().contiguous()       # D x S

    def track(self, image: np.ndarray, pos: Sequence[float], base_sz: Sequence[float], scale: float) -> float:
        """The factor by which the current scale should change."""
        xs = self._sample(image, pos, base_sz, scale)
        xsf = torch.fft.fft((self.basis @ xs) * self.window, dim=1)
        resp_f = (self.sf_num * xsf).sum(0) / (self.sf_den + self.lam)
        # interpolate to ni scales: zero-pad the spectrum (resizeDFT)
        n, ni = self.n, self.ni
        padded = torch.zeros(ni, dtype=resp_f.dtype)
        mp = (n - 1) // 2 + 1
        padded[:mp] = resp_f[:mp]
        padded[ni - (n - mp):] = resp_f[mp:]
        resp = torch.fft.ifft(padded * (ni / n)).real
        idx = int(torch.argmax(resp))
        if not self.poly:
            return float(self.step ** self.interp_exp[idx])
        i1, i2 = (idx - 1) % ni, (idx + 1) % ni
        xs_ = np.array([self.interp_exp[i1], self.interp_exp[idx], self.interp_exp[i2]])
        ys_ = resp[[i1, idx, i2]].double().numpy()
        a = np.stack((xs_ ** 2, xs_, np.ones(3)), 1)
        try:
            c = np.linalg.solve(a, ys_)
        except np.linalg.LinAlgError:
            return float(self.step ** self.interp_exp[idx])
        if c[0] >= 0:
            return float(self.step ** self.interp_exp[idx])
        return float(self.step ** (-c[1] / (2 * c[0])))

    def update(self, image: np.ndarray, pos: Sequence[float], base_sz: Sequence[float], scale: float) -> None:
        xs = self._sample(image, pos, base_sz, scale)
        first = self.s_num is None
        self.s_num = xs if first else (1 - self.lr) * self.s_num + self.lr * xs
        self.basis = torch.linalg.qr(self.s_num, mode="reduced")[0].t()
        basis_den = torch.linalg.qr(xs, mode="reduced")[0].t()
        sf_proj = torch.fft.fft((self.basis @ self.s_num) * self.window, dim=1)
        self.sf_num = self.yf.reshape(1, -1) * sf_proj.conj()
        xsf = torch.fft.fft((basis_den @ xs) * self.window, dim=1)
        new_den = (xsf * xsf.conj()).real.sum(0)
        self.sf_den = new_den if first else (1 - self.lr) * self.sf_den + self.lr * new_den
