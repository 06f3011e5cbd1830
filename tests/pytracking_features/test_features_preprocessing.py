"""Patch extraction against slicing, edge padding and an analytic ramp image."""
import numpy as np
import pytest
import torch

from pytracking.features.preprocessing import (crop_replicate, numpy_to_torch, sample_patch,
                                               sample_patch_multiscale, torch_to_numpy)

DT = torch.float64


def random_image(h=20, w=30, seed=0):
    return torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(seed), dtype=DT)


def ramp_image(h=60, w=80):
    y = torch.arange(h, dtype=DT).view(-1, 1)
    x = torch.arange(w, dtype=DT).view(1, -1)
    ramp = 2 * y + 3 * x + 1
    return torch.stack((ramp, -ramp, 0.5 * ramp)).unsqueeze(0)


def ramp_value(y, x):
    return 2 * y + 3 * x + 1


def test_numpy_torch_conversion_round_trip():
    a = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    t = numpy_to_torch(a)
    assert t.shape == (1, 3, 2, 3) and t.dtype == torch.float32
    assert t[0, 2, 1, 0].item() == a[1, 0, 2]
    back = torch_to_numpy(t)
    assert back.shape == (2, 3, 3)
    np.testing.assert_array_equal(back, a.astype(np.float32))
    assert numpy_to_torch(np.zeros((4, 5))).shape == (1, 1, 4, 5)
    with pytest.raises(ValueError, match="H x W x C"):
        numpy_to_torch(np.zeros(3))
    with pytest.raises(ValueError, match="batch size"):
        torch_to_numpy(torch.zeros(2, 3, 4, 4))


def test_patch_inside_equals_slicing():
    im = random_image()
    patch, coords = sample_patch(im, torch.tensor([10.0, 12.0]), torch.tensor([5.0, 7.0]))
    torch.testing.assert_close(patch, im[..., 8:13, 9:16])
    assert coords.tolist() == [[8, 9, 13, 16]]
    # Even size: first pixel round(pos - (sz - 1) / 2) = (round(8.5), round(9.5)) = (9, 10).
    patch, coords = sample_patch(im, (10.0, 12.0), (4, 6))
    torch.testing.assert_close(patch, im[..., 9:13, 10:16])
    assert coords.tolist() == [[9, 10, 13, 16]]


def test_centre_pixel_of_odd_patch_is_pos():
    im = torch.zeros(1, 1, 15, 17, dtype=DT)
    im[0, 0, 6, 9] = 1.0
    patch, coords = sample_patch(im, (6.2, 8.8), (5, 5))
    assert patch[0, 0, 2, 2] == 1.0 and patch.sum() == 1.0
    y0, x0, y1, x1 = coords[0].tolist()
    assert ((y0 + y1 - 1) / 2, (x0 + x1 - 1) / 2) == (6, 9)


def test_outside_replicates_border():
    im = random_image(6, 7)
    patch, coords = sample_patch(im, (0.0, 6.0), (5, 5))
    padded = np.pad(im[0].numpy(), ((0, 0), (2, 2), (2, 2)), mode="edge")
    # Region rows -2..2, cols 4..8 -> padded rows 0..4, cols 6..10
    np.testing.assert_array_equal(patch[0].numpy(), padded[:, 0:5, 6:11])
    assert coords.tolist() == [[-2, 4, 3, 9]]
    far, _ = sample_patch(im, (-50.0, -50.0), (3, 4))
    torch.testing.assert_close(far, im[..., :1, :1].expand(1, 3, 3, 4))


def test_crop_replicate_matches_numpy_edge_pad():
    im = random_image(4, 5)
    out = crop_replicate(im, -3, 2, 10, 6)
    padded = np.pad(im[0].numpy(), ((0, 0), (3, 3), (0, 3)), mode="edge")
    np.testing.assert_array_equal(out[0].numpy(), padded[:, 0:10, 2:8])


def _check_ramp(patch, coords, out_h, out_w):
    y0, x0, y1, x1 = coords[0].tolist()
    u = torch.arange(out_h, dtype=DT).view(-1, 1)
    v = torch.arange(out_w, dtype=DT).view(1, -1)
    ys = y0 - 0.5 + (u + 0.5) * (y1 - y0) / out_h
    xs = x0 - 0.5 + (v + 0.5) * (x1 - x0) / out_w
    expected = ramp_value(ys, xs)
    torch.testing.assert_close(patch[0, 0], expected)
    torch.testing.assert_close(patch[0, 1], -expected)


def test_downsampled_resize_of_ramp_is_ramp():
    im = ramp_image()
    # ratio 3 -> average over 2 x 2 cells, then bilinear to 7 x 11
    patch, coords = sample_patch(im, (30.3, 41.7), (21, 33), (7, 11))
    assert patch.shape == (1, 3, 7, 11)
    y0, x0, y1, x1 = coords[0].tolist()
    assert (y1 - y0, x1 - x0) == (22, 34)          # round(21 / 2) * 2, round(33 / 2) * 2
    assert abs((y0 + y1 - 1) / 2 - 30.3) <= 0.5 and abs((x0 + x1 - 1) / 2 - 41.7) <= 0.5
    _check_ramp(patch, coords, 7, 11)


def test_large_downsampling_factor_ramp():
    im = ramp_image()
    patch, coords = sample_patch(im, (30.0, 40.0), (40, 50), (4, 5))   # df = 9
    y0, x0, y1, x1 = coords[0].tolist()
    assert (y1 - y0) % 9 == 0 and (x1 - x0) % 9 == 0
    _check_ramp(patch, coords, 4, 5)


