"""Load networks and checkpoints safely (``torch.load(..., weights_only=True)``).

A checkpoint is a dict with at least ``net`` (state dict) and ``constructor``
(:class:`~ltr.admin.model_constructor.NetConstructor`); training checkpoints also hold ``epoch``,
``optimizer``, ``stats`` (dicts of :class:`~ltr.admin.stats.AverageMeter` /
:class:`~ltr.admin.stats.StatValue`) and ``settings`` (:class:`~ltr.admin.settings.Settings` whose
``env`` is the machine's path settings). Only these classes are allow-listed for unpickling, under
their current names and under the names older checkpoints of the original project use
(``dlframework.common.utils.*``; ``ltr.admin.local.EnvironmentSettings`` for ``env``), and each
checks the state it is given (:mod:`ltr.admin.pickled_state`).

A checkpoint is data: :func:`load_network` builds only networks of registered constructors with
plain, correctly typed arguments (:mod:`ltr.admin.model_constructor`); anything else raises
:class:`~ltr.admin.model_constructor.ConstructorNotAllowed` naming the file and the constructor,
before anything named by the checkpoint is imported or called.
"""
from __future__ import annotations

import inspect
import logging
import os
import pickle
import re
from pathlib import Path
from typing import Any

import torch

from ltr.admin.model_constructor import ConstructorNotAllowed, NetConstructor, canonical_module
from ltr.admin.settings import EnvironmentRecord, Settings
from ltr.admin.stats import AverageMeter, StatValue

logger = logging.getLogger(__name__)

_EPOCH_RE = re.compile(r"_ep(\d+)\.pth\.tar$")


def checkpoint_safe_globals() -> list[tuple[type, str]]:
    """The (class, pickled name) pairs a checkpoint may contain."""
    pairs: list[tuple[type, str]] = []
    for cls, module in ((NetConstructor, "model_constructor"), (Settings, "settings"),
                        (AverageMeter, "stats"), (StatValue, "stats")):
        pairs.append((cls, f"ltr.admin.{module}.{cls.__name__}"))
        pairs.append((cls, f"dlframework.common.utils.{module}.{cls.__name__}"))
    pairs.append((EnvironmentRecord, f"{EnvironmentRecord.__module__}.EnvironmentRecord"))
    # The original project pickled its local settings object (class EnvironmentSettings of the
    # machine's local.py) into every training checkpoint; read it as a plain record of paths.
    pairs.append((EnvironmentRecord, "ltr.admin.local.EnvironmentSettings"))
    pairs.append((EnvironmentRecord, "dlframework.common.utils.local.EnvironmentSettings"))
    return pairs


