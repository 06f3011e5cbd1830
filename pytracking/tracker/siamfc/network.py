"""Getting the SiamFC network of a parameter set: a given object, a weights file, or a seeded
random initialisation (with one warning per weights file and process)."""
from __future__ import annotations

import torch

from ltr.models.siam import siamfc_alexnet
from pytracking.tracker.base.network_file import network_from_params

_WARNED: set[str] = set()


def random_network(seed: int, width: float = 1.0) -> torch.nn.Module:
    """``siamfc_alexnet(width)`` initialised from ``seed`` (the global torch RNG is left as it was)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        return siamfc_alexnet(width=width)


def get_network(params) -> torch.nn.Module:
    """``params.net`` if set; else the network of ``params.network_path``; else (file missing) a
    seeded random network, with a warning the first time per file name."""
    return network_from_params(
        params, "SiamFC", ("template", "search", "score"), "SiamFCNet",
        lambda: random_network(params.random_init_seed, params.net_width),
        f"network (seed {params.random_init_seed})", "python ltr/run_training.py siam siamfc",
        _WARNED)
