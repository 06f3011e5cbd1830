"""Run a training: ``python ltr/run_training.py <train_module> <train_name>``.

Imports ``ltr.train_settings.<train_module>.<train_name>``, builds the run's
:class:`~ltr.admin.settings.Settings` and calls the module's ``run(settings)``.

Distributed training: start the same command with a launcher,
``torchrun --nproc_per_node=N ltr/run_training.py <train_module> <train_name>``. The launcher's
RANK/WORLD_SIZE/LOCAL_RANK variables are detected, every process joins the process group (NCCL
when GPUs are available, gloo on the CPU; ``--dist_backend`` overrides), trains on its own
GPU (``cuda:LOCAL_RANK``) with DistributedDataParallel, and draws its own data: with
``--seed S`` process r is seeded with S + r (``settings.process_seed``), so the ranks see different
samples and a rerun sees the same ones (without ``--seed`` every process draws a random seed,
recorded as ``settings.process_seed``). ``settings.batch_size`` is per process. Only rank 0
prints, logs progress and writes checkpoints and tensorboard files.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import importlib.util
import logging
import os
import pkgutil
import random
import re
import subprocess
from pathlib import Path

import numpy as np
import torch

import ltr.train_settings
from ltr.admin import multigpu
from ltr.admin.cli import UnknownNameError, UserError, add_verbose_argument, run_main
from ltr.admin.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def available_train_settings() -> list[str]:
    """All '<module> <name>' pairs under ltr/train_settings."""
    found = []
    for package in pkgutil.iter_modules(ltr.train_settings.__path__):
        if not package.ispkg:
            continue
        sub = importlib.import_module(f"ltr.train_settings.{package.name}")
        found += [f"{package.name} {m.name}" for m in pkgutil.iter_modules(sub.__path__)
                  if not m.ispkg and not m.name.startswith("_")]
    return sorted(found)


def import_train_settings(train_module: str, train_name: str):
    """The module ``ltr.train_settings.<train_module>.<train_name>``, which must define ``run``."""
    name = f"ltr.train_settings.{train_module}.{train_name}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not name.startswith(exc.name):
            raise  # the settings module exists but one of its own imports is missing
        available = available_train_settings()
        close = difflib.get_close_matches(f"{train_module} {train_name}", available, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownNameError(
            f"No training settings '{train_module} {train_name}' ({name}).{hint} Available: "
            f"{', '.join(available) if available else 'none'} (run_training.py --help describes "
            "them)") from None
    if not callable(getattr(module, "run", None)):
        raise UserError(f"Training settings module {name} ({module.__file__}) defines no "
                        f"run(settings) function")
    return module


def describe_train_settings() -> list[tuple[str, str]]:
    """('<module> <name>', one-line description) of every training setting, from the first
    sentence of each module's docstring (read without importing the module)."""
    rows = []
    for pair in available_train_settings():
        module, name = pair.split()
        spec = importlib.util.find_spec(f"ltr.train_settings.{module}.{name}")
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        if origin is not None and origin.is_file():
            doc = ast.get_docstring(ast.parse(origin.read_text())) or ""
        else:
            doc = ""
        first = " ".join(doc.split("\n\n")[0].split())
        first = re.split(r":\s|(?<=[a-z)])\.\s|;\s", first)[0].rstrip(" .:")
        if len(first) > 72:
            first = first[:71].rsplit(" ", 1)[0] + " ..."
        rows.append((pair, first))
    return rows


def help_epilog() -> str:
    """The training settings with their descriptions, then examples."""
    rows = describe_train_settings()
    width = max((len(pair) for pair, _ in rows), default=0)
    listing = "\n".join(f"  {pair.ljust(width)}  {text}" for pair, text in rows)
    return (f"training settings (<train_module> <train_name>; *_synthetic ones need no datasets):\n"
            f"{listing}\n\n" + EXAMPLES)


EXAMPLES = """examples:
  python ltr/run_training.py bbreg atom_synthetic         # instant: synthetic videos, a CPU, minutes
  python ltr/run_training.py siam siamfc_synthetic --seed 1 num_epochs=2
  python ltr/run_training.py bbreg atom_synthetic epochs=1 train_iterations=10 batch_size=4
  python ltr/run_training.py bbreg atom                   # the published setting: needs the datasets
  torchrun --nproc_per_node=2 ltr/run_training.py bbreg atom
  python -m ltr.admin.environment                         # where dataset and output paths are set
Checkpoints go to <workspace_dir>/checkpoints/ltr/<module>/<name>/, tensorboard files to
<tensorboard_dir> (paths of the ltr settings file)."""


def git_commit() -> str:
    """The repository's current commit (with '-dirty' for local changes), or why it is unknown."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
        return commit + ("-dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"unknown ({type(exc).__name__})"


def set_seed(seed: int) -> None:
    """Seed Python, numpy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def process_seed(seed: int | None, rank: int) -> int:
    """The seed of process ``rank``: ``seed + rank``; without a seed a random one from the OS
    (torch's built-in default seed is the same in every process, which would give every rank
    the same data)."""
    if seed is None:
        return int.from_bytes(os.urandom(4), "little")
    return seed + rank


def start_process_group(dist_backend: str | None = None
                        ) -> tuple[multigpu.LauncherEnvironment | None, str | None]:
    """Join the process group when a launcher started this process; (launch, backend) or
    (None, None) for a single-process run."""
    launch = multigpu.launcher_environment()
    if launch is None:
        if dist_backend is not None:
            raise UserError("--dist_backend is only used under a distributed launcher (torchrun "
                             "sets RANK, WORLD_SIZE and LOCAL_RANK)")
        return None, None
    return launch, multigpu.init_distributed(launch, dist_backend)


