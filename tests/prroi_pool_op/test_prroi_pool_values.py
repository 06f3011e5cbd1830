"""PrRoIPool values and gradients against independent answers (brute-force integration,
hand-computed integrals, finite differences), for the reference and the C++ backend."""
import numpy as np
import pytest
import torch

from prroi_pool import PrRoIPool2D, prroi_pool2d


@pytest.fixture(params=["reference", "compiled"])
def backend(request):
    """Backend name; 'compiled' fails (does not skip) when prroi_pool._C is not built."""
    if request.param == "compiled":
        request.getfixturevalue("compiled_cpu")
    return request.param


def _random_rois(gen: torch.Generator, batch: int, height: int, width: int) -> torch.Tensor:
    """Rois (in feature-map units, scale 1) of every kind the op must handle."""
    rows = []
    for _ in range(6):  # inside or overlapping the map, any size
        x1, y1 = (torch.rand(2, generator=gen) * torch.tensor([width + 2.0, height + 2.0]) - 2).tolist()
        w, h = (torch.rand(2, generator=gen) * 6 + 0.2).tolist()
        rows.append([x1, y1, x1 + w, y1 + h])
    rows += [
        [-2.7, 1.3, 0.4, 3.9],                 # partly outside (left)
        [width - 1.6, height - 0.8, width + 1.7, height + 2.2],  # partly outside (bottom right)
        [-0.83, -0.61, -0.12, 2.3],            # left of the map, within the interpolant's margin
        [width + 1.5, 0.3, width + 4.2, 2.9],  # fully outside, beyond the margin
        [-5.3, -4.1, width + 3.7, height + 2.6],  # covers the whole map
        [1.31, 2.17, 1.52, 2.29],              # sub-pixel
        [2.2, 1.1, 2.2, 3.4],                  # zero width
        [1.4, 2.6, 3.3, 2.6],                  # zero height
        [3.1, 1.2, 1.9, 2.8],                  # x2 < x1
    ]
    coords = torch.tensor(rows, dtype=torch.float64)
    index = torch.randint(0, batch, (coords.shape[0], 1), generator=gen).double()
    return torch.cat([index, coords], dim=1)


@pytest.mark.parametrize("pooled", [(1, 1), (2, 3), (4, 4)])
def test_forward_matches_brute_force_integration(backend, brute_force, pooled):
    gen = torch.Generator().manual_seed(7 + pooled[0])
    features = torch.randn(2, 3, 7, 9, generator=gen, dtype=torch.float64)
    rois = _random_rois(gen, 2, 7, 9)
    expected = brute_force(features, rois, *pooled, 1.0)
    out = prroi_pool2d(features, rois, *pooled, 1.0, backend=backend)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-11)
    # float32 agrees to float32 precision
    out32 = prroi_pool2d(features.float(), rois.float(), *pooled, 1.0, backend=backend)
    np.testing.assert_allclose(out32.numpy(), expected, rtol=1e-4, atol=2e-5)


def test_brute_force_agrees_with_dense_midpoint_rule(brute_force, box_means):
    # Cross-check of the exact brute force itself with plain dense sampling.
    gen = torch.Generator().manual_seed(3)
    features = torch.randn(1, 1, 5, 6, generator=gen, dtype=torch.float64)
    rois = torch.tensor([[0, 0.37, 0.81, 4.6, 3.9], [0, -1.4, 2.2, 1.7, 5.5]], dtype=torch.float64)
    exact = brute_force(features, rois, 2, 2, 1.0)
    dense = brute_force(features, rois, 2, 2, 1.0, box_mean=box_means["midpoint"])
    np.testing.assert_allclose(exact, dense, atol=1e-4)


def test_spatial_scale_multiplies_image_coordinates(backend, brute_force):
    gen = torch.Generator().manual_seed(11)
    features = torch.randn(1, 2, 9, 9, generator=gen, dtype=torch.float64)
    rois = torch.tensor([[0, 10.3, 6.1, 50.9, 41.7], [0, -9.0, 3.3, 20.2, 77.0]], dtype=torch.float64)
    out = prroi_pool2d(features, rois, 3, 2, 1 / 8, backend=backend)
    np.testing.assert_allclose(out.numpy(), brute_force(features, rois, 3, 2, 1 / 8), rtol=1e-10, atol=1e-11)


