"""Windows, Gaussian label functions and 2-D maxima for correlation-filter style trackers.

Sizes are ``(height, width)`` pairs (ints, sequences or tensors); 2-D outputs have shape
``1 x 1 x H x W``; positions and argmaxes are ``(row, col)`` = ``(y, x)``.

Window definitions (``n`` = sample index, ``N`` = length):

* centred: ``w[n] = 0.5 - 0.5 cos(2 pi (n + 1) / (N + 1))``, ``n = 0..N-1``. The peak is at the
  centre ``(N - 1) / 2`` (two equal central values for even ``N``); no sample is zero.
* not centred (origin at index 0, for score maps stored with the zero displacement in the corner):
  ``w[n] = 0.5 + 0.5 cos(2 pi d(n) / (N + 2))`` with the circular distance ``d(n) = min(n, N - n)``;
  the peak 1 is at index 0 and ``w[n] = w[N - n]``.
"""
from __future__ import annotations

import math
from typing import Sequence, Tuple, Union

import torch
import torch.nn.functional as F

SizeLike = Union[int, Sequence[int], torch.Tensor]
PairLike = Union[float, Sequence[float], torch.Tensor]


def _pair(value: PairLike, name: str) -> Tuple[float, float]:
    if torch.is_tensor(value):
        value = value.reshape(-1).tolist()
    if isinstance(value, (int, float)):
        return float(value), float(value)
    if len(value) != 2:
        raise ValueError(f"{name} must be a number or a (height, width) pair, got {value!r}")
    return float(value[0]), float(value[1])


def _size_pair(sz: SizeLike, name: str = "sz") -> Tuple[int, int]:
    h, w = _pair(sz, name)
    if h != int(h) or w != int(w) or h < 1 or w < 1:
        raise ValueError(f"{name} must be positive integers (height, width), got {sz!r}")
    return int(h), int(w)


def hann1d(sz: int, centered: bool = True) -> torch.Tensor:
    """1-D cosine (Hann) window of length ``sz`` (see the module docstring for the formulas)."""
    sz = int(sz)
    if sz < 1:
        raise ValueError(f"hann1d: sz must be >= 1, got {sz}")
    n = torch.arange(sz, dtype=torch.float32)
    if centered:
        return 0.5 - 0.5 * torch.cos((2 * math.pi / (sz + 1)) * (n + 1))
    d = torch.minimum(n, sz - n)
    return 0.5 + 0.5 * torch.cos((2 * math.pi / (sz + 2)) * d)


def hann2d(sz: SizeLike, centered: bool = True) -> torch.Tensor:
    """2-D cosine window, the outer product of two :func:`hann1d`; shape ``1 x 1 x H x W``."""
    h, w = _size_pair(sz)
    return hann1d(h, centered).reshape(1, 1, -1, 1) * hann1d(w, centered).reshape(1, 1, 1, -1)


