"""The SiamFC tracker: tracking geometry with a hand-made template-matching network, network
loading (file / seeded random fallback with one warning), parameters and the runner."""
import logging

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ltr.models.siam import ScoreAdjust, SiamFCNet, siamfc_alexnet
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.tracker import Tracker
from pytracking.parameter.siamfc import default as default_params
from pytracking.parameter.siamfc import five_scales as five_scale_params
from pytracking.tracker.siamfc import SiamFC, get_tracker_class
from pytracking.tracker.siamfc import network as siam_network
from pytracking.tracker.siamfc.params import SiamFCParams
from pytracking.utils.params import ParameterError

from moving_targets import box_centre, textured_target_sequence


class PooledImage(torch.nn.Module):
    """A fixed 'backbone': the normalized image averaged over 8 x 8 blocks (stride 8). Correlating
    its outputs is template matching of block-averaged images: 127 -> 15 x 15, 255 -> 31 x 31,
    17 x 17 scores; the exemplar centre 63.5 and the window centres 8 u + 63.5 line up, so cell u
    is displaced by 8 (u - 8) search pixels, as for the AlexNet."""

    total_stride = 8

    def forward(self, x):
        return F.avg_pool2d(x, 8, 8)


def template_matching_net():
    return SiamFCNet(PooledImage(), ScoreAdjust(scale=1.0)).eval()


def translating_sequence(num_frames=25):
    """A 36 x 28 textured target moving on a smooth path."""
    return textured_target_sequence(
        lambda k, w, h: (80 + 60 * np.sin(k / 6.0) + 3 * k, 90 + 40 * np.sin(k / 9.0 + 1.0)),
        num_frames)


@pytest.mark.parametrize("num_scales", [3, 5])
def test_template_matching_keeps_the_centre_of_a_translating_target(num_scales):
    frames, boxes = translating_sequence()
    params = default_params.parameters() if num_scales == 3 else five_scale_params.parameters()
    params.net = template_matching_net()
    params.use_gpu = False
    tracker = SiamFC(params)
    tracker.initialize(frames[0], {"init_bbox": boxes[0].tolist()})
    errors = []
    for image, gt in zip(frames[1:], boxes[1:]):
        out = tracker.track(image)
        errors.append(np.linalg.norm(box_centre(out["target_bbox"]) - box_centre(gt)))
    steps = np.linalg.norm(np.diff(boxes[:, :2], axis=0), axis=1)
    assert steps.max() > 6  # the target really moves
    assert max(errors) < 3.0, errors


class ScoreMapNet(torch.nn.Module):
    """A stand-in network that ignores the images: subclasses give the 17 x 17 score maps."""

    total_stride = 8

    def template(self, z):
        return torch.zeros(1, 1, 1, 1)

    def search(self, x):
        return torch.zeros(x.shape[0], 1, 1, 1)


def test_peak_displacement_maps_to_image_pixels():
    """A network whose score map peaks at a chosen cell: the tracker must move by
    (cell - 8) * 8 search pixels * s_x / 255 image pixels."""

    class PeakAt(ScoreMapNet):
        def __init__(self, row, col):
            super().__init__()
            self.row, self.col = row, col

        def score(self, z_feat, x_feat):
            scores = torch.zeros(x_feat.shape[0], 1, 17, 17)
            scores[:, :, self.row, self.col] = 10.0
            scores[1:2, :, self.row, self.col] = 20.0  # central scale wins
            return scores

    image = np.full((400, 500, 3), 100, np.uint8)
    box = [200.0, 150.0, 40.0, 20.0]
    params = SiamFCParams(net=PeakAt(6, 11), use_gpu=False, window_influence=0.0)
    tracker = SiamFC(params)
    tracker.initialize(image, {"init_bbox": box})
    s_x = np.sqrt(70 * 50) * 255 / 127
    out = tracker.track(image)
    expected = box_centre(box) + np.array([(11 - 8) * 8, (6 - 8) * 8]) * s_x / 255
    # x16 upsampling has no sample exactly on a cell centre: the peak is one of the two samples
    # half an upsampled pixel (8 / 16 / 2 = 0.25 search pixels) away from it
    half_sample = 0.25 * s_x / 255
    np.testing.assert_allclose(box_centre(out["target_bbox"]), expected, atol=half_sample + 1e-6)
    assert np.abs(box_centre(out["target_bbox"]) - expected).max() > 0.5 * half_sample
    np.testing.assert_allclose(out["target_bbox"][2:], [40.0, 20.0], rtol=1e-9)


