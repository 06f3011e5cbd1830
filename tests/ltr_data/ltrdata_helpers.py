"""Independent reference computations and a small in-memory dataset for the ltr data tests."""

from __future__ import annotations

import numpy as np
import torch

from ltr.dataset.base_video_dataset import BaseVideoDataset, empty_object_meta, make_sequence_info


def iou_reference(a, b) -> float:
    """IoU of two [x, y, w, h] boxes, written out by hand."""
    ax1, ay1, aw, ah = [float(v) for v in a]
    bx1, by1, bw, bh = [float(v) for v in b]
    iw = max(0.0, min(ax1 + aw, bx1 + bw) - max(ax1, bx1))
    ih = max(0.0, min(ay1 + ah, by1 + bh) - max(ay1, by1))
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


def bilinear_sample(image: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Sample an H x W x C image at fractional pixel indices, clamping at the borders."""
    h, w = image.shape[:2]
    xs = np.clip(xs, 0, w - 1)
    ys = np.clip(ys, 0, h - 1)
    x0 = np.floor(xs).astype(int)
    y0 = np.floor(ys).astype(int)
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    fx = (xs - x0)[..., None]
    fy = (ys - y0)[..., None]
    img = image.astype(np.float64)
    top = img[y0, x0] * (1 - fx) + img[y0, x1] * fx
    bottom = img[y1, x0] * (1 - fx) + img[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def mask_bbox(mask) -> np.ndarray:
    """Pixel-aligned [x, y, w, h] of the True pixels of a 2-D mask."""
    mask = np.asarray(mask) > 0.5
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return np.array([cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1], dtype=float)


class TinyVideoDataset(BaseVideoDataset):
    """In-memory sequences: frame f of sequence s is a constant image of value f (s in channel 1)."""

    def __init__(self, boxes_per_seq, visible_per_seq=None, video=True, name="tiny"):
        super().__init__(name, "<memory>", image_loader=None)
        self.boxes = [torch.as_tensor(b, dtype=torch.float32) for b in boxes_per_seq]
        self.visible = visible_per_seq
        self.video = video
        self.sequence_list = [f"seq{i}" for i in range(len(self.boxes))]

    def is_video_sequence(self):
        return self.video

    def get_sequence_info(self, seq_id):
        vis = (
            None
            if self.visible is None
            else torch.as_tensor(self.visible[seq_id], dtype=torch.bool)
        )
        return make_sequence_info(self.boxes[seq_id], vis)

    def get_frames(self, seq_id, frame_ids, anno=None):
        frames = []
        for f in frame_ids:
            frame = np.zeros((8, 8, 3), dtype=np.uint8)
            frame[:, :, 0] = f
            frame[:, :, 1] = seq_id
            frames.append(frame)
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        return frames, self.select_frames_anno(anno, frame_ids), empty_object_meta(f"class{seq_id}")


def full_boxes(num_frames: int) -> np.ndarray:
    return np.tile(np.array([[1.0, 1.0, 4.0, 4.0]]), (num_frames, 1))
