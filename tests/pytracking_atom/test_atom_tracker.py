"""Whole ATOM runs on small synthetic sequences, input validation, and the runner integration."""
import math

import cv2
import numpy as np
import pytest
import torch

from pytracking.tracker.atom import ATOM, get_tracker_class
from pytracking.utils.params import ParameterError


def _check_box(box, image_shape):
    x, y, w, h = box
    assert all(math.isfinite(v) for v in box)
    assert w > 0 and h > 0
    height, width = image_shape[:2]
    # the box overlaps the image (the tracker keeps the centre near the image)
    assert x < width and y < height and x + w > 0 and y + h > 0


def test_whole_run_gives_finite_boxes_inside_the_image(small_params, make_frames):
    frames, gt = make_frames(num=6)
    tracker = ATOM(small_params)
    tracker.initialize(frames[0], {"init_bbox": gt[0]})
    assert tracker.img_sample_sz.tolist() == [96.0, 96.0]
    assert tracker.feature_sz.tolist() == [6.0, 6.0]
    # 1 identity + 1 shift + flip + 1 blur + 1 rotation + 2 dropout copies
    assert tracker.memory.num_init == 7
    flags = []
    for im in frames[1:]:
        out = tracker.track(im)
        _check_box(out["target_bbox"], im.shape)
        flags.append(out["flag"])
    assert set(flags) <= {None, "not_found", "uncertain", "hard_negative"}
    assert tracker.frame_num == 6
    assert torch.isfinite(tracker.filter).all()


def test_windowed_iou_features_do_not_change_the_result(small_params, make_frames):
    frames, gt = make_frames(num=4)
    results = []
    for margin in (0.25, None, 0.0):
        small_params.iou_feature_window_margin = margin
        tracker = ATOM(small_params)
        tracker.initialize(frames[0], {"init_bbox": gt[0]})
        results.append([tracker.track(im)["target_bbox"] for im in frames[1:]])
    assert np.allclose(results[0], results[1], atol=1e-3) and np.allclose(results[2], results[1], atol=1e-3)


def test_multiscale_without_iounet_and_pca_projection(small_params, make_frames):
    from pytracking.parameter.atom.multiscale_no_iounet import parameters

    p = parameters()
    for name in ("max_image_sample_size", "min_image_sample_size", "init_CG_iter", "init_GN_iter", "CG_iter",
                 "sample_memory_size", "compressed_dim", "augmentation", "use_gpu"):
        setattr(p, name, getattr(small_params, name))
    p.proj_init_method = "pca"
    assert not p.use_iou_net and len(p.scale_factors) == 5
    frames, gt = make_frames(num=4)
    tracker = ATOM(p)
    tracker.initialize(frames[0], {"init_bbox": gt[0]})
    # PCA initialisation: orthonormal rows
    P = tracker.projection_matrix.reshape(tracker.compressed_dim, -1)
    assert P.shape[0] == 16
    # PCA initialisation gives orthonormal rows; the joint optimisation then moves them only a little
    assert tracker.params.update_projection_matrix
    for im in frames[1:]:
        _check_box(tracker.track(im)["target_bbox"], im.shape)


def test_grayscale_and_size_changing_frames(small_params, make_frames):
    frames, gt = make_frames(num=5)
    tracker = ATOM(small_params)
    tracker.initialize(cv2.cvtColor(frames[0], cv2.COLOR_RGB2GRAY), {"init_bbox": gt[0]})
    gray = cv2.cvtColor(frames[1], cv2.COLOR_RGB2GRAY)
    _check_box(tracker.track(gray)["target_bbox"], gray.shape)
    smaller = frames[2][:70, :90]
    _check_box(tracker.track(smaller)["target_bbox"], smaller.shape)
    larger = np.pad(frames[3], ((0, 40), (0, 30), (0, 0)))
    _check_box(tracker.track(larger)["target_bbox"], larger.shape)
    _check_box(tracker.track(frames[4])["target_bbox"], frames[4].shape)


def test_target_at_the_border_and_tiny_target(small_params, make_frames):
    frames, _ = make_frames(num=3)
    tracker = ATOM(small_params)
    tracker.initialize(frames[0], {"init_bbox": [0.0, 0.0, 3.0, 2.0]})
    for im in frames[1:]:
        _check_box(tracker.track(im)["target_bbox"], im.shape)


@pytest.mark.parametrize("box,match", [([10, 10, 0, 5], "zero or negative"), ([10, 10, 5, -1], "zero or negative"),
                                       ([float("nan"), 10, 5, 5], "NaN"), ([500, 500, 10, 10], "outside")])
def test_bad_initial_box_raises_naming_the_box(small_params, box, match, make_frames):
    frames, _ = make_frames(num=1)
    with pytest.raises(ValueError, match=match):
        ATOM(small_params).initialize(frames[0], {"init_bbox": box})


