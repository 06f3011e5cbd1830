"""Windows, labels and max2d against hand-computed values."""
import math

import numpy as np
import pytest
import torch

from pytracking.libs import dcf


def test_hann1d_centered_hand_values():
    # w[n] = 0.5 - 0.5 cos(2 pi (n + 1) / (N + 1))
    torch.testing.assert_close(dcf.hann1d(3), torch.tensor([0.5, 1.0, 0.5]))
    c72, c144 = math.cos(math.radians(72)), math.cos(math.radians(144))
    expected = torch.tensor([0.5 - 0.5 * c72, 0.5 - 0.5 * c144, 0.5 - 0.5 * c144, 0.5 - 0.5 * c72])
    torch.testing.assert_close(dcf.hann1d(4), expected)
    torch.testing.assert_close(expected, torch.tensor([0.3454915, 0.9045085, 0.9045085, 0.3454915]))


def test_hann1d_not_centered_has_peak_at_origin_and_circular_symmetry():
    # w[n] = 0.5 + 0.5 cos(2 pi min(n, N - n) / (N + 2))
    torch.testing.assert_close(dcf.hann1d(4, centered=False), torch.tensor([1.0, 0.75, 0.25, 0.75]))
    torch.testing.assert_close(dcf.hann1d(5, centered=False),
                               torch.tensor([1.0, 0.8117449, 0.3887395, 0.3887395, 0.8117449]))


def test_hann2d_is_outer_product_with_shape():
    w = dcf.hann2d(torch.tensor([3, 4]))
    assert w.shape == (1, 1, 3, 4)
    torch.testing.assert_close(w[0, 0], torch.outer(dcf.hann1d(3), dcf.hann1d(4)))
    w2 = dcf.hann2d((5, 4), centered=False)
    assert w2[0, 0, 0, 0] == 1.0
    with pytest.raises(ValueError, match="positive integers"):
        dcf.hann2d((0, 3))


def test_hann2d_clipped_hand_values():
    w = dcf.hann2d_clipped((7, 7), (3, 4))
    # rows: hann1d(3) padded by 2 -> [.5 .5 .5 1 .5 .5 .5]
    rows = torch.tensor([0.5, 0.5, 0.5, 1.0, 0.5, 0.5, 0.5])
    # cols: 4 -> 5 (even margins), hann1d(5) = [.25 .75 1 .75 .25] padded by 1
    cols = torch.tensor([0.25, 0.25, 0.75, 1.0, 0.75, 0.25, 0.25])
    torch.testing.assert_close(w[0, 0], torch.outer(rows, cols))
    wn = dcf.hann2d_clipped((7, 7), (3, 4), centered=False)
    torch.testing.assert_close(wn[0, 0], torch.outer(rows.roll(-3), cols.roll(-3)))
    assert wn[0, 0, 0, 0] == 1.0


def test_label_function_spatial_peak_symmetry_and_centre():
    y = dcf.label_function_spatial((5, 4), (1.0, 2.0))
    assert y.shape == (1, 1, 5, 4)
    rows = torch.exp(-torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]) ** 2 / 2)
    cols = torch.exp(-torch.tensor([-1.5, -0.5, 0.5, 1.5]) ** 2 / 8)
    torch.testing.assert_close(y[0, 0], torch.outer(rows, cols))
    torch.testing.assert_close(y, y.flip(-1).flip(-2))
    y2 = dcf.label_function_spatial(torch.tensor([5, 4]), torch.tensor([1.0, 2.0]), center=torch.tensor([1.0, 0.5]))
    assert y2[0, 0, 3, 2].item() == pytest.approx(1.0)
    assert y2.max().item() == pytest.approx(1.0)
    y3 = dcf.label_function_spatial((3, 3), 1.0, end_pad=(1, 0))
    assert y3.shape == (1, 1, 4, 3)


def test_gauss_fourier_matches_numerical_series_of_periodised_gaussian():
    period, sigma = 10, 1.5
    t = np.arange(4000) * period / 4000
    g = sum(np.exp(-(t - m * period) ** 2 / (2 * sigma ** 2)) for m in range(-3, 4))
    ks = np.arange(-5, 6)
    numeric = np.array([np.mean(g * np.exp(-2j * np.pi * k * t / period)).real for k in ks])
    coeffs = dcf.gauss_fourier(period, sigma)
    assert coeffs.shape == (11,)
    np.testing.assert_allclose(coeffs.numpy(), numeric, atol=1e-6)
    np.testing.assert_allclose(dcf.gauss_fourier(period, sigma, half=True).numpy(), numeric[5:], atol=1e-6)
    lab = dcf.label_function((10, 7), (sigma, 1.0))
    assert lab.shape == (1, 1, 11, 7)


def test_max2d_batched_hand_made_map():
    a = torch.zeros(2, 3, 4, 5)
    positions = {(0, 0): (1, 2), (0, 1): (3, 4), (0, 2): (0, 0), (1, 0): (2, 1), (1, 1): (0, 4), (1, 2): (3, 0)}
    for (i, j), (r, c) in positions.items():
        a[i, j, r, c] = 10 + i * 3 + j
    max_val, argmax = dcf.max2d(a)
    assert max_val.shape == (2, 3) and argmax.shape == (2, 3, 2)
    for (i, j), (r, c) in positions.items():
        assert max_val[i, j].item() == 10 + i * 3 + j
        assert tuple(argmax[i, j].tolist()) == (r, c)
    tie = torch.tensor([[0.0, 2.0, 1.0], [2.0, 0.0, 0.0]])
    v, pos = dcf.max2d(tie)
    assert v.item() == 2.0 and pos.tolist() == [0, 1]
    with pytest.raises(ValueError, match="2 dims"):
        dcf.max2d(torch.zeros(3))
