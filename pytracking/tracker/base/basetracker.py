"""BaseTracker: the interface every tracker implements, and the checks they all share."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Optional, Sequence

import numpy as np

from ltr.admin.cli import InvalidValueError
from pytracking.utils.image_io import to_rgb
from pytracking.utils.visualization.debug_sink import DebugSink

logger = logging.getLogger(__name__)


def validate_init_box(box: Sequence[float], image_shape: Sequence[int]) -> np.ndarray:
    """Check an initial ``[x, y, w, h]`` box against an image of shape ``(H, W, ...)``.

    Raises ``InvalidValueError`` (a ``ValueError``; on the command line a one-line error) naming the
    box when it is malformed, not finite, has zero or negative size, or lies fully outside the image.
    """
    arr = np.asarray(box, dtype=np.float64).reshape(-1)
    if arr.size != 4:
        raise InvalidValueError(f"Initial box {list(box)!r} must have 4 values [x, y, w, h]")
    if not np.isfinite(arr).all():
        raise InvalidValueError(f"Initial box {arr.tolist()} contains NaN or infinite values")
    x, y, w, h = arr
    if w <= 0 or h <= 0:
        raise InvalidValueError(f"Initial box {arr.tolist()} has zero or negative size (w={w}, h={h})")
    height, width = image_shape[0], image_shape[1]
    if x + w <= 0 or y + h <= 0 or x >= width or y >= height:
        raise InvalidValueError(f"Initial box {arr.tolist()} lies fully outside the {width}x{height} image")
    return arr


class BaseTracker(ABC):
    """A single-object tracker.

    Users call :meth:`initialize` with the first frame and ``{'init_bbox': [x, y, w, h]}``, then
    :meth:`track` for every following frame; both take RGB uint8 images (grayscale is expanded, and
    frames may change size mid-sequence). Subclasses implement :meth:`initialize_target` and
    :meth:`track_frame`. Every returned box is finite with positive size: a subclass result that is
    not is replaced by the previous box, with a warning.

    Debugging: ``self.debug_sink`` receives debug items (``self.debug_sink.heatmap('score', s)``,
    ``.image``, ``.line``, ``.info``, each with the ``level`` from which it is shown); the runner
    replaces the default sink, which discards everything, when a live visualization is active.
    ``self.visdom`` is then the runner's visdom client (``None`` otherwise). Extra keys of the dict
    returned by ``track_frame`` are shown by the runner: ``'score_map'`` (H x W), ``'anchor_box'``
    ([x, y, w, h]), ``'proposals'`` / ``'refined_boxes'`` (N x 4), ``'cg_losses'`` (losses of this
    frame's optimization) and ``'memory_weights'`` (one weight per memory sample).
    """

    def __init__(self, params: Any) -> None:
        self.params = params
        self.frame_num = 0
        self._last_box: Optional[np.ndarray] = None
        self.visdom = None
        self.debug_sink: DebugSink = DebugSink()

    # ------------------------------------------------------------------ to implement
    @abstractmethod
    def initialize_target(self, image: np.ndarray, box: np.ndarray, info: dict) -> Optional[dict]:
        """Set up the target model on the first frame; ``box`` is a validated ``[x, y, w, h]``."""

    @abstractmethod
    def track_frame(self, image: np.ndarray, info: dict) -> dict:
        """Track one frame; return at least ``{'target_bbox': [x, y, w, h]}``."""

    # ------------------------------------------------------------------ public interface
    def initialize(self, image: np.ndarray, info: dict) -> dict:
        if "init_bbox" not in info:
            raise ValueError("initialize() needs info['init_bbox'] = [x, y, w, h]")
        image = to_rgb(image)
        box = validate_init_box(info["init_bbox"], image.shape)
        self.frame_num = 1
        out = self.initialize_target(image, box.copy(), info) or {}
        self._last_box = box
        return out

    def track(self, image: np.ndarray, info: Optional[dict] = None) -> dict:
        if self._last_box is None:
            raise RuntimeError("track() called before initialize()")
        image = to_rgb(image)
        self.frame_num += 1
        out = self.track_frame(image, info or {})
        out["target_bbox"] = self._sanitize_box(out.get("target_bbox"))
        return out

    def _sanitize_box(self, box: Any) -> list[float]:
        arr = None if box is None else np.asarray(box, dtype=np.float64).reshape(-1)
        if arr is None or arr.size != 4 or not np.isfinite(arr).all() or arr[2] <= 0 or arr[3] <= 0:
            logger.warning("%s produced an invalid box %s at frame %d; keeping the previous box",
                           type(self).__name__, None if arr is None else arr.tolist(),
                           self.frame_num)
            arr = self._last_box.copy()
        self._last_box = arr
        return [float(v) for v in arr]

    # ------------------------------------------------------------------ helpers shared by trackers
    @staticmethod
    def box_center_size(box: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """``[x, y, w, h]`` → (centre ``[y, x]``, size ``[h, w]``), the order the trackers use."""
        x, y, w, h = (float(v) for v in box)
        return np.array([y + (h - 1) / 2, x + (w - 1) / 2]), np.array([h, w])

    @staticmethod
    def center_size_box(pos: Sequence[float], target_sz: Sequence[float]) -> list[float]:
        """Inverse of :meth:`box_center_size`."""
        h, w = float(target_sz[0]), float(target_sz[1])
        return [float(pos[1]) - (w - 1) / 2, float(pos[0]) - (h - 1) / 2, w, h]
