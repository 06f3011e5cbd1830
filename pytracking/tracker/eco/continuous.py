"""The continuous-domain operators of ECO on half spectra.

Layout: the Fourier series of a real, odd-sized (``K x K'``) block is stored as its *half
spectrum*, a complex tensor ``(..., K, (K' + 1) // 2)``: row ``i`` holds the vertical frequency
``ky = i - K // 2`` (zero frequency in the middle row), column ``j`` the horizontal frequency
``kx = j >= 0``; the coefficients of ``kx < 0`` are the conjugates of ``(-ky, -kx)``. The spatial
origin is the centre of the sample and the period is the sample's support ``T``, so
``s(t) = sum_k c_k exp(2 pi i k . t / T)``. An even-sized feature map loses its Nyquist frequency.
"""
from __future__ import annotations

import functools
import math
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from pytracking.libs.cpu_kernels import compiled_op


def odd(n: int) -> int:
    """The largest odd number <= n (>= 1)."""
    return max(1, n - 1 + n % 2)


def half_width(k: int) -> int:
    return (k + 1) // 2


@functools.lru_cache(maxsize=None)
def column_weights(kh: int, zero_column: float = 1.0) -> torch.Tensor:
    """Weights of the half-spectrum columns in sums over the full spectrum: ``zero_column`` for
    kx = 0 (1 is exact; the original ECO uses 0 or 2 in places), 2 for the others; cached: do not
    modify the returned tensor."""
    w = torch.full((kh,), 2.0)
    w[0] = zero_column
    return w


def cubic_kernel_fourier(f: torch.Tensor, a: float) -> torch.Tensor:
    """Fourier transform of Keys' cubic interpolation kernel (parameter ``a``, unit sample spacing)
    at frequencies ``f`` (cycles per sample); 1 at f = 0."""
    f = f.double()
    th = 2 * math.pi * f
    pf = math.pi * f
    num = (-12 * a + 24 * torch.cos(th) + 12 * a * torch.cos(2 * th) + 24 * pf * torch.sin(th)
           + 32 * a * pf * torch.sin(th) + 8 * a * pf * torch.sin(2 * th) - 24)
    safe = torch.where(f == 0, torch.ones_like(f), f)
    out = -num / (16 * math.pi ** 4 * safe ** 4)
    return torch.where(f == 0, torch.ones_like(out), out).float()


