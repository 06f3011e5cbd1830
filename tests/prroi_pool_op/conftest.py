"""Fixtures of the PrRoIPool tests: the compiled CPU module (a missing build is a failure, not a
skip) and an independent float64 brute-force integrator of the bilinear interpolant."""
import importlib
from typing import Callable

import numpy as np
import pytest
import torch

BUILD_HINT = "prroi_pool._C is not built: run `python -m prroi_pool.build` (CI builds it via install.sh)"


@pytest.fixture(scope="session")
def compiled_cpu():
    """The compiled CPU module; fails the test with the build command when it is missing."""
    try:
        return importlib.import_module("prroi_pool._C")
    except ImportError as err:
        pytest.fail(f"{BUILD_HINT} ({err})")


def _interpolant(plane: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """value(x, y) = sum_ij plane[i, j] max(0, 1-|y-i|) max(0, 1-|x-j|), zero outside the map."""
    height, width = plane.shape
    hy = np.maximum(0.0, 1.0 - np.abs(np.asarray(y)[..., None] - np.arange(height)))
    hx = np.maximum(0.0, 1.0 - np.abs(np.asarray(x)[..., None] - np.arange(width)))
    return np.einsum("...i,ij,...j->...", hy, plane, hx)


def _breakpoints(a: float, b: float) -> np.ndarray:
    """a, the integers strictly between a and b, and b."""
    inner = np.arange(np.floor(a) + 1, np.ceil(b))
    return np.concatenate([[a], inner[(inner > a) & (inner < b)], [b]])


def exact_box_mean(plane: np.ndarray, xa: float, xb: float, ya: float, yb: float) -> float:
    """Mean of the interpolant over [xa, xb] x [ya, yb], exact: the box is cut at the integer grid
    lines into cells on which the interpolant is bilinear, and the mean of a bilinear function
    over a rectangle is its value at the rectangle's centre."""
    xs, ys = _breakpoints(xa, xb), _breakpoints(ya, yb)
    cx, cy = np.meshgrid((xs[1:] + xs[:-1]) / 2, (ys[1:] + ys[:-1]) / 2)
    areas = np.outer(np.diff(ys), np.diff(xs))
    return float((_interpolant(plane, cx, cy) * areas).sum() / ((xb - xa) * (yb - ya)))


def midpoint_box_mean(plane: np.ndarray, xa: float, xb: float, ya: float, yb: float, n: int = 400) -> float:
    """Mean of the interpolant over the box by an n x n midpoint rule (approximate)."""
    x = xa + (np.arange(n) + 0.5) * (xb - xa) / n
    y = ya + (np.arange(n) + 0.5) * (yb - ya) / n
    gx, gy = np.meshgrid(x, y)
    return float(_interpolant(plane, gx, gy).mean())


def brute_force_pool(features: torch.Tensor, rois: torch.Tensor, pooled_h: int, pooled_w: int,
                     scale: float, box_mean: Callable = exact_box_mean) -> np.ndarray:
    """PrRoIPool by direct integration, roi by roi and bin by bin, in float64 numpy."""
    feats = features.detach().double().numpy()
    out = np.zeros((rois.shape[0], feats.shape[1], pooled_h, pooled_w))
    for k, (b, x1, y1, x2, y2) in enumerate(rois.detach().double().tolist()):
        x1, y1, x2, y2 = x1 * scale, y1 * scale, x2 * scale, y2 * scale
        if x2 <= x1 or y2 <= y1:
            continue
        bw, bh = (x2 - x1) / pooled_w, (y2 - y1) / pooled_h
        for c in range(feats.shape[1]):
            for p in range(pooled_h):
                for q in range(pooled_w):
                    out[k, c, p, q] = box_mean(feats[int(b), c], x1 + q * bw, x1 + (q + 1) * bw,
                                               y1 + p * bh, y1 + (p + 1) * bh)
    return out


@pytest.fixture(scope="session")
def brute_force():
    """brute_force_pool(features, rois, pooled_h, pooled_w, scale, box_mean=exact_box_mean)."""
    return brute_force_pool


@pytest.fixture(scope="session")
def box_means():
    """The exact and the midpoint-rule box means, for a cross-check of the brute force."""
    return {"exact": exact_box_mean, "midpoint": midpoint_box_mean}
