"""Record how a network was built so that a checkpoint can rebuild it — from an allow-list only.

A function decorated with :func:`model_constructor` attaches a :class:`NetConstructor` to the net it
returns (``net.constructor``) and is entered in the registry of network constructors. Checkpoints
store the :class:`NetConstructor`; :meth:`NetConstructor.get` calls the same function with the same
arguments again. The class name, its module path (``ltr.admin.model_constructor.NetConstructor``) and
its attribute names (``fun_name``, ``fun_module``, ``args``, ``kwds``) are part of the checkpoint format
of the original project and must not change.

A checkpoint is data: :meth:`NetConstructor.get` only calls a function found in the registry, i.e.
decorated with :func:`model_constructor` (the project's model packages, :data:`MODEL_PACKAGES`, are
imported to fill it; code elsewhere, e.g. a test, registers its own by decorating). The module paths
of the original framework, :data:`LEGACY_MODULE_PREFIXES`, map onto the project's. The names stored in a
checkpoint are never imported, and the arguments must be plain data of the types the constructor's
signature declares; anything else raises :class:`ConstructorNotAllowed` before any import or call.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Callable, TypeVar

from ltr.admin.pickled_state import validated_state


F = TypeVar("F", bound=Callable[..., Any])

#: Packages whose modules define the project's network constructors (imported to register them).
MODEL_PACKAGES = ("ltr.models",)
#: Module-path prefixes of the original framework and what they are now (``dlframework.`` was the
#: package name before the original project was renamed to ``ltr``).
LEGACY_MODULE_PREFIXES = {"dlframework.": ""}

_REGISTRY: dict[str, Callable[..., Any]] = {}
_packages_imported = False
_PLAIN_SCALARS = (bool, int, float, str, type(None))
_MAX_DEPTH = 8


class ConstructorNotAllowed(ValueError):
    """A checkpoint names a constructor (or arguments) outside the allow-list."""


class NetConstructor:
    """The name, module and call arguments of a network constructor function."""

    def __init__(self, fun_name: str, fun_module: str, args: tuple, kwds: dict) -> None:
        self.fun_name = fun_name
        self.fun_module = fun_module
        self.args = args
        self.kwds = kwds

    def __setstate__(self, state: Any) -> None:
        """Unpickling (also from ``torch.load(weights_only=True)``): only the four known fields;
        their types are checked by :meth:`resolve` before anything is built."""
        state = validated_state(state, "NetConstructor", ("fun_name", "fun_module", "args", "kwds"))
        self.fun_name = state.get("fun_name")
        self.fun_module = state.get("fun_module")
        self.args = state.get("args", ())
        self.kwds = state.get("kwds", {})

    @property
    def qualified_name(self) -> str:
        """``module.function`` as stored (for messages)."""
        return f"{self.fun_module}.{self.fun_name}"

    def resolve(self, source: str | None = None) -> Callable[..., Any]:
        """The registered constructor function; raises :class:`ConstructorNotAllowed` (naming
        ``source``, e.g. the checkpoint file) when it is not on the allow-list or the stored
        arguments do not fit it. Nothing named by the checkpoint is imported or called."""
        where = f" in {source}" if source else ""
        if not isinstance(self.fun_name, str) or not isinstance(self.fun_module, str):
            raise ConstructorNotAllowed(f"Constructor{where} has a non-text name "
                                        f"({self.fun_module!r}, {self.fun_name!r})")
        fun = registered_constructor(self.fun_module, self.fun_name)
        if fun is None:
            raise ConstructorNotAllowed(
                f"Constructor '{self.qualified_name}'{where} is not an allowed network constructor "
                f"(only functions decorated with @model_constructor, such as those of "
                f"{', '.join(MODEL_PACKAGES)}, may be named by a checkpoint); nothing was imported "
                f"or called")
        check_arguments(fun, self.args, self.kwds, f"'{self.qualified_name}'{where}")
        return fun

    def get(self, source: str | None = None) -> Any:
        """Build the network again by calling the recorded (allow-listed) function with the
        recorded arguments. ``source`` names where the constructor came from in error messages."""
        fun = self.resolve(source)
        return fun(*self.args, **self.kwds)

    def __repr__(self) -> str:
        return (f"NetConstructor({self.fun_module}.{self.fun_name}, args={self.args!r}, "
                f"kwds={self.kwds!r})")


def model_constructor(fun: F) -> F:
    """Decorator: the returned net (or the first element of a returned tuple/list) gets
    ``.constructor = NetConstructor(fun.__name__, fun.__module__, args, kwds)``, and the function is
    registered as a constructor a checkpoint may name."""

    @functools.wraps(fun)
    def wrapper(*args, **kwds):
        constructor = NetConstructor(fun.__name__, fun.__module__, args, kwds)
        output = fun(*args, **kwds)
        net = output[0] if isinstance(output, (tuple, list)) else output
        net.constructor = constructor
        return output

    _REGISTRY[f"{fun.__module__}.{fun.__name__}"] = wrapper
    return wrapper  # type: ignore[return-value]


def canonical_module(module: str) -> str:
    """The project's module path for a module path a checkpoint stores (original-framework
    prefixes mapped, see :data:`LEGACY_MODULE_PREFIXES`)."""
    for old, new in LEGACY_MODULE_PREFIXES.items():
        if module.startswith(old):
            return new + module[len(old):]
    return module


def _import_model_packages() -> None:
    """Import every module of the project's model packages (fixed code, not checkpoint data) so
    that their decorated constructors are registered."""
    global _packages_imported
    if _packages_imported:
        return
    for package_name in MODEL_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=package_name + "."):
            importlib.import_module(info.name)
    _packages_imported = True


def registered_constructor(module: str, name: str) -> Callable[..., Any] | None:
    """The registered constructor ``module.name`` (module path mapped by
    :func:`canonical_module`), or None."""
    key = f"{canonical_module(module)}.{name}"
    if key not in _REGISTRY:
        _import_model_packages()
    return _REGISTRY.get(key)


def _plain_data_error(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` is not plain data (scalars, tuples, lists, str-keyed dicts), or None."""
    if depth > _MAX_DEPTH:
        return "nested too deeply"
    if isinstance(value, _PLAIN_SCALARS) and type(value) in _PLAIN_SCALARS:
        return None
    if type(value) in (tuple, list):
        for item in value:
            why = _plain_data_error(item, depth + 1)
            if why:
                return why
        return None
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                return f"dict key {key!r} is not text"
            why = _plain_data_error(item, depth + 1)
            if why:
                return why
        return None
    return f"a {type(value).__module__}.{type(value).__qualname__} is not plain data"


