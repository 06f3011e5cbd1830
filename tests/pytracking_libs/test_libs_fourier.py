"""Fourier-series helpers against analytic signals."""
import math

import pytest
import torch

from pytracking.libs import fourier
from pytracking.libs.tensorlist import TensorList

DT = torch.float64


def grid(h, w, ph=None, pw=None):
    """Coordinates of an h x w sampling of one (ph x pw) period."""
    ph, pw = ph or h, pw or w
    y = (torch.arange(h, dtype=DT) * ph / h).view(-1, 1)
    x = (torch.arange(w, dtype=DT) * pw / w).view(1, -1)
    return y, x


def test_cfft2_layout_of_a_cosine():
    y, x = grid(8, 5)
    s = torch.cos(2 * math.pi * 2 * y / 8) * torch.ones_like(x)
    c = fourier.cfft2(s)
    assert c.shape == (9, 5) and c.is_complex()
    expected = torch.zeros(9, 5, dtype=c.dtype)
    expected[4 + 2, 2] = expected[4 - 2, 2] = 8 * 5 / 2
    torch.testing.assert_close(c, expected)


def test_cfft2_splits_nyquist_in_half():
    s = torch.tensor([[1.0], [-1.0], [1.0], [-1.0]], dtype=DT)
    c = fourier.cfft2(s)
    torch.testing.assert_close(c[:, 0].real, torch.tensor([2.0, 0.0, 0.0, 0.0, 2.0], dtype=DT))


@pytest.mark.parametrize("h,w", [(6, 7), (5, 5), (4, 8)])
def test_cifft2_inverts_cfft2(h, w):
    s = torch.randn(2, 3, h, w, dtype=DT)
    torch.testing.assert_close(fourier.cifft2(fourier.cfft2(s), (h, w)), s)


def test_sample_fs_interpolates_band_limited_cosine_on_finer_grid():
    def f(y, x):
        return (0.3 + torch.cos(2 * math.pi * (y / 7 + 2 * x / 8)) + 0.5 * torch.sin(2 * math.pi * 3 * x / 8)
                - 0.7 * torch.cos(2 * math.pi * 3 * y / 7 + 0.4))
    coarse = f(*grid(7, 8))
    series = fourier.cfft2(coarse) / (7 * 8)
    fine = fourier.sample_fs(series, (21, 24))
    torch.testing.assert_close(fine, f(*grid(21, 24, 7, 8)))
    torch.testing.assert_close(fourier.sample_fs(series, (7, 8)), coarse)
    # Default grid: as many points as coefficients (7 x 9 here, over the 7 x 8 period).
    torch.testing.assert_close(fourier.sample_fs(series), f(*grid(7, 9, 7, 8)))
    torch.testing.assert_close(fourier.sample_fs(series, (21, 24), rescale=False) * 21 * 24, fine)


def test_sample_fs_keeps_a_nyquist_cosine():
    # cos(pi x) sampled at 4 points per period 4 has all its energy at the Nyquist frequency.
    x = torch.arange(4, dtype=DT).view(1, -1)
    series = fourier.cfft2(torch.cos(math.pi * x)) / 4
    xf = (torch.arange(12, dtype=DT) / 3).view(1, -1)
    torch.testing.assert_close(fourier.sample_fs(series, (1, 12)), torch.cos(math.pi * xf))


@pytest.mark.parametrize("h,w,dy,dx", [(6, 7, 2, 1), (5, 8, -1, 3), (4, 4, 1, -2)])
def test_integer_shift_equals_roll(h, w, dy, dx):
    s = torch.randn(1, 2, h, w, dtype=DT)
    series = fourier.cfft2(s) / (h * w)
    shifted = fourier.shift_fs(series, (-2 * math.pi * dy / h, -2 * math.pi * dx / w))
    torch.testing.assert_close(fourier.sample_fs(shifted, (h, w)), torch.roll(s, (dy, dx), (-2, -1)))


def test_half_pixel_shift_of_sinusoid_is_analytic():
    n, k, phase = 9, 2, 0.3
    y, x = grid(n, 5)
    s = torch.cos(2 * math.pi * k * y / n + phase) * torch.ones_like(x)
    series = fourier.cfft2(s) / (n * 5)
    out = fourier.sample_fs(fourier.shift_fs(series, torch.tensor([-2 * math.pi * 0.5 / n, 0.0])), (n, 5))
    torch.testing.assert_close(out, torch.cos(2 * math.pi * k * (y - 0.5) / n + phase) * torch.ones_like(x))
    assert fourier.shift_fs(series, (0.0, 0.0)) is series


def test_sum_fs_of_different_sizes_is_sum_of_series():
    a = fourier.cfft2(torch.randn(1, 1, 3, 3, dtype=DT)) / 9
    b = fourier.cfft2(torch.randn(1, 1, 5, 4, dtype=DT)) / 20
    total = fourier.sum_fs(TensorList([a, b]))
    assert total.shape == (1, 1, 5, 5)
    torch.testing.assert_close(fourier.sample_fs(total, (10, 10)),
                               fourier.sample_fs(a, (10, 10)) + fourier.sample_fs(b, (10, 10)))
    with pytest.raises(ValueError, match="empty"):
        fourier.sum_fs([])


def test_interpolate_dft_pair_equals_outer_product():
    a = fourier.cfft2(torch.randn(1, 1, 5, 5, dtype=DT))
    ky = torch.arange(1.0, 6.0, dtype=DT).view(-1, 1)
    kx = torch.arange(2.0, 7.0, dtype=DT).view(1, -1)
    torch.testing.assert_close(fourier.interpolate_dft(a, (ky, kx)), a * (ky * kx))
    torch.testing.assert_close(fourier.interpolate_dft(a, ky * kx), a * (ky * kx))
    with pytest.raises(TypeError, match="interp_fs"):
        fourier.interpolate_dft(a, 3)


def test_tensorlist_mapping_and_errors():
    tl = TensorList([torch.randn(1, 1, 4, 4, dtype=DT), torch.randn(1, 1, 3, 5, dtype=DT)])
    series = fourier.cfft2(tl)
    assert [tuple(s.shape[-2:]) for s in series] == [(5, 5), (3, 5)]
    back = fourier.cifft2(series, TensorList([(4, 4), (3, 5)]))
    torch.testing.assert_close(back[1], tl[1])
    with pytest.raises(ValueError, match="needs >= "):
        fourier.sample_fs(series[0], (2, 5))
    with pytest.raises(ValueError, match="odd"):
        fourier.sample_fs(torch.zeros(4, 4, dtype=torch.complex128))
    with pytest.raises(ValueError, match="complex"):
        fourier.shift_fs(torch.zeros(5, 5), (1.0, 0.0))


def test_full_nyquist_term_counts_twice_as_the_original():
    """A column-alternating 2 x 2 signal is a pure Nyquist term: the 'split' series interpolates it,
    the original's ('full') counts it at both +N/2 and -N/2 and gives twice the signal."""
    a = torch.tensor([[1.0, -1.0], [1.0, -1.0]])
    split = fourier.sample_fs(fourier.cfft2(a) / 4, (2, 2))
    full = fourier.sample_fs(fourier.cfft2(a, nyquist="full") / 4, (2, 2))
    torch.testing.assert_close(split, a)
    torch.testing.assert_close(full, 2 * a)
    with pytest.raises(ValueError, match="nyquist"):
        fourier.cfft2(a, nyquist="half")
