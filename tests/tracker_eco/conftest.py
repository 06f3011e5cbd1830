"""Synthetic sequences with known motion for the ECO tests."""
from __future__ import annotations

from typing import List, Tuple

import cv2
import numpy as np


def smooth_texture(rng: np.random.Generator, h: int, w: int, blur: float) -> np.ndarray:
    """Random RGB texture (uint8) with structures of about ``blur`` pixels."""
    noise = rng.uniform(0, 255, size=(h, w, 3)).astype(np.float32)
    tex = cv2.GaussianBlur(noise, (0, 0), blur)
    tex = (tex - tex.mean()) / (tex.std() + 1e-6) * 50 + 128
    return np.clip(tex, 0, 255).astype(np.uint8)


def moving_target_sequence(num_frames: int, image_hw: Tuple[int, int], box0: Tuple[float, float, float, float],
                           velocity: Tuple[float, float], scale_rate: float = 1.0, seed: int = 0,
                           grey: bool = False) -> Tuple[List[np.ndarray], np.ndarray]:
    """Frames and ground-truth boxes ``[x, y, w, h]`` of a textured rectangle on a textured
    background: its centre moves by ``velocity`` (dx, dy) pixels per frame and its size is
    multiplied by ``scale_rate`` per frame."""
    rng = np.random.default_rng(seed)
    h, w = image_hw
    background = smooth_texture(rng, h, w, 6.0)
    x0, y0, bw, bh = box0
    target = smooth_texture(rng, int(bh * 3), int(bw * 3), 3.0)
    target = (0.5 * target + 0.5 * np.array([220, 60, 40])).astype(np.uint8)
    frames, boxes = [], []
    cx, cy = x0 + bw / 2, y0 + bh / 2
    for i in range(num_frames):
        s = scale_rate ** i
        tw, th = bw * s, bh * s
        px, py = cx + velocity[0] * i, cy + velocity[1] * i
        frame = background.copy()
        patch = cv2.resize(target, (max(int(round(tw)), 1), max(int(round(th)), 1)), interpolation=cv2.INTER_AREA)
        xa, ya = int(round(px - patch.shape[1] / 2)), int(round(py - patch.shape[0] / 2))
        frame[ya:ya + patch.shape[0], xa:xa + patch.shape[1]] = patch
        if grey:
            frame = np.repeat(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
        frames.append(frame)
        boxes.append([xa, ya, patch.shape[1], patch.shape[0]])
    return frames, np.asarray(boxes, dtype=np.float64)
