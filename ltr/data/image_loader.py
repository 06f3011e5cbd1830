"""Image file readers returning RGB ``uint8`` arrays of shape ``H x W x 3``.

``jpeg4py_loader`` decodes with libjpeg-turbo (fast, JPEG only), ``opencv_loader`` reads any format
OpenCV knows, ``pil_loader`` uses Pillow when it is installed. ``default_image_loader`` uses jpeg4py
for JPEG files when libjpeg-turbo can be loaded and falls back to OpenCV (with one warning) otherwise.
Every reader raises :class:`ImageLoadError`, naming the file, when a file cannot be read or decoded,
and also when it is truncated (checked on the bytes, since OpenCV decodes a truncated JPEG silently).
"""

from __future__ import annotations

import io
import logging
import os
from typing import Optional

import cv2
import numpy as np

logger = logging.getLogger(__name__)

_JPEG_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".jfif")


class ImageLoadError(OSError):
    """An image file is missing, unreadable or not a decodable image."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Cannot read image '{path}': {reason}")
        self.path = os.fspath(path)
        self.reason = reason

    def __reduce__(self):  # picklable (errors cross process boundaries from loader workers)
        return type(self), (self.path, self.reason)


def _as_rgb_uint8(image: np.ndarray, path: str) -> np.ndarray:
    """Check the decoded array and bring it to contiguous RGB uint8 H x W x 3."""
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or image.size == 0:
        raise ImageLoadError(path, f"decoded to an unsupported array {image.dtype} {image.shape}")
    return np.ascontiguousarray(image)


def _check_file(path: str) -> None:
    if not os.path.isfile(path):
        raise ImageLoadError(path, "no such file")


def incomplete_reason(data: bytes) -> Optional[str]:
    """Why the encoded image ``data`` is truncated or corrupt (None when it looks complete).

    Decoders (OpenCV's in particular) fill the missing part of a truncated JPEG with grey and
    return no error, so completeness is checked on the bytes: a JPEG must have an end-of-image
    marker after its last scan, a PNG must end with its IEND chunk.
    """
    if len(data) == 0:
        return "the file is empty"
    if data.startswith(b"\xff\xd8"):
        last_scan = data.rfind(b"\xff\xda")
        if last_scan < 0:
            return "truncated JPEG (no image data)"
        if data.find(b"\xff\xd9", last_scan) < 0:
            return "truncated JPEG (no end-of-image marker after the last scan)"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        if b"IEND" not in data[-64:]:
            return "truncated PNG (no IEND chunk at the end)"
    return None


def read_image_bytes(path: str) -> bytes:
    """The bytes of image file ``path``; :class:`ImageLoadError` naming the file when it is missing,
    unreadable, empty or truncated (see :func:`incomplete_reason`)."""
    path = os.fspath(path)
    _check_file(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ImageLoadError(path, f"cannot be read ({exc})") from exc
    reason = incomplete_reason(data)
    if reason is not None:
        raise ImageLoadError(path, reason)
    return data


def decode_with_opencv(path: str, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """Decode ``path`` with OpenCV after the completeness check (array as OpenCV gives it, BGR)."""
    data = read_image_bytes(path)
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    if image is None:
        raise ImageLoadError(path, "OpenCV could not decode it (corrupt or not an image)")
    return image


def opencv_loader(path: str) -> np.ndarray:
    """Read an image with OpenCV and convert BGR to RGB."""
    path = os.fspath(path)
    image = decode_with_opencv(path)
    return _as_rgb_uint8(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), path)


def jpeg4py_loader(path: str) -> np.ndarray:
    """Decode a JPEG file with jpeg4py (libjpeg-turbo). Requires the libturbojpeg shared library."""
    import jpeg4py

    path = os.fspath(path)
    data = read_image_bytes(path)
    try:
        image = jpeg4py.JPEG(np.frombuffer(data, dtype=np.uint8)).decode()
    except jpeg4py.JPEGRuntimeError as exc:
        raise ImageLoadError(path, f"libjpeg-turbo could not decode it ({exc})") from exc
    return _as_rgb_uint8(image, path)


def pil_loader(path: str) -> np.ndarray:
    """Read an image with Pillow (optional dependency) as RGB."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:
        raise ImportError("pil_loader needs Pillow: pip install pillow") from exc
    path = os.fspath(path)
    data = read_image_bytes(path)
    try:
        with Image.open(io.BytesIO(data)) as im:
            image = np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageLoadError(path, f"Pillow could not decode it ({exc})") from exc
    return _as_rgb_uint8(image, path)


_jpeg4py_ok: Optional[bool] = None


def jpeg4py_available() -> bool:
    """Whether jpeg4py is importable and libjpeg-turbo decodes a JPEG (checked once per process)."""
    global _jpeg4py_ok
    if _jpeg4py_ok is None:
        _jpeg4py_ok = _probe_jpeg4py()
    return _jpeg4py_ok


def _probe_jpeg4py() -> bool:
    try:
        import jpeg4py
    except ImportError:
        logger.warning(
            "jpeg4py is not installed; reading JPEG images with OpenCV (slower). "
            "Install it with: pip install jpeg4py (and the libturbojpeg library)."
        )
        return False
    probe = np.zeros((8, 8, 3), dtype=np.uint8)
    probe[:, :4] = 200
    ok, buffer = cv2.imencode(".jpg", probe)
    if not ok:
        return False
    try:
        decoded = jpeg4py.JPEG(np.frombuffer(buffer.tobytes(), dtype=np.uint8)).decode()
    except (OSError, jpeg4py.JPEGRuntimeError) as exc:
        logger.warning(
            "jpeg4py cannot be used (%s); reading JPEG images with OpenCV (slower). "
            "Install libjpeg-turbo (Debian: apt-get install libturbojpeg0).",
            exc,
        )
        return False
    return decoded.shape == (8, 8, 3)


def default_image_loader(path: str) -> np.ndarray:
    """JPEG files via jpeg4py when libjpeg-turbo works, everything else (and the fallback) via OpenCV."""
    path = os.fspath(path)
    if path.lower().endswith(_JPEG_SUFFIXES) and jpeg4py_available():
        return jpeg4py_loader(path)
    return opencv_loader(path)


LOADERS = {
    "default": default_image_loader,
    "jpeg4py": jpeg4py_loader,
    "opencv": opencv_loader,
    "pil": pil_loader,
}


def get_image_loader(name: str):
    """The loader function registered under ``name`` ('default', 'jpeg4py', 'opencv', 'pil')."""
    try:
        return LOADERS[name]
    except KeyError:
        raise ValueError(
            f"Unknown image loader '{name}'; choose one of {sorted(LOADERS)}"
        ) from None
