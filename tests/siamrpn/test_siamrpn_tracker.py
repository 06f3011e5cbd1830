"""The SiamRPN tracker: the penalty on worked numbers, the update geometry with hand-made
networks, clamping, a random network on a synthetic sequence, network loading, parameters and the
runner."""
import logging
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ltr.dataset.synthetic import generate_sequence
from ltr.models.siam.siamrpn import siamrpn_alexnet_dw
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.tracker import Tracker
from pytracking.parameter.siamrpn import default as default_params
from pytracking.parameter.siamrpn import dw as dw_params
from pytracking.tracker.siamrpn import SiamRPN, get_tracker_class
from pytracking.tracker.siamrpn import network as rpn_network
from pytracking.tracker.siamrpn.params import SiamRPNParams
from pytracking.tracker.siamrpn.penalty import scale_aspect_penalty
from pytracking.utils.params import ParameterError

from moving_targets import box_centre, textured_target_sequence


def test_penalty_on_worked_numbers():
    # target 40 x 20: p = 30, sz = sqrt(70 * 50) = sqrt(3500); proposal 60 x 20: p = 40,
    # sz = sqrt(100 * 60) = sqrt(6000); sc = sqrt(12 / 7) = 1.3093; rc = change(2 / 3) = 1.5;
    # penalty = exp(-(1.5 * 1.3093 - 1) * 0.055) = exp(-0.053018) = 0.94836
    penalty = scale_aspect_penalty(np.array([[60.0, 20.0], [40.0, 20.0], [20.0, 40.0]]),
                                   np.array([40.0, 20.0]), 0.055)
    assert penalty[0] == pytest.approx(math.exp(-(1.5 * math.sqrt(12 / 7) - 1) * 0.055), rel=1e-12)
    assert penalty[0] == pytest.approx(0.94836, abs=1e-5)
    assert penalty[1] == 1.0  # unchanged box
    # 20 x 40: same scale, ratio change 2 / 0.5 = 4 -> exp(-3 * 0.055)
    assert penalty[2] == pytest.approx(math.exp(-3 * 0.055), rel=1e-12)


class PeakAnchorNet(torch.nn.Module):
    """Foreground logit ``logit`` at anchor (shape, row, col), -10 elsewhere (background 0);
    regression ``delta`` at that anchor, 0 elsewhere."""

    total_stride = 8
    num_anchors = 5

    def __init__(self, shape, row, col, logit=2.0, delta=(0.0, 0.0, 0.0, 0.0), size=19):
        super().__init__()
        self.shape, self.row, self.col, self.logit, self.size = shape, row, col, logit, size
        self.delta = torch.tensor(delta)

    def template(self, z):
        return torch.zeros(1), torch.zeros(1)

    def search(self, x):
        return x

    def rpn(self, kernels, x_feat):
        k, s = self.num_anchors, self.size
        cls = torch.zeros(1, 2 * k, s, s)
        cls[0, k:] = -10.0
        cls[0, k + self.shape, self.row, self.col] = self.logit
        reg = torch.zeros(1, 4 * k, s, s)
        for q in range(4):
            reg[0, q * k + self.shape, self.row, self.col] = self.delta[q]
        return cls, reg


def test_update_geometry_with_a_hand_made_network():
    image = np.full((400, 500, 3), 100, np.uint8)
    box = [200.0, 150.0, 40.0, 20.0]
    params = SiamRPNParams(net=PeakAnchorNet(shape=2, row=6, col=12), use_gpu=False,
                           window_influence=0.0, debug=1)
    tracker = SiamRPN(params)
    tracker.initialize(image, {"init_bbox": box})
    out = tracker.track(image)

    s_z = math.sqrt(70 * 50)                   # context side of the 40 x 20 target
    scale = 127 / s_z                          # crop pixels per image pixel (271 / s_x)
    offset = np.array([(12 - 9) * 8, (6 - 9) * 8]) / scale
    centre = np.array([220.0, 160.0]) + offset
    # proposal = the 64 x 64 anchor; sz(64, 64) = 128, sz(40, 20) * scale = sqrt(3500) * scale = 127
    penalty = math.exp(-(2 * 128 / 127 - 1) * 0.055)
    score = math.exp(2.0) / (1 + math.exp(2.0))
    rate = 0.295 * penalty * score
    size = np.array([40.0, 20.0]) * (1 - rate) + 64 / scale * rate
    x, y, w, h = out["target_bbox"]
    np.testing.assert_allclose([x + w / 2, y + h / 2], centre, rtol=1e-9)
    np.testing.assert_allclose([w, h], size, rtol=1e-9)
    assert out["score"] == pytest.approx(score, rel=1e-9)
    ax, ay, aw, ah = out["anchor_box"]
    np.testing.assert_allclose([ax + aw / 2, ay + ah / 2, aw, ah],
                               [centre[0], centre[1], 64 / scale, 64 / scale], rtol=1e-9)
    assert out["score_map"].shape == (19, 19)
    assert np.unravel_index(np.argmax(out["score_map"]), (19, 19)) == (6, 12)


