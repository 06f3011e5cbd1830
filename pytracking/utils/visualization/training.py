"""Training loss curves in visdom, with the same interface as ltr's TensorboardWriter.

``write_epoch(stats, epoch)`` takes the trainer's ``stats`` (``{loader name: {stat name: meter}}``,
meters with a ``history`` list of per-epoch values) and appends the newest value of every stat to a
pane per stat, one curve per loader (train / val). No server: one warning, and nothing is sent.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping, Optional

import numpy as np

from pytracking.utils.visualization.visdom_client import (
    DEFAULT_PORT, DEFAULT_SERVER, VisdomClient, connect)

logger = logging.getLogger(__name__)


def _pane_id(stat_name: str) -> str:
    return "train_" + "".join(c if c.isalnum() else "_" for c in stat_name)


class VisdomTrainingPlotter:
    """Per-epoch curves of a training run's stats in visdom environment ``env``."""

    def __init__(self, server: str = DEFAULT_SERVER, port: int = DEFAULT_PORT,
                 env: str = "training", client: Optional[VisdomClient] = None) -> None:
        self.client = client if client is not None else connect(server, port, env, listen=False)
        self._started: set[str] = set()  # stats whose pane exists

    @property
    def connected(self) -> bool:
        return self.client is not None

    def write_epoch(self, stats: Mapping[str, Optional[Mapping[str, Any]]], epoch: int) -> int:
        """Send the newest value of every stat that has a history; returns how many were sent."""
        if self.client is None:
            return 0
        sent = 0
        for loader_name, loader_stats in stats.items():
            for stat_name, meter in (loader_stats or {}).items():
                history = getattr(meter, "history", None)
                if not history or not getattr(meter, "has_new_data", True):
                    continue
                value = float(history[-1])
                if not np.isfinite(value):
                    continue
                # the first value creates the pane; later ones (other loaders too) append to it
                self.client.line(_pane_id(stat_name), [value], title=stat_name,
                                 append=stat_name in self._started, x=[float(epoch)],
                                 trace=loader_name)
                self._started.add(stat_name)
                sent += 1
        return sent
