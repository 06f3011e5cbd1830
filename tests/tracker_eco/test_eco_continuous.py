"""ECO's continuous-domain operators against closed forms and direct computations."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from pytracking.libs.cpu_kernels import load_kernel
from pytracking.tracker.eco import continuous as cont


def keys_kernel(x: np.ndarray, a: float) -> np.ndarray:
    x = np.abs(x)
    return np.where(x <= 1, (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1,
                    np.where(x < 2, a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a, 0.0))


def test_cubic_kernel_fourier_matches_numerical_transform():
    a = -0.75
    t = np.linspace(-2, 2, 40001)
    dt = t[1] - t[0]
    for f in (0.0, 0.1, 0.25, 0.4, 0.5, 0.8):
        direct = np.sum(keys_kernel(t, a) * np.cos(2 * np.pi * f * t)) * dt
        ours = float(cont.cubic_kernel_fourier(torch.tensor([f]), a)[0])
        assert abs(ours - direct) < 1e-4, (f, ours, direct)


def test_gaussian_label_is_the_periodic_gaussian_on_the_grid():
    k, sigma, support = 31, 2.5, 31.0
    yf = cont.gaussian_label(k, k, (sigma, sigma), (support, support))
    grid = cont.sample_grid(yf, k)
    d = np.minimum(np.arange(k), k - np.arange(k)).astype(float)       # wrapped distance to 0
    g = np.exp(-0.5 * d ** 2 / sigma ** 2)
    direct = np.outer(g, g)
    assert np.allclose(grid.numpy(), direct, atol=2e-3)


def test_interpolated_spectrum_reproduces_the_samples_of_a_smooth_map():
    # a band-limited map centred in the sample: its interpolation passes through the samples
    n = 25
    yy, xx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    x = np.cos(2 * np.pi * 2 * yy / n) + 0.5 * np.sin(2 * np.pi * 3 * xx / n)
    iy = cont.interp_coefficients(n, n, -0.75)
    xf = cont.interpolated_spectrum(torch.tensor(x, dtype=torch.float32), iy, iy)
    # undo the kernel's attenuation: the series at the sample positions is then the signal
    b = cont.cubic_kernel_fourier(torch.arange(-(n // 2), n // 2 + 1) / n, -0.75)
    xf = xf / (b.reshape(-1, 1) * b[n // 2:].reshape(1, -1))
    grid = cont.sample_grid(xf, n).numpy()
    # grid index 0 is the sample centre (n - 1) / 2 = 12
    assert np.allclose(np.roll(grid, (12, 12), axis=(0, 1)), x, atol=1e-4)


def test_shift_and_newton_find_a_subpixel_peak():
    k, support = 41, 41.0
    yf = cont.gaussian_label(k, k, (3.0, 3.0), (support, support))
    true = (-4.3, 6.7)
    # x(t + s) peaks at t = -s: shifting by -true puts the peak at true
    sf = cont.shift_spectrum(yf, (-true[0], -true[1]), (support, support))
    grid = cont.sample_grid(sf, k)
    r, c = cont.grid_max(grid)
    start = (r if r <= k // 2 else r - k, c if c <= k // 2 else c - k)
    assert abs(start[0] - true[0]) <= 0.5 and abs(start[1] - true[1]) <= 0.5
    y, x = cont.newton_maximum(sf, start, 5)
    assert abs(y - true[0]) < 1e-3 and abs(x - true[1]) < 1e-3


def test_newton_steps_like_the_original_unless_a_maximum_is_required():
    k, sigma = 41, 3.0
    yf = cont.gaussian_label(k, k, (sigma, sigma), (float(k), float(k)))
    # one Newton step on g(x) = exp(-x^2 / (2 s^2)) is x - g'/g'' = x + x s^2 / (x^2 - s^2)
    y, x = cont.newton_maximum(yf, (0.0, 2.0), 1)
    assert abs(x - (2.0 + 2.0 * sigma ** 2 / (4.0 - sigma ** 2))) < 1e-2 and abs(y) < 1e-6   # -1.6: nearer
    # beyond the inflection point the step goes away from the peak (to 7.8) where the score is lower:
    # the original then keeps the grid maximum it started from
    start = (0.0, 5.0)
    assert cont.newton_maximum(yf, start, 1) == start
    y, x = cont.newton_maximum(yf, (0.0, 2.0), 1, require_maximum=True)
    assert abs(x + 1.6) < 1e-2
    assert cont.newton_maximum(yf, start, 1, require_maximum=True) == start


def _double_convolution(full: np.ndarray, ker: np.ndarray) -> np.ndarray:
    """Brute force: ``full`` convolved with ``ker`` ('full'), then correlated with it ('valid')."""
    k, kw = full.shape
    ky, kx = ker.shape
    once = np.zeros((k + ky - 1, kw + kx - 1), dtype=complex)
    for i in range(k):
        for j in range(kw):
            once[i:i + ky, j:j + kx] += full[i, j] * ker
    twice = np.zeros((k, kw), dtype=complex)
    for i in range(k):
        for j in range(kw):
            twice[i, j] = np.sum(once[i:i + ky, j:j + kx] * ker)
    return twice


def _random_spectrum(rng: np.random.Generator, k: int, kw: int) -> np.ndarray:
    """A conjugate-symmetric full spectrum (zero frequency in the middle) of a real map."""
    return np.fft.fftshift(np.fft.fft2(rng.standard_normal((k, kw))))


IMPLEMENTATIONS = [pytest.param(False, id="fft"),
                   pytest.param(True, id="kernel", marks=pytest.mark.skipif(
                       not hasattr(load_kernel(), "spectrum_reg"), reason="compiled kernels not built"))]


@pytest.mark.parametrize("use_kernel", IMPLEMENTATIONS)
def test_reg_operator_is_a_double_convolution_of_the_full_spectrum(use_kernel):
    rng = np.random.default_rng(0)
    k = 7
    kernel = torch.tensor([[0.1, 0.3, 0.1], [0.3, 1.0, 0.3], [0.1, 0.3, 0.1]])
    full = _random_spectrum(rng, k, k)
    half = torch.tensor(full[:, k // 2:], dtype=torch.complex64).unsqueeze(0)
    out = cont.RegOperator(kernel, use_kernel)(half)[0].numpy()
    assert np.allclose(out, _double_convolution(full, kernel.numpy())[:, k // 2:], atol=1e-3)


@pytest.mark.parametrize("use_kernel", IMPLEMENTATIONS)
def test_reg_operator_on_several_blocks_of_different_sizes_at_once(use_kernel):
    rng = np.random.default_rng(1)
    # a cross like ECO's, 3 x 5 (different reach per axis)
    kernel = torch.tensor([[0.0, 0.0, 0.2, 0.0, 0.0], [0.05, 0.1, 1.0, 0.1, 0.05], [0.0, 0.0, 0.2, 0.0, 0.0]])
    op = cont.RegOperator(kernel, use_kernel)
    # a wide grid, a small one (the kernel's reach exceeds it) and a single coefficient
    sizes = [(9, 13), (3, 3), (1, 1)]
    fulls = [[_random_spectrum(rng, k, kw) for _ in range(2)] for k, kw in sizes]
    halves = [torch.tensor(np.stack([f[:, kw // 2:] for f in fs]), dtype=torch.complex64)
              for fs, (k, kw) in zip(fulls, sizes)]
    outs = op.apply(halves)
    for out, fs, (k, kw) in zip(outs, fulls, sizes):
        assert out.shape == (2, k, kw // 2 + 1)
        for c, full in enumerate(fs):
            ref = _double_convolution(full, kernel.numpy())[:, kw // 2:]
            assert np.allclose(out[c].numpy(), ref, atol=1e-4 * max(1.0, np.abs(ref).max()))


def test_reg_filter_window_has_its_minimum_at_the_centre():
    support, target = (120.0, 120.0), (30.0, 30.0)
    ker = cont.reg_filter(support, target, 10e-3, 1e-4, 2.0, 0.05)
    assert torch.allclose(ker, ker.flip(0)) and torch.allclose(ker, ker.flip(1))
    assert ker.shape[0] % 2 == 1 and ker.shape[0] < 15
    # the window's value at the centre is the sum of its Fourier coefficients
    assert abs(float(ker.sum()) - 1e-4) < 1e-6
    # at the sample's border it is large: (edge - min) * (2 * 2)^2 ... grows quadratically
    r = (ker.shape[0] - 1) // 2
    ky = torch.arange(-r, r + 1, dtype=torch.float64)
    edge = float((ker.double() * torch.cos(math.pi * ky).reshape(-1, 1)).sum())
    assert edge > 20 * 1e-4


def test_half_spectrum_drops_the_nyquist_frequency_of_even_maps():
    x = torch.randn(3, 10, 8)
    xf = cont.half_spectrum(x)
    assert xf.shape == (3, 9, 4)
    full = torch.fft.fft2(x)
    assert torch.allclose(xf[:, 4, 0], full[:, 0, 0])          # centre row = zero frequency
    assert torch.allclose(xf[:, 5, 1], full[:, 1, 1])
    assert torch.allclose(xf[:, 3, 2], full[:, 9, 2])         # ky = -1


def test_grid_max_takes_the_first_of_equal_maxima_column_by_column():
    scores = torch.zeros(4, 5)
    scores[0, 3] = scores[2, 1] = 1.0
    assert cont.grid_max(scores) == (2, 1)             # MATLAB: max over rows, then over columns
    scores[3, 4] = 2.0
    assert cont.grid_max(scores) == (3, 4)
