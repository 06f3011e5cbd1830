"""Precise RoI Pooling (PrRoIPool): C++ kernel on CPU, CUDA kernel on GPU, pure-PyTorch reference
as the fallback. Build the kernels with `python -m prroi_pool.build`."""
from .function import prroi_pool2d
from .module import PrRoIPool2D
from .reference import prroi_pool2d_reference

__all__ = ["PrRoIPool2D", "prroi_pool2d", "prroi_pool2d_reference"]
