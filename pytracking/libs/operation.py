"""Convolution helpers used by the online classifiers (tensors or, element-wise, TensorLists).

Padding convention of ``mode='same'`` (the trackers' label and score-map geometry rely on it):
the output has exactly the input's spatial size. For an odd kernel size ``k`` the input is padded
by ``k // 2`` on both sides. For an even ``k`` the extra pad goes to the top/left: ``k // 2`` before
and ``k // 2 - 1`` after, i.e. ``out[i] = sum_j in[i - k // 2 + j] * w[j]``. The response of an
even kernel at output index ``i`` is therefore centred on input position ``i - 0.5``: an object
centred at input position ``c`` peaks at output position ``c + 0.5``.
"""
from __future__ import annotations

from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F

from pytracking.libs.tensorlist import tensor_operation

IntPair = Union[int, Tuple[int, int]]

_MODES = (None, "same", "full", "valid")


def _same_padding(kernel_size: int, dilation: int) -> Tuple[int, int]:
    """(before, after) padding that keeps the size for one dimension (extra pad before)."""
    extent = dilation * (kernel_size - 1)
    before = (extent + 1) // 2
    return before, extent - before


def _pair(value: IntPair, name: str) -> Tuple[int, int]:
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise ValueError(f"conv2d: {name} must be an int or a pair of ints, got {value!r}")
    return int(value[0]), int(value[1])


@tensor_operation
def conv2d(input: torch.Tensor, weight: Optional[torch.Tensor], bias: Optional[torch.Tensor] = None,
           stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1, groups: int = 1,
           mode: Optional[str] = None) -> torch.Tensor:
    """2-D correlation (``torch.nn.functional.conv2d``) with optional automatic padding.

    ``mode``: ``None`` uses ``padding`` as given; ``'valid'`` uses no padding; ``'same'`` pads so the
    output size equals the input size (for stride 1; even kernels get the extra pad at the
    top/left, see the module docstring); ``'full'`` pads by ``dilation * (k - 1)`` on every side
    (every overlap of input and kernel). ``weight=None`` returns the input unchanged.
    Works on TensorLists element by element.
    """
    if weight is None:
        return input
    if input.dim() != 4 or weight.dim() != 4:
        raise ValueError(f"conv2d: input and weight must be 4-D (N x C x H x W and O x C/groups x kh x kw), "
                         f"got shapes {tuple(input.shape)} and {tuple(weight.shape)}")
    if mode not in _MODES:
        raise ValueError(f"conv2d: unknown mode {mode!r}; expected one of {_MODES}")
    if mode is None:
        return F.conv2d(input, weight, bias=bias, stride=stride, padding=padding, dilation=dilation,
                        groups=groups)
    if padding not in (0, (0, 0), [0, 0]):
        raise ValueError(f"conv2d: give either padding ({padding!r}) or mode ({mode!r}), not both")
    dil = _pair(dilation, "dilation")
    kh, kw = weight.shape[-2:]
    if mode == "valid":
        pads = (0, 0, 0, 0)
    elif mode == "full":
        ph, pw = dil[0] * (kh - 1), dil[1] * (kw - 1)
        pads = (pw, pw, ph, ph)
    else:  # same
        top, bottom = _same_padding(kh, dil[0])
        left, right = _same_padding(kw, dil[1])
        pads = (left, right, top, bottom)
    if pads[0] == pads[1] and pads[2] == pads[3]:
        return F.conv2d(input, weight, bias=bias, stride=stride, padding=(pads[2], pads[0]),
                        dilation=dilation, groups=groups)
    return F.conv2d(F.pad(input, pads), weight, bias=bias, stride=stride, dilation=dilation,
                    groups=groups)


@tensor_operation
def conv1x1(input: torch.Tensor, weight: Optional[torch.Tensor]) -> torch.Tensor:
    """1x1 convolution as a matrix product: ``out[n, o] = sum_c weight[o, c] * input[n, c]``.

    ``weight`` is ``O x C x 1 x 1`` (a conv weight) or ``O x C``; ``None`` returns the input.
    Works on TensorLists element by element.
    """
    if weight is None:
        return input
    if input.dim() != 4:
        raise ValueError(f"conv1x1: input must be N x C x H x W, got shape {tuple(input.shape)}")
    if weight.dim() == 4:
        if weight.shape[-2:] != (1, 1):
            raise ValueError(f"conv1x1: weight must have a 1x1 kernel, got shape {tuple(weight.shape)}")
        weight = weight.reshape(weight.shape[0], weight.shape[1])
    elif weight.dim() != 2:
        raise ValueError(f"conv1x1: weight must be O x C x 1 x 1 or O x C, got shape {tuple(weight.shape)}")
    n, c, h, w = input.shape
    if weight.shape[1] != c:
        raise ValueError(f"conv1x1: weight has {weight.shape[1]} input channels, input has {c}")
    out = torch.matmul(weight, input.reshape(n, c, h * w))
    return out.reshape(n, weight.shape[0], h, w)
