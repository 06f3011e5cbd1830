"""Synthetic frames with exact ground truth, shared by the tracker tests.

``import moving_targets`` works from every test module: ``tests/`` is on ``sys.path`` because
``tests/conftest.py`` sits there (pytest's default import mode).
"""
from __future__ import annotations

from typing import Callable, List, Sequence, Tuple

import numpy as np
import torch

from pytracking.libs import TensorDict

#: About the ImageNet mean colour: network features of the background are about 0.
BACKGROUND = np.array([124.0, 116.0, 104.0])


def textured_target_sequence(path: Callable[[int, int, int], Tuple[float, float]], num_frames: int,
                             size: Tuple[int, int] = (240, 320), target: Tuple[int, int] = (36, 28),
                             seed: int = 0, growth: float = 1.0) -> Tuple[List[np.ndarray], np.ndarray]:
    """Frames (``size`` = (H, W), uint8 RGB) and exact ``[x, y, w, h]`` boxes of a high-contrast
    textured target (``target`` = (w, h)) on a low-contrast noise background. ``path(k, w, h)`` is
    the target's top-left corner in frame ``k`` (rounded to whole pixels); its size is multiplied by
    ``growth`` over the sequence (linearly; nearest-neighbour texture)."""
    rng = np.random.default_rng(seed)
    height, width = size
    tw0, th0 = target
    background = BACKGROUND + rng.normal(0, 6, (height, width, 3))
    texture = rng.choice([-90.0, 90.0], size=(th0 // 4 + 1, tw0 // 4 + 1, 3))
    texture = np.kron(texture, np.ones((4, 4, 1)))[:th0, :tw0]
    frames, boxes = [], []
    for k in range(num_frames):
        f = 1 + (growth - 1) * k / max(num_frames - 1, 1)
        tw, th = int(round(tw0 * f)), int(round(th0 * f))
        x, y = (int(round(v)) for v in path(k, tw, th))
        tex = texture[np.arange(th) * th0 // th][:, np.arange(tw) * tw0 // tw]
        image = background.copy()
        image[y:y + th, x:x + tw] = BACKGROUND + tex
        frames.append(np.clip(image, 0, 255).astype(np.uint8))
        boxes.append([x, y, tw, th])
    return frames, np.array(boxes, np.float64)


def box_centre(box: Sequence[float]) -> np.ndarray:
    """Centre (x + w / 2, y + h / 2) of one ``[x, y, w, h]`` box."""
    return np.array([box[0] + box[2] / 2, box[1] + box[3] / 2])


def red_box_frame(box: Sequence[float]) -> np.ndarray:
    """A 300 x 200 grey frame with a red rectangle filling ``box`` (whole pixels)."""
    image = np.full((200, 300, 3), 60, np.uint8)
    x, y, w, h = (int(v) for v in box)
    image[y:y + h, x:x + w] = (250, 40, 40)
    return image


def pair_sample(box_z: torch.Tensor, box_x: torch.Tensor) -> TensorDict:
    """A training pair for the Siamese processings: one train and one test :func:`red_box_frame`."""
    return TensorDict({"train_images": [red_box_frame(box_z)], "train_anno": [box_z.clone()],
                       "test_images": [red_box_frame(box_x)], "test_anno": [box_x.clone()]})
