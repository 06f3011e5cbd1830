"""The SiamFC AlexNet backbone and network: output sizes, stride, checkpoint round trip."""
import torch

from ltr.admin.loading import load_network
from ltr.models.backbone.alexnet import AlexNetSiam, alexnet_siam
from ltr.models.siam import ScoreAdjust, SiamFCNet, siamfc_alexnet


def test_backbone_output_sizes_and_channels():
    net = alexnet_siam().eval()
    with torch.no_grad():
        assert net(torch.zeros(1, 3, 127, 127)).shape == (1, 256, 6, 6)
        assert net(torch.zeros(2, 3, 255, 255)).shape == (2, 256, 22, 22)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [96, 256, 384, 384, 256]
    assert all(c.padding == (0, 0) for c in convs)
    assert sum(isinstance(m, torch.nn.MaxPool2d) for m in net.modules()) == 2
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules()) == 4


def test_total_stride_is_eight():
    # one extra input row/column multiple of 8 adds exactly one output cell
    net = AlexNetSiam((8, 8, 8, 8, 8)).eval()
    with torch.no_grad():
        assert net(torch.zeros(1, 3, 135, 135)).shape[-1] == 7
        assert net(torch.zeros(1, 3, 87, 87)).shape[-1] == 1


def test_grouped_variant_has_fewer_weights():
    plain = sum(p.numel() for p in alexnet_siam().parameters())
    grouped = sum(p.numel() for p in alexnet_siam(groups=2).parameters())
    conv2 = 256 * 96 * 25
    conv45 = 384 * 384 * 9 + 256 * 384 * 9
    assert plain - grouped == (conv2 + conv45) // 2


def test_score_is_scaled_correlation_plus_bias():
    class Identity(torch.nn.Module):
        total_stride = 1

        def forward(self, x):
            return x

    net = SiamFCNet(Identity(), ScoreAdjust(scale=0.5, bias=2.0))
    z = torch.ones(1, 1, 2, 2)
    x = torch.arange(9.0).view(1, 1, 3, 3)
    # windows: [0,1,3,4] -> 8, [1,2,4,5] -> 12, [3,4,6,7] -> 20, [4,5,7,8] -> 24
    expected = torch.tensor([[8.0, 12.0], [20.0, 24.0]]) * 0.5 + 2.0
    assert torch.allclose(net(z, x)[0, 0], expected)


def test_siamfc_scores_and_checkpoint_rebuild(tmp_path):
    torch.manual_seed(0)
    net = siamfc_alexnet(width=0.125).eval()
    z, x = torch.randn(2, 3, 127, 127), torch.randn(2, 3, 255, 255)
    with torch.no_grad():
        scores = net(z, x)
    assert scores.shape == (2, 1, 17, 17)
    path = tmp_path / "siamfc.pth"
    torch.save({"net": net.state_dict(), "constructor": net.constructor, "net_type": "SiamFCNet"},
               path)
    loaded, _ = load_network(path)
    assert loaded.constructor.kwds == {"width": 0.125}
    with torch.no_grad():
        assert torch.equal(loaded.eval()(z, x), scores)
