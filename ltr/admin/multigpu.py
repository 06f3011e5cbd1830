"""Data-parallel training: the ``nn.DataParallel`` wrapper and DistributedDataParallel set-up.

Distributed runs are started by a launcher (``torchrun``) that sets the environment variables
``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` (plus ``MASTER_ADDR``/``MASTER_PORT``) for every
process.
:func:`launcher_environment` reads them, :func:`init_distributed` joins the process group (NCCL on
GPUs, gloo on the CPU), and the trainers ask :func:`is_distributed` / :func:`is_main_process` to
wrap the network in DistributedDataParallel and to let only rank 0 write files and progress.
Without these variables everything runs in one process and needs no launcher.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Mapping

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

logger = logging.getLogger(__name__)

#: Environment variables a launcher sets for every process.
LAUNCHER_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK")
BACKENDS = ("nccl", "gloo")


class MultiGPU(nn.DataParallel):
    """``nn.DataParallel`` whose unknown attributes are looked up on the wrapped module."""

    def __getattr__(self, item: str):
        try:
            return super().__getattr__(item)
        except AttributeError:
            return getattr(self.module, item)


class DistributedNet(DistributedDataParallel):
    """``DistributedDataParallel`` whose unknown attributes are looked up on the wrapped module."""

    def __getattr__(self, item: str):
        try:
            return super().__getattr__(item)
        except AttributeError:
            return getattr(self.module, item)


def is_multi_gpu(net: nn.Module) -> bool:
    """True if ``net`` is wrapped for data-parallel training (DataParallel or DDP)."""
    return isinstance(net, (nn.DataParallel, DistributedDataParallel))


def unwrap(net: nn.Module) -> nn.Module:
    """The network itself, without a data-parallel wrapper."""
    return net.module if is_multi_gpu(net) else net


# ---------------------------------------------------------------------------- distributed
@dataclass(frozen=True)
class LauncherEnvironment:
    """Where this process stands in a launched group: global rank, group size, rank on its node."""

    rank: int
    world_size: int
    local_rank: int


def launcher_environment(environ: Mapping[str, str] | None = None) -> LauncherEnvironment | None:
    """The launcher's RANK/WORLD_SIZE/LOCAL_RANK, or None when the process was not launched so.

    Raises ValueError when only some of the variables are set or a value is not a valid number.
    """
    environ = os.environ if environ is None else environ
    present = [name for name in LAUNCHER_VARIABLES if name in environ]
    if not present:
        return None
    if len(present) != len(LAUNCHER_VARIABLES):
        missing = [name for name in LAUNCHER_VARIABLES if name not in environ]
        raise ValueError(f"Distributed launch: environment variable(s) {', '.join(present)} set "
                         f"but {', '.join(missing)} missing; start with torchrun, which sets "
                         f"all of {', '.join(LAUNCHER_VARIABLES)}")
    values = {}
    for name in LAUNCHER_VARIABLES:
        try:
            values[name] = int(environ[name])
        except ValueError:
            raise ValueError(f"Distributed launch: environment variable {name}={environ[name]!r} "
                             f"is not an integer") from None
    rank, world_size, local_rank = values["RANK"], values["WORLD_SIZE"], values["LOCAL_RANK"]
    if world_size < 1 or not 0 <= rank < world_size or local_rank < 0 or local_rank > rank:
        raise ValueError(f"Distributed launch: inconsistent RANK={rank}, WORLD_SIZE={world_size}, "
                         f"LOCAL_RANK={local_rank} (need 0 <= LOCAL_RANK <= RANK < WORLD_SIZE)")
    return LauncherEnvironment(rank, world_size, local_rank)


def default_backend(use_gpu: bool = True) -> str:
    """'nccl' when GPUs are available (and wanted), else 'gloo'."""
    return "nccl" if use_gpu and torch.cuda.is_available() else "gloo"


def init_distributed(launch: LauncherEnvironment, backend: str | None = None) -> str:
    """Join the process group of a launched run; returns the backend used.

    ``backend`` None picks :func:`default_backend`. With NCCL the process uses GPU ``LOCAL_RANK``.
    The rendezvous address comes from ``MASTER_ADDR``/``MASTER_PORT`` (set by torchrun).
    """
    backend = default_backend() if backend is None else backend
    if backend not in BACKENDS:
        raise ValueError(f"Distributed backend must be one of {BACKENDS}, got {backend!r}")
    for name in ("MASTER_ADDR", "MASTER_PORT"):
        if name not in os.environ:
            raise ValueError(f"Distributed launch: environment variable {name} is not set; start "
                             f"with torchrun, which sets it")
    if backend == "nccl":
        if not torch.cuda.is_available():
            raise RuntimeError("Distributed backend 'nccl' needs GPUs, but CUDA is not available; "
                               "use the 'gloo' backend on the CPU")
        if launch.local_rank >= torch.cuda.device_count():
            raise RuntimeError(f"LOCAL_RANK={launch.local_rank} but only "
                               f"{torch.cuda.device_count()} GPU(s) are visible on this node")
        torch.cuda.set_device(launch.local_rank)
    dist.init_process_group(backend=backend, rank=launch.rank, world_size=launch.world_size)
    logger.info("Joined process group: rank %d of %d (local rank %d, backend %s)",
                launch.rank, launch.world_size, launch.local_rank, backend)
    return backend


def shutdown_distributed() -> None:
    """Leave the process group, if this process joined one."""
    if is_distributed():
        dist.destroy_process_group()


def is_distributed() -> bool:
    """True inside an initialized process group."""
    return dist.is_available() and dist.is_initialized()


def get_rank() -> int:
    """Global rank of this process (0 outside a process group)."""
    return dist.get_rank() if is_distributed() else 0


def get_world_size() -> int:
    """Number of processes in the group (1 outside a process group)."""
    return dist.get_world_size() if is_distributed() else 1


def is_main_process() -> bool:
    """True for rank 0, and for a single-process run."""
    return get_rank() == 0


def barrier() -> None:
    """Wait for every process of the group (no-op outside a process group)."""
    if is_distributed():
        dist.barrier()


def wrap_distributed(net: nn.Module, device: torch.device,
                     find_unused_parameters: bool = False) -> DistributedNet:
    """Wrap ``net`` (already on ``device``) for DistributedDataParallel training.

    Rank 0's parameters and buffers are broadcast to every process here, and gradients of the
    trainable parameters are averaged over the processes in every backward pass.
    """
    if not is_distributed():
        raise RuntimeError("wrap_distributed needs an initialized process group (init_distributed)")
    if isinstance(net, nn.DataParallel):
        raise ValueError("The network is wrapped in DataParallel (settings.multi_gpu); use either "
                         "DataParallel in one process or distributed training, not both")
    device_ids = [device.index] if device.type == "cuda" else None
    return DistributedNet(net, device_ids=device_ids,
                          find_unused_parameters=find_unused_parameters)


def all_reduce_sum(values: list[float], device: torch.device) -> list[float]:
    """Element-wise sum of ``values`` over all processes (the values themselves when alone)."""
    if not is_distributed() or not values:
        return list(values)
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.tolist()