# Hand-worked fixture: a 2x3 map
#     f = [[1, 2, 3],
#          [4, 5, 6]]
# with f[i, j] at (x=j, y=i). On the cell [0,1]x[0,1] the interpolant is bilinear with corner
# values 1 (0,0), 2 (1,0), 4 (0,1), 5 (1,1): v(x, y) = 1 + x + 3y. On [1,2]x[0,1]:
# v = 2 + (x-1) + 3y. The mean of a bilinear function over a cell is the mean of its corners:
#   cell [0,1]x[0,1]: (1+2+4+5)/4 = 3;   cell [1,2]x[0,1]: (2+3+5+6)/4 = 4.
# So the box [0,2]x[0,1] pooled 1x1 gives (3+4)/2 = 3.5, pooled 1x2 gives [3, 4].
# Pooled 2x1 over [0,1]x[0,1]: bins y in [0, .5] and [.5, 1]: mean of 1 + x + 3y is
#   1 + 0.5 + 3*0.25 = 2.25 and 1 + 0.5 + 3*0.75 = 3.75.
# Right of the last column, [2,3]x[0,1]: corners 3 (2,0), 0 (3,0), 6 (2,1), 0 (3,1) -> 9/4 = 2.25.
# Above-left corner cell [-1,0]x[-1,0]: only (0,0) carries 1 -> 1/4 = 0.25.
# Centred sub-pixel box [0.25,0.75]^2: mean of 1 + x + 3y = value at (0.5, 0.5) = 3.
# The same box [0,2]x[0,1] given in image coordinates [0,16]x[0,8] with scale 1/8: 3.5.
HAND_MAP = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
HAND_CASES = [
    ([0, 0, 0, 2, 1], (1, 1), 1.0, [[3.5]]),
    ([0, 0, 0, 2, 1], (1, 2), 1.0, [[3.0, 4.0]]),
    ([0, 0, 0, 1, 1], (2, 1), 1.0, [[2.25], [3.75]]),
    ([0, 2, 0, 3, 1], (1, 1), 1.0, [[2.25]]),
    ([0, -1, -1, 0, 0], (1, 1), 1.0, [[0.25]]),
    ([0, 0.25, 0.25, 0.75, 0.75], (1, 1), 1.0, [[3.0]]),
    ([0, 0, 0, 16, 8], (1, 1), 1 / 8, [[3.5]]),
]


