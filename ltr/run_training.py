"""Run a training: ``python ltr/run_training.py <train_module> <train_name>``.

Imports ``ltr.train_settings.<train_module>.<train_name>``, builds the run's
:class:`~ltr.admin.settings.Settings` and calls the module's ``run(settings)``.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

import ltr.train_settings
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
        raise SystemExit(f"No training settings '{train_module} {train_name}' ({name}). "
                         f"Available: {', '.join(available) if available else 'none'}") from None
    if not callable(getattr(module, "run", None)):
        raise SystemExit(f"Training settings module {name} ({module.__file__}) defines no "
                         f"run(settings) function")
    return module


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


def run_training(train_module: str, train_name: str, cudnn_benchmark: bool = True,
                 seed: int | None = None) -> None:
    """Build the settings and run ``ltr.train_settings.<train_module>.<train_name>.run``."""
    import cv2

    cv2.setNumThreads(0)  # OpenCV threads fight with the data-loader workers
    torch.backends.cudnn.benchmark = cudnn_benchmark
    if seed is not None:
        set_seed(seed)
    module = import_train_settings(train_module, train_name)

    settings = Settings()
    settings.module_name = train_module
    settings.script_name = train_name
    settings.project_path = f"ltr/{train_module}/{train_name}"
    settings.add_field("seed", seed)
    settings.add_field("cudnn_benchmark", cudnn_benchmark)
    settings.add_field("git_commit", git_commit())

    print(f"Training: {train_module} {train_name}")
    print(f"Git commit: {settings.git_commit}")
    print(settings.report())
    module.run(settings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a training script in ltr/train_settings.")
    parser.add_argument("train_module", help="training module, e.g. bbreg")
    parser.add_argument("train_name", help="training settings in that module, e.g. atom")
    parser.add_argument("--cudnn_benchmark", action=argparse.BooleanOptionalAction, default=True,
                        help="set torch.backends.cudnn.benchmark (default: on)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: not seeded)")
    parser.add_argument("--log_level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="logging level")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    run_training(args.train_module, args.train_name, args.cudnn_benchmark, args.seed)


if __name__ == "__main__":
    main(sys.argv[1:])
