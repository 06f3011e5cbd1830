"""Classification and regression losses of the RPN on hand-made tensors."""
import math

import pytest
import torch

from ltr.models.siam.rpn_loss import RPNLoss, rpn_cls_loss, rpn_reg_loss


def cls_tensor(pairs):
    """N=1, k=1, S=2: ``pairs`` = four (background, foreground) logits in anchor order."""
    bg = torch.tensor([p[0] for p in pairs], dtype=torch.float64).view(1, 1, 2, 2)
    fg = torch.tensor([p[1] for p in pairs], dtype=torch.float64).view(1, 1, 2, 2)
    return torch.cat([bg, fg], dim=1)


LOGITS = [(0.0, 0.0), (2.0, 0.0), (5.0, -5.0), (0.0, 1.0)]
LABELS = torch.tensor([[1, 0, -1, 1]])
# cross-entropy: label 1 -> log(1 + e^(bg - fg)); label 0 -> log(1 + e^(fg - bg))
CE = [math.log(2.0), math.log(1 + math.exp(-2.0)), None, math.log(1 + math.exp(-1.0))]


def test_sampled_cross_entropy_by_hand():
    loss = rpn_cls_loss(cls_tensor(LOGITS), LABELS, "sampled")
    assert loss.item() == pytest.approx((CE[0] + CE[1] + CE[3]) / 3, rel=1e-12)


def test_balanced_cross_entropy_by_hand():
    loss = rpn_cls_loss(cls_tensor(LOGITS), LABELS, "balanced")
    expected = 0.5 * (CE[0] + CE[3]) / 2 + 0.5 * CE[1]
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    only_negatives = rpn_cls_loss(cls_tensor(LOGITS), torch.tensor([[-1, 0, -1, -1]]), "balanced")
    assert only_negatives.item() == pytest.approx(0.5 * CE[1], rel=1e-12)


def test_smooth_l1_over_positives_by_hand():
    # N=1, k=1, S=2: reg channels dx, dy, dw, dh; anchors 0 and 3 positive
    reg = torch.zeros(1, 4, 2, 2, dtype=torch.float64)
    reg[0, :, 0, 0] = torch.tensor([0.5, -2.0, 0.0, 1.0], dtype=torch.float64)
    reg[0, :, 1, 1] = torch.tensor([0.2, 0.2, 0.2, 0.2], dtype=torch.float64)
    reg[0, :, 0, 1] = 100.0  # a negative anchor: not in the loss
    target = torch.zeros(1, 4, 4, dtype=torch.float64)
    target[0, 3] = torch.tensor([0.2, 0.2, 0.2, -0.8], dtype=torch.float64)
    # anchor 0: 0.5*0.25 + (2 - 0.5) + 0 + 0.5 = 2.125; anchor 3: 0 + 0 + 0 + (1.0 - 0.5) = 0.5
    loss = rpn_reg_loss(reg, target, LABELS)
    assert loss.item() == pytest.approx((2.125 + 0.5) / 2, rel=1e-12)


def test_weighted_sum_and_no_positive_case():
    reg = torch.zeros(1, 4, 2, 2, dtype=torch.float64, requires_grad=True)
    target = torch.ones(1, 4, 4, dtype=torch.float64)
    total, cls_loss, reg_loss = RPNLoss(cls_weight=2.0, reg_weight=1.2)(
        cls_tensor(LOGITS), reg, LABELS, target)
    assert reg_loss.item() == pytest.approx(4 * 0.5, rel=1e-12)  # 4 coords of smooth-L1(1) each
    assert total.item() == pytest.approx(2.0 * cls_loss.item() + 1.2 * 2.0, rel=1e-12)

    no_pos = torch.tensor([[0, 0, -1, -1]])
    _, _, reg_loss = RPNLoss()(cls_tensor(LOGITS), reg, no_pos, target)
    assert reg_loss.item() == 0.0
    reg_loss.backward()
    assert torch.equal(reg.grad, torch.zeros_like(reg))


def test_mismatched_labels_are_an_error():
    with pytest.raises(ValueError, match="labels"):
        rpn_cls_loss(cls_tensor(LOGITS), torch.zeros(1, 5, dtype=torch.long))
    with pytest.raises(ValueError, match="mode"):
        rpn_cls_loss(cls_tensor(LOGITS), LABELS, "focal")


def test_actor_reports_losses_and_the_sampled_accuracy():
    from ltr.actors.siamrpn import SiamRPNActor

    class Fixed(torch.nn.Module):
        def forward(self, z, x):
            return cls_tensor(LOGITS), torch.zeros(1, 4, 2, 2, dtype=torch.float64)

    actor = SiamRPNActor(net=Fixed(), objective=RPNLoss(reg_weight=2.0))
    data = {"train_images": None, "test_images": None, "test_label": LABELS,
            "test_reg_target": torch.full((1, 4, 4), 0.5, dtype=torch.float64)}
    loss, stats = actor(data)
    cls_expected = (CE[0] + CE[1] + CE[3]) / 3
    reg_expected = 4 * 0.5 * 0.25  # smooth-L1(0.5) = 0.125 for each of 4 coordinates
    assert stats["Loss/cls"] == pytest.approx(cls_expected, rel=1e-12)
    assert stats["Loss/reg"] == pytest.approx(reg_expected, rel=1e-12)
    assert loss.item() == pytest.approx(cls_expected + 2.0 * reg_expected, rel=1e-12)
    # argmax calls: anchor 0 tie (0, 0) -> background (wrong, label 1), anchor 1 background
    # (right), anchor 3 foreground (right); anchor 2 is ignored
    assert stats["Acc/cls"] == pytest.approx(2 / 3)