def test_vot_polygon_conversion_sets_the_initial_box(small_params, make_frames):
    frames, gt = make_frames(num=1)
    x, y, w, h = gt[0]
    assert abs(w - h) > 2                                   # the rotation changes the box
    cx, cy = x + w / 2, y + h / 2
    # a w x h rectangle rotated by 90 degrees about its centre: enclosing h x w box, same area
    polygon = [cx - h / 2, cy - w / 2, cx + h / 2, cy - w / 2, cx + h / 2, cy + w / 2, cx - h / 2, cy + w / 2]
    info = {"init_bbox": list(gt[0]), "init_polygon": polygon}
    small_params.vot_anno_conversion_type = "preserve_area"
    tracker = ATOM(small_params)
    tracker.initialize(frames[0], info)
    assert torch.allclose(tracker.target_sz, torch.tensor([w, h], dtype=torch.float32), atol=1e-4)
    small_params.vot_anno_conversion_type = None           # off: init_bbox is used
    tracker = ATOM(small_params)
    tracker.initialize(frames[0], info)
    assert torch.allclose(tracker.target_sz, torch.tensor([h, w], dtype=torch.float32), atol=1e-4)
    small_params.vot_anno_conversion_type = "area"
    with pytest.raises(ValueError, match="vot_anno_conversion_type"):
        ATOM(small_params)


def test_parameters_are_typed_and_checked(small_params):
    from pytracking.parameter.atom import default, default_vot

    p = default.parameters()
    with pytest.raises(ParameterError, match="init_CG_iter"):
        p.init_CG_itr = 3
    p.apply_overrides(["init_CG_iter=12", "response_activation=('mlu', 0.1)", "scale_factors=(1.0, 1.05)",
                       "CG_forgetting_rate=None", "use_iou_net=false"])
    assert p.init_CG_iter == 12 and p.response_activation == ("mlu", 0.1)
    assert p.scale_factors == (1.0, 1.05) and p.CG_forgetting_rate is None and p.use_iou_net is False
    assert p.activation_spec("response_activation") == ("mlu", 0.1)
    small_params.proj_init_method = "svd"
    with pytest.raises(ValueError, match="proj_init_method"):
        ATOM(small_params)
    vot = default_vot.parameters()
    assert vot.vot_anno_conversion_type == "preserve_area" and vot.window_output
    assert get_tracker_class() is ATOM


def test_published_default_values():
    from pytracking.parameter.atom.default import parameters

    p = parameters()
    assert p.max_image_sample_size == p.min_image_sample_size == 288 ** 2
    assert (p.search_area_scale, p.CG_iter, p.init_CG_iter, p.init_GN_iter, p.post_init_CG_iter) == (5, 5, 60, 6, 0)
    assert (p.learning_rate, p.init_samples_minimum_weight, p.sample_memory_size, p.train_skipping) == \
        (0.01, 0.25, 250, 10)
    assert (p.kernel_size, p.compressed_dim, p.filter_reg, p.projection_reg) == ((4, 4), 64, 0.1, 1e-4)
    assert p.response_activation == ("mlu", 0.05) and p.projection_activation == "none"
    assert len(p.augmentation["rotate"]) == 12 and p.augmentation["dropout"] == (7, 0.2)
    assert (p.target_not_found_threshold, p.distractor_threshold, p.hard_negative_threshold) == (0.25, 0.8, 0.5)
    assert (p.iounet_k, p.num_init_random_boxes, p.box_refinement_iter, p.maximal_aspect_ratio) == (3, 9, 5, 6)
    assert p.network == "atom_default.pth" and p.output_layers == ("layer3",) and p.normalize_power == 2


def test_runner_runs_atom_on_a_sequence_with_overrides(tmp_path, small_params, make_frames):
    from pytracking.evaluation.data import Sequence
    from pytracking.evaluation.tracker import Tracker

    frames, gt = make_frames(num=4)
    paths = []
    for i, im in enumerate(frames):
        path = tmp_path / f"{i:04d}.png"
        cv2.imwrite(str(path), im[:, :, ::-1])
        paths.append(str(path))
    seq = Sequence("toy", paths, "otb", np.asarray(gt))
    overrides = [f"{k}={v!r}" for k, v in small_params.as_dict().items()
                 if k in ("max_image_sample_size", "min_image_sample_size", "init_CG_iter", "init_GN_iter",
                          "sample_memory_size", "compressed_dim", "augmentation", "use_gpu")]
    output = Tracker("atom", "default").run_sequence(seq, overrides=overrides)
    assert output.target_bbox.shape == (4, 4) and np.isfinite(output.target_bbox).all()
    assert (output.target_bbox[:, 2:] > 0).all()
    with pytest.raises(ParameterError, match="Did you mean"):
        Tracker("atom", "default").get_parameters(["learning_rat=0.1"])