def test_upsampled_ramp_interior():
    im = ramp_image()
    patch, coords = sample_patch(im, (20.0, 30.0), (6, 8), (12, 16))
    y0, x0, y1, x1 = coords[0].tolist()
    u = torch.arange(12, dtype=DT).view(-1, 1)
    v = torch.arange(16, dtype=DT).view(1, -1)
    ys = y0 - 0.5 + (u + 0.5) * (y1 - y0) / 12
    xs = x0 - 0.5 + (v + 0.5) * (x1 - x0) / 16
    expected = ramp_value(ys, xs)
    # bilinear clamps at the outer half pixel: compare the interior only
    torch.testing.assert_close(patch[0, 0, 1:-1, 1:-1], expected[1:-1, 1:-1])


def test_multiscale_shapes_and_coords():
    im = ramp_image()
    patches, coords = sample_patch_multiscale(im, (30.0, 40.0), torch.tensor([1.0, 2.0]), (8, 10))
    assert patches.shape == (2, 3, 8, 10) and coords.shape == (2, 4)
    assert (coords[0, 2] - coords[0, 0]).item() == 8 and (coords[1, 2] - coords[1, 0]).item() == 16
    single, c1 = sample_patch(im, (30.0, 40.0), (16, 20), (8, 10))
    torch.testing.assert_close(patches[1:], single)
    torch.testing.assert_close(coords[1:], c1)
    p, _ = sample_patch_multiscale(im, (30.0, 40.0), 1.5, (8, 10))
    assert p.shape == (1, 3, 8, 10)


def test_inside_modes_shrink_and_move_region():
    im = random_image(20, 30)
    _, coords = sample_patch(im, (10.0, 15.0), (40, 40), (10, 10), mode="inside")
    assert coords.tolist() == [[0, 6, 20, 26]]          # shrunk by 2 to 20 x 20, moved inside
    _, coords = sample_patch(im, (10.0, 15.0), (40, 40), (10, 10), mode="inside", max_scale_change=1.5)
    y0, x0, y1, x1 = coords[0].tolist()
    # 40 / 1.5 = 26.7 px; df = int(2.67 - 0.1) = 2 -> round(13.3) = 13 cells = 26 px, centred on the image
    assert y1 - y0 == 26 and y0 == -3
    _, coords = sample_patch(im, (10.0, 15.0), (40, 40), (10, 10), mode="inside_major")
    assert coords.tolist() == [[-5, 0, 25, 30]]         # shrunk by 4/3 to 30 x 30
    _, coords = sample_patch(im, (3.0, 3.0), (10, 10), mode="inside")
    assert coords.tolist() == [[0, 0, 10, 10]]


def test_bad_inputs_are_rejected():
    im = random_image()
    with pytest.raises(ValueError, match="mode"):
        sample_patch(im, (1, 1), (3, 3), mode="zeros")
    with pytest.raises(ValueError, match="N x C x H x W"):
        sample_patch(im[0], (1, 1), (3, 3))
    with pytest.raises(ValueError, match="positive"):
        sample_patch(im, (1, 1), (0, 3))
    with pytest.raises(ValueError, match="output_sz"):
        sample_patch(im, (1, 1), (3, 3), (2.5, 3))


def test_truncated_position_starts_where_the_original_crop_does():
    """'truncate' (original): first pixel trunc(pos) - (size - 1) // 2; 'round': round(pos - (size - 1) / 2).
    pos 10.7, 5 pixels: rows 8..12 vs 9..13."""
    im = (100 * torch.arange(30.0).reshape(-1, 1) + torch.arange(30.0)).reshape(1, 1, 30, 30)
    patch, coords = sample_patch(im, (10.7, 20.2), (5, 5), position="truncate")
    assert patch[0, 0, :, 0].tolist() == [818.0, 918.0, 1018.0, 1118.0, 1218.0]
    assert coords.tolist() == [[8.0, 18.0, 13.0, 23.0]]
    patch, _ = sample_patch(im, (10.7, 20.2), (5, 5), position="round")
    assert patch[0, 0, :, 0].tolist() == [918.0, 1018.0, 1118.0, 1218.0, 1318.0]
    with pytest.raises(ValueError, match="position"):
        sample_patch(im, (10.7, 20.2), (5, 5), position="floor")


def test_subsampled_crop_takes_every_df_th_pixel_and_replicates_the_grid_border():
    """df = int(44 / 20 - 0.1) = 2: every 2nd pixel from trunc(pos) % 2; outside the image the
    last grid pixel inside repeats (the original pads the subsampled image)."""
    from pytracking.features.preprocessing import _subsampled_crop

    im = (100 * torch.arange(20.0).reshape(-1, 1) + torch.arange(20.0)).reshape(1, 1, 20, 20)
    out = _subsampled_crop(im, (-2, 5), (4, 4), 3)
    # rows -2, 1, 4, 7 on the grid 1, 4, 7, ... (row -2 clamps to 1); cols 5, 8, 11, 14
    assert out[0, 0, :, 0].tolist() == [105.0, 105.0, 405.0, 705.0]
    assert out[0, 0, 0].tolist() == [105.0, 108.0, 111.0, 114.0]
    averaged, _ = sample_patch(im, (10.0, 10.0), (44, 44), (20, 20), downsampling="average")
    subsampled, _ = sample_patch(im, (10.0, 10.0), (44, 44), (20, 20), downsampling="subsample")
    assert not torch.allclose(averaged, subsampled)
