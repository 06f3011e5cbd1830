"""Anchors: shapes, count, centres and layout against hand-worked values; box coding."""
import math

import pytest
import torch

from ltr.models.siam.anchors import (anchor_shapes, decode_boxes, encode_boxes, generate_anchors,
                                     iou_cxcywh)
from ltr.models.siam.rpn_loss import flatten_cls, flatten_reg


def test_default_anchor_shapes_by_hand():
    # area 64; ratio 0.33: w = int(sqrt(64 / 0.33)) = int(13.93) = 13, h = int(13 * 0.33) = 4;
    # 0.5: 11, int(5.5) = 5; 1: 8, 8; 2: int(5.66) = 5, 10; 3: int(4.62) = 4, 12; all times 8
    expected = [[104, 32], [88, 40], [64, 64], [40, 80], [32, 96]]
    assert anchor_shapes().tolist() == expected


@pytest.mark.parametrize("size,count,extent", [(17, 5 * 17 * 17, 64), (19, 1805, 72)])
def test_count_and_centres(size, count, extent):
    anchors = generate_anchors(size)
    assert anchors.shape == (count, 4)
    assert sorted(set(anchors[:, 0].tolist())) == list(range(-extent, extent + 1, 8))
    assert sorted(set(anchors[:, 1].tolist())) == list(range(-extent, extent + 1, 8))
    assert float(anchors[:, :2].mean()) == 0.0  # centred on the search-image centre


def test_layout_is_shape_major_then_row_then_column():
    size = 5
    anchors = generate_anchors(size)
    shapes = anchor_shapes()
    for k in range(5):
        for i in range(size):
            for j in range(size):
                a = anchors[k * size * size + i * size + j].tolist()
                assert a == [(j - 2) * 8, (i - 2) * 8] + shapes[k].tolist()


def test_layout_matches_the_network_channel_order():
    """cls channel c < k is the background, k + c the foreground of anchor shape c; reg channel
    q * k + c is coordinate q of anchor shape c."""
    k, size = 5, 3
    cls = torch.arange(2 * k, dtype=torch.float32).view(1, 2 * k, 1, 1).expand(1, 2 * k, size, size)
    reg = torch.arange(4 * k, dtype=torch.float32).view(1, 4 * k, 1, 1).expand(1, 4 * k, size, size)
    rows = torch.arange(size * size).view(1, 1, size, size).float()
    flat_cls = flatten_cls(cls + 100 * rows)[0]
    flat_reg = flatten_reg(reg + 100 * rows)[0]
    for shape in range(k):
        for cell in range(size * size):
            a = shape * size * size + cell
            assert flat_cls[a].tolist() == [shape + 100 * cell, k + shape + 100 * cell]
            assert flat_reg[a].tolist() == [q * k + shape + 100 * cell for q in range(4)]


def test_encode_by_hand_and_decode_gives_the_box_back():
    anchor = torch.tensor([[8.0, -8.0, 64.0, 32.0]])
    box = torch.tensor([24.0, -16.0, 128.0, 16.0])
    deltas = encode_boxes(box, anchor)
    expected = [16 / 64, -8 / 32, math.log(2.0), math.log(0.5)]
    assert torch.allclose(deltas[0], torch.tensor(expected), atol=1e-7)
    anchors = generate_anchors(17).double()
    target = torch.tensor([13.25, -7.5, 50.0, 81.0], dtype=torch.float64)
    decoded = decode_boxes(encode_boxes(target.expand_as(anchors), anchors), anchors)
    assert torch.allclose(decoded, target.expand_as(anchors), rtol=0, atol=1e-10)


def test_encode_refuses_empty_boxes():
    with pytest.raises(ValueError, match="positive"):
        encode_boxes(torch.tensor([0.0, 0.0, 0.0, 5.0]), torch.tensor([0.0, 0.0, 8.0, 8.0]))


def test_iou_by_hand():
    anchors = torch.tensor([[0.0, 0.0, 64.0, 64.0], [32.0, 0.0, 64.0, 64.0],
                            [100.0, 0.0, 10.0, 10.0], [0.0, 0.0, 32.0, 32.0]])
    iou = iou_cxcywh(anchors, torch.tensor([0.0, 0.0, 64.0, 64.0]))
    # identical; half overlap 2048 / 6144; disjoint; contained 1024 / 4096
    assert torch.allclose(iou, torch.tensor([1.0, 1 / 3, 0.0, 0.25]))
