"""The parameter sets of the published Siamese trackers: the projects' hyper-parameters, their
weight files found in the network folder (a missing one is an error naming the setting and the
file), and their input conventions."""
from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

from ltr.models.siam.published import PUBLISHED, published_key
from pytracking.tracker.siamfc import SiamFC
from pytracking.tracker.siamrpn import SiamRPN

# Values from the projects' configurations (pysot config.yaml, DaSiamRPN net.py cfg, siamfc-pytorch
# parse_args), as recorded in ../shared/reference/siamese/*.io.txt:
# (penalty_k, window_influence, lr, instance_sz, convention, adaptive)
SIAMRPN_SETS = {
    "siamrpn_alex_dwxcorr": ("siamrpn_alex_dwxcorr", 0.16, 0.40, 0.30, 287, "pysot", False),
    "siamrpn_r50_l234_dwxcorr": ("siamrpn_r50_l234_dwxcorr", 0.05, 0.42, 0.38, 255, "pysot",
                                 False),
    "siamrpn_mobilev2_l234_dwxcorr": ("siamrpn_mobilev2_l234_dwxcorr", 0.04, 0.40, 0.50, 255,
                                      "pysot", False),
    "dasiamrpn_big": ("SiamRPNBIG", 0.055, 0.42, 0.295, 271, "dasiamrpn", True),
    "dasiamrpn_vot": ("SiamRPNvot", 0.04, 0.44, 0.45, 271, "dasiamrpn", False),
    "dasiamrpn_otb": ("SiamRPNotb", 0.22, 0.40, 0.30, 271, "dasiamrpn", False),
}


def params_of(tracker: str, name: str):
    return importlib.import_module(f"pytracking.parameter.{tracker}.{name}").parameters()


@pytest.mark.parametrize("module", sorted(SIAMRPN_SETS))
def test_siamrpn_sets(module):
    model, penalty_k, wi, lr, instance, convention, adaptive = SIAMRPN_SETS[module]
    p = params_of("siamrpn", module)
    p.validate()
    assert (p.published_model, p.penalty_k, p.window_influence, p.lr, p.instance_sz,
            p.convention, p.adaptive_instance_sz) == (model, penalty_k, wi, lr, instance,
                                                      convention, adaptive)
    assert (p.exemplar_sz, p.context_amount, p.min_target_size) == (127, 0.5, 10.0)
    assert p.anchor_ratios == (0.33, 0.5, 1.0, 2.0, 3.0) and p.anchor_scales == (8.0,)
    assert (p.pixel_max, p.channel_order) == (255.0, "BGR")
    assert p.normalize_mean == (0, 0, 0) and p.normalize_std == (1, 1, 1)
    assert p.network_path == PUBLISHED[model].file_name
    if convention == "dasiamrpn":      # the published code's Python 2 behaviour
        assert (p.round_half, p.anchor_origin) == ("away", "floor")


def test_siamfc_set():
    p = params_of("siamfc", "siamfc_alexnet_e50")
    p.validate()
    assert (p.published_model, p.network_path, p.convention) == (
        "siamfc_alexnet_e50", "siamfc_alexnet_e50.pth", "siamfc-pytorch")
    assert (p.exemplar_sz, p.instance_sz, p.context_amount, p.num_scales, p.scale_step,
            p.scale_lr, p.scale_penalty, p.window_influence, p.response_upsample) == (
        127, 255, 0.5, 3, 1.0375, 0.59, 0.9745, 0.176, 16)
    assert (p.pixel_max, p.channel_order) == (255.0, "RGB")


def frame() -> np.ndarray:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    image[40:70, 60:90] = (250, 30, 30)
    return image


@pytest.mark.parametrize("tracker_cls, tracker, module", [
    (SiamRPN, "siamrpn", "dasiamrpn_vot"), (SiamFC, "siamfc", "siamfc_alexnet_e50")])
def test_missing_weight_file_names_setting_and_file(tracker_cls, tracker, module):
    p = params_of(tracker, module)
    with pytest.raises(FileNotFoundError) as info:
        tracker_cls(p).initialize(frame(), {"init_bbox": [60, 40, 30, 30]})
    message = str(info.value)
    assert "network_path" in message and p.network_path in message


def save_published(name: str, path) -> None:
    torch.manual_seed(0)
    model = PUBLISHED[name].build()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({published_key(name, k): v for k, v in model.state_dict().items()}, path)


@pytest.mark.parametrize("tracker_cls, tracker, module, name", [
    (SiamRPN, "siamrpn", "siamrpn_alex_dwxcorr", "siamrpn_alex_dwxcorr"),
    (SiamFC, "siamfc", "siamfc_alexnet_e50", "siamfc_alexnet_e50")])
def test_weight_file_in_network_folder_is_used(tracker_cls, tracker, module, name,
                                               isolated_settings):
    p = params_of(tracker, module)
    save_published(name, isolated_settings / "networks" / p.network_path)
    p.use_gpu = False
    t = tracker_cls(p)
    t.initialize(frame(), {"init_bbox": [60, 40, 30, 30]})
    box = t.track(frame())["target_bbox"]
    assert np.isfinite(box).all() and box[2] > 0 and box[3] > 0
    saved = torch.load(isolated_settings / "networks" / p.network_path)
    for key, value in t.net.state_dict().items():
        assert torch.equal(value, saved[published_key(name, key)]), key


def test_bgr_raw_pixel_input():
    p = params_of("siamrpn", "dasiamrpn_vot")
    p.net = PUBLISHED["SiamRPNvot"].build()
    p.use_gpu = False
    t = SiamRPN(p)
    t._set_up_network()
    crop = np.zeros((4, 4, 3), np.uint8)
    crop[..., 0], crop[..., 1], crop[..., 2] = 10, 20, 250        # R, G, B
    x = t._to_tensor(crop)
    assert x.shape == (1, 3, 4, 4)
    assert [float(x[0, c, 0, 0]) for c in range(3)] == [250.0, 20.0, 10.0]   # B, G, R
