"""The C++ kernel reads channels-last features (what a channels-last CPU backbone produces) in place
and gives the same forward values and gradients as for NCHW features."""
import pytest
import torch

from prroi_pool import prroi_pool2d


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_channels_last_matches_contiguous(compiled_cpu, dtype):
    g = torch.Generator().manual_seed(3)
    feats = torch.randn(2, 40, 12, 14, generator=g, dtype=dtype)
    xy = torch.rand(6, 2, generator=g, dtype=dtype) * 80
    wh = torch.rand(6, 2, generator=g, dtype=dtype) * 40 + 4
    rois = torch.cat([torch.tensor([0, 1, 1, 0, 1, 0], dtype=dtype)[:, None], xy, xy + wh], 1)
    grad = torch.randn(6, 40, 3, 4, generator=g, dtype=dtype)

    def run(features):
        features = features.detach().requires_grad_()
        boxes = rois.clone().requires_grad_()
        out = prroi_pool2d(features, boxes, 3, 4, 1 / 8, backend="compiled")
        out.backward(grad)
        return out.detach(), features.grad, boxes.grad

    channels_last = feats.to(memory_format=torch.channels_last)
    assert not channels_last.is_contiguous()
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == torch.float32 else dict(rtol=1e-12, atol=1e-12)
    for a, b in zip(run(feats), run(channels_last)):
        torch.testing.assert_close(b.contiguous(), a, **tol)
