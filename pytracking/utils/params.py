"""Typed parameter sets for trackers: unknown or misspelled names are errors, overrides are parsed.

A tracker declares its parameters as a dataclass deriving from :class:`Params`; a parameter module's
``parameters()`` builds one and sets values. Assigning a name the dataclass does not declare raises,
with the closest known name as a hint, so a typo never falls back to a silent default.
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import functools
import typing
from typing import Any, Iterable

from ltr.admin.value_range import check_range

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ParameterError(AttributeError):
    """An unknown parameter name, or a value that does not fit the parameter's type."""


@functools.lru_cache(maxsize=None)
def _integer_fields(cls: type) -> dict[str, bool]:
    """Field name -> whether it is declared ``int`` (or ``Optional[int]``)."""
    result = {}
    for name, hint in typing.get_type_hints(cls).items():
        args = set(typing.get_args(hint)) - {type(None)}
        result[name] = hint is int or args == {int}
    return result


class ParameterRangeError(ParameterError, ValueError):
    """A numeric parameter set outside its declared range."""


class Params:
    """Base class of typed parameter sets (subclasses are ``@dataclasses.dataclass``).

    ``RANGES`` (a class attribute, not a field) maps numeric parameter names to their allowed range
    (``">= 1"``, ``"> 0"``, ``"[0, 1]"``, see :mod:`ltr.admin.value_range`); a value outside it is
    rejected when it is set (defaults included), with :class:`ParameterRangeError`.
    """

    RANGES: typing.ClassVar[dict[str, str]] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        fields = self._field_names()
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParameterError(f"{type(self).__name__} has no parameter '{name}'.{hint}")
        spec = self.RANGES.get(name)
        if spec is not None:
            what = f"{type(self).__name__} parameter '{name}'"
            try:
                check_range(value, spec, what)
            except ValueError as exc:
                raise ParameterRangeError(str(exc)) from None
            if _integer_fields(type(self)).get(name) and not isinstance(value, (int, type(None))):
                raise ParameterRangeError(f"{what} must be an integer {spec}, got {value!r}")
        object.__setattr__(self, name, value)

    @classmethod
    def _field_names(cls) -> list[str]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        return [f.name for f in dataclasses.fields(cls)]

    def has(self, name: str) -> bool:
        """True if ``name`` is a declared parameter whose value is not None."""
        return name in self._field_names() and getattr(self, name) is not None

    def get(self, name: str, *default: Any) -> Any:
        """The value of ``name``; with a default, returned when the value is None."""
        if name not in self._field_names():
            raise ParameterError(f"{type(self).__name__} has no parameter '{name}'")
        value = getattr(self, name)
        if value is None and default:
            return default[0]
        return value

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._field_names()}

    # ------------------------------------------------------------------ overrides
    def set_from_string(self, name: str, text: str) -> None:
        """Set ``name`` from its text form, converted to the declared type."""
        if name not in self._field_names():
            setattr(self, name, None)  # raises ParameterError with a hint
        hints = typing.get_type_hints(type(self))
        try:
            value = parse_value(text, hints.get(name, Any))
        except (ValueError, SyntaxError) as exc:
            raise ParameterError(
                f"Cannot set parameter '{name}' of {type(self).__name__} to {text!r}: {exc}") from exc
        setattr(self, name, value)

    def apply_overrides(self, overrides: Iterable[str]) -> None:
        """Apply ``key=value`` strings (as given on a command line)."""
        for item in overrides:
            if "=" not in item:
                raise ParameterError(f"Parameter override {item!r} must have the form key=value")
            key, text = item.split("=", 1)
            self.set_from_string(key.strip(), text.strip())


def parse_value(text: str, annotation: Any) -> Any:
    """Convert ``text`` to a value of type ``annotation`` (bool, int, float, str, Optional, tuples)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union:
        if text.strip().lower() == "none" and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return parse_value(text, option)
            except (ValueError, SyntaxError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors))
    if annotation is bool:
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f"expected a boolean (true/false), got {text!r}")
    if annotation is int:
        return int(text)
    if annotation is float:
        return float(text)
    if annotation is str:
        return text
    if annotation is Any:
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
    value = ast.literal_eval(text)
    if origin in (tuple, list) and not isinstance(value, (tuple, list)):
        raise ValueError(f"expected a {origin.__name__}, got {text!r}")
    if origin in (tuple, list):
        return origin(value)
    return value
