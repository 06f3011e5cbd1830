"""ATOM ``default`` against traces of the original pytracking ATOM (``../shared/reference/atom_traces``).

The traces were recorded with the original code, the seed-1 random ATOM network (this project's
fallback network), one torch thread and deterministic parameters (their README lists them). The
same parameters here must give the same first-frame features, labels, filter and score maps on
Crossing, and boxes within IoU 0.99 of the original's on the first 10 frames (before the first
model update) of all six sequences, with the Winograd convolutions on and off. Beyond the first
model updates a random-weight ATOM is chaotic (the original diverges from itself when only its
thread count changes: ``threads2/``), so later frames are not compared.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from pytracking.libs import operation
from pytracking.parameter.atom.default import parameters
from pytracking.tracker.atom import ATOM

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TRACES = SHARED / "reference" / "atom_traces"
SEQUENCES = ("Crossing", "DragonBaby", "book", "boat1", "horse", "Human3_first199")
NUM_FRAMES = 10

pytestmark = [pytest.mark.needs_shared,
              pytest.mark.skipif(not TRACES.is_dir(), reason="needs ../shared/reference/atom_traces")]


def sequence_frames(name: str) -> list:
    folder = SHARED / "data" / ("otb_crossing" if name == "Crossing" else f"sequences/{name}")
    return sorted((folder / "img").glob("*.jpg"))


def read_rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def trace_params(winograd: bool):
    """``default`` with the trace's five determinism changes (README), on the CPU."""
    p = parameters()
    p.augmentation = {k: v for k, v in p.augmentation.items() if k != "dropout"}
    p.random_shift_factor = 0.0
    p.num_init_random_boxes = 0
    p.proj_init_method = "pca"
    p.filter_init_method = "zeros"
    p.use_gpu = False
    p.winograd_convolutions = winograd
    return p


def box_iou(a, b) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(x1 - x0, 0.0) * max(y1 - y0, 0.0)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def relative(ours: torch.Tensor, ref: np.ndarray) -> float:
    ref_t = torch.from_numpy(np.asarray(ref)).double().reshape(-1)
    return float((ours.detach().double().reshape(-1) - ref_t).norm() / ref_t.norm())


