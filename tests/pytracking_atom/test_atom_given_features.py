"""ATOM with its features chosen by the parameter set (``params.features``)."""
import numpy as np
import pytest
import torch

from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.features.handcrafted import FHOG, ColorNames
from pytracking.features.net_wrappers import ATOMFeatures


def _track(params, frames, gt):
    from pytracking.tracker.atom import ATOM

    tracker = ATOM(params)
    tracker.initialize(frames[0], {"init_bbox": gt[0]})
    return [tracker.track(im)["target_bbox"] for im in frames[1:]], tracker


def test_atom_with_explicit_features_tracks_identically(small_params, make_frames):
    frames, gt = make_frames(num=4)
    default_boxes, default_tracker = _track(small_params, frames, gt)
    p = small_params
    features = ATOMFeatures(p.network, p.output_layers, p.normalize_power, torch.device("cpu"),
                            use_iou_net=p.use_iou_net, winograd=p.winograd_convolutions)
    p.features = MultiResolutionExtractor([features])
    boxes, tracker = _track(p, frames, gt)
    assert tracker.features is features and tracker.extractor is p.features
    assert default_tracker.features is not features
    assert np.array_equal(np.asarray(boxes), np.asarray(default_boxes))


def test_atom_rejects_unsuitable_features(small_params):
    from pytracking.tracker.atom import ATOM

    small_params.features = MultiResolutionExtractor([FHOG()])
    with pytest.raises(ValueError, match="use_iou_net needs a feature module with an IoU branch"):
        ATOM(small_params)
    small_params.features = MultiResolutionExtractor([FHOG(), ColorNames()])
    small_params.use_iou_net = False
    with pytest.raises(ValueError, match="exactly one feature layer"):
        ATOM(small_params)
    small_params.features = [FHOG()]
    with pytest.raises(ValueError, match="expected a MultiResolutionExtractor"):
        ATOM(small_params)


def test_atom_runs_on_handcrafted_features(small_params, make_frames):
    """A parameter set combines features without touching tracker code: ATOM's classifier on FHOG."""
    frames, gt = make_frames(num=4)
    small_params.use_iou_net = False
    small_params.features = MultiResolutionExtractor([FHOG(cell_size=8, normalize_power=2)])
    small_params.max_image_sample_size = small_params.min_image_sample_size = float(96 ** 2)
    boxes, tracker = _track(small_params, frames, gt)
    assert tracker.feature_sz.tolist() == [12.0, 12.0]
    for box, truth in zip(boxes, gt[1:]):
        centre = np.array(box[:2]) + np.array(box[2:]) / 2
        true_centre = np.array(truth[:2]) + np.array(truth[2:]) / 2
        assert np.abs(centre - true_centre).max() < 6
