"""One way to write files that are never seen half-written, and to clean up after a crash.

:func:`atomic_open` writes into a hidden temporary file in the target's folder
(``.<name>.<pid>-<random>.tmp``), flushes it to disk, gives it the permissions the umask asks for
(``0o666 & ~umask``, as ``open()`` would; ``mkstemp`` alone gives 0600) and renames it onto the
target. If the writer fails the temporary file is removed; if the process is killed it stays behind
and :func:`remove_orphans` (called when a writer starts on a folder again) deletes temporary files
whose writing process no longer runs. Readers never take such files for results or checkpoints:
their names start with a dot and end with ``.tmp``.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Iterator

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
_TEMP_RE = re.compile(r"^\..+\.(\d+)-[A-Za-z0-9_]+\.tmp$")


def current_umask() -> int:
    """The process umask (read without changing it for longer than two calls)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def default_file_mode() -> int:
    """The mode ``open()`` gives a new file under the current umask."""
    return 0o666 & ~current_umask()


def is_temporary(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a temporary file of :func:`atomic_open`."""
    return _TEMP_RE.match(Path(path).name) is not None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = None,
                overwrite: bool = True) -> Iterator[IO]:
    """Open a temporary file for writing; on a clean exit it replaces ``path``.

    Args:
        mode: ``"w"`` (text) or ``"wb"`` (bytes).
        encoding: text encoding (text mode; default UTF-8).
        overwrite: if False and ``path`` exists when the write completes, :class:`FileExistsError`
            is raised and ``path`` is left as it is.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=TEMP_SUFFIX,
                               dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if mode == "w" else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, default_file_mode())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # FileExistsError if it appeared meanwhile: never overwrite
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike, data: str | bytes, overwrite: bool = True) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; returns the path."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w", overwrite=overwrite) as f:
        f.write(data)
    return Path(path)


def remove_orphans(directory: str | os.PathLike, recursive: bool = False) -> list[Path]:
    """Delete the temporary files of interrupted :func:`atomic_open` writes in ``directory``
    (those whose writing process no longer runs); returns what was removed."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    removed = []
    for candidate in (directory.rglob(".*" + TEMP_SUFFIX) if recursive
                      else directory.glob(".*" + TEMP_SUFFIX)):
        match = _TEMP_RE.match(candidate.name)
        if match is None or not candidate.is_file() or _pid_alive(int(match.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    if removed:
        logger.warning("Removed %d temporary file(s) of interrupted writes in %s: %s", len(removed),
                       directory, ", ".join(p.name for p in removed))
    return removed