def torch_load_legacy(path: str | os.PathLike, map_location: Any = "cpu") -> dict:
    """Load a checkpoint file with ``weights_only=True``, allowing only the checkpoint classes.

    Works for files of the original project (also those from before its package was renamed) and
    for GPU-saved files on CPU-only machines (``map_location``, default CPU).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Checkpoint file not found: {path}")
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals()):
            return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise pickle.UnpicklingError(
            f"Checkpoint {path} contains objects that are not allowed in a checkpoint "
            f"(only tensors, containers, NetConstructor, Settings and stats): {exc}") from exc


def checkpoint_epoch(path: Path) -> int:
    """The epoch number of a ``*_epNNNN.pth.tar`` file name, -1 for other names."""
    match = _EPOCH_RE.search(path.name)
    return int(match.group(1)) if match else -1


def find_checkpoint(directory: str | os.PathLike, epoch: int | None = None) -> Path:
    """The checkpoint ``*_ep<epoch>.pth.tar`` in ``directory`` (the latest if ``epoch`` is None)."""
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise FileNotFoundError(f"Checkpoint folder not found: {directory}")
    candidates = [p for p in directory.glob("*_ep*.pth.tar") if checkpoint_epoch(p) >= 0]
    if epoch is not None:
        candidates = [p for p in candidates if checkpoint_epoch(p) == epoch]
    if not candidates:
        what = f"epoch {epoch}" if epoch is not None else "any epoch"
        raise FileNotFoundError(f"No checkpoint (*_epNNNN.pth.tar) for {what} in {directory}")
    return max(candidates, key=lambda p: (checkpoint_epoch(p), p.name))


def _is_state_dict(value: Any) -> bool:
    return isinstance(value, dict) and len(value) > 0 and all(
        isinstance(k, str) and torch.is_tensor(v) for k, v in value.items())


def architecture_constructor(architecture: str, kwds: dict | None = None) -> NetConstructor:
    """The constructor ``module.function`` (a registered network constructor) with keyword
    arguments ``kwds``, for checkpoints that store only weights."""
    module, _, name = architecture.rpartition(".")
    if not module:
        raise ValueError(f"Network architecture {architecture!r} must be 'module.function', e.g. "
                         f"'ltr.models.bbreg.atom.atom_resnet18'")
    return NetConstructor(name, module, (), dict(kwds or {}))


def load_network(network_dir_or_path: str | os.PathLike, checkpoint: int | str | None = None,
                 constructor_fun_name: str | None = None, constructor_module: str | None = None,
                 architecture: str | None = None, architecture_kwargs: dict | None = None,
                 **kwargs: Any) -> tuple[torch.nn.Module, dict]:
    """Rebuild a network from a checkpoint's constructor and load its weights (on the CPU).

    Args:
        network_dir_or_path: a ``.pth.tar``/``.pth`` file, or a folder of ``*_epNNNN.pth.tar`` files
            (the latest is used unless ``checkpoint`` is given).
        checkpoint: epoch number (within the folder) or file path.
        constructor_fun_name, constructor_module: override the stored constructor function.
        architecture, architecture_kwargs: the registered constructor (``module.function``) and its
            keyword arguments to use when the checkpoint stores only weights (``{'net': state
            dict}`` or a bare state dict).
        **kwargs: override the constructor's keyword arguments (e.g. ``backbone_pretrained=False``);
            names the constructor does not take are ignored with a warning.

    Returns:
        (net, checkpoint dict).
    """
    path = Path(network_dir_or_path).expanduser()
    if isinstance(checkpoint, str):
        checkpoint_path = Path(checkpoint).expanduser()
    elif path.is_file():
        checkpoint_path = path
    else:
        checkpoint_path = find_checkpoint(path, checkpoint)

    checkpoint_dict = torch_load_legacy(checkpoint_path)
    if _is_state_dict(checkpoint_dict) and "net" not in checkpoint_dict:
        checkpoint_dict = {"net": checkpoint_dict}  # a bare state dict
    if not isinstance(checkpoint_dict, dict):
        raise TypeError(f"Checkpoint {checkpoint_path} holds a {type(checkpoint_dict).__name__}, "
                        f"not a dict")
    constructor = checkpoint_dict.get("constructor")
    if constructor is None:
        if architecture is None:
            raise RuntimeError(
                f"Checkpoint {checkpoint_path} stores only weights, no network constructor; name "
                f"the architecture (parameter 'net_architecture', e.g. "
                f"'ltr.models.bbreg.atom.atom_resnet18') or build the network in code and load "
                f"checkpoint['net'] into it.")
        constructor = architecture_constructor(architecture, architecture_kwargs)
    if not isinstance(constructor, NetConstructor):
        raise ConstructorNotAllowed(f"Checkpoint {checkpoint_path}: 'constructor' is a "
                                    f"{type(constructor).__name__}, not a NetConstructor")
    if constructor_fun_name is not None:
        constructor.fun_name = constructor_fun_name
    if constructor_module is not None:
        constructor.fun_module = constructor_module
    net_fun = constructor.resolve(str(checkpoint_path))  # refuses anything not allow-listed
    constructor.fun_module = canonical_module(constructor.fun_module)

    if kwargs:
        accepted = inspect.signature(inspect.unwrap(net_fun)).parameters
        constructor.kwds = dict(constructor.kwds)
        for name, value in kwargs.items():
            if name in accepted:
                constructor.kwds[name] = value
            else:
                logger.warning("load_network: %s.%s takes no argument '%s'; ignored",
                               constructor.fun_module, constructor.fun_name, name)

    net = constructor.get(str(checkpoint_path))
    try:
        net.load_state_dict(checkpoint_dict["net"])
    except (KeyError, RuntimeError) as exc:
        raise RuntimeError(f"Cannot load the weights of {checkpoint_path} into "
                           f"{constructor.fun_module}.{constructor.fun_name}: {exc}") from exc
    net.constructor = constructor
    if checkpoint_dict.get("net_info") is not None:
        net.info = checkpoint_dict["net_info"]
    return net, checkpoint_dict


def load_weights(net: torch.nn.Module, path: str | os.PathLike, strict: bool = True) -> torch.nn.Module:
    """Load the ``net`` state dict of checkpoint ``path`` into an existing network."""
    checkpoint_dict = torch_load_legacy(path)
    net.load_state_dict(checkpoint_dict["net"], strict=strict)
    return net
