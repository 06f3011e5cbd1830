"""Numerical libraries shared by the trackers and the training code."""
from pytracking.libs.tensordict import TensorDict
from pytracking.libs.tensorlist import TensorList

__all__ = ["TensorDict", "TensorList"]
