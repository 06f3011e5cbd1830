"""ECO's scale filter, translation-sample cropping and projection against independent computations."""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch

from pytracking.tracker.eco.optim import project
from pytracking.tracker.eco.params import ECOParams
from pytracking.tracker.eco.region import resized_patch
from pytracking.tracker.eco.scale_filter import ScaleFilter, parabola_vertex, resize_dft, scale_patches, scale_window


def test_scale_window_is_matlabs_symmetric_hann():
    # MATLAB hann(N): 0.5 * (1 - cos(2 pi m / (N - 1))), m = 0 .. N-1
    n = 17
    expected = [0.5 * (1 - math.cos(2 * math.pi * m / (n - 1))) for m in range(n)]
    assert np.allclose(scale_window(n), expected)
    assert scale_window(n)[0] == 0 and scale_window(n)[-1] == 0
    # even N as well (the original's init_scale_filter uses hann(N) for any N)
    assert np.allclose(scale_window(4), [0.0, 0.75, 0.75, 0.0])
    assert np.array_equal(scale_window(1), [1.0])


@pytest.mark.parametrize("n, length", [(17, 33), (16, 33), (4, 8), (5, 8), (7, 7)])
def test_resize_dft_is_the_originals_and_interpolates_real_data(n, length):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    spec = np.fft.fft(x)
    out = resize_dft(spec, length)
    # the original's resizeDFT: the first ceil(n/2) and the last floor((n-1)/2) values, scaled
    head, tail = math.ceil(n / 2), math.floor((n - 1) / 2)
    want = np.zeros(length, dtype=complex)
    want[:head] = spec[:head]
    want[length - tail:] = spec[n - tail:]
    assert np.allclose(out, want * length / n)
    if n % 2 == 0:
        assert abs(spec[n // 2]) > 0 and not np.any(np.isclose(out, spec[n // 2] * length / n))
    # real data stays real (the original takes ifft(..., 'symmetric'))
    y = np.fft.ifft(out)
    assert np.abs(y.imag).max() < 1e-12 * np.abs(y.real).max()
    if n % 2 == 1 and length % n == 0:
        # odd n: band-limited interpolation, passing through the samples
        assert np.allclose(y.real[::length // n], x)


def _qr_filter_response(samples: list, lr: float, window: np.ndarray, yf: np.ndarray, lam: float) -> np.ndarray:
    """fDSST with an explicit QR basis of the running numerator (the original's formulation)."""
    s_num, den = None, None
    for xs in samples[:-1]:
        s_num = xs if s_num is None else (1 - lr) * s_num + lr * xs
        basis = np.linalg.qr(s_num)[0].T
        basis_den = np.linalg.qr(xs)[0].T
        sf_num = yf * np.fft.fft(basis @ s_num * window, axis=1).conj()
        xsf = np.fft.fft(basis_den @ xs * window, axis=1)
        new_den = (np.abs(xsf) ** 2).sum(0)
        den = new_den if den is None else (1 - lr) * den + lr * new_den
    xsf = np.fft.fft(basis @ samples[-1] * window, axis=1)
    return (sf_num * xsf).sum(0) / (den + lam)


def test_scale_filter_gram_formulation_equals_the_qr_basis_one():
    rng = np.random.default_rng(3)
    p = ECOParams()
    base = rng.standard_normal((120, 17))
    samples = [base + 0.5 * rng.standard_normal(base.shape) for _ in range(5)]
    sf = ScaleFilter(p, (40.0, 30.0), lambda x: x)
    feed = iter(samples)
    sf._sample = lambda *args: next(feed)
    for _ in samples[:-1]:
        sf.update(None, None, None, None)
    xs = samples[-1]
    ours = sf.yf * sf._spectrum(sf.s_num.T @ xs) / (sf.sf_den + sf.lam)
    ref = _qr_filter_response(samples, p.scale_learning_rate, sf.window, sf.yf, p.scale_lambda)
    assert np.allclose(ours, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max())


def test_large_samples_are_subsampled_around_the_requested_centre():
    # a horizontal ramp: pixel value = x // 4, so a patch's central column tells where it was cut
    h, w = 700, 1000
    ramp = np.broadcast_to((np.arange(w) // 4).astype(np.uint8)[None, :, None], (h, w, 3)).copy()
    centre, size, out = (350.3, 501.6), (880.0, 880.0), (200, 200)       # factor 4.4 -> df 4
    patch, (cy, cx) = resized_patch(ramp, centre, size, out)
    assert patch.shape == (200, 200, 3)
    assert abs(cy - centre[0]) <= 2.5 and abs(cx - centre[1]) <= 2.5
    # the patch spans about `size` pixels: the ramp rises ~size/4 over its width
    cols = patch[100, :, 0].astype(float)
    assert abs((cols[-1] - cols[0]) - 880 / 4 * 199 / 200) <= 3
    assert abs(0.5 * (cols[99] + cols[100]) - cx / 4) <= 1.0
    # a small patch is not subsampled: the same answer as cropping directly
    patch1, (cy1, cx1) = resized_patch(ramp, centre, (200.0, 200.0), out)
    assert (cy1, cx1) == (350.5, 501.5)
    assert np.array_equal(patch1[..., 0], np.broadcast_to(ramp[251:451, 402:602, 0], (200, 200)))


def _matlab_scale_sample(im, pos1, base_sz, factors, model_sz):
    """The original's extract_scale_sample written in its own 1-based index arithmetic (resizing
    as its mexResize 'auto': bilinear when the model's width exceeds the patch's height (it
    compares newSize.width with the height of the image it receives), area averaging otherwise)."""
    df = math.floor(min(factors))
    if df > 1:
        im = im[::df, ::df]
        pos1 = [(p - 1) / df + 1 for p in pos1]
        factors = [f / df for f in factors]
    out = []
    for f in factors:
        ph, pw = (math.floor(base_sz[0] * f), math.floor(base_sz[1] * f))
        xs = [min(max(math.floor(pos1[1]) + k - pw // 2, 1), im.shape[1]) for k in range(1, pw + 1)]
        ys = [min(max(math.floor(pos1[0]) + k - ph // 2, 1), im.shape[0]) for k in range(1, ph + 1)]
        patch = im[np.ix_([y - 1 for y in ys], [x - 1 for x in xs])]
        interp = cv2.INTER_LINEAR if model_sz[1] > patch.shape[0] else cv2.INTER_AREA
        out.append(cv2.resize(patch, (model_sz[1], model_sz[0]), interpolation=interp))
    return np.stack(out)


@pytest.mark.parametrize("pos, base_sz, scale", [
    ((60.3, 85.7), (31.0, 22.0), 1.0),          # no subsampling
    ((60.5, 85.2), (31.0, 22.0), 0.7),
    ((60.5, 85.2), (31.0, 22.0), 0.5),          # patches of smaller area than the model, taller than it is wide
    ((60.5, 85.2), (10.0, 30.0), 1.0),          # patches wider than the model is high: bilinear
    ((140.2, 190.9), (25.0, 40.0), 2.6),        # df = 2
    ((3.0, 300.0), (25.0, 40.0), 3.3),          # df = 3, patches over the top and right borders
])
def test_scale_patches_are_the_originals_scale_samples(pos, base_sz, scale):
    im = np.random.default_rng(11).integers(0, 256, size=(240, 320, 3), dtype=np.uint8)
    factors = scale * 1.02 ** ((np.arange(17) - 8) * 33 / 17)
    model_sz = (19, 13)
    got = scale_patches(im, pos, base_sz, factors, model_sz)
    # our positions are 0-based pixel centres: the original's 1-based position is pos + 1
    want = _matlab_scale_sample(im, [pos[0] + 1, pos[1] + 1], base_sz, list(factors), model_sz)
    assert got.shape == (17, 3, 19, 13)
    assert np.array_equal(got.permute(0, 2, 3, 1).numpy(), want.astype(np.float32))


def test_projection_matches_the_channel_sum():
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((6, 5, 3)) + 1j * rng.standard_normal((6, 5, 3)), dtype=torch.complex64)
    P = torch.tensor(rng.standard_normal((6, 2)), dtype=torch.float32)
    expected = torch.stack([sum(P[d, c] * x[d] for d in range(6)) for c in range(2)])
    assert torch.allclose(project(P, x), expected, atol=1e-5)


def test_scale_parabola_vertex_as_the_original_unless_a_maximum_is_required():
    x = np.array([0.98, 1.0, 1.02])
    assert abs(parabola_vertex(x, -(x - 1.005) ** 2) - 1.005) < 1e-9
    upwards = (x - 1.005) ** 2                                   # a minimum: the original still takes it
    assert abs(parabola_vertex(x, upwards) - 1.005) < 1e-9
    assert parabola_vertex(x, upwards, require_maximum=True) == 1.0
    assert parabola_vertex(x, np.array([1.0, 2.0, 3.0])) == 1.0   # collinear: no vertex
    assert parabola_vertex(np.array([1.0, 1.0, 1.02]), np.array([0.0, 1.0, 0.5])) == 1.0   # singular
