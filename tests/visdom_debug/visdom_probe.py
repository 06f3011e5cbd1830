"""Helpers of the visdom tests: a tiny tracker emitting every debug key, frames, visdom HTTP API."""
import dataclasses
import json
import socket
import urllib.request

import cv2
import numpy as np

from pytracking.tracker.base import BaseTracker
from pytracking.utils.params import Params

FRAME_W, FRAME_H = 80, 60
NUM_FRAMES = 5
INIT_BOX = [10.0, 12.0, 20.0, 16.0]
STEP = 4.0  # px per frame to the right
SCORE_SHAPE = (9, 11)
GT_OFFSET = np.array([2.0, 6.0, 0.0, 0.0])  # ground truth = predicted box + this


@dataclasses.dataclass
class ProbeParams(Params):
    debug: int = 0
    score: bool = True


def score_map_for(frame_num: int) -> np.ndarray:
    """The test tracker's score map of frame ``frame_num``: a single peak at (row 2, col frame_num)."""
    m = np.zeros(SCORE_SHAPE)
    m[2, frame_num % SCORE_SHAPE[1]] = 1.0
    m[SCORE_SHAPE[0] - 1, 0] = 0.5  # marks the bottom row, to check the vertical orientation
    return m


def expected_box(frame_index: int) -> list:
    return [INIT_BOX[0] + STEP * frame_index, INIT_BOX[1], INIT_BOX[2], INIT_BOX[3]]


class ProbeTracker(BaseTracker):
    """Moves the box STEP px right per frame; emits every debug key of the runner's panes."""

    def initialize_target(self, image, box, info):
        self.box = np.asarray(box, np.float64)

    def track_frame(self, image, info):
        self.box = self.box + np.array([STEP, 0, 0, 0])
        out = {"target_bbox": self.box.tolist()}
        if self.params.score:
            out["score_map"] = score_map_for(self.frame_num)
        if self.params.debug >= 2:
            out["proposals"] = np.array([self.box + [-3, -2, 0, 0], self.box + [3, 2, 0, 0]])
            out["refined_boxes"] = np.array([self.box + [-1, 0, 0, 0], self.box + [1, 0, 0, 0]])
            out["cg_losses"] = [1.0 / self.frame_num, 0.5 / self.frame_num]
        if self.params.debug >= 3:
            out["memory_weights"] = np.full(self.frame_num, 1.0 / self.frame_num)
        # a tracker-side debug item, straight through the sink
        self.debug_sink.heatmap("tracker_side", np.ones((3, 4)) * self.frame_num, level=2)
        return out


def write_frames(folder, n, color=None, size=(FRAME_W, FRAME_H)):
    """``n`` PNG frames: gray noise in 60..120, or a solid RGB ``color``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    rng = np.random.default_rng(0)
    for i in range(n):
        if color is None:
            img = rng.integers(60, 120, (size[1], size[0], 3), dtype=np.uint8)
        else:
            img = np.empty((size[1], size[0], 3), np.uint8)
            img[:] = color[::-1]  # written as BGR
        path = folder / f"{i + 1:04d}.png"
        cv2.imwrite(str(path), img)
        paths.append(str(path))
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_json(port, endpoint, payload):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/{endpoint}",
                                 data=json.dumps(payload).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read().decode())


def windows(port, env):
    """All windows of ``env`` through visdom's HTTP API (POST /win_data)."""
    return post_json(port, "win_data", {"eid": env, "win": None})