@pytest.mark.parametrize("roi, pooled, scale, expected", HAND_CASES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_forward_hand_computed(backend, roi, pooled, scale, expected, dtype):
    features = torch.tensor(HAND_MAP, dtype=dtype)[None, None]
    out = prroi_pool2d(features, torch.tensor([roi], dtype=dtype), *pooled, scale, backend=backend)
    torch.testing.assert_close(out[0, 0], torch.tensor(expected, dtype=dtype), rtol=1e-6, atol=1e-6)


def test_coordinate_gradient_hand_computed(backend):
    # Inside the cell [0,1]^2 of HAND_MAP, v = 1 + x + 3y, so the 1x1 pooled value of the box
    # [x1,x2]x[y1,y2] is the value at its centre, 1 + (x1+x2)/2 + 3(y1+y2)/2: the gradient to
    # (x1, y1, x2, y2) is (0.5, 1.5, 0.5, 1.5), and 0 to the batch index. With scale 1/2 on
    # image coordinates each derivative halves. Feature gradient: the weights of the four
    # corners in the mean over the box (bilinear weights at the centre (0.45, 0.35)).
    features = torch.tensor(HAND_MAP, dtype=torch.float64)[None, None].requires_grad_(True)
    rois = torch.tensor([[0, 0.4, 0.2, 1.4, 1.2]], dtype=torch.float64, requires_grad=True)
    out = prroi_pool2d(features, rois, 1, 1, 0.5, backend=backend)
    torch.testing.assert_close(out, torch.tensor([[[[1 + 0.45 + 3 * 0.35]]]], dtype=torch.float64))
    grad_features, grad_rois = torch.autograd.grad(out.sum(), [features, rois])
    torch.testing.assert_close(grad_rois, torch.tensor([[0, 0.25, 0.75, 0.25, 0.75]], dtype=torch.float64))
    cx, cy = 0.45, 0.35
    expected = torch.zeros(1, 1, 2, 3, dtype=torch.float64)
    expected[0, 0, :, :2] = torch.tensor([[(1 - cx) * (1 - cy), cx * (1 - cy)], [(1 - cx) * cy, cx * cy]])
    torch.testing.assert_close(grad_features, expected)


def test_gradcheck_features_and_coordinates(backend):
    gen = torch.Generator().manual_seed(5)
    features = torch.randn(2, 2, 5, 6, generator=gen, dtype=torch.float64, requires_grad=True)
    # edges and bin edges away from integer grid lines (the op is not differentiable there)
    index = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
    coords = torch.tensor(
        [[0.33, 0.71, 4.13, 3.57], [-1.29, 2.21, 3.31, 6.13], [4.43, -0.61, 7.21, 2.09], [1.37, 1.41, 1.83, 1.77]],
        dtype=torch.float64, requires_grad=True,
    )

    def pool(feats, boxes):
        return prroi_pool2d(feats, torch.cat([index, boxes], dim=1), 2, 3, 1.0, backend=backend)

    assert torch.autograd.gradcheck(pool, (features, coords), eps=1e-6, atol=1e-6)


def test_zero_area_rois_give_zero_output_and_gradients(backend):
    features = torch.randn(1, 2, 4, 4, dtype=torch.float64, requires_grad=True)
    rois = torch.tensor([[0, 1.5, 0.5, 1.5, 2.5], [0, 0.5, 2.5, 3.5, 2.5], [0, 2.5, 0.5, 1.5, 2.5]],
                        dtype=torch.float64, requires_grad=True)
    out = prroi_pool2d(features, rois, 2, 2, 1.0, backend=backend)
    assert torch.count_nonzero(out) == 0
    grad_features, grad_rois = torch.autograd.grad(out.sum(), [features, rois])
    assert torch.count_nonzero(grad_features) == 0 and torch.count_nonzero(grad_rois) == 0


def test_module_matches_functional_and_has_no_state(backend):
    features = torch.randn(2, 3, 6, 6)
    rois = torch.tensor([[1, 3.0, 5.0, 30.0, 40.0], [0, 0.0, 0.0, 47.0, 47.0]])
    module = PrRoIPool2D(3, 3, 1 / 8, backend=backend)
    assert list(module.state_dict()) == [] and list(module.parameters()) == []
    assert "pooled_height=3" in repr(module)
    torch.testing.assert_close(module(features, rois), prroi_pool2d(features, rois, 3, 3, 1 / 8, backend=backend))


def test_non_contiguous_and_channels_last_features(backend):
    gen = torch.Generator().manual_seed(2)
    base = torch.randn(2, 6, 8, 3, generator=gen, dtype=torch.float64)
    features = base.permute(0, 3, 1, 2)  # [2, 3, 6, 8], not contiguous
    rois = torch.tensor([[1, 0.4, 0.9, 6.3, 4.8], [0, -1.1, 2.2, 3.9, 7.7]], dtype=torch.float64)
    expected = prroi_pool2d(features.contiguous(), rois, 2, 2, 1.0, backend="reference")
    torch.testing.assert_close(prroi_pool2d(features, rois, 2, 2, 1.0, backend=backend), expected)
    cl = features.contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(prroi_pool2d(cl, rois, 2, 2, 1.0, backend=backend), expected)


def test_no_rois_gives_empty_output(backend):
    features = torch.randn(1, 4, 5, 5)
    out = prroi_pool2d(features, torch.zeros(0, 5), 2, 3, 1.0, backend=backend)
    assert out.shape == (0, 4, 2, 3)
