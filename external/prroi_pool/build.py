"""Build the compiled PrRoIPool kernels in place: `python -m prroi_pool.build`.

Always builds the C++ CPU kernel (prroi_pool._C); builds the CUDA kernel (prroi_pool._C_cuda) as
well when torch is a CUDA build and nvcc is found. The shared libraries land next to this file,
object files under build/ in this folder (both git-ignored). Exits non-zero on failure."""
import argparse
import importlib
import os
import shutil
import sys
from pathlib import Path
from typing import List, Optional

PACKAGE_DIR = Path(__file__).resolve().parent
CPU_SOURCES = ["csrc/prroi_pool_cpu.cpp"]
CUDA_SOURCES = ["csrc/prroi_pool_cuda_binding.cpp", "csrc/prroi_pool_cuda.cu"]


class BuildError(RuntimeError):
    """A kernel failed to build or to load after building."""


def ensure_ninja_on_path() -> None:
    """torch builds with ninja when `ninja` runs; a venv's ninja is not on PATH unless the venv
    is activated, so add the interpreter's bin folder."""
    if shutil.which("ninja") is None:
        bin_dir = str(Path(sys.executable).parent)
        if shutil.which("ninja", path=bin_dir) is not None:
            os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def run_setup(extension, tag: str, package: str = "prroi_pool", package_dir: Path = PACKAGE_DIR) -> None:
    """Run setuptools' `build_ext --inplace` for one extension of ``package`` inside its folder
    ``package_dir`` (object files under build/<tag> there)."""
    from setuptools import setup
    from torch.utils.cpp_extension import BuildExtension

    previous = os.getcwd()
    os.chdir(package_dir)
    try:
        setup(
            name=f"{package.replace('.', '_')}_{tag}",
            ext_modules=[extension],
            package_dir={package: "."},
            cmdclass={"build_ext": BuildExtension},
            script_args=["--quiet", "build_ext", "--inplace", "--build-temp", f"build/{tag}"],
        )
    except SystemExit as err:  # distutils reports compile/link errors as SystemExit
        raise BuildError(f"building {package} {tag} kernel failed: {err}") from err
    finally:
        os.chdir(previous)


def check_import(module_name: str) -> None:
    """Import ``module_name`` freshly built; BuildError when it cannot be imported."""
    importlib.invalidate_caches()
    try:
        importlib.import_module(module_name)
    except ImportError as err:
        raise BuildError(f"{module_name} was built but cannot be imported: {err}") from err


def build_cpu() -> None:
    """Build and import-check prroi_pool._C."""
    from torch.utils.cpp_extension import CppExtension

    extension = CppExtension(
        "prroi_pool._C",
        CPU_SOURCES,
        extra_compile_args=["-O3", "-fopenmp"],
        extra_link_args=["-fopenmp"],
    )
    run_setup(extension, "cpu")
    check_import("prroi_pool._C")


def cuda_unavailable_reason() -> Optional[str]:
    """Why the CUDA kernel cannot be built here, or None when it can."""
    import torch
    from torch.utils.cpp_extension import CUDA_HOME

    if torch.version.cuda is None:
        return f"torch {torch.__version__} is built without CUDA"
    if CUDA_HOME is None or not (Path(CUDA_HOME) / "bin" / "nvcc").exists():
        return "nvcc was not found (set CUDA_HOME to the CUDA toolkit)"
    return None


def build_cuda() -> None:
    """Build and import-check prroi_pool._C_cuda."""
    from torch.utils.cpp_extension import CUDAExtension

    extension = CUDAExtension(
        "prroi_pool._C_cuda",
        CUDA_SOURCES,
        extra_compile_args={"cxx": ["-O3"], "nvcc": ["-O3"]},
    )
    run_setup(extension, "cuda")
    check_import("prroi_pool._C_cuda")


def main(argv: Optional[List[str]] = None) -> int:
    """CLI entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m prroi_pool.build", description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-only", action="store_true", help="do not build the CUDA kernel")
    args = parser.parse_args(argv)
    ensure_ninja_on_path()
    try:
        print("prroi_pool: building the C++ CPU kernel (prroi_pool._C) ...", flush=True)
        build_cpu()
        print("prroi_pool: C++ CPU kernel built.", flush=True)
        reason = "--cpu-only was given" if args.cpu_only else cuda_unavailable_reason()
        if reason is not None:
            print(f"prroi_pool: CUDA kernel not built: {reason}.", flush=True)
        else:
            print("prroi_pool: building the CUDA kernel (prroi_pool._C_cuda) ...", flush=True)
            build_cuda()
            print("prroi_pool: CUDA kernel built.", flush=True)
    except BuildError as err:
        print(f"prroi_pool: ERROR: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
