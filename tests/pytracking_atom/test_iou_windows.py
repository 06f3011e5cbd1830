"""IoU-Net test features computed on windows around the boxes (pytracking.features.iou_windows)."""
import pytest
import torch

from prroi_pool import prroi_pool2d
from pytracking.features.iou_windows import WindowedIoUFeatures, box_cells, iou_branch_modules, run_branch_on_window
from pytracking.features.net_wrappers import build_random_atom_network, fold_batchnorm
from pytracking.libs.cpu_kernels import winograd


@pytest.fixture(scope="module")
def net_and_backbone():
    net = fold_batchnorm(build_random_atom_network(seed=4))
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        feats = net.extract_backbone_features(torch.randn(1, 3, 160, 192, generator=g) * 2)
    backbone = [feats["layer2"], feats["layer3"]]          # 20 x 24 cells (stride 8), 10 x 12 (stride 16)
    with torch.no_grad():
        full = net.bb_regressor.get_iou_feat(backbone)
    return net.bb_regressor, backbone, full


def _pool(feat, boxes):
    rois = torch.cat((torch.zeros(boxes.shape[0], 1), boxes[:, :2], boxes[:, :2] + boxes[:, 2:]), dim=1)
    return prroi_pool2d(feat[0], rois, 5, 5, 1 / 8), prroi_pool2d(feat[1], rois, 3, 3, 1 / 16)


def test_box_cells_by_hand():
    # x from 20 to 50 px at stride 8: cells 2.5 .. 6.25 -> floor 2 .. floor(6.25) + 1 = 7
    # y from 4 to 30 px: 0.5 .. 3.75 -> 0 .. 4
    boxes = torch.tensor([[20.0, 4.0, 30.0, 26.0]])
    assert box_cells(boxes, 8, (20, 24)) == (0, 4, 2, 7)
    assert box_cells(boxes, 8, (20, 24), extra=2) == (0, 6, 0, 9)
    assert box_cells(boxes, 8, (4, 7)) == (0, 3, 2, 6)                      # clipped to the map
    assert box_cells(torch.tensor([[float("nan"), 0.0, 1.0, 1.0]]), 8, (20, 24)) == (0, 19, 0, 23)
    # boxes beyond the right/bottom or left/top edges: a valid cell at that edge
    assert box_cells(torch.tensor([[300.0, 400.0, 20.0, 20.0]]), 8, (20, 24)) == (19, 19, 23, 23)
    assert box_cells(torch.tensor([[-90.0, -60.0, 20.0, 20.0]]), 8, (20, 24)) == (0, 0, 0, 0)
    # a negative width spans the cells between its two x coordinates: 40 - 16 = 24 .. 40 px
    assert box_cells(torch.tensor([[40.0, 8.0, -16.0, 8.0]]), 8, (20, 24)) == (1, 3, 3, 6)


@pytest.mark.parametrize("use_winograd", [False, True])
@pytest.mark.parametrize("cells", [(5, 12, 6, 15), (0, 4, 0, 6), (14, 19, 17, 23), (0, 19, 0, 23), (3, 3, 9, 9)])
def test_branch_on_a_window_equals_the_full_branch_there(net_and_backbone, cells, use_winograd, monkeypatch):
    predictor, backbone, full = net_and_backbone
    modules = iou_branch_modules(predictor)[0]
    calls = []
    if use_winograd:
        monkeypatch.setattr(winograd, "MIN_TILES", 1)            # every window size through the kernel
        kernel_conv = winograd.conv3x3
        monkeypatch.setattr(winograd, "conv3x3", lambda *a, **k: calls.append(k) or kernel_conv(*a, **k))
    with torch.no_grad():
        out, got = run_branch_on_window(modules, backbone[0], cells, winograd=use_winograd)
    t, b, l, r = cells
    assert got == cells and out.shape[-2:] == (b - t + 1, r - l + 1)
    # with Winograd: both convolutions, each with its ReLU fused (the folded batch norm is Identity)
    assert [c["relu"] for c in calls] == ([True, True] if use_winograd else [])
    want = full[0][:, :, t:b + 1, l:r + 1]
    # Winograd's float32 rounding is bounded relative to the largest output (tests/winograd_op)
    atol = 2e-5 * float(want.abs().max()) if use_winograd else 1e-5
    assert torch.allclose(out, want, atol=atol, rtol=1e-5)


