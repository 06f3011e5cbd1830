"""Score-map labels (worked examples) and the balanced logistic loss (hand-computed values)."""
import math

import pytest
import torch

from ltr.data.siam_processing import siamfc_labels
from ltr.models.siam import balanced_logistic_loss, balanced_weights


def positives(labels):
    return {(int(i), int(j)) for i, j in torch.nonzero(labels)}


def test_centred_target_gives_the_radius_two_disc():
    # R = 16 px, stride 8: cells within 2 cells of the centre (8, 8): offsets with di^2 + dj^2 <= 4
    labels = siamfc_labels((0.0, 0.0), score_sz=17, total_stride=8, radius=16)
    expected = {(8 + di, 8 + dj) for di in range(-2, 3) for dj in range(-2, 3) if di * di + dj * dj <= 4}
    assert len(expected) == 13
    assert positives(labels) == expected
    assert labels.shape == (17, 17) and set(labels.unique().tolist()) == {0.0, 1.0}


def test_shifted_target_moves_the_disc():
    # target 8 px right and 16 px up of the crop centre: disc centred at row 6, column 9
    labels = siamfc_labels((8.0, -16.0))
    expected = {(6 + di, 9 + dj) for di in range(-2, 3) for dj in range(-2, 3) if di * di + dj * dj <= 4}
    assert positives(labels) == expected


def test_half_cell_offset_worked_example():
    # dx = 4 px: columns with |8 dj - 4| <= 16 on the centre row (dj = -1..2, 4 cells); on rows
    # di = +-1: (8 dj - 4)^2 <= 256 - 64 -> |8 dj - 4| <= 13.9 -> dj = -1..2 (4 cells each);
    # rows di = +-2 would need 8 dj - 4 = 0: none. 12 positives.
    labels = siamfc_labels((4.0, 0.0))
    expected = {(8 + di, 8 + dj) for di in (-1, 0, 1) for dj in (-1, 0, 1, 2)}
    assert positives(labels) == expected


def test_balanced_logistic_loss_hand_computed():
    scores = torch.tensor([[[[2.0, -1.0], [0.0, 1.0]]]])
    labels = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])
    # positive: 1/2 * log(1 + e^-2); each of 3 negatives: 1/6 * log(1 + e^v)
    expected = 0.5 * math.log(1 + math.exp(-2)) + (math.log(1 + math.exp(-1)) + math.log(2)
                                                   + math.log(1 + math.e)) / 6
    assert balanced_logistic_loss(scores, labels).item() == pytest.approx(expected, rel=1e-6)


def test_loss_is_the_mean_over_the_batch_and_handles_all_negative_maps():
    scores = torch.tensor([[[[2.0, -1.0], [0.0, 1.0]]], [[[0.5, 0.5], [-3.0, 0.0]]]])
    labels = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]], [[[0.0, 0.0], [0.0, 0.0]]]])
    first = 0.5 * math.log(1 + math.exp(-2)) + (math.log(1 + math.exp(-1)) + math.log(2)
                                                + math.log(1 + math.e)) / 6
    # no positives: the four negatives share weight 1
    second = (2 * math.log(1 + math.exp(0.5)) + math.log(1 + math.exp(-3)) + math.log(2)) / 4
    assert balanced_logistic_loss(scores, labels).item() == pytest.approx((first + second) / 2,
                                                                         rel=1e-6)
    weights = balanced_weights(labels)
    assert weights[0].sum().item() == pytest.approx(1.0)
    assert weights[0, 0, 0, 0].item() == pytest.approx(0.5)


def test_loss_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shape"):
        balanced_logistic_loss(torch.zeros(2, 1, 17, 17), torch.zeros(2, 17, 17))
