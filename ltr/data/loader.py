"""LTRLoader: a torch DataLoader whose collate stacks TensorDicts along ``stack_dim``."""

from __future__ import annotations

import collections.abc
from typing import Any, Callable, Optional

import numpy as np
import torch
import torch.utils.data

from pytracking.libs import TensorDict, TensorList


def ltr_collate(batch: list, stack_dim: int = 0) -> Any:
    """Merge a list of samples: tensors and arrays are stacked along ``stack_dim``, numbers become a
    tensor, strings and None stay a list, mappings and sequences are collated per entry."""
    first = batch[0]
    if torch.is_tensor(first):
        return torch.stack(batch, stack_dim)
    if isinstance(first, np.ndarray):
        if first.dtype.kind in "OUS":
            return batch
        return torch.stack([torch.from_numpy(np.ascontiguousarray(b)) for b in batch], stack_dim)
    if isinstance(first, np.generic):
        return torch.as_tensor(np.array(batch))
    if isinstance(first, bool):
        return torch.tensor(batch, dtype=torch.bool)
    if isinstance(first, int):
        return torch.tensor(batch, dtype=torch.int64)
    if isinstance(first, float):
        return torch.tensor(batch, dtype=torch.float64)
    if first is None or isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, TensorDict):
        return TensorDict((key, ltr_collate([d[key] for d in batch], stack_dim)) for key in first)
    if isinstance(first, collections.abc.Mapping):
        return {key: ltr_collate([d[key] for d in batch], stack_dim) for key in first}
    if isinstance(first, TensorList):
        return TensorList(ltr_collate(list(items), stack_dim) for items in zip(*batch))
    if isinstance(first, collections.abc.Sequence):
        lengths = {len(b) for b in batch}
        if len(lengths) != 1:
            raise ValueError(f"Cannot collate sequences of different lengths {sorted(lengths)}")
        return [ltr_collate(list(items), stack_dim) for items in zip(*batch)]
    raise TypeError(f"Cannot collate values of type {type(first).__name__}")


def ltr_collate_stack1(batch: list) -> Any:
    """:func:`ltr_collate` with ``stack_dim=1`` (batch in the second dimension)."""
    return ltr_collate(batch, 1)


class _Collate:
    """Picklable collate function with a fixed stack dimension."""

    def __init__(self, stack_dim: int) -> None:
        self.stack_dim = stack_dim

    def __call__(self, batch: list) -> Any:
        return ltr_collate(batch, self.stack_dim)


class LTRLoader(torch.utils.data.DataLoader):
    """DataLoader with a name, a training flag, an ``epoch_interval`` (run every n-th epoch) and a
    collate that stacks along ``stack_dim`` (0 or 1). ``seed`` seeds the loader's generator, which
    fixes the shuffle order and the seeds of the workers (see ltr.data.rng)."""

    __initialized = False

    def __init__(
        self,
        name: str,
        dataset,
        training: bool = True,
        batch_size: int = 1,
        shuffle: bool = False,
        sampler=None,
        batch_sampler=None,
        num_workers: int = 0,
        epoch_interval: int = 1,
        collate_fn: Optional[Callable] = None,
        stack_dim: int = 0,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Optional[Callable] = None,
        seed: Optional[int] = None,
        **kwargs,
    ) -> None:
        if stack_dim not in (0, 1):
            raise ValueError(f"LTRLoader stack_dim must be 0 or 1, got {stack_dim}")
        if epoch_interval < 1:
            raise ValueError(f"LTRLoader epoch_interval must be at least 1, got {epoch_interval}")
        if collate_fn is None:
            collate_fn = _Collate(stack_dim)
        generator = None
        if seed is not None:
            generator = torch.Generator()
            generator.manual_seed(int(seed))
        super().__init__(
            dataset,
            batch_size=batch_size,
            shuffle=shuffle,
            sampler=sampler,
            batch_sampler=batch_sampler,
            num_workers=num_workers,
            collate_fn=collate_fn,
            pin_memory=pin_memory,
            drop_last=drop_last,
            timeout=timeout,
            worker_init_fn=worker_init_fn,
            generator=generator,
            **kwargs,
        )
        self.name = name
        self.training = training
        self.epoch_interval = epoch_interval
        self.stack_dim = stack_dim
