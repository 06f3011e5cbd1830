"""Data-parallel wrapper that still exposes the wrapped network's attributes."""
from __future__ import annotations

import torch.nn as nn


class MultiGPU(nn.DataParallel):
    """``nn.DataParallel`` whose unknown attributes are looked up on the wrapped module."""

    def __getattr__(self, item: str):
        try:
            return super().__getattr__(item)
        except AttributeError:
            return getattr(self.module, item)


def is_multi_gpu(net: nn.Module) -> bool:
    """True if ``net`` is wrapped for data-parallel training."""
    return isinstance(net, (MultiGPU, nn.DataParallel))


def unwrap(net: nn.Module) -> nn.Module:
    """The network itself, without a data-parallel wrapper."""
    return net.module if is_multi_gpu(net) else net
