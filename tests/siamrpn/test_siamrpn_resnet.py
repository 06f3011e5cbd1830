"""SiamRPN++ ResNet-50: dilated stride-8 backbone, neck crop, multi-layer fusion, output size."""
import pytest
import torch

from ltr.models.backbone.resnet import resnet50
from ltr.models.siam.siamrpn_resnet import (AdjustLayer, MultiLayerDepthwiseRPN, dilate_resnet,
                                            siamrpn_resnet50)


def test_dilation_keeps_stride_8_and_the_key_names():
    plain = resnet50(["layer2", "layer3", "layer4"])
    keys = list(plain.state_dict())
    net = dilate_resnet(plain, {"layer3": 2, "layer4": 4})
    assert list(net.state_dict()) == keys  # torchvision weights still load
    assert [b.conv2.dilation[0] for b in net.layer3] == [1] + [2] * 5
    assert [b.conv2.dilation[0] for b in net.layer4] == [2, 4, 4]
    with torch.no_grad():
        out = net(torch.randn(1, 3, 127, 127))
    assert [tuple(v.shape[1:]) for v in out.values()] == [(512, 16, 16), (1024, 16, 16),
                                                           (2048, 16, 16)]


def test_adjust_crops_only_template_sized_maps():
    adjust = AdjustLayer(4, 3).eval()
    assert adjust(torch.randn(1, 4, 16, 16)).shape == (1, 3, 8, 8)
    assert adjust(torch.randn(1, 4, 32, 32)).shape == (1, 3, 32, 32)
    x = torch.randn(1, 4, 16, 16)
    full = adjust.downsample(x)
    assert torch.equal(adjust(x), full[:, :, 4:12, 4:12])  # the central 8 x 8


def test_fusion_is_the_softmax_weighted_sum_of_the_levels():
    torch.manual_seed(0)
    head = MultiLayerDepthwiseRPN(in_channels=(6, 7), hidden=4, num_anchors=5,
                                  adjust_channels=5).eval()
    with torch.no_grad():
        head.cls_weight.copy_(torch.tensor([0.0, 1.0]))
        z = [torch.randn(1, 6, 16, 16), torch.randn(1, 7, 16, 16)]
        x = [torch.randn(2, 6, 32, 32), torch.randn(2, 7, 32, 32)]
        cls, loc = head(head.template(z), x)
        level = [head.rpn2(head.rpn2.template(head.adjust2(z[0])), head.adjust2(x[0])),
                 head.rpn3(head.rpn3.template(head.adjust3(z[1])), head.adjust3(x[1]))]
    w = torch.exp(torch.tensor([0.0, 1.0])) / (1 + torch.e)
    assert cls.shape == (2, 10, 25, 25) and loc.shape == (2, 20, 25, 25)
    assert torch.allclose(cls, w[0] * level[0][0] + w[1] * level[1][0], atol=1e-6)
    assert torch.allclose(loc, 0.5 * level[0][1] + 0.5 * level[1][1], atol=1e-6)
    with pytest.raises(ValueError, match="feature maps"):
        head(head.template(z), x[:1])


def test_full_model_gives_a_25_by_25_map_for_255():
    net = siamrpn_resnet50().eval()
    with torch.no_grad():
        cls, loc = net(torch.randn(1, 3, 127, 127), torch.randn(1, 3, 255, 255))
    assert cls.shape == (1, 10, 25, 25) and loc.shape == (1, 20, 25, 25)
    assert net.total_stride == 8 and net.num_anchors == 5
