"""Environment report: what this installation can use (torch, CUDA, image loader, PrRoIPool, settings).

Run as ``python -m ltr.admin.env_report``.
"""
from __future__ import annotations

import argparse
import platform
import sys

import torch

from ltr.admin.cli import add_verbose_argument, run_main
from ltr.admin.env_file import EnvSettings
from ltr.admin.environment import env_settings as ltr_env_settings
from pytracking.evaluation.environment import env_settings as pytracking_env_settings


def _torch_lines() -> list[str]:
    lines = [f"python           {platform.python_version()} ({sys.executable})",
             f"torch            {torch.__version__} (CPU threads: {torch.get_num_threads()})"]
    if torch.cuda.is_available():
        names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        lines.append(f"CUDA             available, torch built with CUDA {torch.version.cuda}: {names}")
    elif torch.version.cuda:
        lines.append(f"CUDA             torch built with CUDA {torch.version.cuda}, but no GPU is visible")
    else:
        lines.append("CUDA             not available (CPU build of torch): everything runs on the CPU")
    return lines


def _image_loader_line() -> str:
    from ltr.data.image_loader import jpeg4py_available

    if jpeg4py_available():
        return "image loader     jpeg4py (libjpeg-turbo) for JPEG files, OpenCV for the rest"
    return "image loader     OpenCV (jpeg4py/libjpeg-turbo not usable; see the warning above)"


def _prroi_pool_line() -> str:
    from prroi_pool.backend import load_extension

    parts = ["C++ CPU kernel" + ("" if load_extension("cpu") else " NOT BUILT")]
    if torch.cuda.is_available():
        parts.append("CUDA kernel" + ("" if load_extension("cuda") else " NOT BUILT"))
    missing = " (run: python -m prroi_pool.build)" if "NOT BUILT" in " ".join(parts) else ""
    return f"PrRoIPool        {', '.join(parts)}; pure-PyTorch reference as fallback{missing}"


def _settings_lines(name: str, env: EnvSettings) -> list[str]:
    configured = [f for f in env.fields() if env.is_set(f)]
    unset = [f for f in env.fields() if not env.is_set(f)]
    return [f"{name} settings  {env.settings_file}",
            f"  set:     {', '.join(configured) if configured else '(none)'}",
            f"  not set: {', '.join(unset) if unset else '(none)'}"]


def report() -> str:
    """The report as text."""
    lines = ["Environment report", "=================="]
    lines += _torch_lines()
    lines.append(_image_loader_line())
    lines.append(_prroi_pool_line())
    lines += _settings_lines("ltr       ", ltr_env_settings())
    lines += _settings_lines("pytracking", pytracking_env_settings())
    lines.append("Edit the settings files (or set LTR_<FIELD> / PYTRACKING_<FIELD>) to point at "
                 "datasets and weights; `python -m ltr.admin.environment` and "
                 "`python -m pytracking.evaluation.environment` print every value.")
    return "\n".join(lines)


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ltr.admin.env_report",
        description="Print what this installation can use: Python, torch and CUDA, the image "
                    "loader, the PrRoIPool kernels and the ltr / pytracking path settings.")
    add_verbose_argument(parser)
    parser.parse_args(argv)
    print(report())
    return 0


if __name__ == "__main__":
    run_main(main)
