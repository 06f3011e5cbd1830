"""Crash-safe output folders: write into a hidden sibling folder, rename into place at the end."""
import logging
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def start(target: Path, overwrite: bool) -> Path:
    """Check that `target` may be written and create the temporary sibling folder to write into.
    Raises FileExistsError when `target` is a file, or a non-empty folder and not `overwrite`."""
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"Output path {target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise FileExistsError(
            f"Refusing to write into {target}: the folder exists and is not empty. "
            f"Use --overwrite (CLI) or overwrite=True (write_dataset) to replace it, or pick another folder.")
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))


def finish(tmp: Path, target: Path) -> None:
    """Move the finished temporary folder to `target`, replacing what was there."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old)
        logger.info("Replaced %s", target)
    else:
        tmp.rename(target)


def abandon(tmp: Path) -> None:
    """Remove a temporary folder after a failure."""
    shutil.rmtree(tmp, ignore_errors=True)
