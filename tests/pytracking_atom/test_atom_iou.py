"""IoU-Net box refinement with a seeded random-weight ATOM network."""
import pytest
import torch

from pytracking.features.net_wrappers import build_random_atom_network
from pytracking.tracker.atom.iou_refinement import optimize_boxes, random_boxes, select_box


@pytest.fixture(scope="module")
def iou_setup():
    net = build_random_atom_network(seed=3).eval()
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        ref = net.extract_backbone_features(torch.randn(1, 3, 128, 128, generator=g))
        test = net.extract_backbone_features(torch.randn(1, 3, 128, 128, generator=g))
        ref_box = torch.tensor([[40.0, 44.0, 30.0, 36.0]])
        modulation = net.bb_regressor.get_modulation(list(ref.values()), ref_box)
        feat = net.bb_regressor.get_iou_feat(list(test.values()))
    return net.bb_regressor, modulation, feat


def _predict(predictor, modulation, feat, boxes):
    with torch.no_grad():
        return predictor.predict_iou(modulation, feat, boxes.reshape(1, -1, 4)).reshape(-1)


def test_refinement_increases_the_predicted_iou(iou_setup):
    predictor, modulation, feat = iou_setup
    g = torch.Generator().manual_seed(1)
    boxes = random_boxes(torch.tensor([45.0, 40.0, 28.0, 34.0]), 9, 0.1, 0.5, g)
    before = _predict(predictor, modulation, feat, boxes)
    # small steps: first-order ascent must not decrease the prediction
    visited = []
    refined, reported = optimize_boxes(predictor, modulation, feat, boxes, iterations=3, step_length=1e-3,
                                       visited=visited)
    after = _predict(predictor, modulation, feat, refined)
    assert refined.shape == (10, 4) and reported.shape == (10,)
    assert (after >= before - 1e-6).all()
    assert after.mean() > before.mean()
    # the reported IoU is the one of the last evaluated iterate (before the last step)
    assert len(visited) == 3 and torch.equal(visited[0], boxes)
    assert torch.allclose(reported, _predict(predictor, modulation, feat, visited[-1]), atol=1e-5)
    # published settings (step length 1, 5 steps) on the same boxes: the best box improves
    refined_default, _ = optimize_boxes(predictor, modulation, feat, boxes, iterations=5, step_length=1.0)
    assert _predict(predictor, modulation, feat, refined_default).max() >= before.max()
    # no iterations: the boxes and their IoU
    same, iou0 = optimize_boxes(predictor, modulation, feat, boxes, iterations=0, step_length=1.0)
    assert torch.equal(same, boxes) and torch.allclose(iou0, before, atol=1e-6)


def test_random_boxes_jitter_within_bounds():
    init = torch.tensor([10.0, 20.0, 30.0, 12.0])
    boxes = random_boxes(init, 200, 0.1, 0.5, torch.Generator().manual_seed(0))
    assert boxes.shape == (201, 4) and torch.equal(boxes[0], init)
    side = (30.0 * 12.0) ** 0.5
    centre = boxes[1:, :2] + boxes[1:, 2:] / 2
    assert ((centre - torch.tensor([25.0, 26.0])).abs() <= 0.05 * side + 1e-4).all()
    assert (boxes[1:, 2:] >= 4.0 - 1e-6).all()          # at least a third of the smaller side (12)
    assert (boxes[1:, 2] <= 30.0 + 0.25 * side + 1e-4).all()


def test_select_box_averages_top_k_and_drops_extreme_aspect_ratios():
    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [2.0, 2.0, 12.0, 10.0], [4.0, 0.0, 70.0, 10.0],
                          [0.0, 4.0, 8.0, 8.0]])
    ious = torch.tensor([0.5, 0.7, 0.9, 0.1])
    box, iou = select_box(boxes, ious, maximal_aspect_ratio=6.0, k=2)
    # box 2 has aspect 7 and is dropped; the two best remaining are boxes 1 and 0
    assert torch.allclose(box, torch.tensor([1.0, 1.0, 11.0, 10.0])) and iou == pytest.approx(0.6)
    assert select_box(boxes[2:3], ious[2:3], 6.0, 3) is None
