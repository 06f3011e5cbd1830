"""ATOM network: state-dict layout, IoU-Net forward against a per-sample re-computation,
gradients, initialization, and the model constructor."""
import math

import pytest
import torch

from ltr.admin.model_constructor import NetConstructor
from ltr.models.bbreg import AtomIoUNet
from ltr.models.bbreg.atom import ATOMnet, atom_resnet18, atom_resnet50

IMG = 64  # crop size: layer2 features 8x8, layer3 features 4x4


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(1)
    return atom_resnet18(backbone_pretrained=False)


def make_batch(num_train=2, num_test=2, batch=2, num_proposals=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    train = torch.randn(num_train, batch, 3, IMG, IMG, generator=g)
    test = torch.randn(num_test, batch, 3, IMG, IMG, generator=g)
    xy = torch.rand(num_train, batch, 2, generator=g) * 16 + 8
    wh = torch.rand(num_train, batch, 2, generator=g) * 16 + 16
    train_bb = torch.cat((xy, wh), dim=-1)
    pxy = torch.rand(num_test, batch, num_proposals, 2, generator=g) * 20 + 4
    pwh = torch.rand(num_test, batch, num_proposals, 2, generator=g) * 20 + 10
    return train, test, train_bb, torch.cat((pxy, pwh), dim=-1)


def test_state_dict_equals_reference(net, reference_state_dict):
    expected = reference_state_dict
    got = [(k, str(tuple(v.shape)), str(v.dtype).replace("torch.", ""))
           for k, v in net.state_dict().items()]
    assert len(expected) == 201
    assert got == expected


def test_forward_matches_per_sample_computation(net):
    net.eval()
    train, test, train_bb, proposals = make_batch()
    iou = net.bb_regressor
    with torch.no_grad():
        out = net(train, test, train_bb, proposals)
        assert out.shape == (2, 2, 4)
        for s in range(2):
            ref = net.feature_extractor(train[0, s:s + 1], ["layer2", "layer3"])
            x, y, w, h = train_bb[0, s].tolist()
            roi = torch.tensor([[0.0, x, y, x + w, y + h]])
            v3 = iou.fc3_1r(iou.prroi_pool3r(iou.conv3_1r(ref["layer2"]), roi))
            v4 = iou.prroi_pool4r(iou.conv4_1r(ref["layer3"]), roi)
            assert v3.shape == (1, 256, 1, 1) and v4.shape == (1, 256, 1, 1)
            m3 = iou.fc34_3r(torch.cat((v3, v4), 1))
            m4 = iou.fc34_4r(torch.cat((v3, v4), 1))
            for i in range(2):
                feat = net.feature_extractor(test[i, s:s + 1], ["layer2", "layer3"])
                t3 = iou.conv3_2t(iou.conv3_1t(feat["layer2"])) * m3
                t4 = iou.conv4_2t(iou.conv4_1t(feat["layer3"])) * m4
                for p in range(4):
                    px, py, pw, ph = proposals[i, s, p].tolist()
                    proi = torch.tensor([[0.0, px, py, px + pw, py + ph]])
                    f3 = iou.fc3_rt(iou.prroi_pool3t(t3, proi))
                    f4 = iou.fc4_rt(iou.prroi_pool4t(t4, proi))
                    expected = iou.iou_predictor(torch.cat((f3, f4), 1)).item()
                    assert out[i, s, p].item() == pytest.approx(expected, rel=1e-4, abs=1e-5)


def test_only_first_reference_image_is_used(net):
    net.eval()
    train, test, train_bb, proposals = make_batch()
    with torch.no_grad():
        out = net(train, test, train_bb, proposals)
        train2, bb2 = train.clone(), train_bb.clone()
        train2[1] = torch.randn_like(train2[1])
        bb2[1] += 3.0
        assert torch.allclose(net(train2, test, bb2, proposals), out, atol=1e-6)


def test_more_test_images_than_train_images(net):
    net.eval()
    train, test, train_bb, proposals = make_batch(num_train=1, num_test=3, batch=2, num_proposals=5)
    with torch.no_grad():
        out = net(train, test, train_bb, proposals)
        single = net(train, test[2:3], train_bb, proposals[2:3])
    assert out.shape == (3, 2, 5)
    assert torch.allclose(out[2:3], single, atol=1e-5)


def test_backward_gives_finite_gradients_to_trainable_parameters_only(net):
    net.train()
    net.zero_grad(set_to_none=True)
    train, test, train_bb, proposals = make_batch()
    net(train, test, train_bb, proposals).square().mean().backward()
    trainable = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    assert {n.split(".")[0] for n, _ in trainable} == {"bb_regressor"}
    assert len(trainable) == len(list(net.bb_regressor.parameters()))
    for name, p in trainable:
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert any(p.grad.abs().sum() > 0 for _, p in trainable)
    for name, p in net.feature_extractor.named_parameters():
        assert not p.requires_grad and p.grad is None, name


def test_bad_box_shapes_are_rejected():
    iou = AtomIoUNet()
    feats = [torch.zeros(2, 128, 8, 8), torch.zeros(2, 256, 4, 4)]
    with pytest.raises(ValueError, match="bb1"):
        iou(feats, feats, torch.zeros(2, 4), torch.zeros(1, 2, 3, 4))
    with pytest.raises(ValueError, match="proposals2"):
        iou(feats, feats, torch.zeros(1, 2, 4), torch.zeros(2, 3, 4))


def test_initialization_as_original():
    torch.manual_seed(0)
    iou = AtomIoUNet()
    for name, m in iou.named_modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            assert (m.weight >= 0).all() and (m.weight <= 1).all(), name
            assert m.weight.std() > 0.1, name  # uniform(0, 1), not the default ones
            assert (m.bias == 0).all(), name
        elif isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            assert (m.bias == 0).all(), name
    # kaiming normal, fan_in: std = sqrt(2 / fan_in)
    w = iou.fc3_rt.linear.weight
    assert w.std().item() == pytest.approx(math.sqrt(2 / 6400), rel=0.05)
    w = iou.conv3_2t[0].weight
    assert w.std().item() == pytest.approx(math.sqrt(2 / (256 * 9)), rel=0.05)


def test_model_constructor_records_and_rebuilds(net):
    constructor = net.constructor
    assert isinstance(constructor, NetConstructor)
    assert (constructor.fun_name, constructor.fun_module) == ("atom_resnet18", "ltr.models.bbreg.atom")
    assert constructor.args == () and constructor.kwds == {"backbone_pretrained": False}
    rebuilt = constructor.get()
    assert isinstance(rebuilt, ATOMnet)
    assert rebuilt.constructor.kwds == {"backbone_pretrained": False}
    assert {k: v.shape for k, v in rebuilt.state_dict().items()} == \
        {k: v.shape for k, v in net.state_dict().items()}


def test_atom_resnet50_shapes():
    torch.manual_seed(0)
    net50 = atom_resnet50(backbone_pretrained=False)
    assert net50.bb_regressor.conv3_1r[0].weight.shape == (128, 512, 3, 3)
    assert net50.bb_regressor.conv4_1t[0].weight.shape == (256, 1024, 3, 3)
    assert net50.bb_regressor_layer == ["layer2", "layer3"]
    assert not any(p.requires_grad for p in net50.feature_extractor.parameters())