def test_regression_deltas_move_the_box():
    image = np.full((400, 500, 3), 100, np.uint8)
    delta = (0.25, -0.5, math.log(1.5), 0.0)
    params = SiamRPNParams(net=PeakAnchorNet(shape=2, row=9, col=9, delta=delta), use_gpu=False,
                           window_influence=0.0, lr=1.0, penalty_k=0.0)
    tracker = SiamRPN(params)
    tracker.initialize(image, {"init_bbox": [200.0, 150.0, 40.0, 20.0]})
    out = tracker.track(image)
    assert "score_map" not in out and "anchor_box" not in out  # debug 0
    scale = 127 / math.sqrt(3500)
    # centre anchor 64 x 64 -> box centre (16, -32), size 96 x 64 crop pixels; penalty 1,
    # rate = lr * score
    score = math.exp(2.0) / (1 + math.exp(2.0))
    x, y, w, h = out["target_bbox"]
    np.testing.assert_allclose([x + w / 2, y + h / 2], [220 + 16 / scale, 160 - 32 / scale],
                               rtol=1e-9)
    np.testing.assert_allclose([w, h], [40 * (1 - score) + 96 / scale * score,
                                        20 * (1 - score) + 64 / scale * score], rtol=1e-6)
    # (rtol 1e-6: the network's deltas are float32)


def test_box_is_clamped_to_the_image():
    image = np.full((120, 160, 3), 100, np.uint8)
    params = SiamRPNParams(net=PeakAnchorNet(shape=0, row=18, col=18, logit=8.0,
                                             delta=(3.0, 3.0, 2.0, 2.0)),
                           use_gpu=False, window_influence=0.0)
    tracker = SiamRPN(params)
    tracker.initialize(image, {"init_bbox": [100.0, 70.0, 30.0, 20.0]})
    for _ in range(6):
        x, y, w, h = tracker.track(image)["target_bbox"]
        assert 0 <= x and 0 <= y and x + w <= 160 + 1e-9 and y + h <= 120 + 1e-9
        assert w >= 10 and h >= 10
    assert x + w == pytest.approx(160) and y + h == pytest.approx(120)  # pushed into the corner


class PooledImage(torch.nn.Module):
    """Template matching as an RPN: features are the image averaged over 8 x 8 blocks (stride 8:
    127 -> 15, 271 -> 33, 19 x 19 correlations); every anchor of a cell gets the cell's
    correlation, normalized so the best cell has logit 4 and others fall off; no regression."""

    total_stride = 8
    num_anchors = 5

    def template(self, z):
        return (F.avg_pool2d(z, 8, 8),)

    def search(self, x):
        return F.avg_pool2d(x, 8, 8)

    def rpn(self, kernels, x_feat):
        corr = F.conv2d(x_feat, kernels[0])
        logit = 4.0 + 40.0 * (corr / corr.max() - 1.0)
        cls = torch.cat([torch.zeros(1, 5, *corr.shape[-2:]), logit.expand(1, 5, -1, -1)], dim=1)
        return cls, torch.zeros(1, 20, *corr.shape[-2:])


def translating_sequence(num_frames=20):
    """A 32 x 32 textured target moving on a smooth path."""
    return textured_target_sequence(
        lambda k, w, h: (90 + 50 * np.sin(k / 5.0) + 3 * k, 100 + 40 * np.sin(k / 7.0 + 1.0)),
        num_frames, target=(32, 32))


def test_template_matching_rpn_follows_a_translating_target():
    frames, boxes = translating_sequence()
    params = default_params.parameters()
    params.net = PooledImage()
    params.use_gpu = False
    tracker = SiamRPN(params)
    tracker.initialize(frames[0], {"init_bbox": boxes[0].tolist()})
    errors = [np.linalg.norm(box_centre(tracker.track(f)["target_bbox"]) - box_centre(b))
              for f, b in zip(frames[1:], boxes[1:])]
    assert np.linalg.norm(np.diff(boxes[:, :2], axis=0), axis=1).max() > 8  # it really moves
    # one score cell is 8 crop pixels = 8 * s_x / 271 = about 4 image pixels here
    assert max(errors) < 4.5, errors


@pytest.mark.parametrize("module", [default_params, dw_params])
def test_random_network_on_a_synthetic_sequence(module):
    seq = generate_sequence(seed=3, num_frames=6, image_size=(160, 120))
    params = module.parameters()
    params.net = rpn_network.random_network(params.model, 0, width=0.125, hidden=8)
    params.use_gpu = False
    params.debug = 1
    tracker = SiamRPN(params)
    tracker.initialize(np.asarray(seq.frames[0]), {"init_bbox": [float(v) for v in seq.boxes[0]]})
    size = (params.instance_sz - 127) // 8 + 1
    for image in seq.frames[1:]:
        out = tracker.track(np.asarray(image))
        x, y, w, h = out["target_bbox"]
        assert np.isfinite(out["target_bbox"]).all() and w > 0 and h > 0
        assert x >= 0 and y >= 0 and x + w <= 160 + 1e-9 and y + h <= 120 + 1e-9
        assert out["score_map"].shape == (size, size) and len(out["anchor_box"]) == 4


