"""ECO as the built-in default: found by name, run by the runner on files, documented as weight-free."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from pytracking.analysis.metrics import iou_continuous
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.running import run_dataset
from pytracking.evaluation.tracker import Tracker
from pytracking.parameter.eco.default import parameters
from pytracking.parameter.eco.default_vot import parameters as vot_parameters
from pytracking.parameter.eco.otb_hc_v2 import parameters as v2_parameters
from pytracking.run_tracker import build_parser
from pytracking.tracker.eco import ECO
from pytracking.utils.load_text import load_text
from tests.tracker_eco.conftest import moving_target_sequence

REPO = Path(__file__).resolve().parents[2]


def test_runner_tracks_a_sequence_on_disk_with_eco_default(tmp_path):
    frames, gt = moving_target_sequence(20, (200, 260), (50, 60, 36, 30), (3.0, 1.5), seed=11)
    paths = []
    for i, f in enumerate(frames):
        path = tmp_path / "img" / f"{i + 1:04d}.jpg"
        path.parent.mkdir(exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(f, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
        paths.append(str(path))
    tracker = Tracker("eco", "default", results_path=str(tmp_path / "res"))
    records = run_dataset([Sequence("Moving", paths, "test", gt)], [tracker])
    assert [r.status for r in records] == ["done"]
    boxes = load_text(Path(tracker.results_dir) / "Moving.txt", ncols=4)
    assert boxes.shape == gt.shape
    assert iou_continuous(boxes[1:], gt[1:]).mean() > 0.7


def test_default_parameters_are_the_published_eco_hc_values():
    p = parameters()
    assert (p.search_area_scale, p.min_image_sample_size, p.max_image_sample_size) == (4.0, 150 ** 2, 200 ** 2)
    assert (p.learning_rate, p.num_samples, p.train_gap, p.skip_after_frame) == (0.009, 30, 5, 10)
    assert (p.init_GN_iter, p.init_CG_iter, p.CG_iter) == (10, 150, 5)
    assert (p.reg_window_edge, p.reg_window_power, p.reg_sparsity_threshold) == (10e-3, 2, 0.05)
    assert (p.number_of_scales_filter, p.number_of_interp_scales, p.scale_step_filter) == (17, 33, 1.02)
    assert p.interpolation_bicubic_a == -0.75 and p.compressed_dim == (10, 3)
    p.features.set_is_color(True)
    assert p.features.stride() == [6, 4] and p.features.dim() == [31, 10]
    p.features.set_is_color(False)
    assert p.features.stride() == [6, 4] and p.features.dim() == [31, 5]


def test_v2_parameters_differ_from_the_otb_ones_where_eco_2_changed_them():
    otb, v2 = parameters(), v2_parameters()
    changed = {f.name: getattr(v2, f.name) for f in dataclasses.fields(otb)
               if f.name != "features" and getattr(v2, f.name) != getattr(otb, f.name)}
    assert changed == {"learning_rate": 0.007, "projection_reg": 1e-6, "init_CG_iter": 200, "precond_proj_param": 60,
                       "reg_window_edge": 4e-3}


def test_vot_parameters_differ_from_the_otb_ones_where_the_published_vot2016_hc_settings_do():
    otb, vot = parameters(), vot_parameters()
    changed = {f.name: getattr(vot, f.name) for f in dataclasses.fields(otb)
               if f.name != "features" and getattr(vot, f.name) != getattr(otb, f.name)}
    assert changed == {"learning_rate": 0.01, "projection_reg": 5e-7, "init_CG_iter": 200, "CG_forgetting_rate": 60,
                       "precond_reg_param": 0.2, "reg_window_edge": 4e-3, "reg_sparsity_threshold": 0.15}
    assert Tracker("eco", "default_vot").get_parameters().learning_rate == 0.01


def test_bad_parameters_are_named():
    p = parameters()
    p.compressed_dim = (10,)
    frame = np.zeros((60, 80, 3), np.uint8)
    with pytest.raises(ValueError, match="compressed_dim"):
        ECO(p).initialize(frame, {"init_bbox": [10, 10, 20, 20]})
    p = parameters()
    p.learning_rate = 1.5
    with pytest.raises(ValueError, match="learning_rate"):
        ECO(p)
    p = parameters()
    p.sample_centring = "centre"
    with pytest.raises(ValueError, match="sample_centring='centre'"):
        ECO(p)


def test_the_main_job_and_the_help_name_the_weight_free_default():
    install = (REPO / "install.sh").read_text()
    assert "run_tracker.py eco default --dataset synthetic" in install
    assert "run_tracker.py atom default --dataset synthetic" not in install
    text = build_parser().format_help()
    assert "eco" in text and "NO weight file" in text and "network_path" in text


def test_run_video_examples_start_with_the_weight_free_tracker():
    from pytracking.run_video import build_parser as video_parser

    text = video_parser().format_help()
    examples = [line.split()[2] for line in text.splitlines() if line.strip().startswith("python pytracking/run_video.py")]
    assert examples and examples[0] == "eco" and examples.count("eco") > examples.count("atom")
    assert "eco needs no weight file" in " ".join(text.split())
    readme = [line.split()[2] for line in (REPO / "README.md").read_text().splitlines()
              if line.startswith(".venv/bin/python pytracking/run_video.py")]
    assert readme and readme[0] == "eco"
