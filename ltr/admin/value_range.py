"""Ranges of numeric settings and parameters, written as text (``">= 1"``, ``"> 0"``, ``"[0, 1]"``,
``"(0, 1]"``) and checked whenever a value is set."""
from __future__ import annotations

import functools
import math
import numbers
import re
from typing import Any

_BOUND = r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf)\s*"
_INTERVAL = re.compile(r"^\s*([\[(])" + _BOUND + "," + _BOUND + r"([\])])\s*$")
_COMPARISON = re.compile(r"^\s*(>=|>|<=|<)" + _BOUND + "$")


@functools.lru_cache(maxsize=None)
def parse_range(spec: str) -> tuple[float, float, bool, bool]:
    """``(low, high, low_inclusive, high_inclusive)`` of a range text."""
    match = _INTERVAL.match(spec)
    if match:
        opening, low, high, closing = match.groups()
        return float(low), float(high), opening == "[", closing == "]"
    match = _COMPARISON.match(spec)
    if match:
        op, bound = match.groups()
        if op.startswith(">"):
            return float(bound), math.inf, op == ">=", False
        return -math.inf, float(bound), False, op == "<="
    raise ValueError(f"Unknown range {spec!r} (use e.g. '>= 1', '> 0', '[0, 1]', '(0, 1]')")


def in_range(value: float, spec: str) -> bool:
    """Whether the number ``value`` lies in ``spec`` (NaN never does)."""
    low, high, low_in, high_in = parse_range(spec)
    above = value >= low if low_in else value > low
    below = value <= high if high_in else value < high
    return bool(above and below)


def check_range(value: Any, spec: str, what: str) -> None:
    """Raise ValueError naming ``what`` unless ``value`` is None or a number in ``spec``."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a number {spec}, got {value!r}")
    if not in_range(float(value), spec):
        raise ValueError(f"{what} = {value!r} is out of range: it must be {spec}")