def _roll_to_corner(window: torch.Tensor) -> torch.Tensor:
    """Move index ``N // 2`` of the last two dims to index 0 (the inverse of a centring shift)."""
    h, w = window.shape[-2:]
    return torch.roll(window, shifts=(-(h // 2), -(w // 2)), dims=(-2, -1))


def hann2d_clipped(sz: SizeLike, effective_sz: PairLike, centered: bool = True) -> torch.Tensor:
    """Cosine window of size ``effective_sz`` in the middle of an ``sz`` map, edges held constant.

    ``effective_sz`` is rounded and then enlarged by one where needed so that ``sz - effective_sz``
    is even (equal margins). The window is padded to ``sz`` by replicating its border values.
    With ``centered=False`` the map is circularly shifted so that index ``(H//2, W//2)`` moves to
    ``(0, 0)``.
    """
    h, w = _size_pair(sz)
    eh, ew = (int(round(v)) for v in _pair(effective_sz, "effective_sz"))
    eh += (h - eh) % 2
    ew += (w - ew) % 2
    if not (1 <= eh <= h and 1 <= ew <= w):
        raise ValueError(f"hann2d_clipped: effective_sz {effective_sz!r} must lie within sz {sz!r}")
    window = hann2d((eh, ew), centered=True)
    ph, pw = (h - eh) // 2, (w - ew) // 2
    window = F.pad(window, (pw, pw, ph, ph), mode="replicate")
    return window if centered else _roll_to_corner(window)


def gauss_fourier(sz: int, sigma: float, half: bool = False) -> torch.Tensor:
    """Fourier-series coefficients of a Gaussian of std ``sigma`` periodised with period ``sz``.

    ``c_k = sqrt(2 pi) sigma / sz * exp(-2 (pi sigma k / sz)^2)`` for ``k = -(sz//2)..sz//2``
    (an odd number of coefficients, zero frequency in the middle, the layout of
    :func:`pytracking.libs.fourier.cfft2`), or ``k = 0..sz//2`` when ``half`` is True.
    """
    sz = int(sz)
    k = torch.arange(0 if half else -(sz // 2), sz // 2 + 1, dtype=torch.float32)
    return (math.sqrt(2 * math.pi) * sigma / sz) * torch.exp(-2 * (math.pi * sigma * k / sz) ** 2)


def gauss_spatial(sz: int, sigma: float, center: float = 0.0, end_pad: int = 0) -> torch.Tensor:
    """``exp(-(k - center)^2 / (2 sigma^2))`` at ``k = -(sz-1)/2 .. (sz-1)/2 + end_pad`` (step 1)."""
    sz = int(sz)
    if sigma <= 0:
        raise ValueError(f"gauss_spatial: sigma must be > 0, got {sigma}")
    k = torch.arange(sz + int(end_pad), dtype=torch.float32) - (sz - 1) / 2
    # float32 centre and this operation order: the original's rounding (labels bit-identical)
    centre = torch.tensor(float(center), dtype=torch.float32)
    return torch.exp(-1.0 / (2 * sigma ** 2) * (k - centre) ** 2)


def label_function(sz: SizeLike, sigma: PairLike) -> torch.Tensor:
    """Fourier coefficients (:func:`gauss_fourier`, full layout) of a 2-D Gaussian label; ``1 x 1 x Kh x Kw``."""
    h, w = _size_pair(sz)
    sy, sx = _pair(sigma, "sigma")
    return gauss_fourier(h, sy).reshape(1, 1, -1, 1) * gauss_fourier(w, sx).reshape(1, 1, 1, -1)


def label_function_spatial(sz: SizeLike, sigma: PairLike, center: PairLike = (0.0, 0.0),
                           end_pad: PairLike = (0, 0)) -> torch.Tensor:
    """2-D Gaussian label map of shape ``1 x 1 x H x W`` with peak value 1 at ``center``.

    ``center`` ``(y, x)`` is measured in pixels from the middle of the map (index ``(sz-1)/2``),
    so ``center=(0, 0)`` is a map symmetric about its centre. ``end_pad`` appends extra rows/cols.
    """
    h, w = _size_pair(sz)
    sy, sx = _pair(sigma, "sigma")
    cy, cx = _pair(center, "center")
    py, px = (int(v) for v in _pair(end_pad, "end_pad"))
    return gauss_spatial(h, sy, cy, py).reshape(1, 1, -1, 1) * gauss_spatial(w, sx, cx, px).reshape(1, 1, 1, -1)


def max2d(a: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Maximum over the last two dims and its position.

    Returns ``(max_val, argmax)``: ``max_val`` has shape ``a.shape[:-2]`` and ``argmax`` has shape
    ``a.shape[:-2] + (2,)`` holding ``(row, col)`` (int64). Ties give the first position in
    row-major order.
    """
    if a.dim() < 2:
        raise ValueError(f"max2d: input needs at least 2 dims, got shape {tuple(a.shape)}")
    h, w = a.shape[-2:]
    flat = a.reshape(*a.shape[:-2], h * w)
    max_val, idx = torch.max(flat, dim=-1)
    argmax = torch.stack((torch.div(idx, w, rounding_mode="floor"), idx % w), dim=-1)
    return max_val, argmax
