"""A cache of computed curves per (dataset, tracker spec, convention), stored as ``.npz``.

The key includes a fingerprint of the inputs: the sequence names and ground truth, and the path,
size and modification time of every result file. Any change to a result file invalidates the
entry, so re-plotting unchanged results is instant and changed results are never stale.
"""
from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from pathlib import Path
from typing import Optional

import numpy as np

from ltr.admin.atomic_file import atomic_open

logger = logging.getLogger(__name__)

#: Bump when the computation changes, so old cache entries are ignored.
CACHE_VERSION = 1


def fingerprint(parts: list[str], arrays: list[np.ndarray]) -> str:
    """SHA-1 of text parts and array contents."""
    h = hashlib.sha1(f"v{CACHE_VERSION}".encode())
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def file_stamp(path: Path) -> str:
    """``path|size|mtime_ns`` or ``path|missing``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{path}|missing"
    return f"{path}|{st.st_size}|{st.st_mtime_ns}"


def load_entry(path: Path, expected_fingerprint: str) -> Optional[dict[str, np.ndarray]]:
    """The cached arrays if ``path`` exists and matches the fingerprint, else None."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["fingerprint"]) != expected_fingerprint:
                logger.debug("Cache entry %s is stale", path)
                return None
            return {k: data[k] for k in data.files if k != "fingerprint"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        logger.warning("Cache entry %s is corrupt (%s: %s); computing it again", path,
                       type(exc).__name__, exc)
        return None


def save_entry(path: Path, fp: str, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays with their fingerprint atomically."""
    with atomic_open(path, "wb") as f:
        np.savez(f, fingerprint=np.array(fp), **arrays)