def test_missing_weights_fall_back_to_a_seeded_network_with_one_warning(caplog, monkeypatch):
    monkeypatch.setattr(rpn_network, "_WARNED", set())
    params = SiamRPNParams(network_path="absent.pth", net_width=0.125, net_hidden=8,
                           model="siamrpn_alexnet_dw")
    with caplog.at_level(logging.WARNING, logger=rpn_network.__name__):
        first = rpn_network.get_network(params)
        second = rpn_network.get_network(params)
    warnings = [r for r in caplog.records if "RANDOMLY INITIALISED" in r.getMessage()]
    assert len(warnings) == 1 and "absent.pth" in warnings[0].getMessage()
    assert type(first.rpn_head).__name__ == "DepthwiseRPN"
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)


def test_weights_file_in_the_network_folder_is_loaded(tmp_path):
    torch.manual_seed(4)
    net = siamrpn_alexnet_dw(width=0.125, hidden=8)
    torch.save({"net": net.state_dict(), "constructor": net.constructor},
               tmp_path / "networks" / "mine.pth")
    loaded = rpn_network.get_network(SiamRPNParams(network_path="mine.pth"))
    for (name, a), b in zip(net.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(a, b), name


def test_a_siamfc_network_is_refused(tmp_path):
    from ltr.models.siam import siamfc_alexnet

    net = siamfc_alexnet(width=0.125)
    torch.save({"net": net.state_dict(), "constructor": net.constructor},
               tmp_path / "networks" / "fc.pth")
    with pytest.raises(TypeError, match="fc.pth.*SiamRPNNet"):
        rpn_network.get_network(SiamRPNParams(network_path="fc.pth"))


def test_parameters_reject_typos_and_bad_values():
    params = default_params.parameters()
    assert (params.penalty_k, params.window_influence, params.lr, params.instance_sz) == \
        (0.055, 0.42, 0.295, 271)
    dw = dw_params.parameters()
    assert (dw.penalty_k, dw.window_influence, dw.lr, dw.instance_sz) == (0.16, 0.40, 0.30, 287)
    with pytest.raises(ParameterError, match="penalty_k"):
        params.penalty_kk = 0.1
    params.window_influence = 1.5
    with pytest.raises(ValueError, match="window_influence"):
        SiamRPN(params)
    params = default_params.parameters()
    params.anchor_ratios = (1.0, 2.0)
    params.net = PeakAnchorNet(2, 9, 9)
    params.use_gpu = False
    with pytest.raises(ValueError, match="anchors"):
        SiamRPN(params).initialize(np.zeros((50, 50, 3), np.uint8), {"init_bbox": [10, 10, 20, 20]})


def test_runs_through_the_runner(tmp_path, monkeypatch):
    import cv2

    frames, boxes = translating_sequence(num_frames=5)
    paths = []
    for i, image in enumerate(frames):
        path = tmp_path / f"{i:04d}.png"
        cv2.imwrite(str(path), image[:, :, ::-1])
        paths.append(str(path))
    tracker = Tracker("siamrpn", "default")
    assert tracker.tracker_class is get_tracker_class() is SiamRPN
    original = default_params.parameters

    def with_net():
        params = original()
        params.net = PooledImage()
        return params

    monkeypatch.setattr(default_params, "parameters", with_net)
    output = tracker.run_sequence(Sequence("translate", paths, "synthetic", boxes),
                                  overrides=["use_gpu=false"])
    assert output.target_bbox.shape == (5, 4)
    errors = [np.linalg.norm(box_centre(b) - box_centre(g))
              for b, g in zip(output.target_bbox, boxes)]
    assert max(errors) < 4.5


def test_resnet50_parameters_use_the_25_by_25_map_geometry():
    from pytracking.parameter.siamrpn import r50 as r50_params

    params = r50_params.parameters()
    assert (params.penalty_k, params.window_influence, params.lr, params.instance_sz) == \
        (0.05, 0.42, 0.38, 255)
    params.net = PeakAnchorNet(shape=2, row=12, col=15, size=25)
    params.use_gpu = False
    params.window_influence = 0.0
    tracker = SiamRPN(params)
    image = np.full((400, 500, 3), 100, np.uint8)
    tracker.initialize(image, {"init_bbox": [200.0, 150.0, 40.0, 20.0]})
    x, y, w, h = tracker.track(image)["target_bbox"]
    scale = 127 / math.sqrt(3500)  # 255 / s_x
    np.testing.assert_allclose([x + w / 2, y + h / 2], [220 + 3 * 8 / scale, 160.0], rtol=1e-9)
