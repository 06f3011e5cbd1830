"""Getting the SiamFC network of a parameter set: a given object, a weights file, or a seeded
random initialisation (with one warning per weights file and process)."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional

import torch

from ltr.admin.loading import load_network
from ltr.models.siam import siamfc_alexnet
from pytracking.evaluation.environment import env_settings

logger = logging.getLogger(__name__)

_WARNED: set[str] = set()


def resolve_network_file(name: str) -> tuple[Optional[Path], str]:
    """(existing file, '') for ``name`` (absolute, or relative to the ``network_path`` setting),
    else (None, why it was not found)."""
    path = Path(os.path.expanduser(name))
    if path.is_absolute():
        return (path, "") if path.is_file() else (None, f"{path} does not exist")
    try:
        folder = Path(env_settings().network_path)
    except FileNotFoundError as exc:  # SettingsPathError: the folder setting is unset or missing
        return None, str(exc)
    candidate = folder / path
    return (candidate, "") if candidate.is_file() else (None, f"{candidate} does not exist")


def random_network(seed: int, width: float = 1.0) -> torch.nn.Module:
    """``siamfc_alexnet(width)`` initialised from ``seed`` (the global torch RNG is left as it was)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        return siamfc_alexnet(width=width)


def get_network(params) -> torch.nn.Module:
    """``params.net`` if set; else the network of ``params.network_path``; else (file missing) a
    seeded random network, with a warning the first time per file name."""
    if params.net is not None:
        return params.net
    reason = "params.network_path is None"
    if params.network_path:
        path, reason = resolve_network_file(params.network_path)
        if path is not None:
            net, _ = load_network(path)
            missing = [m for m in ("template", "search", "score") if not hasattr(net, m)]
            if missing:
                raise TypeError(f"The network in {path} (params.network_path) is a "
                                f"{type(net).__name__} without {missing}; SiamFC needs a SiamFCNet")
            return net
    key = str(params.network_path)
    if key not in _WARNED:
        _WARNED.add(key)
        logger.warning("SiamFC: no network weights (%s); tracking with a RANDOMLY INITIALISED "
                       "network (seed %d). Set network_path in the parameter file or train one "
                       "with 'python ltr/run_training.py siam siamfc'.", reason,
                       params.random_init_seed)
    return random_network(params.random_init_seed, params.net_width)
