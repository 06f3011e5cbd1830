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
from ltr.models.siam.published import published_model
from ltr.models.siam.published_loading import load_published
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
    if getattr(params, "published_model", None):
        return published_network(params, tracker)
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


def published_network(params, tracker: str) -> torch.nn.Module:
    """The model of ``params.published_model`` with the weights of the published file
    ``params.network_path``; a missing file is an error naming the setting and the file."""
    entry = published_model(params.published_model)
    if not params.network_path:
        raise FileNotFoundError(f"{tracker}: params.network_path is not set; it must name the "
                                f"{entry.project} file of {params.published_model} "
                                f"({entry.file_name})")
    path, reason = resolve_network_file(params.network_path)
    if path is None:
        raise FileNotFoundError(
            f"{tracker}: the {entry.project} weight file of {params.published_model} "
            f"(params.network_path = {params.network_path!r}) was not found: "
            f"{reason.rstrip('.')}. Put the published file there (the folder is the network_path "
            f"setting of pytracking/evaluation/local.py) or set params.network_path to its "
            f"absolute path.")
    return load_published(params.published_model, path)
