"""H.264 MP4 files that play in web browsers, written from RGB frames.

OpenCV's own MP4 writer in the pinned wheel can only write MPEG-4 Part 2 (``mp4v``), which browsers
do not play. This writer encodes with libx264 through PyAV (the ``av`` wheel ships FFmpeg with
libx264): H.264 High profile, ``yuv420p`` pixels (what browsers decode), and the index at the front
of the file (``+faststart``) so a page can start playing before the whole file has loaded.
"""
from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_CRF = 20  # libx264 constant-quality factor: lower is better quality, 18-23 looks clean
DEFAULT_PRESET = "veryfast"  # encoding speed / file size trade-off of libx264


def _import_av() -> Any:
    try:
        import av
    except ImportError:
        raise RuntimeError("Saving videos needs PyAV (H.264 encoder): pip install av "
                           "(bash install.sh installs the pinned version)") from None
    return av


class H264Writer:
    """Writes RGB ``H x W x 3`` uint8 frames to an H.264 MP4 at ``fps`` frames per second.

    The frame size is fixed by ``size`` (``(width, height)``); frames of another size are scaled
    to it. H.264 in ``yuv420p`` needs even sides: an odd width or height is padded by one pixel
    (the last column / row repeated).
    """

    def __init__(self, path: Path, fps: float, size: tuple[int, int], crf: int = DEFAULT_CRF,
                 preset: str = DEFAULT_PRESET) -> None:
        av = _import_av()
        if not fps > 0:
            raise ValueError(f"video fps must be positive, got {fps}")
        self.path = Path(path)
        self.size = (int(size[0]), int(size[1]))
        self._pad = (self.size[0] % 2, self.size[1] % 2)
        self._av = av
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), mode="w", format="mp4",
                                  options={"movflags": "+faststart"})
        try:
            stream = self._container.add_stream(
                "libx264", rate=Fraction(float(fps)).limit_denominator(1001))
            stream.width = self.size[0] + self._pad[0]
            stream.height = self.size[1] + self._pad[1]
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(int(crf)), "preset": preset}
        except Exception:
            self._container.close()
            raise
        self._stream = stream
        self.frames_written = 0

    def write(self, rgb: np.ndarray) -> None:
        """Append one RGB frame."""
        if self._container is None:
            raise ValueError(f"video {self.path} is closed")
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"video {self.path}: frames must be H x W x 3 RGB, got {rgb.shape}")
        if (rgb.shape[1], rgb.shape[0]) != self.size:
            rgb = cv2.resize(rgb, self.size, interpolation=cv2.INTER_AREA)
        if any(self._pad):
            rgb = cv2.copyMakeBorder(rgb, 0, self._pad[1], 0, self._pad[0], cv2.BORDER_REPLICATE)
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb, np.uint8),
                                                 format="rgb24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file (safe to call more than once)."""
        if self._container is None:
            return
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        finally:
            self._container.close()
            self._container = None

    def __enter__(self) -> "H264Writer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

