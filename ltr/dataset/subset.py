"""The ``data_fraction`` option shared by the datasets."""

from __future__ import annotations

import random
from typing import Optional, TypeVar

T = TypeVar("T")

#: Seed of the subset draw, so a fraction selects the same sequences in every run and worker.
DATA_FRACTION_SEED = 0


def fraction_subset(items: list[T], data_fraction: Optional[float]) -> list[T]:
    """A reproducible random subset with ``round(len * data_fraction)`` items (order kept)."""
    if data_fraction is None:
        return items
    if not 0.0 < data_fraction <= 1.0:
        raise ValueError(f"data_fraction must be in (0, 1], got {data_fraction}")
    count = max(1, int(round(len(items) * data_fraction)))
    chosen = sorted(random.Random(DATA_FRACTION_SEED).sample(range(len(items)), count))
    return [items[i] for i in chosen]
