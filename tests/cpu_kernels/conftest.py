"""Fixtures of the CPU kernel tests: the compiled module (a missing build is a failure, not a skip)
and a float64 direct convolution by explicit sums over the 3x3 taps."""
import importlib

import pytest
import torch
import torch.nn.functional as F

BUILD_HINT = ("pytracking.libs.cpu_kernels._C is not built: run `python -m pytracking.libs.cpu_kernels.build` "
              "(CI builds it via install.sh)")


@pytest.fixture(scope="session")
def kernel():
    """The compiled module; fails the test with the build command when it is missing."""
    try:
        return importlib.import_module("pytracking.libs.cpu_kernels._C")
    except ImportError as err:
        pytest.fail(f"{BUILD_HINT} ({err})")


def direct_conv3x3(x: torch.Tensor, weight: torch.Tensor, bias=None, padding=(1, 1, 1, 1)) -> torch.Tensor:
    """y[n, o, i, j] = bias[o] + sum_{c, a, b} w[o, c, a, b] x_padded[n, c, i + a, j + b] in float64,
    padding = (top, bottom, left, right) zeros; written as nine shifted products, not conv2d."""
    top, bottom, left, right = padding
    xp = F.pad(x.double(), (left, right, top, bottom))
    out_h, out_w = xp.shape[-2] - 2, xp.shape[-1] - 2
    w = weight.detach().double()
    y = torch.zeros(x.shape[0], w.shape[0], out_h, out_w, dtype=torch.float64)
    for a in range(3):
        for b in range(3):
            y += torch.einsum("oc,nchw->nohw", w[:, :, a, b], xp[:, :, a:a + out_h, b:b + out_w])
    if bias is not None:
        y += bias.detach().double().reshape(1, -1, 1, 1)
    return y


@pytest.fixture(scope="session")
def direct():
    """direct_conv3x3(x, weight, bias=None, padding=(top, bottom, left, right))."""
    return direct_conv3x3
