"""Build the compiled CPU kernels in place: `python -m pytracking.libs.cpu_kernels.build`.

The shared library (pytracking.libs.cpu_kernels._C) lands next to this file, object files under
build/ in this folder (both git-ignored). Exits non-zero on failure."""
import argparse
import sys
from pathlib import Path
from typing import List, Optional

from prroi_pool.build import BuildError, check_import, ensure_ninja_on_path, run_setup

PACKAGE = "pytracking.libs.cpu_kernels"
PACKAGE_DIR = Path(__file__).resolve().parent
SOURCES = ["csrc/cpu_kernels.cpp"]


def build_cpu() -> None:
    """Build and import-check pytracking.libs.cpu_kernels._C."""
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
        print(f"cpu_kernels: building the C++ CPU kernels ({PACKAGE}._C) ...", flush=True)
        build_cpu()
        print("cpu_kernels: C++ CPU kernels built.", flush=True)
    except BuildError as err:
        print(f"cpu_kernels: ERROR: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
