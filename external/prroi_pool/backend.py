"""Choice of the PrRoIPool backend: the compiled kernel for the tensors' device, or the
pure-PyTorch reference (forced, or as a fallback with one warning per process when the kernel is
not built). Compiled modules are imported lazily; nothing is ever compiled at import time."""
import importlib
import logging
import os
import warnings
from types import ModuleType
from typing import Dict, Optional, Set

__all__ = ["BACKENDS", "BACKEND_ENV", "BUILD_COMMAND", "resolve_backend", "load_extension", "select_extension"]

logger = logging.getLogger(__name__)

BACKENDS = ("auto", "compiled", "reference")
BACKEND_ENV = "PRROI_POOL_BACKEND"
BUILD_COMMAND = "python -m prroi_pool.build"

# device type -> compiled module implementing forward / backward_features / backward_rois
EXTENSION_MODULES = {"cpu": "prroi_pool._C", "cuda": "prroi_pool._C_cuda"}

_loaded: Dict[str, Optional[ModuleType]] = {}
_load_errors: Dict[str, str] = {}
_warned: Set[str] = set()


def resolve_backend(backend: Optional[str]) -> str:
    """The backend name to use: `backend` if given, else $PRROI_POOL_BACKEND, else 'auto'."""
    source = "backend argument"
    if backend is None:
        backend = os.environ.get(BACKEND_ENV, "auto")
        source = f"environment variable {BACKEND_ENV}"
    if backend not in BACKENDS:
        raise ValueError(f"prroi_pool: unknown backend {backend!r} from the {source}; choose one of {BACKENDS}")
    return backend


def load_extension(device_type: str) -> Optional[ModuleType]:
    """The compiled module for `device_type`, or None when it is not built (or fails to load)."""
    if device_type not in _loaded:
        name = EXTENSION_MODULES.get(device_type)
        module = None
        if name is None:
            _load_errors[device_type] = f"no compiled PrRoIPool kernel exists for device type {device_type!r}"
        else:
            try:
                module = importlib.import_module(name)
            except ImportError as err:
                _load_errors[device_type] = f"{name} could not be imported ({err})"
                logger.debug("prroi_pool: %s", _load_errors[device_type])
        _loaded[device_type] = module
    return _loaded[device_type]


def _missing_message(device_type: str) -> str:
    if device_type == "cuda":
        how = (
            f"build it with `{BUILD_COMMAND}` on a machine with nvcc and a CUDA build of torch "
            "(install.sh runs it)"
        )
    elif device_type == "cpu":
        how = f"build it with `{BUILD_COMMAND}` (install.sh runs it)"
    else:
        how = "only CPU and CUDA kernels exist"
    return f"prroi_pool: {_load_errors[device_type]}; {how}."


def select_extension(device_type: str, backend: Optional[str] = None) -> Optional[ModuleType]:
    """Compiled module to run on `device_type`, or None for the reference.

    'reference' always gives None; 'compiled' raises RuntimeError when the kernel is missing;
    'auto' falls back to the reference and warns once per process and device type."""
    name = resolve_backend(backend)
    if name == "reference":
        return None
    module = load_extension(device_type)
    if module is not None:
        return module
    if name == "compiled":
        raise RuntimeError(_missing_message(device_type))
    if device_type not in _warned:
        _warned.add(device_type)
        warnings.warn(
            _missing_message(device_type) + " Using the (slower) pure-PyTorch reference instead.",
            RuntimeWarning,
            stacklevel=3,
        )
    return None