def test_debug_outputs(small_params, make_frames):
    frames, gt = make_frames(num=3)
    small_params.debug = 1
    tracker = ATOM(small_params)
    tracker.initialize(frames[0], {"init_bbox": gt[0]})
    out = tracker.track(frames[1])
    assert out["score_map"].shape == (96, 96)
    assert out["memory_weights"].shape[0] in (7, 8)
    assert abs(float(out["memory_weights"].sum()) - 1) < 0.05
    if out["flag"] != "not_found":
        assert out["proposals"].shape == (4, 4) and out["refined_boxes"].shape == (4, 4)
        # the unjittered proposal is the classifier's box (anchor) mapped back to the image
        assert np.allclose(out["proposals"][0], out["anchor_box"], atol=0.6)
    out = tracker.track(frames[2])          # frame 3: (3 - 1) % train_skipping == 0 -> CG update
    assert "cg_losses" in out and len(out["cg_losses"]) == 2


@pytest.mark.parametrize("flag", ["not_found", "uncertain", "hard_negative", None])
def test_flags_control_memory_and_training(small_params, make_frames, monkeypatch, flag):
    from pytracking.tracker.atom.localization import Localization

    frames, gt = make_frames(num=2)
    small_params.train_skipping = 100            # no scheduled update on frame 2
    tracker = ATOM(small_params)
    tracker.initialize(frames[0], {"init_bbox": gt[0]})
    box_before = tracker.center_size_box(tracker.pos, tracker.target_sz)
    stored, filt = tracker.memory.num_stored, tracker.filter.clone()
    monkeypatch.setattr(tracker, "localize",
                        lambda scores: Localization(torch.tensor([0.0, 0.0]), 0, flag, 0.9))
    out = tracker.track(frames[1])
    assert out["flag"] == flag
    if flag == "not_found":
        assert out["target_bbox"] == pytest.approx(box_before)    # nothing moves
    updated = flag in (None, "hard_negative")
    assert tracker.memory.num_stored == stored + (1 if updated else 0)
    if flag == "hard_negative":
        # hard negatives use learning rate 0.02: first update, old weights (sum 1) / 0.98, new one 0.02,
        # then normalised
        assert float(tracker.memory.weights[stored]) == pytest.approx(0.02 / (1 / 0.98 + 0.02))
    assert (not torch.equal(tracker.filter, filt)) == (flag == "hard_negative")


def test_vot_settings_run(small_params, make_frames):
    from pytracking.parameter.atom.default_vot import parameters

    p = parameters()
    for name in ("max_image_sample_size", "min_image_sample_size", "init_CG_iter", "init_GN_iter", "CG_iter",
                 "sample_memory_size", "compressed_dim", "augmentation", "use_gpu", "num_init_random_boxes",
                 "box_refinement_iter"):
        setattr(p, name, getattr(small_params, name))
    frames, gt = make_frames(num=3)
    tracker = ATOM(p)
    tracker.initialize(frames[0], {"init_bbox": gt[0]})
    assert tracker.output_window is not None and tracker.output_window.shape[-2:] == (96, 96)
    for im in frames[1:]:
        _check_box(tracker.track(im)["target_bbox"], im.shape)


@pytest.mark.parametrize("overrides", [
    ["use_augmentation=false"],
    ["update_projection_matrix=false", "filter_init_method=zeros"],
    ["search_area_shape=initrect", "feature_size_odd=true", "score_upsample_factor=2"],
    ["CG_forgetting_rate=8", "projection_activation=('relu', None)", "feature_window=true"],
    ["advanced_localization=false", "use_projection_matrix=false", "iou_feature_window_margin=None"],
])
def test_parameter_variants_run(small_params, make_frames, overrides):
    small_params.apply_overrides(overrides)
    frames, gt = make_frames(num=3)
    tracker = ATOM(small_params)
    tracker.initialize(frames[0], {"init_bbox": gt[0]})
    for im in frames[1:]:
        _check_box(tracker.track(im)["target_bbox"], im.shape)


def test_default_keeps_the_original_behaviour_and_improved_switches_it(small_params):
    """Every original-vs-improved parameter: 'default' has the original's value (listed first),
    'improved' the other one; an unknown value is refused naming the parameter."""
    from pytracking.parameter.atom import default, improved
    from pytracking.tracker.atom import ATOM
    from pytracking.tracker.atom.atom import ORIGINAL_BEHAVIOUR_CHOICES

    original, better = default.parameters(), improved.parameters()
    for name, choices in ORIGINAL_BEHAVIOUR_CHOICES.items():
        assert getattr(original, name) == choices[0] and getattr(better, name) == choices[1], name
    assert original.clamp_refined_scale is False and better.clamp_refined_scale is True
    small_params.patch_downsampling = "median"
    with pytest.raises(ValueError, match="patch_downsampling='median'"):
        ATOM(small_params)
