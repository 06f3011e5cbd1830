"""The standard trainer: cycles through its loaders every epoch, keeps stats, logs and writes
tensorboard scalars."""
from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from typing import Any, Mapping, Sequence

import torch
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from ltr.actors.base_actor import BaseActor
from ltr.admin import multigpu
from ltr.admin.stats import AverageMeter, StatValue
from ltr.admin.tensorboard import TensorboardWriter
from ltr.trainers.base_trainer import BaseTrainer
from pytracking.libs import TensorDict

logger = logging.getLogger(__name__)


def batch_size_of(data: Mapping[str, Any], stack_dim: int) -> int:
    """Number of samples in a batch: size of ``train_images`` (else the first tensor) along
    ``stack_dim``."""
    value = data.get("train_images")
    if not torch.is_tensor(value):
        value = next((v for v in data.values() if torch.is_tensor(v)), None)
    if value is None:
        raise ValueError("Cannot tell the batch size: the batch holds no tensor")
    return value.shape[stack_dim]


class LTRTrainer(BaseTrainer):
    """Trainer over loaders with ``name``, ``training``, ``epoch_interval`` and ``stack_dim``.

    Per loader and epoch (when ``epoch % loader.epoch_interval == 0``): network in train/eval mode
    and gradients on/off following ``loader.training``; the optimizer steps for training loaders.
    Stats are running averages per loader (``self.stats[loader.name][stat name]``); a progress line
    (FPS, averages) is logged every ``settings.print_interval`` iterations; at the end of every
    epoch the epoch averages and learning rates go to tensorboard
    (``<tensorboard_dir>/<project_path>/<loader name>``), and for training loaders every
    iteration's losses, learning rates and samples/s as ``Iteration/<name>`` at the global
    iteration number.

    ``self.timing[loader name]`` holds, for the latest pass over a loader, the number of
    iterations, the total seconds and the seconds spent waiting for the loader's next batch.

    Distributed runs: the epoch averages are averaged over all processes (weighted by their sample
    counts) before they are recorded, so every rank keeps the same statistics; only rank 0 shows
    progress and writes tensorboard.
    """

    def __init__(self, actor: BaseActor, loaders: Sequence[Any], optimizer: torch.optim.Optimizer,
                 settings: Any, lr_scheduler: Any = None) -> None:
        super().__init__(actor, loaders, optimizer, settings, lr_scheduler)
        self.stats = OrderedDict((loader.name, None) for loader in self.loaders)
        self.print_interval = getattr(settings, "print_interval", 10)
        if isinstance(self.print_interval, bool) or not isinstance(self.print_interval, int) \
                or self.print_interval < 1:
            raise ValueError(f"settings.print_interval must be a positive integer, got "
                             f"{self.print_interval!r}")
        self.print_stats = getattr(settings, "print_stats", None)
        self.move_data_to_gpu = getattr(settings, "move_data_to_gpu", True)
        self.timing: dict[str, dict[str, float]] = {}
        self.tensorboard_writer = None
        if self.is_main_process:
            tensorboard_dir = os.path.join(os.path.expanduser(settings.env.tensorboard_dir),
                                           settings.project_path)
            self.tensorboard_writer = TensorboardWriter(tensorboard_dir,
                                                        [loader.name for loader in self.loaders])
        self.visdom_plotter = None
        if self.is_main_process and getattr(settings, "use_visdom", False):
            from pytracking.utils.visualization.training import VisdomTrainingPlotter
            self.visdom_plotter = VisdomTrainingPlotter(settings.visdom_server,
                                                        settings.visdom_port)

    def train(self, max_epochs: int, load_latest: bool = False, fail_safe: bool = True) -> None:
        if hasattr(self.settings, "report") and self.is_main_process:
            logger.info("%s", self.settings.report())
        try:
            super().train(max_epochs, load_latest, fail_safe)
        finally:
            if self.tensorboard_writer is not None:
                self.tensorboard_writer.close()

    def train_epoch(self) -> None:
        for loader in self.loaders:
            if self.epoch % getattr(loader, "epoch_interval", 1) == 0:
                self.cycle_dataset(loader)
        self._stats_new_epoch()
        if self.tensorboard_writer is not None:
            self._write_tensorboard()
        if self.visdom_plotter is not None:
            self.visdom_plotter.write_epoch(self.stats, self.epoch)

    def cycle_dataset(self, loader: Any) -> None:
        """One pass over ``loader``."""
        training = bool(loader.training)
        self.actor.train(training)
        stack_dim = getattr(loader, "stack_dim", 0)
        num_batches = len(loader)
        self._init_timing()
        data_seconds = 0.0
        start = previous_end = time.perf_counter()
        iterations = 0
        # the statistics lines are logged above the progress bar instead of being appended to it
        with torch.set_grad_enabled(training), logging_redirect_tqdm():
            bar = tqdm(loader, total=num_batches, desc=f"{loader.name} ep{self.epoch}",
                       leave=False, disable=None if self.is_main_process else True)
            for i, data in enumerate(bar, 1):
                data_seconds += time.perf_counter() - previous_end
                iterations = i
                if not isinstance(data, TensorDict):
                    data = TensorDict(data)
                if self.move_data_to_gpu:
                    data = data.to(self.device)
                data["epoch"] = self.epoch
                data["settings"] = self.settings

                loss, stats = self.actor(data)
                if training:
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()

                batch_size = batch_size_of(data, stack_dim)
                self._update_stats(stats, batch_size, loader)
                self._print_stats(i, num_batches, loader, batch_size)
                now = time.perf_counter()
                if training and self.tensorboard_writer is not None:
                    self._write_iteration(loader.name, (self.epoch - 1) * num_batches + i, stats,
                                          batch_size / max(now - previous_end, 1e-9))
                previous_end = now
        self.timing[loader.name] = {"iterations": iterations,
                                    "seconds": time.perf_counter() - start,
                                    "data_seconds": data_seconds}

    # ----------------------------------------------------------------- stats
    def _init_timing(self) -> None:
        self.num_frames = 0
        self.start_time = time.time()
        self.prev_time = self.start_time

    def _update_stats(self, new_stats: Mapping[str, float], batch_size: int, loader: Any) -> None:
        loader_stats = self.stats.get(loader.name)
        if loader_stats is None:
            loader_stats = self.stats[loader.name] = OrderedDict()
        for name, value in new_stats.items():
            if name not in loader_stats:
                loader_stats[name] = AverageMeter()
            loader_stats[name].update(float(value), batch_size)

    def _print_stats(self, i: int, num_batches: int, loader: Any, batch_size: int) -> None:
        self.num_frames += batch_size
        now = time.time()
        batch_fps = batch_size / max(now - self.prev_time, 1e-9)
        average_fps = self.num_frames / max(now - self.start_time, 1e-9)
        self.prev_time = now
        if not self.is_main_process or (i % self.print_interval != 0 and i != num_batches):
            return
        parts = [f"[{loader.name}: {self.epoch}, {i} / {num_batches}] "
                 f"FPS: {average_fps:.1f} ({batch_fps:.1f})"]
        for name, value in self.stats[loader.name].items():
            if (self.print_stats is None or name in self.print_stats) and hasattr(value, "avg"):
                parts.append(f"{name}: {value.avg:.5f}")
        logger.info("  ,  ".join(parts))

    def _stats_new_epoch(self) -> None:
        """Record the learning rates of this epoch and close every running average."""
        for loader in self.loaders:
            if loader.training and self.stats.get(loader.name) is not None:
                for group, param_group in enumerate(self.optimizer.param_groups):
                    name = f"LearningRate/group{group}"
                    if name not in self.stats[loader.name]:
                        self.stats[loader.name][name] = StatValue()
                    self.stats[loader.name][name].update(param_group["lr"])
        if self.distributed:
            self._average_stats_over_processes()
        for loader_stats in self.stats.values():
            for value in (loader_stats or {}).values():
                if hasattr(value, "new_epoch"):
                    value.new_epoch()

    def _average_stats_over_processes(self) -> None:
        """Replace every running average by the sample-weighted average over all processes."""
        meters = [value for loader_stats in self.stats.values()
                  for value in (loader_stats or {}).values() if isinstance(value, AverageMeter)]
        totals = multigpu.all_reduce_sum(
            [x for meter in meters for x in (float(meter.sum), float(meter.count))], self.device)
        for k, meter in enumerate(meters):
            meter.sum, meter.count = totals[2 * k], int(round(totals[2 * k + 1]))
            if meter.count > 0:
                meter.avg = meter.sum / meter.count

    def _write_iteration(self, loader_name: str, step: int, stats: Mapping[str, float],
                         samples_per_second: float) -> None:
        """This iteration's losses, learning rates and samples/s (data loading included)."""
        scalars = {name: value for name, value in stats.items()}
        for group, param_group in enumerate(self.optimizer.param_groups):
            scalars[f"LearningRate/group{group}"] = param_group["lr"]
        scalars["samples_per_second"] = samples_per_second
        self.tensorboard_writer.write_iteration(loader_name, step, scalars)

    def _write_tensorboard(self) -> None:
        if self.epoch == 1:
            self.tensorboard_writer.write_info(getattr(self.settings, "module_name", ""),
                                               getattr(self.settings, "script_name", ""),
                                               getattr(self.settings, "description", ""))
        self.tensorboard_writer.write_epoch(self.stats, self.epoch)
