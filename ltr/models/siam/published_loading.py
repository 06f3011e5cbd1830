"""Loading published Siamese weight files (pysot, DaSiamRPN, siamfc-pytorch) into this project's
models (:mod:`ltr.models.siam.published`).

The file is read with the project's safe checkpoint reader
(:func:`ltr.admin.loading.torch_load_legacy`: ``torch.load(weights_only=True)``, nothing
imported or run). Accepted layouts, as the projects' own loaders accept them: a flat state dict, or
a pysot training snapshot ``{"state_dict": ..., ...}``; keys may carry a ``module.`` prefix
(``nn.DataParallel``). ``*.num_batches_tracked`` entries may be absent (files saved before PyTorch
0.4.1, e.g. DaSiamRPN's): they are set to 0. Everything else must match exactly: a key no rule
maps, a missing key, or a wrong shape is an error naming the file and the first such key.
"""
from __future__ import annotations

import logging
import os
import pickle
import zipfile
from pathlib import Path

import torch

from ltr.admin.loading import torch_load_legacy
from ltr.models.siam.published import model_key, published_key, published_model

logger = logging.getLogger(__name__)

_BN_COUNTER = ".num_batches_tracked"


class PublishedWeightsError(ValueError):
    """A published weight file that cannot be read or does not fit its model."""


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The state dict of a published file: unwrapped from ``state_dict`` and without ``module.``."""
    path = Path(path)
    try:
        data = torch_load_legacy(path)
    except FileNotFoundError:
        raise
    except (RuntimeError, EOFError, OSError, ValueError, pickle.UnpicklingError,
            zipfile.BadZipFile) as exc:
        raise PublishedWeightsError(f"Cannot read the weight file {path}: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("state_dict"), dict):
        data = data["state_dict"]
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise PublishedWeightsError(f"{path} holds a {type(data).__name__}, not a state dict "
                                    f"(a dict of tensors by key name)")
    state = {}
    for key, value in data.items():
        if not isinstance(value, torch.Tensor):
            raise PublishedWeightsError(f"{path}: entry {key!r} is a {type(value).__name__}, "
                                        f"not a tensor")
        state[key[len("module."):] if key.startswith("module.") else key] = value
    return state


def convert_state_dict(name: str, state: dict[str, torch.Tensor], model: torch.nn.Module,
                       source: str) -> dict[str, torch.Tensor]:
    """``state`` (published key names of ``name``) renamed to ``model``'s keys and checked.

    Raises :class:`PublishedWeightsError` naming ``source`` and the first key (in file order; then
    the first missing key in model order) that no rule maps, has the wrong shape or is missing.
    """
    expected = model.state_dict()
    converted: dict[str, torch.Tensor] = {}
    for file_key, value in state.items():
        key = model_key(name, file_key)
        if key is None or key not in expected:
            raise PublishedWeightsError(
                f"{source} is not a {name} weight file: first mismatching key {file_key!r} "
                f"(not in the {published_model(name).project} {name} layout)")
        if tuple(value.shape) != tuple(expected[key].shape):
            raise PublishedWeightsError(
                f"{source} does not fit {name}: first mismatching key {file_key!r} has shape "
                f"{tuple(value.shape)}, expected {tuple(expected[key].shape)}")
        if value.is_floating_point() != expected[key].is_floating_point():
            raise PublishedWeightsError(
                f"{source} does not fit {name}: first mismatching key {file_key!r} has dtype "
                f"{value.dtype}, expected {expected[key].dtype}")
        converted[key] = value.to(expected[key].dtype)
    for key, value in expected.items():
        if key in converted:
            continue
        if key.endswith(_BN_COUNTER):
            converted[key] = torch.zeros_like(value)
            continue
        raise PublishedWeightsError(
            f"{source} does not fit {name} (truncated or another model?): first mismatching key "
            f"{published_key(name, key)!r} is missing ({len(state)} entries in the file)")
    return converted


def load_published(name: str, path: str | os.PathLike) -> torch.nn.Module:
    """The model of published layout ``name`` with the weights of file ``path`` (CPU, eval)."""
    entry = published_model(name)
    model = entry.build()
    state = read_state_dict(path)
    model.load_state_dict(convert_state_dict(name, state, model, str(path)), strict=True)
    logger.info("loaded %s weights (%s) from %s", name, entry.project, path)
    return model.eval()