@pytest.fixture(autouse=True)
def one_thread():
    """The traces compared here were recorded with one torch thread."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.mark.parametrize("winograd", [False, True], ids=["torch_conv", "winograd"])
def test_crossing_first_frames_match_the_original_tensors(winograd):
    trace = np.load(TRACES / "Crossing.npz")
    frames = sequence_frames("Crossing")
    tracker = ATOM(trace_params(winograd))
    seen = {}
    init_projection, init_optimization = tracker._init_projection_matrix, tracker._init_optimization

    def capture_projection(x):
        seen["init_x"] = x.clone()
        init_projection(x)

    def capture_optimization(x, y):
        seen["init_y"] = y.clone()
        init_optimization(x, y)

    tracker._init_projection_matrix, tracker._init_optimization = capture_projection, capture_optimization
    tracker.initialize(read_rgb(frames[0]), {"init_bbox": trace["init_box"].tolist()})

    assert relative(seen["init_x"], trace["init_x"]) < 1e-5
    assert relative(seen["init_y"], trace["init_y"]) < 1e-6
    np.testing.assert_allclose(tracker.iou_target_box.numpy(), trace["iou_target_box"], rtol=1e-6)
    assert relative(tracker.iou_modulation[0], trace["iou_mod0"]) < 1e-5
    assert relative(tracker.iou_modulation[1], trace["iou_mod1"]) < 1e-5
    # the classifier does not change when a projection row and its filter channel change sign together
    reference_p = torch.from_numpy(trace["P_after_init"]).flatten(1)
    signs = torch.sign((tracker.projection_matrix.flatten(1) * reference_p).sum(1))
    assert relative(tracker.filter * signs.reshape(1, -1, 1, 1), trace["filter_init"]) < 1e-2
    assert relative(tracker.projection_matrix * signs.reshape(-1, 1, 1, 1), trace["P_after_init"]) < 1e-2

    projected = tracker._project
    for frame in (2, 3):
        samples = []
        tracker._project = lambda x: samples.append(projected(x)) or samples[-1]
        out = tracker.track(read_rgb(frames[frame - 1]))
        raw = operation.conv2d(samples[-1], tracker.filter, mode="same")
        assert relative(raw, trace[f"f{frame}_scores_raw"]) < 1e-2
        assert relative(tracker._last_scores, trace[f"f{frame}_scores_centred"]) < 1e-2
        assert out["max_score"] == pytest.approx(trace["max_score"][frame - 1], rel=1e-2)
        assert box_iou(out["target_bbox"], trace["boxes"][frame - 1]) > 0.99


@pytest.mark.slow
@pytest.mark.parametrize("winograd", [False, True], ids=["torch_conv", "winograd"])
@pytest.mark.parametrize("sequence", SEQUENCES)
def test_boxes_follow_the_original_before_the_first_model_update(sequence, winograd):
    trace = np.load(TRACES / f"{sequence}.npz")
    frames = sequence_frames(sequence)
    tracker = ATOM(trace_params(winograd))
    tracker.initialize(read_rgb(frames[0]), {"init_bbox": trace["init_box"].tolist()})
    ious = [box_iou(tracker.track(read_rgb(path))["target_bbox"], ref)
            for path, ref in zip(frames[1:NUM_FRAMES], trace["boxes"][1:NUM_FRAMES])]
    assert min(ious) > 0.99, np.round(ious, 4)


# DragonBaby with torch's convolutions leaves IoU 0.99 at frame 24, after the model updates at
# frames 11 and 21, where the original leaves its own 1-thread run at frame 27. After the first
# model updates this is a matter of rounding (with the Winograd convolutions: frame 27; with
# autograd's double-backward products in the per-frame CG instead of the explicit ones: 27 here,
# but 18 with them in the first-frame CG too); strict xfail so that a change that makes it pass is
# noticed.
_AFTER_MODEL_UPDATES = pytest.mark.xfail(strict=True, reason="leaves IoU 0.99 at frame 24 after the model "
                                         "updates, the original with 2 threads at 27; see the comment above")


@pytest.mark.slow
@pytest.mark.parametrize("sequence, winograd", [
    pytest.param("Crossing", False, id="Crossing-torch_conv"),
    pytest.param("Crossing", True, id="Crossing-winograd"),
    pytest.param("DragonBaby", False, id="DragonBaby-torch_conv", marks=_AFTER_MODEL_UPDATES),
    pytest.param("DragonBaby", True, id="DragonBaby-winograd"),
])
def test_no_earlier_divergence_than_the_original_with_another_thread_count(sequence, winograd):
    """The original run with 2 threads (``threads2/``) leaves IoU 0.99 of its 1-thread run at some
    frame (17 on Crossing, 27 on DragonBaby); this project must stay within IoU 0.99 of the
    1-thread run at least as long."""
    trace = np.load(TRACES / f"{sequence}.npz")
    other = np.load(TRACES / "threads2" / f"{sequence}.npz")
    self_ious = [box_iou(a, b) for a, b in zip(trace["boxes"], other["boxes"])]
    diverges = next(i for i, v in enumerate(self_ious) if v < 0.99)      # 0-based frame index
    frames = sequence_frames(sequence)
    tracker = ATOM(trace_params(winograd))
    tracker.initialize(read_rgb(frames[0]), {"init_bbox": trace["init_box"].tolist()})
    ious = [box_iou(tracker.track(read_rgb(path))["target_bbox"], ref)
            for path, ref in zip(frames[1:diverges], trace["boxes"][1:diverges])]
    assert min(ious) > 0.99, (diverges + 1, np.round(ious, 4))
