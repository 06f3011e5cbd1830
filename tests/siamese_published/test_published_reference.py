"""Equivalence with the ORIGINAL code (pysot, DaSiamRPN, siamfc-pytorch): their deterministic
stand-in weights (``../shared/reference/siamese_outputs/recipe.py``) loaded through the converter
give their network outputs on fixed inputs (to 1e-5 of the largest value, the references' float32
tolerance) and their trackers' boxes on the first frames of OTB Crossing (to 0.01 px).

The boxes are checked on the first few frames by default (CPU time); set the environment variable
SIAMESE_REFERENCE_FRAMES=30 to check all 30 frames of the references.
"""
from __future__ import annotations

import importlib
import os

import numpy as np
import pytest
import torch

from ltr.models.siam.published import PUBLISHED
from ltr.models.siam.published_loading import convert_state_dict
from published_helpers import KEY_DIR, OUTPUT_DIR, need

pytestmark = pytest.mark.needs_shared

SEARCH_SIZE = {"siamrpn_alex_dwxcorr": 287, "siamrpn_r50_l234_dwxcorr": 255, "SiamRPNvot": 271,
               "SiamRPNBIG": 271, "siamfc_alexnet_e50": 255}
#: Frames (after the first) whose boxes are checked by default: about 5 s of CPU each model.
DEFAULT_FRAMES = {"siamrpn_alex_dwxcorr": 6, "siamrpn_r50_l234_dwxcorr": 1, "SiamRPNvot": 8,
                  "SiamRPNBIG": 2, "siamfc_alexnet_e50": 6}
FIRST_BOX = [205.0, 151.0, 17.0, 50.0]          # Crossing groundtruth_rect.txt row 1
_MODELS: dict[str, torch.nn.Module] = {}


def frames_to_check(name: str) -> int:
    value = os.environ.get("SIAMESE_REFERENCE_FRAMES")
    return min(29, int(value)) if value else DEFAULT_FRAMES[name]


def reference(name: str) -> dict[str, np.ndarray]:
    return dict(np.load(need(OUTPUT_DIR / f"{name}.npz")))


def stand_in_model(name: str, recipe) -> torch.nn.Module:
    """The published model of ``name`` with the references' weights, converted (cached)."""
    if name not in _MODELS:
        state = recipe.make_state_dict(str(need(KEY_DIR / f"{name}.txt")),
                                       recipe.MODEL_SCALES.get(name))
        model = PUBLISHED[name].build()
        model.load_state_dict(convert_state_dict(name, state, model, name), strict=True)
        _MODELS[name] = model.eval()
    return _MODELS[name]


def assert_close(actual: torch.Tensor, expected: np.ndarray, what: str) -> None:
    actual = actual.detach().numpy()
    assert actual.shape == expected.shape, what
    tolerance = 1e-5 * np.abs(expected).max()
    error = np.abs(actual - expected).max()
    assert error <= tolerance, f"{what}: max |diff| {error:.3g} > {tolerance:.3g}"


@pytest.mark.parametrize("name", sorted(SEARCH_SIZE))
def test_network_outputs(name, recipe):
    ref = reference(name)
    model = stand_in_model(name, recipe)
    generator = torch.Generator().manual_seed(1)
    z = torch.rand(1, 3, 127, 127, generator=generator) * 255
    size = SEARCH_SIZE[name]
    x = torch.rand(1, 3, size, size, generator=generator) * 255
    with torch.no_grad():
        if name.startswith("siamfc"):
            z_feat = model.template(z)
            assert_close(z_feat[None], ref["zf"], "zf")
            assert_close(model.score(z_feat, model.search(x)), ref["response"], "response")
            return
        kernels = model.template(z)
        cls, loc = model.rpn(kernels, model.search(x))
        z_feat = model.feature_extractor(z)
        if name.startswith("SiamRPN"):                 # DaSiamRPN: kernels as temple() sets them
            assert_close(kernels[0].reshape(ref["cls1_kernel"].shape), ref["cls1_kernel"],
                         "cls1_kernel")
            assert_close(kernels[1].reshape(ref["r1_kernel"].shape), ref["r1_kernel"],
                         "r1_kernel")
        if isinstance(z_feat, list):                   # pysot r50: neck outputs, 7 x 7
            z_feat = torch.stack([getattr(model.rpn_head, f"adjust{i + 2}")(f)
                                  for i, f in enumerate(z_feat)])
        else:
            z_feat = z_feat[None]
    assert_close(z_feat, ref["zf"], "zf")
    assert_close(cls, ref["cls"], "cls")
    assert_close(loc, ref["loc"], "loc")


