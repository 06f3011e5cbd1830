"""TensorList: a list of tensors that behaves like one tensor under arithmetic and tensor methods."""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

import torch


def _is_sequence(other: Any) -> bool:
    return isinstance(other, (list, tuple))


class TensorList(list):
    """A list of tensors (or nested TensorLists) with element-wise operations.

    Arithmetic with a scalar or a single tensor applies it to every element; arithmetic with another
    list of the same length pairs elements. Any tensor method or attribute not defined here is mapped
    over the elements: ``tl.view(-1)`` returns ``TensorList([t.view(-1) for t in tl])``.
    """

    def __init__(self, items: Iterable = ()) -> None:
        super().__init__(items)

    # ---------------------------------------------------------------- element-wise helpers
    def _zip_op(self, other: Any, op: Callable[[Any, Any], Any]) -> "TensorList":
        if _is_sequence(other):
            if len(other) != len(self):
                raise ValueError(
                    f"TensorList length mismatch: {len(self)} elements vs {len(other)} elements")
            return TensorList(op(a, b) for a, b in zip(self, other))
        return TensorList(op(a, other) for a in self)

    def _zip_inplace(self, other: Any, op: Callable[[Any, Any], Any]) -> "TensorList":
        if _is_sequence(other):
            if len(other) != len(self):
                raise ValueError(
                    f"TensorList length mismatch: {len(self)} elements vs {len(other)} elements")
            for i, b in enumerate(other):
                self[i] = op(self[i], b)
        else:
            for i in range(len(self)):
                self[i] = op(self[i], other)
        return self

    # ---------------------------------------------------------------- indexing and concatenation
    def __getitem__(self, item):
        if isinstance(item, int):
            return super().__getitem__(item)
        if isinstance(item, slice):
            return TensorList(super().__getitem__(item))
        if _is_sequence(item):
            return TensorList(super(TensorList, self).__getitem__(i) for i in item)
        raise TypeError(f"TensorList indices must be int, slice or a list of ints, not "
                        f"{type(item).__name__}")

    def cat(self, other: Iterable) -> "TensorList":
        """List concatenation: the elements of self followed by those of other."""
        return TensorList(list(self) + list(other))

    def copy(self) -> "TensorList":
        return TensorList(super().copy())

    def __add__(self, other):
        return self._zip_op(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._zip_op(other, lambda a, b: b + a)

    def __iadd__(self, other):
        return self._zip_inplace(other, lambda a, b: a.__iadd__(b) if torch.is_tensor(a) else a + b)

    def __sub__(self, other):
        return self._zip_op(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._zip_op(other, lambda a, b: b - a)

    def __isub__(self, other):
        return self._zip_inplace(other, lambda a, b: a.__isub__(b) if torch.is_tensor(a) else a - b)

    def __mul__(self, other):
        return self._zip_op(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._zip_op(other, lambda a, b: b * a)

    def __imul__(self, other):
        return self._zip_inplace(other, lambda a, b: a.__imul__(b) if torch.is_tensor(a) else a * b)

    def __truediv__(self, other):
        return self._zip_op(other, lambda a, b: a / b)

    def __rtruediv__(self, other):
        return self._zip_op(other, lambda a, b: b / a)

    def __itruediv__(self, other):
        return self._zip_inplace(
            other, lambda a, b: a.__itruediv__(b) if torch.is_tensor(a) else a / b)

    def __matmul__(self, other):
        return self._zip_op(other, lambda a, b: a @ b)

    def __rmatmul__(self, other):
        return self._zip_op(other, lambda a, b: b @ a)

    def __mod__(self, other):
        return self._zip_op(other, lambda a, b: a % b)

    def __pow__(self, other):
        return self._zip_op(other, lambda a, b: a ** b)

    def __rpow__(self, other):
        return self._zip_op(other, lambda a, b: b ** a)

    def __neg__(self):
        return TensorList(-a for a in self)

    def __abs__(self):
        return TensorList(abs(a) for a in self)

    def __lt__(self, other):
        return self._zip_op(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._zip_op(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._zip_op(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._zip_op(other, lambda a, b: a >= b)

    def __and__(self, other):
        return self._zip_op(other, lambda a, b: a & b)

    def __or__(self, other):
        return self._zip_op(other, lambda a, b: a | b)

    # list's == compares whole lists; keep that (TensorLists of tensors are not hashable anyway).

    # ---------------------------------------------------------------- reductions and mapping
    def apply(self, fn: Callable[[Any], Any]) -> "TensorList":
        """Return ``TensorList([fn(e) for e in self])``."""
        return TensorList(fn(e) for e in self)

    def concat(self, other: Iterable) -> "TensorList":
        """Alias of :meth:`cat` (the name the original framework uses)."""
        return self.cat(other)

    def list(self) -> list:
        return list(self)

    def __getattr__(self, name: str):
        # Only called for names that are not attributes of TensorList/list: map over the elements.
        if name.startswith("__"):
            raise AttributeError(name)
        if len(self) == 0:
            raise AttributeError(
                f"'{name}' cannot be mapped over an empty TensorList (no element to take it from)")
        for e in self:
            if not hasattr(e, name):
                raise AttributeError(
                    f"TensorList element of type {type(e).__name__} has no attribute '{name}'")
        values = [getattr(e, name) for e in self]
        if all(callable(v) for v in values):
            def mapped(*args, **kwargs):
                return TensorList(v(*args, **kwargs) for v in values)
            return mapped
        return TensorList(values)


def tensor_operation(op: Callable) -> Callable:
    """Decorator: a function of tensors becomes one that maps over TensorList arguments.

    The first positional argument decides: if it is a TensorList, the function is called per element,
    pairing with any other TensorList argument element by element, and a TensorList is returned.
    """

    @functools.wraps(op)
    def wrapper(*args, **kwargs):
        if not args or not isinstance(args[0], TensorList):
            return op(*args, **kwargs)
        n = len(args[0])

        def pick(a, i):
            if isinstance(a, TensorList):
                if len(a) != n:
                    raise ValueError(f"{op.__name__}: TensorList arguments of different lengths "
                                     f"({n} and {len(a)})")
                return a[i]
            return a

        return TensorList(
            op(*(pick(a, i) for a in args), **{k: pick(v, i) for k, v in kwargs.items()})
            for i in range(n))

    return wrapper


# torch functions mapped over TensorLists, e.g. ``tensorlist.torch.exp(tl)``.
class _MappedTorch:
    """Namespace giving ``torch`` functions that accept TensorLists (``tl_torch.exp(tl)``)."""

    def __getattr__(self, name: str):
        fn = getattr(torch, name)
        if not callable(fn):
            raise AttributeError(f"torch.{name} is not a function")
        return tensor_operation(fn)


tl_torch = _MappedTorch()