def test_scale_update_follows_the_learning_rate():
    class PreferLarger(ScoreMapNet):
        def score(self, z_feat, x_feat):
            scores = torch.zeros(x_feat.shape[0], 1, 17, 17)
            scores[:, :, 8, 8] = torch.tensor([1.0, 2.0, 4.0])[:x_feat.shape[0]].view(-1, 1)
            return scores

    image = np.full((300, 300, 3), 100, np.uint8)
    tracker = SiamFC(SiamFCParams(net=PreferLarger(), use_gpu=False))
    tracker.initialize(image, {"init_bbox": [120.0, 130.0, 30.0, 30.0]})
    out = tracker.track(image)
    # largest scale 1.0375 wins (4 * 0.9745 > 2); size *= 1 - 0.59 + 0.59 * 1.0375
    factor = 1 - 0.59 + 0.59 * 1.0375
    np.testing.assert_allclose(out["target_bbox"][2:], [30 * factor, 30 * factor], rtol=1e-9)
    s_x = 60 * 255 / 127 * 1.0375  # the search side of the winning scale
    np.testing.assert_allclose(box_centre(out["target_bbox"]), [135.0, 145.0], atol=0.25 * s_x / 255 + 1e-6)


def test_missing_weights_fall_back_to_a_seeded_network_with_one_warning(caplog, monkeypatch):
    monkeypatch.setattr(siam_network, "_WARNED", set())
    params = SiamFCParams(network_path="no_such_weights.pth", net_width=0.125, use_gpu=False)
    with caplog.at_level(logging.WARNING, logger=siam_network.__name__):
        first = siam_network.get_network(params)
        second = siam_network.get_network(params)
    warnings = [r for r in caplog.records if "RANDOMLY INITIALISED" in r.getMessage()]
    assert len(warnings) == 1 and "no_such_weights.pth" in warnings[0].getMessage()
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)  # the same seed gives the same network


def test_weights_file_in_the_network_folder_is_loaded(tmp_path):
    torch.manual_seed(5)
    net = siamfc_alexnet(width=0.125)
    torch.save({"net": net.state_dict(), "constructor": net.constructor}, tmp_path / "networks" / "mine.pth")
    loaded = siam_network.get_network(SiamFCParams(network_path="mine.pth"))
    for (name, a), b in zip(net.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(a, b), name


def test_parameters_reject_typos_and_bad_values():
    params = default_params.parameters()
    with pytest.raises(ParameterError, match="scale_step"):
        params.scale_stepp = 1.1
    params.num_scales = 4
    with pytest.raises(ValueError, match="num_scales"):
        SiamFC(params)


def test_runs_through_the_runner(tmp_path, monkeypatch):
    frames, boxes = translating_sequence(num_frames=6)
    paths = []
    import cv2
    for i, image in enumerate(frames):
        path = tmp_path / f"{i:04d}.png"
        cv2.imwrite(str(path), image[:, :, ::-1])
        paths.append(str(path))
    seq = Sequence("translate", paths, "synthetic", boxes)
    tracker = Tracker("siamfc", "default")
    assert tracker.tracker_class is get_tracker_class() is SiamFC
    original = default_params.parameters

    def with_net():
        params = original()
        params.net = template_matching_net()
        return params

    monkeypatch.setattr(default_params, "parameters", with_net)
    output = tracker.run_sequence(seq, overrides=["use_gpu=false"])
    assert output.target_bbox.shape == (6, 4)
    errors = np.linalg.norm([box_centre(b) - box_centre(g)
                             for b, g in zip(output.target_bbox, boxes)], axis=1)
    assert errors.max() < 3.0


def test_a_network_of_another_kind_is_refused(tmp_path):
    from ltr.models.siam.siamrpn import siamrpn_alexnet

    other = siamrpn_alexnet(width=0.125)  # a registered constructor, but no SiamFC 'score'
    torch.save({"net": other.state_dict(), "constructor": other.constructor},
               tmp_path / "networks" / "siamrpn.pth")
    with pytest.raises(TypeError, match="siamrpn.pth.*SiamFCNet"):
        siam_network.get_network(SiamFCParams(network_path="siamrpn.pth"))