def run_tracker(name: str, module: str, recipe, frames, **overrides) -> tuple[np.ndarray, list]:
    """Boxes and scores of parameter set ``module`` ("siamrpn.dasiamrpn_vot") with the stand-in
    weights on ``frames``, initialised with Crossing's first box."""
    tracker_name, param_name = module.split(".")
    params = importlib.import_module(f"pytracking.parameter.{module}").parameters()
    assert params.published_model == name
    params.net = stand_in_model(name, recipe)
    params.use_gpu = False
    for key, value in overrides.items():
        setattr(params, key, value)
    tracker = importlib.import_module(f"pytracking.tracker.{tracker_name}").get_tracker_class()(
        params)
    tracker.initialize(frames[0], {"init_bbox": FIRST_BOX})
    boxes, scores = [FIRST_BOX], [float("nan")]
    for image in frames[1:]:
        out = tracker.track(image)
        boxes.append(out["target_bbox"])
        scores.append(out.get("score", out.get("max_score")))
    return np.array(boxes), scores


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    low = np.maximum(a[:, :2], b[:, :2])
    high = np.minimum(a[:, :2] + a[:, 2:], b[:, :2] + b[:, 2:])
    inter = np.clip(high - low, 0, None).prod(axis=1)
    return inter / (a[:, 2:].prod(axis=1) + b[:, 2:].prod(axis=1) - inter)


CASES = [  # (published model, parameter set, reference arrays, overrides)
    ("siamrpn_alex_dwxcorr", "siamrpn.siamrpn_alex_dwxcorr", "track_boxes", {}),
    ("siamrpn_r50_l234_dwxcorr", "siamrpn.siamrpn_r50_l234_dwxcorr", "track_boxes", {}),
    ("SiamRPNvot", "siamrpn.dasiamrpn_vot", "track_boxes_py2emu", {}),
    ("SiamRPNvot", "siamrpn.dasiamrpn_vot", "track_boxes",
     {"round_half": "even", "anchor_origin": "true_division"}),
    ("SiamRPNBIG", "siamrpn.dasiamrpn_big", "track_boxes_py2emu", {}),
    ("siamfc_alexnet_e50", "siamfc.siamfc_alexnet_e50", "track_boxes", {}),
]


@pytest.mark.parametrize("name, module, key, overrides", CASES,
                         ids=[f"{c[1]}-{c[2]}" for c in CASES])
def test_tracker_boxes(name, module, key, overrides, recipe, crossing_frames):
    ref = reference(name)
    count = frames_to_check(name)
    if overrides and not os.environ.get("SIAMESE_REFERENCE_FRAMES"):
        count = min(count, 3)       # the Python-3 variants differ from frame 2 on (ties, anchors)
    boxes, scores = run_tracker(name, module, recipe, crossing_frames[:count + 1], **overrides)
    expected = ref[key][1:count + 1]
    np.testing.assert_allclose(boxes[1:], expected, rtol=0, atol=0.01)
    assert iou(boxes[1:], expected).min() > 0.999
    expected_scores = ref[key.replace("boxes", "scores")][1:count + 1]
    np.testing.assert_allclose(scores[1:], expected_scores, rtol=1e-5, atol=1e-5)
