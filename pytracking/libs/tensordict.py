"""TensorDict: an ordered dict of tensors (or TensorLists) with methods mapped over its values."""
from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any, Callable

import torch


class TensorDict(OrderedDict):
    """Ordered mapping whose tensor methods apply to every value.

    ``td.to('cuda')`` returns a new TensorDict with every value moved; values without the method
    (strings, numbers) are kept as they are. ``td.attribute('shape')`` collects an attribute.
    """

    def concat(self, other: "TensorDict") -> "TensorDict":
        """A new TensorDict with the entries of self, then those of other (other wins on clashes)."""
        return TensorDict(self, **other)

    def copy(self) -> "TensorDict":
        return TensorDict(super().copy())

    def apply(self, fn: Callable[[Any], Any]) -> "TensorDict":
        """A new TensorDict with ``fn`` applied to every value."""
        return TensorDict((k, fn(v)) for k, v in self.items())

    def attribute(self, name: str, *default) -> "TensorDict":
        """A TensorDict of ``getattr(value, name[, default])`` for every value."""
        return TensorDict((k, getattr(v, name, *default)) for k, v in self.items())

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if not hasattr(torch.Tensor, name):
            raise AttributeError(f"'TensorDict' object has no attribute '{name}' "
                                 f"(and torch.Tensor has no method of that name)")

        def mapped(*args, **kwargs):
            return TensorDict(
                (k, getattr(v, name)(*args, **kwargs) if hasattr(v, name) else v)
                for k, v in self.items())

        return mapped

    def __deepcopy__(self, memo):
        return TensorDict((k, copy.deepcopy(v, memo)) for k, v in self.items())