def parse_overrides(items: list[str] | None) -> dict[str, object]:
    """``['num_epochs=2', 'learning_rate=1e-4', 'description=demo']`` -> a dict of Python values
    (numbers, booleans, tuples, lists, None; anything else is kept as a string)."""
    overrides: dict[str, object] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise UserError(f"Override '{item}' is not key=value with a setting name as key, "
                            "e.g. num_epochs=2")
        try:
            overrides[key] = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            overrides[key] = text.strip()
    return overrides


def make_settings(train_module: str, train_name: str, cudnn_benchmark: bool, seed: int | None,
                  launch: multigpu.LauncherEnvironment | None = None,
                  backend: str | None = None, visdom: tuple[str, int] | None = None,
                  overrides: dict[str, object] | None = None) -> Settings:
    """The Settings of a run before its train-settings module adds its own fields."""
    settings = Settings()
    settings.module_name = train_module
    settings.script_name = train_name
    settings.project_path = f"ltr/{train_module}/{train_name}"
    settings.add_field("seed", seed)
    settings.add_field("cudnn_benchmark", cudnn_benchmark)
    settings.add_field("git_commit", git_commit())
    if launch is not None:
        settings.rank, settings.world_size = launch.rank, launch.world_size
        settings.local_rank = launch.local_rank
        settings.add_field("dist_backend", backend)
        if backend == "nccl":
            settings.device = f"cuda:{launch.local_rank}"
        else:  # gloo: training on the CPU
            settings.use_gpu = False
    settings.add_field("process_seed", process_seed(seed, settings.rank))
    if visdom is not None:
        settings.use_visdom = True
        settings.visdom_server, settings.visdom_port = visdom
    if overrides:
        settings.set_overrides(overrides)
    return settings


def run_training(train_module: str, train_name: str, cudnn_benchmark: bool = True,
                 seed: int | None = None, dist_backend: str | None = None,
                 visdom: tuple[str, int] | None = None,
                 overrides: dict[str, object] | None = None) -> None:
    """Build the settings and run ``ltr.train_settings.<train_module>.<train_name>.run``
    (in a process group when a distributed launcher started this process)."""
    import cv2

    cv2.setNumThreads(0)  # OpenCV threads fight with the data-loader workers
    torch.backends.cudnn.benchmark = cudnn_benchmark
    module = import_train_settings(train_module, train_name)
    launch, backend = start_process_group(dist_backend)
    try:
        settings = make_settings(train_module, train_name, cudnn_benchmark, seed, launch, backend,
                                 visdom, overrides)
        set_seed(settings.process_seed)
        if multigpu.is_main_process():
            print(f"Training: {train_module} {train_name}"
                  + (f" (distributed: {launch.world_size} processes, {backend})" if launch else ""))
            print(f"Git commit: {settings.git_commit}")
            print(settings.report(), flush=True)
        module.run(settings)
    finally:
        multigpu.shutdown_distributed()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="run_training.py", description="Train a network with a training setting of "
                                            "ltr/train_settings/<train_module>/<train_name>.py.",
        epilog=help_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train_module", help="training module, e.g. bbreg")
    parser.add_argument("train_name", help="training settings in that module, e.g. atom")
    parser.add_argument("overrides", nargs="*", metavar="key=value",
                        help="replace a setting of the module, e.g. num_epochs=1 batch_size=4 "
                             "(bbreg atom_synthetic: also its InstantConfig fields, e.g. "
                             "train_iterations=10); a name the run does not use is an error")
    parser.add_argument("--cudnn_benchmark", action=argparse.BooleanOptionalAction, default=True,
                        help="set torch.backends.cudnn.benchmark (default: on)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed; process r of a distributed run uses seed + r "
                             "(default: a random seed per process, shown as process_seed)")
    parser.add_argument("--dist_backend", choices=list(multigpu.BACKENDS), default=None,
                        help="distributed backend under torchrun "
                             "(default: nccl with GPUs, else gloo)")
    parser.add_argument("--use_visdom", action="store_true",
                        help="also plot the loss curves in visdom (start the server with "
                             "python -m pytracking.utils.visdom_server)")
    parser.add_argument("--visdom_server", default="127.0.0.1", help="visdom host")
    parser.add_argument("--visdom_port", type=int, default=8097, help="visdom port")
    parser.add_argument("--log_level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="logging level (processes other than rank 0 log warnings and "
                             "errors only)")
    add_verbose_argument(parser)
    args = parser.parse_intermixed_args(argv)
    overrides = parse_overrides(args.overrides)
    try:
        launch = multigpu.launcher_environment()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    level = args.log_level
    if launch is not None and launch.rank != 0 and logging.getLevelName(level) < logging.WARNING:
        level = "WARNING"
    prefix = f"[rank {launch.rank}] " if launch is not None else ""
    logging.basicConfig(level=level,
                        format=f"%(asctime)s {prefix}%(name)s %(levelname)s: %(message)s")
    run_training(args.train_module, args.train_name, args.cudnn_benchmark, args.seed,
                 args.dist_backend,
                 (args.visdom_server, args.visdom_port) if args.use_visdom else None, overrides)


if __name__ == "__main__":
    run_main(main)
