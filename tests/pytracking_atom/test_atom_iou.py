"""IoU-Net box refinement with a seeded random-weight ATOM network."""
import pytest
import torch

from pytracking.features.net_wrappers import build_random_atom_network
from pytracking.tracker.atom.iou_head import BoxIoUObjective, closed_form_head
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


def _autograd_iou_and_grad(predictor, modulation, feat, boxes):
    bb = boxes.reshape(1, -1, 4).clone().requires_grad_(True)
    iou = predictor.predict_iou(modulation, feat, bb)
    (grad,) = torch.autograd.grad(iou.sum(), bb)
    return iou.detach().reshape(-1), grad.reshape(-1, 4)


def test_closed_form_objective_equals_autograd_through_the_network(iou_setup):
    predictor, modulation, feat = iou_setup
    before = closed_form_head(predictor)
    assert before is not None and closed_form_head(predictor) is before      # folded once, then cached
    # non-trivial batch-norm statistics, so that folding them into the linear layers matters
    g = torch.Generator().manual_seed(5)
    for block in (predictor.fc3_rt, predictor.fc4_rt):
        block.bn.running_mean.copy_(torch.randn(block.bn.running_mean.shape, generator=g) * 0.1)
        block.bn.running_var.copy_(torch.rand(block.bn.running_var.shape, generator=g) + 0.5)
        block.bn.bias.data.copy_(torch.randn(block.bn.bias.shape, generator=g) * 0.1)
    boxes = random_boxes(torch.tensor([45.0, 40.0, 28.0, 34.0]), 19, 0.3, 0.8, g)
    objective = BoxIoUObjective(predictor, modulation, feat)
    assert objective.closed_form and objective.head is not before        # in-place changes refold
    iou, grad = objective(boxes)
    ref_iou, ref_grad = _autograd_iou_and_grad(predictor, modulation, feat, boxes)
    assert torch.allclose(iou, ref_iou, rtol=1e-5, atol=1e-6)
    assert torch.allclose(grad, ref_grad, rtol=1e-4, atol=1e-6 * float(ref_grad.abs().max()))
    # the ReLUs of the head are active for some units and inactive for others (both branches tested)
    with torch.no_grad():
        pre = predictor.fc3_rt.bn(predictor.fc3_rt.linear(
            predictor.prroi_pool3t(feat[0] * modulation[0].reshape(1, -1, 1, 1),
                                   torch.cat((torch.zeros(20, 1), boxes[:, :2], boxes[:, :2] + boxes[:, 2:]), 1))
            .reshape(20, -1))[..., None, None])
    assert (pre > 0).any() and (pre < 0).any()
    no_grad_iou, none = objective(boxes, with_grad=False)
    assert none is None and torch.allclose(no_grad_iou, ref_iou, rtol=1e-5, atol=1e-6)


def test_objective_falls_back_to_autograd_for_training_mode_predictors(iou_setup):
    predictor, modulation, feat = iou_setup
    boxes = random_boxes(torch.tensor([45.0, 40.0, 28.0, 34.0]), 5, 0.1, 0.5, torch.Generator().manual_seed(2))
    predictor.train()
    try:
        objective = BoxIoUObjective(predictor, modulation, feat)
        assert not objective.closed_form
        iou, grad = objective(boxes)
        ref_iou, ref_grad = _autograd_iou_and_grad(predictor, modulation, feat, boxes)
    finally:
        predictor.eval()
    assert torch.equal(iou, ref_iou) and torch.equal(grad, ref_grad)


def test_replacing_a_head_parameter_refolds(iou_setup):
    predictor, modulation, feat = iou_setup
    before = closed_form_head(predictor)
    old = predictor.iou_predictor.weight
    try:
        predictor.iou_predictor.weight = torch.nn.Parameter(old.detach() * -1.0, requires_grad=False)
        after = closed_form_head(predictor)
        assert after is not before and closed_form_head(predictor) is after
        boxes = random_boxes(torch.tensor([45.0, 40.0, 28.0, 34.0]), 5, 0.1, 0.5, torch.Generator().manual_seed(4))
        iou, _ = BoxIoUObjective(predictor, modulation, feat)(boxes)
        ref_iou, _ = _autograd_iou_and_grad(predictor, modulation, feat, boxes)
        assert torch.allclose(iou, ref_iou, rtol=1e-5, atol=1e-6)
    finally:
        predictor.iou_predictor.weight = old