def interp_coefficients(n: int, k: int, a: float) -> torch.Tensor:
    """Per-frequency factor turning the DFT of ``n`` samples into the Fourier series (period = the
    ``n`` samples, origin = their centre) of their cubic interpolation; frequencies ``-(k//2)..k//2``."""
    ks = torch.arange(-(k // 2), k // 2 + 1, dtype=torch.float64)
    phase = torch.exp(1j * math.pi * ks * (n - 1) / n)           # origin at the sample centre
    return (cubic_kernel_fourier(ks / n, a).double() / n * phase).to(torch.complex64)


def half_spectrum(x: torch.Tensor) -> torch.Tensor:
    """``(..., N, M)`` real maps -> their DFT as an odd half spectrum ``(..., K, (K'+1)//2)``."""
    n, m = x.shape[-2:]
    k, kp = odd(n), odd(m)
    xf = torch.fft.rfft2(x)
    rows = torch.cat((xf[..., n - k // 2:, :], xf[..., :k // 2 + 1, :]), dim=-2)
    return rows[..., :half_width(kp)]


def interpolated_spectrum(x: torch.Tensor, interp_y: torch.Tensor, interp_x: torch.Tensor) -> torch.Tensor:
    """Half spectrum of the cubic interpolation of ``x`` (see :func:`interp_coefficients`;
    ``interp_x`` holds the full set of horizontal factors)."""
    xf = half_spectrum(x)
    kh = xf.shape[-1]
    return xf * interp_y.reshape(-1, 1) * interp_x[interp_x.shape[0] // 2:][:kh].reshape(1, -1)


def gaussian_label(k: int, kp: int, sigma: Tuple[float, float], support: Tuple[float, float]) -> torch.Tensor:
    """Half spectrum (``k x (kp+1)//2``) of a periodic Gaussian of std ``sigma`` centred at the
    origin, period ``support`` (both ``(y, x)`` in the same units)."""
    def g(num: int, s: float, t: float) -> torch.Tensor:
        ks = torch.arange(-(num // 2), num // 2 + 1, dtype=torch.float64)
        return math.sqrt(2 * math.pi) * s / t * torch.exp(-2 * (math.pi * s * ks / t) ** 2)
    gy = g(k, sigma[0], support[0])
    gx = g(kp, sigma[1], support[1])[kp // 2:]
    return (gy.reshape(-1, 1) * gx.reshape(1, -1)).to(torch.complex64)


def shift_spectrum(xf: torch.Tensor, shift: Sequence[float], support: Sequence[float]) -> torch.Tensor:
    """Half spectrum of ``x(t + shift)`` (``shift`` and ``support`` as ``(y, x)``, same units)."""
    k, kh = xf.shape[-2:]
    ky = torch.arange(-(k // 2), k // 2 + 1, dtype=torch.float32)
    kx = torch.arange(kh, dtype=torch.float32)
    ey = torch.exp(1j * (2 * math.pi * float(shift[0]) / float(support[0])) * ky)
    ex = torch.exp(1j * (2 * math.pi * float(shift[1]) / float(support[1])) * kx)
    return xf * ey.reshape(-1, 1) * ex.reshape(1, -1)


def pad_to(xf: torch.Tensor, k: int, kh: int) -> torch.Tensor:
    """Zero-pad a half spectrum to ``k`` rows (centred) and ``kh`` columns."""
    r = (k - xf.shape[-2]) // 2
    c = kh - xf.shape[-1]
    if r == 0 and c == 0:
        return xf
    return torch.nn.functional.pad(xf, (0, c, r, r))


def crop_to(xf: torch.Tensor, k: int, kh: int) -> torch.Tensor:
    """The central ``k`` rows and first ``kh`` columns of a half spectrum (inverse of :func:`pad_to`)."""
    r = (xf.shape[-2] - k) // 2
    return xf[..., r:r + k, :kh]


def sample_grid(sf: torch.Tensor, k: int) -> torch.Tensor:
    """Values of the series ``sf`` (``K x Kh`` half spectrum, K = k) on the ``k x k'`` grid
    ``t = (m - k//2 ... )``: entry ``(u, v)`` is at ``t = (u, v)`` grid steps, wrapped (index 0 is
    the origin). ``k'`` = 2 Kh - 1."""
    kk, kh = sf.shape[-2:]
    full = torch.fft.ifftshift(sf, dim=-2)
    return torch.fft.irfft2(full, s=(kk, 2 * kh - 1), norm="forward")


def reg_filter(support: Tuple[float, float], target_sz: Tuple[float, float], edge: float, minimum: float,
               power: float, sparsity: float) -> torch.Tensor:
    """ECO's spatial regularization in the Fourier domain: the few significant Fourier coefficients
    (a small real, centred kernel) of ``w(t) = (edge - min) (|t_y / (0.5 h)|^p + |t_x / (0.5 w)|^p)
    + min`` on the sample grid, its minimum corrected to ``min`` after sparsification."""
    sy, sx = int(round(support[0])), int(round(support[1]))
    ry = torch.arange(sy, dtype=torch.float64) - (sy - 1) / 2
    rx = torch.arange(sx, dtype=torch.float64) - (sx - 1) / 2
    scale = (0.5 * target_sz[0], 0.5 * target_sz[1])
    w = (edge - minimum) * ((ry.abs() / scale[0]).pow(power).reshape(-1, 1)
                            + (rx.abs() / scale[1]).pow(power).reshape(1, -1)) + minimum
    # As the original: the DFT with the origin at the first pixel, its real part taken after the
    # sparsification, then (-1)^(ky + kx) to move the origin to the sample centre (our
    # convention). For odd and even sizes alike this keeps the original's factor
    # cos(pi (ky/Ny + kx/Nx)) (the window centre (N - 1) / 2 is half a pixel off the half period N / 2).
    wf = torch.fft.fft2(w) / (sy * sx)
    wf = torch.where(wf.abs() < sparsity * wf.abs().max(), torch.zeros_like(wf), wf)
    sparse = torch.fft.ifft2(wf).real * (sy * sx)
    wf[0, 0] = wf[0, 0] - sparse.min() + minimum
    wf = torch.fft.fftshift(wf)
    rows = wf.abs().sum(1) > 0
    cols = wf.abs().sum(0) > 0
    ky = torch.arange(sy) - sy // 2
    kx = torch.arange(sx) - sx // 2
    sign = 1 - 2 * ((ky.reshape(-1, 1) + kx.reshape(1, -1)) % 2)
    return (wf.real * sign)[rows][:, cols].float()


def symmetrize_zero_column(f: torch.Tensor) -> torch.Tensor:
    """``f`` (half spectra ``... x K x Kh``) with the ``kx = 0`` column made Hermitian: its
    ``ky > 0`` entries replaced by the conjugates of the ``-ky`` ones, as the original's
    ``symmetrize_filter`` (the DC entry is left as it is)."""
    k = f.shape[-2]
    out = f.clone()
    out[..., k // 2 + 1:, 0] = f[..., :k // 2, 0].flip(-1).conj()
    return out


def fft_size(n: int) -> int:
    """The smallest m >= n whose prime factors are 2, 3 and 5 (fast FFT lengths)."""
    m = n
    while True:
        r = m
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return m
        m += 1


class RegOperator:
    """``f -> W^H W f`` for half spectra ``f`` (``C x K x Kh``): the full spectrum convolved with
    the (symmetric, real) regularization kernel and correlated with it again ('full' then 'valid',
    so zero outside the spectrum). Computed as one linear convolution with the kernel's
    autocorrelation, by FFT on a grid of a fast FFT length large enough that nothing wraps into
    the spectrum (``K + reach`` per axis). :meth:`apply` does several blocks, each on
    its own grid. ``f`` must be the half spectrum of a real signal (its ``kx = 0``
    column Hermitian).

    The compiled ``spectrum_reg`` (:mod:`pytracking.libs.cpu_kernels`) computes the same two sparse
    convolutions directly, about 3x faster; ``use_kernel`` as in
    :func:`pytracking.libs.cpu_kernels.compiled_op` (None: the kernel when built, else this FFT
    version)."""

    def __init__(self, kernel: torch.Tensor, use_kernel: Optional[bool] = None) -> None:
        self.kernel = kernel.float().contiguous()
        self._op = compiled_op("spectrum_reg", use_kernel)
        kern = kernel.double()
        ky, kx = kern.shape
        # autocorrelation (= self-convolution, the kernel being symmetric): (2ky-1) x (2kx-1)
        self.kernel2 = torch.nn.functional.conv2d(
            torch.nn.functional.pad(kern, (kx - 1, kx - 1, ky - 1, ky - 1)).reshape(1, 1, 3 * ky - 2, 3 * kx - 2),
            kern.reshape(1, 1, ky, kx)).reshape(2 * ky - 1, 2 * kx - 1)
        self.r = (ky - 1, kx - 1)                       # reach of the composite kernel
        self._cache: dict = {}

    def _transfer(self, k: int, kw: int) -> torch.Tensor:
        key = (k, kw)
        if key not in self._cache:
            # a circular convolution of period n equals the linear one on the spectrum's K
            # entries when the n - K zeros between its two ends cover the kernel's reach r
            # (and the 2 r + 1 taps do not overlap)
            size = tuple(fft_size(max(n + r, 2 * r + 1)) for n, r in zip((k, kw), self.r))
            g = torch.zeros(size, dtype=torch.float64)
            ry, rx = self.r
            g[:2 * ry + 1, :2 * rx + 1] = self.kernel2
            g = torch.roll(g, shifts=(-ry, -rx), dims=(0, 1))          # centre tap at the origin
            self._cache[key] = torch.fft.fft2(g).real.float()           # real: symmetric kernel
        return self._cache[key]

    def __call__(self, f: torch.Tensor) -> torch.Tensor:
        return self.apply([f.reshape((-1,) + f.shape[-2:])])[0].reshape(f.shape)

    def apply(self, fs: List[torch.Tensor]) -> List[torch.Tensor]:
        """The operator on each half spectrum of ``fs`` (``C_i x K_i x Kh_i``, odd ``K_i``)."""
        # The spectrum of a real signal is Hermitian, so its inverse DFT is real: the convolution
        # is a product with the (real) transfer function between a real inverse FFT of the half
        # spectrum (zero frequency moved to index 0) and a real FFT back. Each block on its own
        # grid: a common one would transform the small blocks on the largest block's grid.
        if self._op is not None and all(f.device.type == "cpu" for f in fs):
            return [self._op(f, self.kernel) for f in fs]
        return [self._apply_block(f) for f in fs]

    def _apply_block(self, f: torch.Tensor) -> torch.Tensor:
        _, k, kh = f.shape
        g = self._transfer(k, 2 * kh - 1)
        gy, gx = g.shape
        h = k // 2
        buf = torch.nn.functional.pad(f, (0, gx // 2 + 1 - kh, 0, gy - k)).roll(-h, -2)
        out = torch.fft.rfft2(torch.fft.irfft2(buf, s=(gy, gx)) * g)
        # rows -h..h of the result, at grid rows gy-h..gy-1 and 0..h
        return torch.cat((out[..., gy - h:, :kh], out[..., :h + 1, :kh]), dim=-2)


def grid_max(scores: torch.Tensor) -> Tuple[int, int]:
    """Index (row, col) of the maximum of a 2-D map; of equal maxima the first in column-major order
    (the original's max over the rows, then over the columns)."""
    idx = int(torch.argmax(scores.t().reshape(-1)))
    return idx % scores.shape[-2], idx // scores.shape[-2]


def newton_maximum(sf: torch.Tensor, start: Tuple[float, float], iterations: int,
                   require_maximum: bool = False) -> Tuple[float, float]:
    """Refine a maximum of the real series ``sf`` (half spectrum) from ``start`` (grid steps of the
    ``K x (2Kh-1)`` grid) by Newton's method in the continuous domain; returns ``(y, x)`` in grid
    steps, wrapped to ``[-K/2, K/2)``. Every step is taken, as in the original ECO, unless
    ``require_maximum``: then only where the Hessian is negative definite. A singular Hessian
    stops the iteration either way. As in the original, where the score at the result is lower
    than at ``start``, ``start`` is returned."""
    k, kh = sf.shape
    kw = 2 * kh - 1
    # small arrays: numpy (complex128) has far less per-operation overhead than torch here
    iky = 1j * np.arange(-(k // 2), k // 2 + 1) * (2 * math.pi / k)
    ikx = 1j * np.arange(kh) * (2 * math.pi / kw)
    c = sf.numpy().astype(np.complex128) * column_weights(kh).numpy().astype(np.float64)[None, :]

    def value(y: float, x: float) -> float:
        return float((np.exp(iky * y) @ c @ np.exp(ikx * x)).real)

    y, x = float(start[0]), float(start[1])
    for _ in range(iterations):
        ey = np.exp(iky * y)
        ex = np.exp(ikx * x)
        vy = np.stack((ey, iky * ey, iky * iky * ey))                  # 3 x K: value, d/dy, d2/dy2
        vx = np.stack((ex, ikx * ex, ikx * ikx * ex))                  # 3 x Kh
        d = (vy @ c @ vx.T).real                                       # d[i, j]: d^i/dy^i d^j/dx^j
        gy, gx, hyy, hxx, hxy = d[1, 0], d[0, 1], d[2, 0], d[0, 2], d[1, 1]
        det = hyy * hxx - hxy * hxy
        if not np.isfinite(det) or det == 0 or (require_maximum and not (hyy < 0 and det > 0)):
            break
        y -= float((hxx * gy - hxy * gx) / det)
        x -= float((hyy * gx - hxy * gy) / det)
    if not value(y, x) >= value(float(start[0]), float(start[1])):
        y, x = float(start[0]), float(start[1])
    y = (y + k / 2) % k - k / 2
    x = (x + kw / 2) % kw - kw / 2
    return y, x
