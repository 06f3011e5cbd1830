"""Epoch loop, fail-safe restarts and checkpointing shared by all trainers."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
import os
import pickle
from pathlib import Path
from typing import Any, Iterable, Sequence

import torch

from ltr.actors.base_actor import BaseActor
from ltr.admin import loading
from ltr.admin.atomic_file import atomic_open, remove_orphans
from ltr.admin.model_constructor import NetConstructor
from ltr.admin.stats import AverageMeter, StatValue
from ltr.admin import multigpu
from ltr.admin.multigpu import unwrap
from ltr.admin.settings import default_device
from ltr.data.image_loader import ImageLoadError
from ltr.data.sampler import FrameSamplingError
from ltr.trainers import rng_state

logger = logging.getLogger(__name__)

#: Checkpoint entries the trainer owns and :meth:`BaseTrainer.load_checkpoint` may restore
#: (``lr_scheduler`` and ``rng_state`` follow ``epoch``).
RESTORABLE_FIELDS = ("net", "optimizer", "epoch", "stats")
#: Entries a checkpoint holds that describe the run but are never restored into the trainer.
_DESCRIPTIVE_FIELDS = ("lr_scheduler", "rng_state", "constructor", "net_type", "actor_type",
                       "net_info", "settings")


#: Errors that a restart from the last checkpoint cannot cure (bad data, code or settings): fail-safe
#: training raises them at once instead of retrying.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    TypeError, ValueError, KeyError, IndexError, AttributeError, NameError, ImportError,
    NotImplementedError, AssertionError, FileNotFoundError, PermissionError, IsADirectoryError,
    NotADirectoryError, SyntaxError, pickle.UnpicklingError, ImageLoadError, FrameSamplingError)


def _check_stats(stats: Any, path: Path) -> None:
    """``stats`` must be {loader name: None or {stat name: AverageMeter or StatValue}}."""
    ok = isinstance(stats, Mapping) and all(
        isinstance(loader, str) and (values is None or (isinstance(values, Mapping) and all(
            isinstance(name, str) and isinstance(value, (AverageMeter, StatValue))
            for name, value in values.items())))
        for loader, values in stats.items())
    if not ok:
        raise TypeError(f"Checkpoint {path}: 'stats' must map loader names to None or to "
                        f"{{name: AverageMeter/StatValue}}")


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
                the latest checkpoint; at most ``settings.max_restarts`` (default 10) times.
                Errors a restart cannot cure (:data:`PERMANENT_ERRORS`: bad data, settings or
                code) are raised at once. In a
                distributed run the other processes cannot be resynchronised from inside, so the
                exception is raised; restart the whole group (``torchrun --max-restarts``) and
                ``load_latest`` resumes it.
        """
        max_restarts = int(getattr(self.settings, "max_restarts", 10))
        if self.is_main_process:  # temporary files of checkpoint writes killed in a previous run
            remove_orphans(self._run_checkpoint_dir())
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
            except Exception as exc:
                if not fail_safe or self.distributed:
                    raise
                if isinstance(exc, PERMANENT_ERRORS):
                    logger.error("Training stopped at epoch %d by an error a restart cannot cure: "
                                 "%s: %s", epoch, type(exc).__name__, exc)
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
            "rng_state": rng_state.capture(self.loaders),
        }

    def save_checkpoint(self) -> str:
        """Write the checkpoint of the current epoch atomically; returns its path."""
        final_path = self.checkpoint_path(self.epoch)
        with atomic_open(final_path, "wb") as f:
            torch.save(self.checkpoint_state(), f)
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

        Only the fields the trainer owns are restored (:data:`RESTORABLE_FIELDS`), each checked for
        its type; the LR scheduler and every random state (:mod:`ltr.trainers.rng_state`) follow
        ``epoch``. Other entries are ignored (unknown ones with a warning); nothing in a checkpoint
        decides where files are written.

        Args:
            checkpoint: None (the latest of this run), an epoch number, a file or a folder (latest).
            fields: checkpoint entries to restore (default: all of ``net``, ``optimizer``,
                ``epoch``, ``stats`` the checkpoint has, but ``ignore_fields``).
            ignore_fields: entries not to restore.
            load_constructor: also set ``net.constructor`` from the checkpoint (it must name an
                allow-listed constructor).

        Returns:
            False if ``checkpoint`` is None and this run has no checkpoint yet, else True.
        """
        path = self._resolve_checkpoint(checkpoint)
        if path is None:
            return False
        state = loading.torch_load_legacy(path)
        if not isinstance(state, Mapping):
            raise TypeError(f"Checkpoint {path} is a {type(state).__name__}, not a dict")
        net = self._net()
        if state.get("net_type") != type(net).__name__:
            raise ValueError(f"Checkpoint {path} holds a {state.get('net_type')}, but the trainer's "
                             f"network is a {type(net).__name__}")
        unknown = sorted(str(k) for k in state if k not in RESTORABLE_FIELDS + _DESCRIPTIVE_FIELDS)
        if unknown:
            logger.warning("Checkpoint %s: ignoring entries the trainer does not own: %s", path,
                           ", ".join(unknown))
        ignore = set(ignore_fields or ())
        requested = [k for k in RESTORABLE_FIELDS if k in state] if fields is None else list(fields)
        not_owned = [k for k in requested if k not in RESTORABLE_FIELDS]
        if not_owned:
            raise ValueError(f"load_checkpoint: {not_owned} cannot be restored; the trainer "
                             f"restores only {list(RESTORABLE_FIELDS)}")
        requested = [k for k in requested if k not in ignore]
        missing = [k for k in requested if k not in state]
        if missing:
            raise KeyError(f"Checkpoint {path} has no entry {missing[0]!r}")
        epoch = state.get("epoch")
        if "epoch" in requested and (isinstance(epoch, bool) or not isinstance(epoch, int)
                                     or epoch < 0):
            raise TypeError(f"Checkpoint {path}: 'epoch' must be a non-negative int, got {epoch!r}")
        if "stats" in requested:
            _check_stats(state["stats"], path)
        if "optimizer" in requested and not isinstance(state["optimizer"], Mapping):
            raise TypeError(f"Checkpoint {path}: 'optimizer' must be a dict")
        if "net" in requested:
            if not isinstance(state["net"], Mapping):
                raise TypeError(f"Checkpoint {path}: 'net' must be a state dict")
            net.load_state_dict(state["net"])
        if "optimizer" in requested:
            self.optimizer.load_state_dict(state["optimizer"])
        if "stats" in requested:
            self.stats = state["stats"]
        if "epoch" in requested:
            self.epoch = epoch
        if load_constructor and state.get("constructor") is not None:
            constructor = state["constructor"]
            if not isinstance(constructor, NetConstructor):
                raise TypeError(f"Checkpoint {path}: 'constructor' is not a NetConstructor")
            constructor.resolve(str(path))  # refuses constructors not on the allow-list
            net.constructor = constructor
        if state.get("net_info") is not None:
            net.info = state["net_info"]
        if "epoch" in requested:
            if self.lr_scheduler is not None:
                if state.get("lr_scheduler") is not None:
                    self.lr_scheduler.load_state_dict(state["lr_scheduler"])
                else:  # checkpoints of the original project store no scheduler state
                    self.lr_scheduler.last_epoch = self.epoch
            # The random states are those of the process that wrote the checkpoint (rank 0); the
            # other ranks of a distributed run keep their own, so that they still draw other data.
            if state.get("rng_state") is not None and self.is_main_process:
                rng_state.restore(state["rng_state"], self.loaders, str(path))
        logger.info("Loaded checkpoint %s (epoch %s)", path, state.get("epoch"))
        return True
