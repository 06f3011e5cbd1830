"""Values derived from a module's tensors (folded, transformed or packed weights), kept per module.

A cached value stays valid while every tensor it was derived from is the same tensor object at the
same version: replacing a tensor (a new ``nn.Parameter``) or changing it in place rebuilds it. The
tensors are held by weak reference, so a freed tensor whose ``id`` is reused never matches.
"""
from __future__ import annotations

import weakref
from typing import Callable, Generic, Sequence, TypeVar

import torch
import torch.nn as nn

T = TypeVar("T")


class DerivedCache(Generic[T]):
    """module -> value derived from some of its tensors (see the module docstring)."""

    def __init__(self) -> None:
        self._entries: "weakref.WeakKeyDictionary[nn.Module, tuple]" = weakref.WeakKeyDictionary()

    def get(self, module: nn.Module, tensors: Sequence[torch.Tensor], build: Callable[[], T]) -> T:
        """The value cached for ``module`` if derived from ``tensors`` as they are now, else
        ``build()`` (cached in its place)."""
        entry = self._entries.get(module)
        if entry is None or len(entry[0]) != len(tensors) or not all(
                ref() is t and version == t._version for (ref, version), t in zip(entry[0], tensors)):
            entry = (tuple((weakref.ref(t), t._version) for t in tensors), build())
            self._entries[module] = entry
        return entry[1]
