"""Every random state a training run depends on, as plain data for its checkpoints.

Resuming from a checkpoint continues exactly as the uninterrupted run would have: the checkpoint
holds the states of Python's ``random``, numpy's global generator, torch's CPU (and CUDA) generators,
each loader's own ``torch.Generator`` (shuffle order, worker seeds), the generator of each loader's
sampler (:class:`ltr.data.rng.WorkerRNG`, used when loading in the main process) and the data
pipeline's process-wide default generator. Everything is stored as tensors, ints and strings so that
``torch.load(weights_only=True)`` reads it.
"""
from __future__ import annotations

import random
from typing import Any, Sequence

import numpy as np
import torch

from ltr.data import rng as data_rng


def _sampler_rng(loader: Any) -> data_rng.WorkerRNG | None:
    value = getattr(getattr(loader, "dataset", None), "rng", None)
    return value if isinstance(value, data_rng.WorkerRNG) else None


def capture(loaders: Sequence[Any]) -> dict[str, Any]:
    """The random states of this process and of ``loaders``."""
    version, mt_state, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": (version, tuple(mt_state), gauss),
        "numpy": (name, torch.from_numpy(np.asarray(keys, dtype=np.int64)), int(pos),
                  int(has_gauss), float(cached)),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "data_default": data_rng._DEFAULT.state_dict(),
        "loaders": {loader.name: {
            "generator": (loader.generator.get_state()
                          if getattr(loader, "generator", None) is not None else None),
            "sampler": _sampler_rng(loader).state_dict() if _sampler_rng(loader) else None,
        } for loader in loaders},
    }


def restore(state: Any, loaders: Sequence[Any], source: str) -> None:
    """Set the random states from :func:`capture`'s ``state``; raises ValueError naming ``source``
    (the checkpoint) when the state is malformed. Loaders the state does not know keep theirs."""
    try:
        version, mt_state, gauss = state["python"]
        name, keys, pos, has_gauss, cached = state["numpy"]
        random.setstate((int(version), tuple(int(x) for x in mt_state),
                         None if gauss is None else float(gauss)))
        np.random.set_state((str(name), keys.numpy().astype(np.uint32), int(pos), int(has_gauss),
                             float(cached)))
        torch.set_rng_state(state["torch"])
        if torch.cuda.is_available() and state["cuda"]:
            torch.cuda.set_rng_state_all(state["cuda"])
        data_rng._DEFAULT.load_state_dict(state["data_default"])
        for loader in loaders:
            saved = state["loaders"].get(loader.name)
            if saved is None:
                continue
            if saved["generator"] is not None and getattr(loader, "generator", None) is not None:
                loader.generator.set_state(saved["generator"])
            sampler_rng = _sampler_rng(loader)
            if sampler_rng is not None:
                sampler_rng.load_state_dict(saved["sampler"])
    except (KeyError, TypeError, ValueError, AttributeError, RuntimeError) as exc:
        raise ValueError(f"Checkpoint {source}: malformed random state 'rng_state' ({exc})") from exc
