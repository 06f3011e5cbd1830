"""Random number generators of the data pipeline: one numpy Generator per process / loader worker.

A :class:`WorkerRNG` re-seeds itself whenever it is used in a new process or loader worker:
- in a DataLoader worker from ``(seed, worker seed)``; the worker seed is ``base_seed + worker_id``,
  where the loader draws ``base_seed`` from its generator anew for every epoch, so workers differ from
  each other and between epochs, and a seeded loader (``LTRLoader(seed=...)`` or ``torch.manual_seed``)
  repeats exactly;
- in the main process from ``seed`` alone, or from ``torch.initial_seed()`` when ``seed`` is None
  (so ``torch.manual_seed`` makes it reproducible).
"""

from __future__ import annotations

import os
from typing import Optional

import numpy as np
import torch
import torch.utils.data


def _process_entropy(seed: Optional[int]) -> tuple[list[int], tuple]:
    """Entropy for the generator in this process, and a key that changes when it must be redrawn."""
    info = torch.utils.data.get_worker_info()
    if info is not None:
        worker_seed = int(info.seed) & 0xFFFFFFFFFFFFFFFF
        entropy = ([int(seed)] if seed is not None else []) + [worker_seed]
        return entropy, (os.getpid(), "worker", worker_seed)
    if seed is not None:
        return [int(seed)], (os.getpid(), "seed")
    initial = int(torch.initial_seed()) & 0xFFFFFFFFFFFFFFFF
    return [initial], (os.getpid(), "torch", initial)


class WorkerRNG:
    """Gives the numpy Generator for the current process (see module docstring)."""

    def __init__(self, seed: Optional[int] = None) -> None:
        if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        self.seed = None if seed is None else int(seed)
        self._key: Optional[tuple] = None
        self._generator: Optional[np.random.Generator] = None

    def get(self) -> np.random.Generator:
        entropy, key = _process_entropy(self.seed)
        if key != self._key:
            self._generator = np.random.default_rng(np.random.SeedSequence(entropy))
            self._key = key
        return self._generator

    def state_dict(self) -> Optional[dict]:
        """The generator's state in this process (None when it has not been used here yet), for
        training checkpoints."""
        if self._generator is None or _process_entropy(self.seed)[1] != self._key:
            return None
        return dict(self._generator.bit_generator.state)

    def load_state_dict(self, state: Optional[dict]) -> None:
        """Continue from a state of :meth:`state_dict` in this process (None: start fresh)."""
        if state is None:
            self._key, self._generator = None, None
            return
        entropy, key = _process_entropy(self.seed)
        generator = np.random.default_rng(np.random.SeedSequence(entropy))
        generator.bit_generator.state = dict(state)  # numpy checks the fields and their types
        self._key, self._generator = key, generator

    def __getstate__(self) -> dict:
        # A pickled copy (e.g. sent to a spawned worker) starts fresh in the new process.
        return {"seed": self.seed, "_key": None, "_generator": None}


_DEFAULT = WorkerRNG()


def default_rng() -> np.random.Generator:
    """The process-wide generator used when no generator is passed explicitly."""
    return _DEFAULT.get()


def resolve_rng(rng: Optional[np.random.Generator]) -> np.random.Generator:
    """``rng`` itself, or the process-wide default generator when it is None."""
    return default_rng() if rng is None else rng