def _matches(value: Any, annotation: Any) -> bool:
    """Whether plain ``value`` fits the type ``annotation`` (unknown annotations accept it)."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None) or annotation is None:
        return value is None
    if annotation is bool:
        return type(value) is bool
    if annotation is int:
        return type(value) is int
    if annotation is float:
        return type(value) in (int, float)
    if annotation is str:
        return type(value) is str
    container = origin or annotation
    if container in (tuple, list, Sequence, typing.Sequence):
        if type(value) not in (tuple, list):
            return False
        item_types = typing.get_args(annotation)
        if not item_types:
            return True
        if container is tuple and not (len(item_types) == 2 and item_types[1] is Ellipsis):
            return len(item_types) == len(value) and all(map(_matches, value, item_types))
        return all(_matches(item, item_types[0]) for item in value)
    if container in (dict, Mapping, typing.Mapping):
        return type(value) is dict
    return True


def check_arguments(fun: Callable[..., Any], args: Any, kwds: Any, what: str) -> None:
    """Raise :class:`ConstructorNotAllowed` unless ``args``/``kwds`` are plain data that bind to
    ``fun``'s signature with the types its annotations declare."""
    if type(args) not in (tuple, list) or type(kwds) is not dict:
        raise ConstructorNotAllowed(f"Constructor {what}: args must be a tuple and kwds a dict, "
                                    f"got {type(args).__name__} and {type(kwds).__name__}")
    for label, value in [(f"argument {i}", a) for i, a in enumerate(args)] + \
                        [(f"argument '{k}'", v) for k, v in kwds.items()]:
        why = _plain_data_error(value)
        if why:
            raise ConstructorNotAllowed(f"Constructor {what}: {label}: {why}")
    target = inspect.unwrap(fun)
    signature = inspect.signature(target)
    try:
        bound = signature.bind(*args, **kwds)
    except TypeError as exc:
        raise ConstructorNotAllowed(f"Constructor {what}: arguments do not fit {signature}: "
                                    f"{exc}") from None
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # unresolvable annotations: fall back to the defaults' types
        hints = {}
    for name, value in bound.arguments.items():
        parameter = signature.parameters[name]
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(name, inspect.Parameter.empty)
        if annotation is inspect.Parameter.empty and parameter.default is not parameter.empty \
                and parameter.default is not None:
            annotation = type(parameter.default)
            if annotation is tuple:
                annotation = Sequence
        if not _matches(value, annotation):
            raise ConstructorNotAllowed(f"Constructor {what}: argument '{name}' = {value!r} is not "
                                        f"of the declared type {annotation}")
