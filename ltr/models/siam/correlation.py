"""Cross-correlation of exemplar (kernel) features with search features, as in Siamese trackers.

Cross-correlation here is what ``torch.nn.functional.conv2d`` computes (no kernel flip, 'valid'
borders): ``out[i, j] = sum_{c, u, v} z[c, u, v] * x[c, i + u, j + v]``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _check(z: torch.Tensor, x: torch.Tensor, name: str) -> None:
    if z.dim() != 4 or x.dim() != 4:
        raise ValueError(f"{name}: expected 4-D tensors N x C x H x W, got z {tuple(z.shape)} and "
                         f"x {tuple(x.shape)}")
    if z.shape[1] != x.shape[1]:
        raise ValueError(f"{name}: channel counts differ (z {z.shape[1]}, x {x.shape[1]})")
    if z.shape[-2] > x.shape[-2] or z.shape[-1] > x.shape[-1]:
        raise ValueError(f"{name}: kernel {tuple(z.shape[-2:])} is larger than the search "
                         f"features {tuple(x.shape[-2:])}")


def _match_batch(z: torch.Tensor, x: torch.Tensor, name: str) -> torch.Tensor:
    """z with x's batch size: a batch-1 kernel is shared by every search sample."""
    if z.shape[0] == x.shape[0]:
        return z
    if z.shape[0] == 1:
        return z.expand(x.shape[0], -1, -1, -1)
    raise ValueError(f"{name}: batch sizes differ (z {z.shape[0]}, x {x.shape[0]}); z may also "
                     f"have batch size 1")


def xcorr_naive(z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per-sample loop: ``N x C x h x w`` kernels on ``N x C x H x W`` -> ``N x 1 x H' x W'``."""
    _check(z, x, "xcorr_naive")
    z = _match_batch(z, x, "xcorr_naive")
    return torch.cat([F.conv2d(x[i:i + 1], z[i:i + 1]) for i in range(x.shape[0])], dim=0)


def xcorr_batched(z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Same as :func:`xcorr_naive` as one grouped convolution (one group per sample)."""
    _check(z, x, "xcorr_batched")
    z = _match_batch(z, x, "xcorr_batched")
    n, c, h, w = x.shape
    out = F.conv2d(x.reshape(1, n * c, h, w), z.reshape(n, c, z.shape[2], z.shape[3]), groups=n)
    return out.reshape(n, 1, out.shape[-2], out.shape[-1])


def xcorr_depthwise(z: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Channel by channel: ``out[n, c] = z[n, c] * x[n, c]`` -> ``N x C x H' x W'``."""
    _check(z, x, "xcorr_depthwise")
    z = _match_batch(z, x, "xcorr_depthwise")
    n, c, h, w = x.shape
    out = F.conv2d(x.reshape(1, n * c, h, w), z.reshape(n * c, 1, z.shape[2], z.shape[3]),
                   groups=n * c)
    return out.reshape(n, c, out.shape[-2], out.shape[-1])
