"""Cross-correlation ops against brute-force sums, and the cosine window."""
import numpy as np
import pytest
import torch

from ltr.models.siam import cosine_window, xcorr_batched, xcorr_depthwise, xcorr_naive


def brute_xcorr(z, x):
    """out[n, i, j] = sum_{c,u,v} z[n,c,u,v] x[n,c,i+u,j+v], plain loops in numpy."""
    z, x = z.numpy().astype(np.float64), x.numpy().astype(np.float64)
    n, _, kh, kw = z.shape
    oh, ow = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    out = np.zeros((n, 1, oh, ow))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                out[b, 0, i, j] = np.sum(z[b] * x[b, :, i:i + kh, j:j + kw])
    return out


def brute_depthwise(z, x):
    z, x = z.numpy().astype(np.float64), x.numpy().astype(np.float64)
    n, c, kh, kw = z.shape
    oh, ow = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    out = np.zeros((n, c, oh, ow))
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    out[b, ch, i, j] = np.sum(z[b, ch] * x[b, ch, i:i + kh, j:j + kw])
    return out


@pytest.fixture
def pair():
    g = torch.Generator().manual_seed(3)
    return torch.randn(3, 4, 3, 2, generator=g), torch.randn(3, 4, 7, 6, generator=g)


def test_batched_equals_per_sample_loop(pair):
    z, x = pair
    expected = brute_xcorr(z, x)
    assert xcorr_batched(z, x).shape == (3, 1, 5, 5)
    np.testing.assert_allclose(xcorr_batched(z, x).numpy(), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xcorr_naive(z, x).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_batch_one_kernel_is_shared(pair):
    z, x = pair
    out = xcorr_batched(z[:1], x)
    np.testing.assert_allclose(out.numpy(), brute_xcorr(z[:1].expand(3, -1, -1, -1), x),
                               rtol=1e-5, atol=1e-5)


def test_depthwise_equals_per_channel_correlation(pair):
    z, x = pair
    out = xcorr_depthwise(z, x)
    assert out.shape == (3, 4, 5, 5)
    np.testing.assert_allclose(out.numpy(), brute_depthwise(z, x), rtol=1e-5, atol=1e-5)
    # summing the channels gives the plain correlation
    np.testing.assert_allclose(out.sum(1, keepdim=True).numpy(), brute_xcorr(z, x),
                               rtol=1e-4, atol=1e-4)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="channel"):
        xcorr_batched(torch.zeros(1, 3, 2, 2), torch.zeros(1, 4, 5, 5))
    with pytest.raises(ValueError, match="batch sizes"):
        xcorr_depthwise(torch.zeros(2, 3, 2, 2), torch.zeros(3, 3, 5, 5))
    with pytest.raises(ValueError, match="larger"):
        xcorr_naive(torch.zeros(1, 3, 6, 2), torch.zeros(1, 3, 5, 5))


def test_cosine_window():
    w = cosine_window(5)
    n = np.arange(5)
    w1 = 0.5 - 0.5 * np.cos(2 * np.pi * (n + 1) / 6)  # centred Hann of length 5
    expected = np.outer(w1, w1)
    np.testing.assert_allclose(w.numpy(), expected / expected.sum(), rtol=1e-6)
    assert int(torch.argmax(w)) == 12  # the centre of the 5 x 5 map
    np.testing.assert_allclose(cosine_window(4, normalize=False).numpy(), np.outer(
        0.5 - 0.5 * np.cos(2 * np.pi * (np.arange(4) + 1) / 5),
        0.5 - 0.5 * np.cos(2 * np.pi * (np.arange(4) + 1) / 5)), rtol=1e-6)
