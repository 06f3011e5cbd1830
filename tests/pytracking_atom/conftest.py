"""Shared fixtures of the ATOM tests: small tracker settings and synthetic frames (torch threads and
settings isolation come from the suite's root conftest)."""
import numpy as np
import pytest


@pytest.fixture
def small_params():
    """ATOM parameters shrunk for fast tests: 96x96 search area (6x6 features), few iterations."""
    from pytracking.parameter.atom.default import parameters

    p = parameters()
    p.use_gpu = False
    p.max_image_sample_size = float((6 * 16) ** 2)
    p.min_image_sample_size = float((6 * 16) ** 2)
    p.init_CG_iter = 6
    p.init_GN_iter = 2
    p.CG_iter = 2
    p.hard_negative_CG_iter = 2
    p.train_skipping = 2
    p.sample_memory_size = 40
    p.compressed_dim = 16
    p.augmentation = {"fliplr": True, "rotate": [10], "blur": [(1, 1)], "relativeshift": [(0.6, 0.6)],
                      "dropout": (2, 0.2)}
    p.num_init_random_boxes = 3
    p.box_refinement_iter = 2
    return p


def _make_frames(num=6, size=(100, 120), box=(40.0, 30.0, 20.0, 16.0), step=(2.0, 1.0), seed=0):
    """Textured background with a bright textured rectangle moving by ``step`` (x, y) per frame.
    Returns (frames RGB uint8, ground-truth boxes [x, y, w, h])."""
    rng = np.random.default_rng(seed)
    h, w = size
    background = rng.integers(0, 120, size=(h, w, 3), dtype=np.uint8)
    target = rng.integers(150, 255, size=(int(box[3]), int(box[2]), 3), dtype=np.uint8)
    frames, boxes = [], []
    for i in range(num):
        x, y = int(box[0] + i * step[0]), int(box[1] + i * step[1])
        im = background.copy()
        im[y:y + target.shape[0], x:x + target.shape[1]] = target
        frames.append(im)
        boxes.append([float(x), float(y), box[2], box[3]])
    return frames, boxes


@pytest.fixture
def make_frames():
    """The synthetic frame generator ``make_frames(num, size, box, step, seed)``."""
    return _make_frames
