"""Fourier-series helpers on complex tensors (``torch.fft``), used to interpolate score maps.

Representation: a *Fourier series* of a 2-D periodic signal is a complex tensor ``c`` of shape
``(..., Kh, Kw)`` with **odd** ``Kh, Kw``; index ``(i, j)`` holds the coefficient of the frequency
``(ky, kx) = (i - Kh//2, j - Kw//2)`` (zero frequency in the middle). On a grid of ``N_h x N_w``
samples the series is ``s(y, x) = sum_k c_k exp(2 pi i (ky y / N_h + kx x / N_w))``.

:func:`cfft2` of an ``H x W`` signal returns the *unnormalised* DFT in this layout (divide by
``H * W`` to get the series coefficients, which :func:`sample_fs` then evaluates exactly). An even
length ``N`` gives ``N + 1`` coefficients: the Nyquist coefficient is split in half between the
frequencies ``-N/2`` and ``+N/2``, so the series of a real signal is real, band-limited and
interpolates the samples. ``nyquist='full'`` instead gives both frequencies the whole coefficient,
as the original pytracking ``cfft2`` does (its series does not interpolate the samples: the
Nyquist term counts twice).

All functions map over TensorLists (first argument) element by element.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import torch

from pytracking.libs.tensorlist import tensor_operation

PairLike = Union[Sequence[float], torch.Tensor]


def _pair(value: PairLike, name: str) -> Tuple[float, float]:
    if torch.is_tensor(value):
        value = value.reshape(-1).tolist()
    if len(value) != 2:
        raise ValueError(f"{name} must be a (y, x) pair, got {value!r}")
    return float(value[0]), float(value[1])


def frequencies(num_coeffs: int, device: Optional[torch.device] = None) -> torch.Tensor:
    """Integer frequencies ``-(K//2) .. K//2`` of a centred series with ``K`` (odd) coefficients."""
    if num_coeffs % 2 != 1:
        raise ValueError(f"a centred Fourier series has an odd number of coefficients, got {num_coeffs}")
    return torch.arange(-(num_coeffs // 2), num_coeffs // 2 + 1, device=device)


NYQUIST_MODES = ("split", "full")


def _centre_dim(x: torch.Tensor, dim: int, nyquist_mode: str = "split") -> torch.Tensor:
    n = x.shape[dim]
    x = torch.fft.fftshift(x, dim=dim)
    if n % 2 == 1:
        return x
    nyquist = x.narrow(dim, 0, 1)
    if nyquist_mode == "split":
        nyquist = nyquist / 2
    return torch.cat((nyquist, x.narrow(dim, 1, n - 1), nyquist), dim=dim)


def _fold_dim(c: torch.Tensor, dim: int, n: int) -> torch.Tensor:
    """Put the coefficient of frequency k into DFT bin ``k mod n`` (summing the Nyquist halves)."""
    k = c.shape[dim]
    if n < k - 1:
        raise ValueError(f"cannot sample a series with {k} coefficients on {n} points (needs >= {k - 1})")
    idx = frequencies(k, c.device) % n
    shape = list(c.shape)
    shape[dim] = n
    out = torch.zeros(shape, dtype=c.dtype, device=c.device)
    return out.index_add(dim, idx, c)


def _check_series(a: torch.Tensor, fn: str) -> None:
    if a.dim() < 2 or not a.is_complex():
        raise ValueError(f"{fn}: expected complex Fourier coefficients of shape (..., Kh, Kw), got "
                         f"dtype {a.dtype} shape {tuple(a.shape)}")
    if a.shape[-2] % 2 != 1 or a.shape[-1] % 2 != 1:
        raise ValueError(f"{fn}: a centred Fourier series has odd sizes, got {tuple(a.shape[-2:])}")


@tensor_operation
def cfft2(a: torch.Tensor, nyquist: str = "split") -> torch.Tensor:
    """Unnormalised 2-D DFT of the last two dims in the centred, odd-sized layout (module docstring;
    ``nyquist``: 'split' or 'full', see there)."""
    if a.dim() < 2:
        raise ValueError(f"cfft2: need at least 2 dims, got shape {tuple(a.shape)}")
    if nyquist not in NYQUIST_MODES:
        raise ValueError(f"cfft2: unknown nyquist mode {nyquist!r}; expected one of {NYQUIST_MODES}")
    spec = torch.fft.fft2(a)
    return _centre_dim(_centre_dim(spec, -2, nyquist), -1, nyquist)


@tensor_operation
def sample_fs(a: torch.Tensor, grid_sz: Optional[PairLike] = None, rescale: bool = True) -> torch.Tensor:
    """Evaluate the Fourier series ``a`` on a regular ``grid_sz = (N_h, N_w)`` grid over one period.

    Sample ``(n, m)`` is at ``(y, x) = (n * P_h / N_h, m * P_w / N_w)`` where ``P`` is the period
    (the original signal's size), i.e. sample 0 is the origin. ``grid_sz`` defaults to the number
    of coefficients; it must be at least ``K - 1`` per dim. Returns the real part (exact for the
    series of a real signal). ``rescale=False`` divides the result by ``N_h * N_w`` (inverse-DFT
    normalisation).
    """
    _check_series(a, "sample_fs")
    if grid_sz is None:
        grid = (a.shape[-2], a.shape[-1])
    else:
        gh, gw = _pair(grid_sz, "grid_sz")
        if gh != int(gh) or gw != int(gw):
            raise ValueError(f"sample_fs: grid_sz must be integers, got {grid_sz!r}")
        grid = (int(gh), int(gw))
    bins = _fold_dim(_fold_dim(a, -2, grid[0]), -1, grid[1])
    return torch.fft.ifft2(bins, norm="forward" if rescale else "backward").real


@tensor_operation
def cifft2(a: torch.Tensor, signal_sizes: Optional[PairLike] = None) -> torch.Tensor:
    """Inverse of :func:`cfft2`: the real signal of size ``signal_sizes`` (default: ``(Kh, Kw)``)."""
    return sample_fs(a, signal_sizes, rescale=False)


@tensor_operation
def shift_fs(a: torch.Tensor, shift: PairLike) -> torch.Tensor:
    """Multiply coefficient ``k`` by ``exp(i (ky shift[0] + kx shift[1]))``.

    ``shift`` is a phase per unit frequency in radians, ``(y, x)``. The result is the series of
    ``s(y + shift[0] P_h / 2pi, x + shift[1] P_w / 2pi)``: a shift of ``-2 pi d / P`` moves the signal
    content by ``+d`` samples (``torch.roll(signal, d)`` for integer ``d``), ``pi`` by half a period.
    """
    _check_series(a, "shift_fs")
    sy, sx = _pair(shift, "shift")
    if sy == 0 and sx == 0:
        return a
    real_dtype = a.real.dtype
    ky = frequencies(a.shape[-2], a.device).to(real_dtype).reshape(-1, 1)
    kx = frequencies(a.shape[-1], a.device).to(real_dtype).reshape(1, -1)
    return a * torch.polar(torch.ones((), dtype=real_dtype, device=a.device), ky * sy + kx * sx)


def sum_fs(a: Sequence[torch.Tensor]) -> torch.Tensor:
    """Sum Fourier series of different sizes (smaller ones are zero-padded around the centre)."""
    if len(a) == 0:
        raise ValueError("sum_fs: empty list of Fourier series")
    for i, e in enumerate(a):
        _check_series(e, f"sum_fs (element {i})")
    kh = max(e.shape[-2] for e in a)
    kw = max(e.shape[-1] for e in a)
    out = None
    for e in a:
        ph, pw = (kh - e.shape[-2]) // 2, (kw - e.shape[-1]) // 2
        padded = torch.nn.functional.pad(e, (pw, pw, ph, ph)) if ph or pw else e
        out = padded if out is None else out + padded
    return out


@tensor_operation
def interpolate_dft(a: torch.Tensor, interp_fs: Union[torch.Tensor, Sequence[torch.Tensor]]) -> torch.Tensor:
    """Multiply Fourier coefficients by an interpolation kernel's coefficients.

    ``interp_fs`` is one tensor broadcastable to ``a`` or a pair ``(ky part (Kh x 1), kx part (1 x Kw))``.
    """
    if torch.is_tensor(interp_fs):
        return a * interp_fs
    if isinstance(interp_fs, (list, tuple)) and len(interp_fs) == 2:
        return a * interp_fs[0] * interp_fs[1]
    raise TypeError(f"interpolate_dft: interp_fs must be a tensor or a (y, x) pair of tensors, got "
                    f"{type(interp_fs).__name__}")
