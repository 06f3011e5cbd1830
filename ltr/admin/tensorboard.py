"""Tensorboard scalars of a training run (per epoch, and per iteration for training loaders), one
event folder per loader."""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Iterable, Mapping


class TensorboardWriter:
    """Writes the epoch history of every stat (losses, learning rates) of every loader.

    ``<directory>/<loader name>/`` holds the scalars of one loader, ``<directory>/info/`` the run's
    module, script and description.
    """

    def __init__(self, directory: str, loader_names: Iterable[str]) -> None:
        from torch.utils.tensorboard import SummaryWriter  # imports tensorboard: only when used

        self._summary_writer = SummaryWriter
        self.directory = directory
        self.writer = OrderedDict(
            (name, SummaryWriter(os.path.join(directory, name))) for name in loader_names)

    def write_info(self, module_name: str, script_name: str, description: str) -> None:
        """Record which train-settings module ran, and its description."""
        info_writer = self._summary_writer(os.path.join(self.directory, "info"))
        info_writer.add_text("Module_name", str(module_name))
        info_writer.add_text("Script_name", str(script_name))
        info_writer.add_text("Description", str(description))
        info_writer.close()

    def write_epoch(self, stats: Mapping[str, Mapping | None], epoch: int, ind: int = -1) -> None:
        """Write ``history[ind]`` of every stat that got new data this epoch."""
        for loader_name, loader_stats in stats.items():
            if loader_stats is None or loader_name not in self.writer:
                continue
            for var_name, val in loader_stats.items():
                history = getattr(val, "history", None)
                if history and getattr(val, "has_new_data", True):
                    self.writer[loader_name].add_scalar(var_name, history[ind], epoch)
            self.writer[loader_name].flush()

    def write_iteration(self, loader_name: str, step: int, scalars: Mapping[str, float]) -> None:
        """Per-iteration scalars (losses, learning rates, samples/s) as ``Iteration/<name>`` at
        global iteration ``step`` (1-based over the whole run)."""
        writer = self.writer.get(loader_name)
        if writer is None:
            return
        for name, value in scalars.items():
            writer.add_scalar(f"Iteration/{name}", float(value), step)

    def close(self) -> None:
        for writer in self.writer.values():
            writer.close()
