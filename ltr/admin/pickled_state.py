"""Checks on the state of objects read from checkpoints (``__setstate__`` of allow-listed classes).

``torch.load(weights_only=True)`` builds an allow-listed object and hands it whatever state the file
holds. The classes a checkpoint may name validate that state here: a dict of identifier names (no
dunder names), optionally from a fixed set, with values of the expected types.
"""
from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping
from typing import Any


def validated_state(state: Any, owner: str, allowed: Iterable[str] | None = None,
                    value_types: tuple[type, ...] | None = None) -> dict[str, Any]:
    """``state`` as a dict after checking it; raises :class:`pickle.UnpicklingError` naming
    ``owner`` (the class) and the offending field."""
    if isinstance(state, tuple) and len(state) == 2 and state[1] is None:
        state = state[0]  # (dict state, slot state) as pickle's load_build accepts it
    if not isinstance(state, Mapping):
        raise pickle.UnpicklingError(f"{owner}: state must be a dict, not {type(state).__name__}")
    allowed_set = set(allowed) if allowed is not None else None
    for name, value in state.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise pickle.UnpicklingError(f"{owner}: field name {name!r} is not allowed")
        if allowed_set is not None and name not in allowed_set:
            raise pickle.UnpicklingError(f"{owner}: unknown field '{name}' "
                                         f"(known: {sorted(allowed_set)})")
        if value_types is not None and not isinstance(value, value_types):
            raise pickle.UnpicklingError(f"{owner}: field '{name}' is a {type(value).__name__}, "
                                         f"expected {' or '.join(t.__name__ for t in value_types)}")
    return dict(state)
