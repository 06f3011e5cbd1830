"""What the runner needs for visualizations: options, one connection per run, per-sequence callbacks."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from pytracking.utils.frame_saver import FrameSaver, frames_dir_for, video_path_for
from pytracking.utils.visualization.controls import PlaybackControl
from pytracking.utils.visualization.debug_sink import DebugSink
from pytracking.utils.visualization.visdom_client import DEFAULT_PORT, DEFAULT_SERVER, connect
from pytracking.utils.visualization.visdom_view import (
    VisdomDebugSink, VisdomTrackingView, install_controls)

logger = logging.getLogger(__name__)

FrameCallback = Callable[[int, np.ndarray, dict], None]


@dataclass(frozen=True)
class VisualizationOptions:
    """Which visualizations a run makes (picklable: worker processes get a copy).

    ``debug_level`` selects the panes / insets (see ``visdom_view.PANE_LEVELS``); ``save_video`` and
    ``save_frames`` write ``<results_dir>/<seq>_vis.mp4`` and ``<results_dir>/<seq>_frames/``.
    """

    debug_level: int = 0
    use_visdom: bool = False
    visdom_server: str = DEFAULT_SERVER
    visdom_port: int = DEFAULT_PORT
    visdom_env: str = "main"
    save_video: bool = False
    save_frames: bool = False
    video_fps: float = 25.0

    def __post_init__(self) -> None:
        if not 0 < int(self.visdom_port) < 65536:
            raise ValueError(f"visdom port {self.visdom_port} is not a valid TCP port")
        if not self.visdom_env or any(c in self.visdom_env for c in "/\\"):
            raise ValueError(f"visdom environment name {self.visdom_env!r} must be non-empty "
                             "without '/' or '\\' (visdom stores it as a file name)")
        if not self.video_fps > 0:
            raise ValueError(f"video fps must be positive, got {self.video_fps}")

    @property
    def active(self) -> bool:
        return self.use_visdom or self.save_video or self.save_frames


class SequenceCallbacks:
    """Calls several frame callbacks in order; :meth:`close` finishes those that can be closed
    (video savers, the live view)."""

    def __init__(self, callbacks: list[FrameCallback]) -> None:
        self.callbacks = callbacks

    def __call__(self, frame_index: int, image: np.ndarray, output: dict) -> None:
        for callback in self.callbacks:
            callback(frame_index, image, output)

    def close(self) -> None:
        for callback in self.callbacks:
            close = getattr(callback, "close", None)
            if close is not None:
                close()


class VisualizationSession:
    """Connects to visdom once (one warning if no server answers) and builds per-sequence callbacks.

    ``sink`` is what trackers get as ``debug_sink``: the visdom sink when connected, otherwise a
    :class:`DebugSink` that discards everything (tracking then runs exactly as without visdom).
    ``interactive`` listens for key presses (pause / step); worker processes run without.
    """

    def __init__(self, options: VisualizationOptions, interactive: bool = True) -> None:
        self.options = options
        self.client = None
        self.control: Optional[PlaybackControl] = None
        self.sink: DebugSink = DebugSink(options.debug_level)
        if options.use_visdom:
            self.client = connect(options.visdom_server, options.visdom_port, options.visdom_env,
                                  listen=interactive)
        if self.client is not None:
            self.sink = VisdomDebugSink(self.client, max(1, options.debug_level))
            if interactive:
                self.control = PlaybackControl()
                install_controls(self.client, self.control)

    def sequence_callbacks(self, sequence_name: str, ground_truth: Optional[np.ndarray],
                           results_dir: Path) -> Optional[SequenceCallbacks]:
        """The frame callbacks for one sequence, or ``None`` when nothing is visualized."""
        opts = self.options
        callbacks: list[FrameCallback] = []
        if self.client is not None:
            callbacks.append(VisdomTrackingView(self.sink, self.control, sequence_name,
                                                ground_truth))
        if opts.save_video or opts.save_frames:
            callbacks.append(FrameSaver(
                video_path=video_path_for(results_dir, sequence_name) if opts.save_video else None,
                frames_dir=frames_dir_for(results_dir, sequence_name) if opts.save_frames else None,
                fps=opts.video_fps, debug_level=opts.debug_level, ground_truth=ground_truth))
        return SequenceCallbacks(callbacks) if callbacks else None

    def close(self) -> None:
        """Release a paused loop and stop listening to visdom events."""
        if self.control is not None:
            self.control.close()
        if self.client is not None:
            self.client.close()
