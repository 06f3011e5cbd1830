"""Epoch loop, fail-safe restarts and checkpointing shared by all trainers."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import torch

from ltr.actors.base_actor import BaseActor
from ltr.admin import loading
from ltr.admin import multigpu
from ltr.admin.multigpu import unwrap
from ltr.admin.settings import default_device

logger = logging.getLogger(__name__)

#: Checkpoint entries restored by :meth:`BaseTrainer.load_checkpoint` unless asked otherwise.
_NEVER_RESTORED = ("lr_scheduler", "constructor", "net_type", "actor_type", "net_info")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class BaseTrainer(ABC):
    """Trains ``actor`` with ``optimizer`` over ``loaders`` for a number of epochs.

    Subclasses implement :meth:`train_epoch`. After every epoch the LR scheduler steps and a
    checkpoint ``<workspace_dir>/checkpoints/<project_path>/<NetType>_epNNNN.pth.tar`` is written
    (atomically: a temporary file in the same folder, renamed when complete).

    Inside a process group (distributed launch, see :mod:`ltr.admin.multigpu`) the network is
    wrapped in DistributedDataParallel (``settings.ddp_find_unused_parameters``, default False),
    only rank 0 writes checkpoints, and every rank waits until the checkpoint is written.
    """

    def __init__(self, actor: BaseActor, loaders: Sequence[Any], optimizer: torch.optim.Optimizer,
                 settings: Any, lr_scheduler: Any = None) -> None:
        self.actor = actor
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.loaders = list(loaders)
        self.settings = settings
        if hasattr(settings, "check_overrides"):
            settings.check_overrides()  # command-line key=value names: all used by now
        self.epoch = 0
        self.stats: dict = {}
        self.device = default_device(settings)
        self.actor.to(self.device)
        self.distributed = multigpu.is_distributed()
        self.is_main_process = multigpu.is_main_process()
        if self.distributed:
            self.actor.net = multigpu.wrap_distributed(
                self.actor.net, self.device,
                bool(getattr(settings, "ddp_find_unused_parameters", False)))
        self._checkpoint_dir = os.path.join(os.path.expanduser(settings.env.workspace_dir),
                                            "checkpoints")

    # ------------------------------------------------------------------ training
    @abstractmethod
    def train_epoch(self) -> None:
        """Run one epoch (``self.epoch``) over the loaders."""

    def train(self, max_epochs: int, load_latest: bool = False, fail_safe: bool = True) -> None:
        """Train until epoch ``max_epochs``.

        Args:
            load_latest: first resume from the latest checkpoint of this run (if there is one).
            fail_safe: after an ``Exception`` (not ``KeyboardInterrupt``), log it and resume from
                the latest checkpoint; at most ``settings.max_restarts`` (default 10) times. In a
                distributed run the other processes cannot be resynchronised from inside, so the
                exception is raised; restart the whole group (``torchrun --max-restarts``) and
                ``load_latest`` resumes it.
        """
        max_restarts = int(getattr(self.settings, "max_restarts", 10))
        restarts = 0
        epoch = self.epoch
        while True:
            try:
                if load_latest and not self.load_checkpoint():
                    logger.info("No checkpoint to resume from in %s; starting at epoch %d",
                                self._run_checkpoint_dir(), self.epoch + 1)
                for epoch in range(self.epoch + 1, max_epochs + 1):
                    self.epoch = epoch
                    self.train_epoch()
                    if self.lr_scheduler is not None:
                        self.lr_scheduler.step()
                    if self.is_main_process:
                        self.save_checkpoint()
                    multigpu.barrier()
                break
            except Exception:
                if not fail_safe or self.distributed:
                    raise
                logger.exception("Training crashed at epoch %d", epoch)
                if restarts >= max_restarts:
                    logger.error("Giving up after %d restarts", restarts)
                    raise
                restarts += 1
                # Resume at the crashed epoch: from the latest checkpoint if there is one, else
                # from the current weights with the epoch's partial statistics discarded.
                self.epoch = max(epoch - 1, 0)
                self._discard_epoch_stats()
                load_latest = True
                logger.warning("Restarting training from the last checkpoint (restart %d of %d)",
                               restarts, max_restarts)
        logger.info("Finished training at epoch %d", self.epoch)

    def _discard_epoch_stats(self) -> None:
        for loader_stats in self.stats.values():
            for value in (loader_stats or {}).values():
                if hasattr(value, "count") and hasattr(value, "reset"):
                    value.reset()

    # --------------------------------------------------------------- checkpoints
    def _net(self) -> torch.nn.Module:
        return unwrap(self.actor.net)

    def _run_checkpoint_dir(self) -> str:
        return os.path.join(self._checkpoint_dir, self.settings.project_path)

    def checkpoint_path(self, epoch: int) -> str:
        """File name of the checkpoint of ``epoch``."""
        return os.path.join(self._run_checkpoint_dir(),
                            f"{type(self._net()).__name__}_ep{epoch:04d}.pth.tar")

    def checkpoint_state(self) -> dict:
        """Everything a checkpoint stores."""
        net = self._net()
        return {
            "epoch": self.epoch,
            "actor_type": type(self.actor).__name__,
            "net_type": type(net).__name__,
            "net": net.state_dict(),
            "net_info": getattr(net, "info", None),
            "constructor": getattr(net, "constructor", None),
            "optimizer": self.optimizer.state_dict(),
            "lr_scheduler": (self.lr_scheduler.state_dict()
                             if self.lr_scheduler is not None else None),
            "stats": self.stats,
            "settings": self.settings,
        }

    def save_checkpoint(self) -> str:
        """Write the checkpoint of the current epoch atomically; returns its path."""
        final_path = self.checkpoint_path(self.epoch)
        directory = os.path.dirname(final_path)
        os.makedirs(directory, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(prefix="." + os.path.basename(final_path) + ".",
                                        suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as f:
                torch.save(self.checkpoint_state(), f)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp_path, 0o666 & ~_current_umask())  # mkstemp creates files as 0600
            os.replace(tmp_path, final_path)
        except BaseException:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise
        logger.info("Saved checkpoint %s", final_path)
        return final_path

    def _resolve_checkpoint(self, checkpoint: int | str | None) -> Path | None:
        net_type = type(self._net()).__name__
        if checkpoint is None or (isinstance(checkpoint, str) and os.path.isdir(checkpoint)):
            directory = Path(self._run_checkpoint_dir() if checkpoint is None else checkpoint)
            files = [p for p in directory.glob(f"{net_type}_ep*.pth.tar")
                     if loading.checkpoint_epoch(p) >= 0] if directory.is_dir() else []
            return max(files, key=loading.checkpoint_epoch) if files else None
        if isinstance(checkpoint, int):
            path = Path(self.checkpoint_path(checkpoint))
            if not path.is_file():
                raise FileNotFoundError(f"No checkpoint for epoch {checkpoint}: {path}")
            return path
        if isinstance(checkpoint, (str, os.PathLike)):
            return Path(checkpoint).expanduser()
        raise TypeError(f"checkpoint must be None, an epoch number or a path, not "
                        f"{type(checkpoint).__name__}")

    def load_checkpoint(self, checkpoint: int | str | None = None,
                        fields: Iterable[str] | None = None,
                        ignore_fields: Iterable[str] | None = None,
                        load_constructor: bool = False) -> bool:
        """Restore the trainer from a checkpoint.

        Args:
            checkpoint: None (the latest of this run), an epoch number, a file or a folder (latest).
            fields: checkpoint entries to restore (default: all but ``ignore_fields``): ``net``,
                ``optimizer``, ``epoch``, ``stats`` ... The LR scheduler follows ``epoch``.
            ignore_fields: entries not to restore (default: ``settings``).
            load_constructor: also set ``net.constructor`` from the checkpoint.

        Returns:
            False if ``checkpoint`` is None and this run has no checkpoint yet, else True.
        """
        path = self._resolve_checkpoint(checkpoint)
        if path is None:
            return False
        state = loading.torch_load_legacy(path)
        net = self._net()
        if state.get("net_type") != type(net).__name__:
            raise ValueError(f"Checkpoint {path} holds a {state.get('net_type')}, but the trainer's "
                             f"network is a {type(net).__name__}")
        ignore = set(["settings"] if ignore_fields is None else ignore_fields) | set(_NEVER_RESTORED)
        fields = list(state.keys() if fields is None else fields)
        for key in fields:
            if key in ignore:
                continue
            if key not in state:
                raise KeyError(f"Checkpoint {path} has no entry '{key}'")
            if key == "net":
                net.load_state_dict(state["net"])
            elif key == "optimizer":
                self.optimizer.load_state_dict(state["optimizer"])
            else:
                setattr(self, key, state[key])
        if load_constructor and state.get("constructor") is not None:
            net.constructor = state["constructor"]
        if state.get("net_info") is not None:
            net.info = state["net_info"]
        if "epoch" in fields and self.lr_scheduler is not None:
            if state.get("lr_scheduler") is not None:
                self.lr_scheduler.load_state_dict(state["lr_scheduler"])
            else:  # checkpoints of the original project store no scheduler state
                self.lr_scheduler.last_epoch = self.epoch
        logger.info("Loaded checkpoint %s (epoch %s)", path, state.get("epoch"))
        return True
