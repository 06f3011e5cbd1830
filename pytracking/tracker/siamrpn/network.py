"""Getting the SiamRPN network of a parameter set: a given object, a weights file, or a seeded
random initialisation (with one warning per weights file and process)."""
from __future__ import annotations

import torch

import ltr.models.siam.siamrpn as siamrpn_models
from ltr.models.siam.siamrpn_resnet import siamrpn_resnet50
from pytracking.tracker.base.network_file import network_from_params
from pytracking.tracker.siamrpn.params import MODELS

_WARNED: set[str] = set()


def random_network(model: str, seed: int, width: float = 1.0, hidden: int = 256,
                   num_anchors: int = 5) -> torch.nn.Module:
    """``model`` (``siamrpn_alexnet``, ``siamrpn_alexnet_dw`` with ``width``, or
    ``siamrpn_resnet50``) initialised from ``seed``; the global torch RNG is left as it was."""
    if model not in MODELS:
        raise ValueError(f"Unknown SiamRPN model {model!r} (params.model); use one of {MODELS}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        if model == "siamrpn_resnet50":
            return siamrpn_resnet50(hidden=hidden, num_anchors=num_anchors)
        return getattr(siamrpn_models, model)(width=width, hidden=hidden, num_anchors=num_anchors)


def get_network(params) -> torch.nn.Module:
    """``params.net`` if set; else the network of ``params.network_path``; else (file missing) a
    seeded random ``params.model``, with a warning the first time per file name."""
    return network_from_params(
        params, "SiamRPN", ("template", "search", "rpn"), "SiamRPNNet",
        lambda: random_network(params.model, params.random_init_seed, params.net_width,
                               params.net_hidden, params.num_anchors),
        f"{params.model} (seed {params.random_init_seed})",
        "python ltr/run_training.py siam siamrpn (or siamrpn_pp)", _WARNED)
