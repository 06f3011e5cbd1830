"""Reading frames for tracking: RGB uint8 H x W x 3, with errors that name the file."""
from __future__ import annotations

import os
import re
from pathlib import Path

import cv2
import numpy as np

from ltr.data.image_loader import ImageLoadError, decode_with_opencv


class FrameReadError(ImageLoadError):
    """A frame file (or folder of frames) is missing, truncated or cannot be decoded."""

    def __init__(self, path: "str | os.PathLike[str]", reason: str, kind: str = "Frame file") -> None:
        OSError.__init__(self, f"{kind} {os.fspath(path)}: {reason}")
        self.path, self.reason, self.kind = os.fspath(path), reason, kind

    def __reduce__(self):
        return type(self), (self.path, self.reason, self.kind)


def read_frame(path: "str | os.PathLike[str]") -> np.ndarray:
    """Read an image file as an RGB uint8 array ``H x W x 3`` (grayscale files are expanded).
    Missing, truncated and undecodable files raise :class:`FrameReadError` naming the file."""
    path = os.fspath(path)
    try:
        image = decode_with_opencv(path, cv2.IMREAD_UNCHANGED)
    except ImageLoadError as exc:
        raise FrameReadError(exc.path, exc.reason) from None
    return to_rgb(image, bgr=True)


def to_rgb(image: np.ndarray, bgr: bool = False) -> np.ndarray:
    """Bring an image to RGB uint8 ``H x W x 3``: expands gray, drops alpha, converts BGR if asked."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        if image.dtype == np.uint16:
            image = (image >> 8).astype(np.uint8)
        else:
            raise ValueError(f"Expected a uint8 image, got dtype {image.dtype}")
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2))
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4):
        raise ValueError(f"Expected an H x W, H x W x 1, x 3 or x 4 image, got shape {image.shape}")
    if image.shape[2] == 1:
        return np.ascontiguousarray(np.repeat(image, 3, axis=2))
    image = image[:, :, :3]
    if bgr:
        image = image[:, :, ::-1]
    return np.ascontiguousarray(image)


def image_size(path: "str | os.PathLike[str]") -> tuple[int, int]:
    """``(width, height)`` of an image file, read from its header where the format allows."""
    from PIL import Image, UnidentifiedImageError

    path = os.fspath(path)
    try:
        with Image.open(path) as im:
            return int(im.size[0]), int(im.size[1])
    except FileNotFoundError:
        raise FrameReadError(path, "does not exist") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise FrameReadError(path, f"cannot be read as an image ({exc})") from None


#: File extensions read as frames from a folder of images.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


def _natural_key(path: Path) -> tuple:
    """Sort key that orders ``2.jpg`` before ``10.jpg``: digit runs compare as numbers."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", path.name) if t)


def image_folder_frames(folder: "str | os.PathLike[str]") -> list[Path]:
    """The image files of ``folder`` in frame order (numbers in names compare numerically)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FrameReadError(folder, "does not exist", "Frame folder")
    frames = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS),
                    key=_natural_key)
    if not frames:
        raise FrameReadError(folder, f"has no image files ({', '.join(IMAGE_EXTENSIONS)})",
                             "Frame folder")
    return frames
