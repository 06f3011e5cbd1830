"""Reading frames for tracking: RGB uint8 H x W x 3, with errors that name the file."""
from __future__ import annotations

import os

import cv2
import numpy as np

from ltr.data.image_loader import ImageLoadError, decode_with_opencv


class FrameReadError(ImageLoadError):
    """A frame file is missing, truncated or cannot be decoded."""


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
