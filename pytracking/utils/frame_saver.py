"""Saved visualizations of a tracking run: an MP4 video and/or one PNG per frame (no display needed).

The video is H.264 (:mod:`pytracking.utils.video_writer`), so it plays in web browsers.

A :class:`FrameSaver` is a runner frame callback (``saver(frame_index, image, output_dict)``). Each
frame is drawn by :func:`pytracking.utils.visualization.render.render_frame`: ground truth in red
(when known), the predicted box in green and, at debug level >= 1 when the tracker's output has a
``'score_map'``, the colour-mapped score map as an inset in the top-right corner (a Siamese
tracker's ``'anchor_box'`` in yellow at debug >= 1 too).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

import cv2
import numpy as np

from pytracking.utils.video_writer import H264Writer
from pytracking.utils.visualization.render import render_frame

logger = logging.getLogger(__name__)

VIDEO_SUFFIX = "_vis.mp4"
FRAMES_SUFFIX = "_frames"


def video_path_for(results_dir: Path, sequence_name: str) -> Path:
    """``<results_dir>/<sequence>_vis.mp4``."""
    return Path(results_dir) / f"{sequence_name}{VIDEO_SUFFIX}"


def frames_dir_for(results_dir: Path, sequence_name: str) -> Path:
    """``<results_dir>/<sequence>_frames`` (files ``00001.png``, ``00002.png``, ... from frame 1)."""
    return Path(results_dir) / f"{sequence_name}{FRAMES_SUFFIX}"


class FrameSaver:
    """Writes rendered frames to ``video_path`` (H.264 MP4) and/or ``frames_dir`` (PNG per frame).

    ``ground_truth`` is ``N x 4`` (rows beyond it or non-finite rows are not drawn). Video frames
    keep the size of the first frame (later frames of another size are scaled to it).
    """

    def __init__(self, video_path: Optional[Path] = None, frames_dir: Optional[Path] = None,
                 fps: float = 25.0, debug_level: int = 0,
                 ground_truth: Optional[np.ndarray] = None) -> None:
        if video_path is None and frames_dir is None:
            raise ValueError("FrameSaver needs a video_path, a frames_dir or both")
        if not fps > 0:
            raise ValueError(f"FrameSaver fps must be positive, got {fps}")
        self.video_path = Path(video_path) if video_path is not None else None
        self.frames_dir = Path(frames_dir) if frames_dir is not None else None
        self.fps = float(fps)
        self.debug_level = int(debug_level)
        self.ground_truth = None if ground_truth is None else np.asarray(ground_truth, np.float64)
        self._writer: Optional[H264Writer] = None
        self.frames_written = 0

    def render(self, frame_index: int, image: np.ndarray, output: dict) -> np.ndarray:
        """The annotated RGB frame for ``output`` (the tracker's output dict of this frame)."""
        gt = None
        if self.ground_truth is not None and frame_index < len(self.ground_truth):
            gt = self.ground_truth[frame_index]
        detail = self.debug_level >= 1
        return render_frame(image, output.get("target_bbox"), ground_truth=gt,
                            score_map=output.get("score_map") if detail else None,
                            anchor_box=output.get("anchor_box") if detail else None)

    def __call__(self, frame_index: int, image: np.ndarray, output: dict) -> None:
        frame = self.render(frame_index, image, output)
        if self.frames_dir is not None:
            self.frames_dir.mkdir(parents=True, exist_ok=True)
            path = self.frames_dir / f"{frame_index + 1:05d}.png"
            if not cv2.imwrite(str(path), np.ascontiguousarray(frame[:, :, ::-1])):
                raise OSError(f"Cannot write visualization frame {path}")
        if self.video_path is not None:
            if self._writer is None:
                self._writer = H264Writer(self.video_path, self.fps,
                                          (frame.shape[1], frame.shape[0]))
            self._writer.write(frame)
        self.frames_written += 1

    def close(self) -> None:
        """Finish the video file (safe to call more than once)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            logger.info("Wrote %d frame%s to %s", self.frames_written, "" if self.frames_written == 1 else "s",
                        self.video_path)

    def __enter__(self) -> "FrameSaver":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
