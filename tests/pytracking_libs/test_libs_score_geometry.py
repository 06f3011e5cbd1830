"""The conventions of operation.conv2d('same'), fourier and dcf fit together as the tracker uses them.

A target at the centre of an N x N feature map must give a score peak that, after
``shift_fs(sf, pi * (1 - (k % 2) / N))`` and ``sample_fs(., N + (k + 1) % 2)``, sits at sample (0, 0).
"""
import math

import pytest
import torch

from pytracking.libs import dcf, fourier, operation

DT = torch.float64


def blob(n, cy, cx, sigma=1.5):
    y = torch.arange(n, dtype=DT).view(-1, 1)
    x = torch.arange(n, dtype=DT).view(1, -1)
    return torch.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * sigma ** 2)).view(1, 1, n, n)


@pytest.mark.parametrize("k", [3, 4])
@pytest.mark.parametrize("offset", [(0, 0), (2, -3)])
def test_centred_target_peaks_at_sample_zero(k, offset):
    n = 18
    centre = (n - 1) / 2
    features = blob(n, centre + offset[0], centre + offset[1])
    template = blob(k, (k - 1) / 2, (k - 1) / 2)
    scores = operation.conv2d(features, template, mode="same")
    assert scores.shape == (1, 1, n, n)
    series = fourier.cfft2(scores) / (n * n)
    phase = math.pi * (1 - (k % 2) / n)
    out_sz = n + (k + 1) % 2
    sampled = fourier.sample_fs(fourier.shift_fs(series, (phase, phase)), (out_sz, out_sz))
    _, argmax = dcf.max2d(sampled)
    disp = (argmax[0, 0].to(DT) + out_sz / 2) % out_sz - out_sz / 2
    expected = torch.tensor(offset, dtype=DT) * out_sz / n
    assert torch.all((disp - expected).abs() <= 0.5)


def test_label_centre_offset_for_even_kernel_matches_score_peak():
    # The tracker centres labels at 0.5 * ((k + 1) % 2) from the map middle: for k = 4 the score
    # peak of a centred target is at index n / 2 = middle + 0.5.
    n, k = 18, 4
    scores = operation.conv2d(blob(n, 8.5, 8.5), blob(k, 1.5, 1.5), mode="same")
    label = dcf.label_function_spatial((n, n), (1.0, 1.0), center=(0.5, 0.5))
    assert dcf.max2d(scores)[1][0, 0].tolist() == dcf.max2d(label)[1][0, 0].tolist() == [9, 9]