def test_windowed_features_pool_like_the_full_ones_and_grow_on_demand(net_and_backbone):
    predictor, backbone, full = net_and_backbone
    windowed = WindowedIoUFeatures(predictor, backbone, [8, 16], margin=0.0)
    boxes = torch.tensor([[60.0, 50.0, 30.0, 40.0], [64.0, 56.0, 26.0, 30.0]])
    feat = windowed(boxes)
    assert windowed.computations == 1 and windowed.windows[0] == box_cells(boxes, 8, (20, 24))
    # the window is smaller than the map and zero outside
    t, b, l, r = windowed.windows[0]
    assert (b - t + 1) * (r - l + 1) < 20 * 24 and float(feat[0][:, :, :t].abs().max()) == 0.0
    for got, want in zip(_pool(feat, boxes), _pool(full, boxes)):
        assert torch.allclose(got, want, atol=1e-5, rtol=1e-5)
    # boxes inside the window: nothing is recomputed, the same maps come back
    assert windowed(boxes[1:] + torch.tensor([1.0, 1.0, 0.0, 0.0])) is feat and windowed.computations == 1
    # a box beyond it (and one touching the map edge): the window grows to cover old and new boxes
    moved = torch.tensor([[120.0, 100.0, 60.0, 55.0], [0.0, 2.0, 20.0, 20.0], [400.0, 300.0, 30.0, 30.0]])
    feat2 = windowed(moved)
    assert windowed.computations == 2 and feat2 is not feat
    both = torch.cat((boxes, moved))
    for got, want in zip(_pool(feat2, both), _pool(full, both)):
        assert torch.allclose(got, want, atol=1e-5, rtol=1e-5)


def test_margin_widens_the_window(net_and_backbone):
    predictor, backbone, _ = net_and_backbone
    boxes = torch.tensor([[60.0, 50.0, 30.0, 40.0]])
    tight = WindowedIoUFeatures(predictor, backbone, [8, 16], margin=0.0)
    wide = WindowedIoUFeatures(predictor, backbone, [8, 16], margin=0.5)
    tight(boxes), wide(boxes)
    # 0.5 x 40 px = 20 px more on every side: ceil(20 / 8) = 3 cells at stride 8
    t0, b0, l0, r0 = tight.windows[0]
    assert wide.windows[0] == (max(t0 - 3, 0), b0 + 3, l0 - 3, r0 + 3)


def test_windowed_features_reject_training_mode_and_bad_input(net_and_backbone):
    predictor, backbone, _ = net_and_backbone
    with pytest.raises(ValueError, match="margin"):
        WindowedIoUFeatures(predictor, backbone, [8, 16], margin=-1.0)
    with pytest.raises(ValueError, match="2 feature levels"):
        WindowedIoUFeatures(predictor, backbone[:1], [8], margin=0.0)
    predictor.train()
    try:
        assert iou_branch_modules(predictor) is None
        with pytest.raises(ValueError, match="training mode"):
            WindowedIoUFeatures(predictor, backbone, [8, 16], margin=0.0)
    finally:
        predictor.eval()


def test_pooling_reads_nothing_outside_box_cells():
    # Every cell outside box_cells is replaced by huge values: the pooled result must not change.
    g = torch.Generator().manual_seed(3)
    feat = torch.randn(1, 4, 20, 24, generator=g)
    boxes = torch.cat((torch.rand(40, 2, generator=g) * 150, 1 + torch.rand(40, 2, generator=g) * 60), dim=1)
    boxes[:5] = torch.round(boxes[:5] / 8) * 8                   # edges exactly on cells
    for box in boxes:
        for stride, pooled in ((8, 5), (16, 3)):
            t, b, l, r = box_cells(box[None], stride, feat.shape[-2:])
            garbage = torch.full_like(feat, 1e6)
            garbage[:, :, t:b + 1, l:r + 1] = feat[:, :, t:b + 1, l:r + 1]
            roi = torch.cat((torch.zeros(1), box[:2], box[:2] + box[2:]))[None]
            want = prroi_pool2d(feat, roi, pooled, pooled, 1 / stride)
            got = prroi_pool2d(garbage, roi, pooled, pooled, 1 / stride)
            assert torch.allclose(got, want, atol=1e-4), (box.tolist(), stride)
