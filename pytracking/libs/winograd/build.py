"""Build the Winograd convolution kernel in place: `python -m pytracking.libs.winograd.build`.

The shared library (pytracking.libs.winograd._C) lands next to this file, object files under
build/ in this folder (both git-ignored). Exits non-zero on failure."""
import argparse
import sys
from pathlib import Path
from typing import List, Optional

from prroi_pool.build import BuildError, check_import, ensure_ninja_on_path, run_setup

PACKAGE = "pytracking.libs.winograd"
PACKAGE_DIR = Path(__file__).resolve().parent
SOURCES = ["csrc/winograd_cpu.cpp"]


def build_cpu() -> None:
    """Build and import-check pytracking.libs.winograd._C."""
    from torch.utils.cpp_extension import CppExtension

    extension = CppExtension(f"{PACKAGE}._C", SOURCES, extra_compile_args=["-O3", "-Wno-psabi", "-fopenmp"],
                             extra_link_args=["-fopenmp"])
    run_setup(extension, "cpu", package=PACKAGE, package_dir=PACKAGE_DIR)
    check_import(f"{PACKAGE}._C")


def main(argv: Optional[List[str]] = None) -> int:
    """CLI entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog=f"python -m {PACKAGE}.build", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    ensure_ninja_on_path()
    try:
        print("winograd: building the C++ CPU kernel (pytracking.libs.winograd._C) ...", flush=True)
        build_cpu()
        print("winograd: C++ CPU kernel built.", flush=True)
    except BuildError as err:
        print(f"winograd: ERROR: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
