"""Record how a network was built so that a checkpoint can rebuild it.

A function decorated with :func:`model_constructor` attaches a :class:`NetConstructor` to the net it
returns (``net.constructor``). Checkpoints store that object; :meth:`NetConstructor.get` calls the
same function with the same arguments again. The class name, its module path
(``ltr.admin.model_constructor.NetConstructor``) and its attribute names (``fun_name``,
``fun_module``, ``args``, ``kwds``) are part of the checkpoint format of the original project and must
not change.
"""
from __future__ import annotations

import functools
import importlib
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class NetConstructor:
    """The name, module and call arguments of a network constructor function."""

    def __init__(self, fun_name: str, fun_module: str, args: tuple, kwds: dict) -> None:
        self.fun_name = fun_name
        self.fun_module = fun_module
        self.args = args
        self.kwds = kwds

    def get(self) -> Any:
        """Build the network again by calling the recorded function with the recorded arguments."""
        try:
            module = importlib.import_module(self.fun_module)
        except ImportError as exc:
            raise ImportError(f"Cannot rebuild network: module '{self.fun_module}' of constructor "
                              f"'{self.fun_name}' cannot be imported ({exc})") from exc
        try:
            fun = getattr(module, self.fun_name)
        except AttributeError as exc:
            raise AttributeError(f"Cannot rebuild network: module '{self.fun_module}' has no "
                                 f"constructor '{self.fun_name}'") from exc
        return fun(*self.args, **self.kwds)

    def __repr__(self) -> str:
        return (f"NetConstructor({self.fun_module}.{self.fun_name}, args={self.args!r}, "
                f"kwds={self.kwds!r})")


def model_constructor(fun: F) -> F:
    """Decorator: the returned net (or the first element of a returned tuple/list) gets
    ``.constructor = NetConstructor(fun.__name__, fun.__module__, args, kwds)``."""

    @functools.wraps(fun)
    def wrapper(*args, **kwds):
        constructor = NetConstructor(fun.__name__, fun.__module__, args, kwds)
        output = fun(*args, **kwds)
        net = output[0] if isinstance(output, (tuple, list)) else output
        net.constructor = constructor
        return output

    return wrapper  # type: ignore[return-value]
