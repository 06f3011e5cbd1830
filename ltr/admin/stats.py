"""Running statistics of a training run.

Both classes are pickled into training checkpoints (``stats``); their names, module path and
attribute names follow the original project so that its checkpoints load.
"""
from __future__ import annotations

from typing import Any

from ltr.admin.pickled_state import validated_state

_NUMBER = (int, float)


class StatValue:
    """The latest value of a quantity and the list of all values seen (e.g. the learning rate)."""

    def __init__(self) -> None:
        self.clear()

    def __setstate__(self, state: Any) -> None:
        state = validated_state(state, "StatValue", ("val", "history"), _NUMBER + (list,))
        self.__dict__.update(state)

    def reset(self) -> None:
        self.val = 0

    def clear(self) -> None:
        self.reset()
        self.history = []

    def update(self, val: float) -> None:
        self.val = val
        self.history.append(self.val)


class AverageMeter:
    """Weighted running average over one epoch; ``history`` keeps the average of every epoch."""

    def __init__(self) -> None:
        self.clear()
        self.has_new_data = False

    def __setstate__(self, state: Any) -> None:
        state = validated_state(state, "AverageMeter",
                                ("avg", "val", "sum", "count", "history", "has_new_data"),
                                _NUMBER + (list,))
        self.__dict__.update(state)

    def reset(self) -> None:
        self.avg = 0
        self.val = 0
        self.sum = 0
        self.count = 0

    def clear(self) -> None:
        self.reset()
        self.history = []

    def update(self, val: float, n: int = 1) -> None:
        """Add ``val`` with weight ``n`` (e.g. a batch mean with the batch size)."""
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

    def new_epoch(self) -> None:
        """Close the epoch: append its average to ``history`` (if anything was added) and reset."""
        if self.count > 0:
            self.history.append(self.avg)
            self.reset()
            self.has_new_data = True
        else:
            self.has_new_data = False
