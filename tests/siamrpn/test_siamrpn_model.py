"""SiamRPN models: up-channel correlation against a direct sum, head and model output shapes,
key names, and rebuilding from the constructor."""
import pytest
import torch

from ltr.models.siam.rpn_heads import DepthwiseRPN, UpChannelRPN, xcorr_up_channel
from ltr.models.siam.siamrpn import siamrpn_alexnet, siamrpn_alexnet_dw


def direct_up_channel(kernel, x, out_channels):
    """out[n, o, i, j] = sum_{c,u,v} kernel[n, o*C + c, u, v] * x[n, c, i+u, j+v], by loops."""
    n, c, height, width = x.shape
    kh, kw = kernel.shape[-2:]
    kernel = kernel.expand(n, -1, -1, -1)
    out = torch.zeros(n, out_channels, height - kh + 1, width - kw + 1, dtype=x.dtype)
    for b in range(n):
        for o in range(out_channels):
            weights = kernel[b, o * c:(o + 1) * c]
            for i in range(height - kh + 1):
                for j in range(width - kw + 1):
                    out[b, o, i, j] = (weights * x[b, :, i:i + kh, j:j + kw]).sum()
    return out


@pytest.mark.parametrize("kernel_batch", [2, 1])
def test_up_channel_correlation_equals_the_direct_sum(kernel_batch):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 7, 6, generator=gen, dtype=torch.float64)
    kernel = torch.randn(kernel_batch, 4 * 3, 3, 2, generator=gen, dtype=torch.float64)
    expected = direct_up_channel(kernel, x, 4)
    assert torch.allclose(xcorr_up_channel(kernel, x, 4), expected, atol=1e-12)


def test_up_channel_head_is_scaled_correlation_of_adjusted_features():
    torch.manual_seed(0)
    head = UpChannelRPN(in_channels=4, hidden=3, num_anchors=2).double()
    z = torch.randn(2, 4, 6, 6, dtype=torch.float64)
    x = torch.randn(2, 4, 10, 10, dtype=torch.float64)
    cls, reg = head(head.template(z), x)
    assert cls.shape == (2, 4, 5, 5) and reg.shape == (2, 8, 5, 5)
    assert head.corr_scale == pytest.approx(1 / (3 * 16))
    exp_cls = direct_up_channel(head.conv_cls1(z), head.conv_cls2(x), 4) / 48
    exp_reg = head.regress_adjust(direct_up_channel(head.conv_r1(z), head.conv_r2(x), 8) / 48)
    assert torch.allclose(cls, exp_cls, atol=1e-10)
    assert torch.allclose(reg, exp_reg, atol=1e-10)


def test_depthwise_head_shapes_with_a_shared_template():
    head = DepthwiseRPN(in_channels=8, hidden=6, num_anchors=5).eval()
    kernels = head.template(torch.randn(1, 8, 6, 6))
    assert [k.shape for k in kernels] == [(1, 6, 4, 4)] * 2
    for size, score in ((22, 17), (24, 19), (26, 21)):
        cls, reg = head(kernels, torch.randn(3, 8, size, size))
        assert cls.shape == (3, 10, score, score) and reg.shape == (3, 20, score, score)


@pytest.mark.parametrize("constructor", [siamrpn_alexnet, siamrpn_alexnet_dw])
def test_model_output_sizes(constructor):
    net = constructor(width=0.125, hidden=8).eval()
    z = torch.randn(1, 3, 127, 127)
    assert net.feature_extractor(z).shape[-2:] == (6, 6)
    assert net.search(torch.randn(1, 3, 271, 271)).shape[-2:] == (24, 24)
    kernels = net.template(z)
    for size, score in ((255, 17), (271, 19)):
        cls, reg = net.rpn(kernels, net.search(torch.randn(2, 3, size, size)))
        assert cls.shape == (2, 10, score, score) and reg.shape == (2, 20, score, score)
    assert net.total_stride == 8 and net.num_anchors == 5


def test_key_names_follow_the_published_heads():
    up = siamrpn_alexnet(width=0.125, hidden=4).state_dict()
    for name in ("conv_cls1", "conv_r1", "conv_cls2", "conv_r2", "regress_adjust"):
        assert f"rpn_head.{name}.weight" in up
    assert up["rpn_head.conv_r1.weight"].shape[0] == 4 * 5 * 4  # 4k * hidden kernels
    assert up["rpn_head.conv_cls1.weight"].shape[0] == 2 * 5 * 4
    dw = siamrpn_alexnet_dw(width=0.125, hidden=4).state_dict()
    for branch in ("cls", "loc"):
        for part in ("conv_kernel.0", "conv_search.0", "head.0", "head.3"):
            assert f"rpn_head.{branch}.{part}.weight" in dw
    assert dw["rpn_head.loc.head.3.weight"].shape[0] == 20


def test_constructor_rebuilds_the_same_architecture():
    torch.manual_seed(3)
    net = siamrpn_alexnet_dw(width=0.125, hidden=8)
    rebuilt = net.constructor.get()
    rebuilt.load_state_dict(net.state_dict())
    net.eval(), rebuilt.eval()
    z, x = torch.randn(1, 3, 127, 127), torch.randn(1, 3, 255, 255)
    for a, b in zip(net(z, x), rebuilt(z, x)):
        assert torch.equal(a, b)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="channels"):
        xcorr_up_channel(torch.randn(1, 5, 2, 2), torch.randn(1, 3, 4, 4), 2)
    with pytest.raises(ValueError, match="width"):
        siamrpn_alexnet(width=0)
    with pytest.raises(ValueError, match="corr_scale"):
        UpChannelRPN(4, 4, 5, corr_scale=0.0)
