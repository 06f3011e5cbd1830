"""A tracker's network from its parameter set: a given object, a weights file (absolute, or a name
in the ``network_path`` setting), or — when the file is missing — a seeded random initialisation,
with one warning per file name and process."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable, Optional, Sequence

import torch

from ltr.admin.loading import load_network
from pytracking.evaluation.environment import env_settings

logger = logging.getLogger(__name__)


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


def network_from_params(params, tracker: str, required: Sequence[str], net_class: str,
                        random_network: Callable[[], torch.nn.Module], random_description: str,
                        train_command: str, warned: set[str]) -> torch.nn.Module:
    """``params.net`` if set; else the network of ``params.network_path`` (which must have the
    methods in ``required``); else ``random_network()``, warning once per file name (``warned``
    holds the names already warned about)."""
    if params.net is not None:
        return params.net
    reason = "params.network_path is None"
    if params.network_path:
        path, reason = resolve_network_file(params.network_path)
        if path is not None:
            net, _ = load_network(path, architecture=getattr(params, "net_architecture", None),
                                  architecture_kwargs=getattr(params, "net_architecture_kwargs",
                                                              None))
            missing = [m for m in required if not hasattr(net, m)]
            if missing:
                raise TypeError(f"The network in {path} (params.network_path) is a "
                                f"{type(net).__name__} without {missing}; {tracker} needs a "
                                f"{net_class}")
            return net
    key = str(params.network_path)
    if key not in warned:
        warned.add(key)
        logger.warning("%s: no network weights (%s); tracking with a RANDOMLY INITIALISED %s. Set "
                       "network_path in the parameter file or train one with '%s'.", tracker,
                       reason, random_description, train_command)
    return random_network()
