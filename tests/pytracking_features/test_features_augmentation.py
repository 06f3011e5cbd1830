"""Each augmentation moves a marked point where its geometry says."""
import math

import cv2
import numpy as np
import pytest
import torch

from pytracking.features import augmentation as aug

DT = torch.float32


def delta_image(h, w, y, x, channels=1):
    im = torch.zeros(1, channels, h, w, dtype=DT)
    im[..., y, x] = 1.0
    return im


def blob_image(h, w, cy, cx, sigma=1.5):
    y = torch.arange(h, dtype=torch.float64).view(-1, 1)
    x = torch.arange(w, dtype=torch.float64).view(1, -1)
    return torch.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * sigma ** 2)).view(1, 1, h, w).float()


def centroid(im):
    m = im[0, 0].double()
    y = torch.arange(m.shape[0], dtype=torch.float64).view(-1, 1)
    x = torch.arange(m.shape[1], dtype=torch.float64).view(1, -1)
    return (m * y).sum().item() / m.sum().item(), (m * x).sum().item() / m.sum().item()


def peak(im):
    flat = int(im[0, 0].argmax())
    return divmod(flat, im.shape[-1])


def test_crop_to_output_centre_and_shift():
    im = torch.arange(120, dtype=DT).view(1, 1, 10, 12)
    torch.testing.assert_close(aug.Identity((6, 8))(im), im[..., 2:8, 2:10])
    # shift (1, -2): content moves down 1 and left 2 -> window starts at (2 - 1, 2 + 2)
    torch.testing.assert_close(aug.Identity((6, 8), shift=(1, -2))(im), im[..., 1:7, 4:12])
    # beyond the border: replicated
    out = aug.Identity((6, 8), shift=(4, 0))(im)
    torch.testing.assert_close(out[..., :2, :], im[..., :1, 2:10].expand(1, 1, 2, 8))
    assert aug.Identity()(im) is im


def test_flip_horizontal_maps_column_c_to_w_minus_1_minus_c():
    im = delta_image(7, 9, 3, 2)
    assert peak(aug.FlipHorizontal()(im)) == (3, 6)
    # with a central crop 20 x 20 -> 10 x 10: (8, 7) -> flipped (8, 12) -> cropped (3, 7)
    assert peak(aug.FlipHorizontal((10, 10))(delta_image(20, 20, 8, 7))) == (3, 7)
    assert peak(aug.FlipVertical()(im)) == (3, 2)
    assert peak(aug.FlipVertical()(delta_image(7, 9, 1, 2))) == (5, 2)


def test_translation_moves_content():
    im = delta_image(7, 9, 3, 4)
    assert peak(aug.Translation((2, -1), (7, 9))(im)) == (5, 3)
    # translation adds to the random shift
    t = aug.Translation((2, -1), (7, 9), shift=(-1, -1))
    assert t.shift == (1, -2) and peak(t(im)) == (4, 2)


def test_rotate_90_about_centre():
    # centre (4, 4); offset (dy, dx) = (-2, 2) -> (-dx, dy) = (-2, -2): up-right goes to up-left.
    out = aug.Rotate(90)(delta_image(9, 9, 2, 6))
    assert peak(out) == (2, 2)
    assert out.max().item() == pytest.approx(1.0, abs=1e-5)
    out = aug.Rotate(-90)(delta_image(9, 9, 2, 6))
    assert peak(out) == (6, 6)


def test_rotate_30_moves_blob_centroid():
    h = w = 41
    c = (h - 1) / 2
    dy, dx = -6.0, 4.0
    a = math.radians(30)
    out = aug.Rotate(30)(blob_image(h, w, c + dy, c + dx))
    ey = c + math.cos(a) * dy - math.sin(a) * dx
    ex = c + math.sin(a) * dy + math.cos(a) * dx
    cy, cx = centroid(out)
    assert cy == pytest.approx(ey, abs=0.05) and cx == pytest.approx(ex, abs=0.05)


def test_rotate_agrees_with_opencv_on_smooth_image():
    h, w = 31, 37
    y = np.arange(h).reshape(-1, 1)
    x = np.arange(w).reshape(1, -1)
    img = (np.sin(y / 4.0) + np.cos(x / 5.0) + 0.01 * x * y).astype(np.float32)
    ours = aug.Rotate(20)(torch.from_numpy(img).view(1, 1, h, w))[0, 0].numpy()
    # OpenCV: positive angle = counter-clockwise with the origin at the top-left corner.
    M = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), 20, 1.0)
    ref = cv2.warpAffine(img, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    np.testing.assert_allclose(ours[5:-5, 5:-5], ref[5:-5, 5:-5], atol=0.03)


@pytest.mark.parametrize("s", [2.0, 0.5, 1.3])
def test_scale_multiplies_offsets_from_centre(s):
    h = w = 61
    c = 30.0
    dy, dx = 3.0, -5.0
    out = aug.Scale(s)(blob_image(h, w, c + dy, c + dx, sigma=1.5))
    cy, cx = centroid(out)
    assert cy == pytest.approx(c + s * dy, abs=0.05) and cx == pytest.approx(c + s * dx, abs=0.05)


def test_scale_with_output_crop_and_shift():
    out = aug.Scale(2.0, output_sz=(21, 21), shift=(1, 2))(blob_image(41, 41, 21.0, 19.0, sigma=1.0))
    # offset (1, -1) -> (2, -2) about (20, 20); crop starts at (10, 10) moved by -shift -> (9, 8)
    assert out.shape == (1, 1, 21, 21)
    cy, cx = centroid(out)
    assert cy == pytest.approx(22 - 9, abs=0.05) and cx == pytest.approx(18 - 8, abs=0.05)


def test_blur_spreads_delta_as_gaussian_and_preserves_mean():
    sigma = 2.0
    im = delta_image(25, 25, 12, 12, channels=2)
    out = aug.Blur(sigma)(im)
    r = math.ceil(3 * sigma)
    k = np.arange(-r, r + 1)
    g = np.exp(-k ** 2 / (2 * sigma ** 2))
    g /= g.sum()
    expected = np.zeros((25, 25))
    expected[12 - r:12 + r + 1, 12 - r:12 + r + 1] = np.outer(g, g)
    np.testing.assert_allclose(out[0, 1].numpy(), expected, atol=1e-7)
    assert out.mean().item() == pytest.approx(im.mean().item(), rel=1e-6)
    var_y = float((out[0, 0].sum(1).double() * (torch.arange(25) - 12.0) ** 2).sum())
    assert var_y == pytest.approx(sigma ** 2, rel=0.05)


def test_blur_anisotropic_constant_and_crop():
    const = torch.full((1, 3, 9, 11), 0.7)
    torch.testing.assert_close(aug.Blur((1.0, 3.0))(const), const)
    out = aug.Blur((2.0, 0.0), output_sz=(5, 5))(delta_image(15, 15, 7, 7))
    assert out.shape == (1, 1, 5, 5)
    assert out[0, 0, :, 2].sum().item() == pytest.approx(out.sum().item())   # no spread along x


def test_invalid_parameters_are_rejected():
    with pytest.raises(ValueError, match="output_sz"):
        aug.Identity((5,))
    with pytest.raises(ValueError, match="shift"):
        aug.Identity((5, 5), shift=(0.5, 0))
    with pytest.raises(ValueError, match="scale_factor"):
        aug.Scale(0.0)
    with pytest.raises(ValueError, match="sigma"):
        aug.Blur(-1.0)
    with pytest.raises(ValueError, match="N x C x H x W"):
        aug.Rotate(10)(torch.zeros(3, 4, 4))


# ---- the transforms compute only the part the output crop reads; references on the whole image
def _clamped_crop(full, output_sz, shift):
    """The crop of the module docstring by explicit index clamping (numpy, any dtype)."""
    h, w = full.shape[-2:]
    oh, ow = output_sz
    top, left = (h - oh + 1) // 2 - shift[0], (w - ow + 1) // 2 - shift[1]
    rows = np.clip(np.arange(oh) + top, 0, h - 1)
    cols = np.clip(np.arange(ow) + left, 0, w - 1)
    return full[..., rows, :][..., cols]


def _blur_whole_reference(im, sigma):
    """Whole-image separable Gaussian with replicated borders, as a direct 2-D sum in float64."""
    a = im.double().numpy()
    h, w = a.shape[-2:]
    ks = []
    for s in sigma:
        if s == 0:
            ks.append(np.ones(1))
            continue
        r = math.ceil(3 * s)
        k = np.exp(-np.arange(-r, r + 1) ** 2 / (2 * s ** 2))
        ks.append(k / k.sum())
    ky, kx = ks
    ry, rx = len(ky) // 2, len(kx) // 2
    out = np.zeros_like(a)
    for i, wy in enumerate(ky):
        rows = np.clip(np.arange(h) + i - ry, 0, h - 1)
        for j, wx in enumerate(kx):
            cols = np.clip(np.arange(w) + j - rx, 0, w - 1)
            out += wy * wx * a[..., rows, :][..., cols]
    return out


def _warp_whole_reference(im, matrix):
    """Whole-image bilinear warp about the centre with replicated borders (numpy, float64)."""
    a = im.double().numpy()
    h, w = a.shape[-2:]
    inv = np.linalg.inv(np.asarray(matrix, dtype=np.float64))
    cy, cx = (h - 1) / 2, (w - 1) / 2
    dy, dx = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")
    sy = np.clip(inv[0, 0] * dy + inv[0, 1] * dx + cy, 0, h - 1)
    sx = np.clip(inv[1, 0] * dy + inv[1, 1] * dx + cx, 0, w - 1)
    y0 = np.minimum(np.floor(sy).astype(int), h - 2)
    x0 = np.minimum(np.floor(sx).astype(int), w - 2)
    fy, fx = sy - y0, sx - x0
    return (a[..., y0, x0] * (1 - fy) * (1 - fx) + a[..., y0 + 1, x0] * fy * (1 - fx)
            + a[..., y0, x0 + 1] * (1 - fy) * fx + a[..., y0 + 1, x0 + 1] * fy * fx)


SHIFTS = [(0, 0), (3, -2), (-5, 4), (9, -11), (-14, 12)]     # the last two leave the image


@pytest.mark.parametrize("sigma", [(1.2, 0.7), (2.0, 0.0), (0.0, 1.5), (3.0, 3.0)])
@pytest.mark.parametrize("shift", SHIFTS)
def test_blur_of_the_read_part_equals_whole_image_blur_then_crop(sigma, shift):
    g = torch.Generator().manual_seed(7)
    im = torch.rand(2, 3, 23, 19, generator=g)
    out = aug.Blur(sigma, output_sz=(9, 7), shift=shift)(im)
    ref = _clamped_crop(_blur_whole_reference(im, sigma), (9, 7), shift)
    np.testing.assert_allclose(out.double().numpy(), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [lambda out, s: aug.Rotate(33, out, s), lambda out, s: aug.Rotate(-60, out, s),
                                  lambda out, s: aug.Scale(1.4, out, s), lambda out, s: aug.Scale(0.6, out, s)])
@pytest.mark.parametrize("shift", SHIFTS)
def test_warp_of_the_read_part_equals_whole_image_warp_then_crop(make, shift):
    g = torch.Generator().manual_seed(8)
    im = torch.rand(2, 3, 22, 25, generator=g)
    t = make((8, 11), shift)
    out = t(im)
    if isinstance(t, aug.Rotate):
        a = math.radians(t.angle)
        matrix = [[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]
    else:
        matrix = [[t.scale_factor, 0.0], [0.0, t.scale_factor]]
    ref = _clamped_crop(_warp_whole_reference(im, matrix), (8, 11), shift)
    np.testing.assert_allclose(out.double().numpy(), ref, rtol=1e-5, atol=1e-5)
    # and bit for bit the crop of the whole warped image (same grid values, same samples)
    whole = aug.warp_about_centre(im, torch.tensor(matrix, dtype=torch.float64))
    assert torch.equal(out, torch.from_numpy(_clamped_crop(whole.numpy(), (8, 11), shift)))


def test_read_region_covers_exactly_the_pixels_the_crop_reads():
    for shift in SHIFTS:
        t = aug.Identity((9, 7), shift=shift)
        rows = np.clip(np.arange(9) + (23 - 9 + 1) // 2 - shift[0], 0, 22)
        cols = np.clip(np.arange(7) + (19 - 7 + 1) // 2 - shift[1], 0, 18)
        assert t.read_region(23, 19) == (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)


def test_warp_about_centre_rejects_a_region_outside_the_image():
    with pytest.raises(ValueError, match="region"):
        aug.warp_about_centre(torch.zeros(1, 1, 5, 5), torch.eye(2), (0, 6, 0, 5))
    with pytest.raises(ValueError, match="region"):
        aug.warp_about_centre(torch.zeros(1, 1, 5, 5), torch.eye(2), (2, 2, 0, 5))


def test_blur_opencv_and_torch_paths_agree_with_the_direct_sum():
    # CPU float images go through OpenCV, other devices/dtypes through conv2d: both give the
    # 'valid' part of the separable correlation.
    g = torch.Generator().manual_seed(9)
    region = torch.rand(2, 3, 17, 20, generator=g, dtype=torch.float64)
    ky, kx = aug.gaussian_kernel1d(1.3), aug.gaussian_kernel1d(0.8)
    ry, rx = ky.numel() // 2, kx.numel() // 2
    a = region.numpy()
    ref = sum(float(ky[i]) * float(kx[j]) * a[..., i:i + 17 - 2 * ry, j:j + 20 - 2 * rx]
              for i in range(ky.numel()) for j in range(kx.numel()))
    for fn in (aug._separable_valid_cv2, aug._separable_valid_torch):
        np.testing.assert_allclose(fn(region, ky, kx).numpy(), ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(fn(region.float(), ky, kx).double().numpy(), ref, rtol=1e-5, atol=1e-6)


def test_blur_of_float64_and_bfloat16_images():
    g = torch.Generator().manual_seed(10)
    im = torch.rand(1, 2, 21, 18, generator=g, dtype=torch.float64)
    ref = _clamped_crop(_blur_whole_reference(im, (1.5, 0.9)), (9, 8), (2, -3))
    t = aug.Blur((1.5, 0.9), output_sz=(9, 8), shift=(2, -3))
    out = t(im)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6, atol=1e-7)     # float32 kernel values
    out16 = t(im.to(torch.bfloat16))                                     # the conv2d path
    assert out16.dtype == torch.bfloat16
    np.testing.assert_allclose(out16.double().numpy(), ref, atol=2e-2)


def test_original_blur_kernel_reaches_two_sigma_with_zero_padding():
    """sigma 1, 'original': taps exp(-k^2/2), k = -2..2, normalised; a constant image stays 1
    inside and its corner keeps (taps at 0, 1, 2)^2 = 0.7014^2 of its value (zeros beyond)."""
    taps = np.exp(-np.arange(-2, 3) ** 2 / 2.0)
    taps /= taps.sum()
    out = aug.Blur(1.0, kernel="original")(torch.ones(1, 1, 9, 9))
    assert out[0, 0, 4, 4].item() == pytest.approx(1.0, abs=1e-6)
    assert out[0, 0, 0, 0].item() == pytest.approx(taps[2:].sum() ** 2, rel=1e-5)
    assert aug.Blur(1.0, kernel="replicate")(torch.ones(1, 1, 9, 9))[0, 0, 0, 0].item() == pytest.approx(1.0)
    assert aug.Blur(1.0, kernel="original").kernels[0].numel() == 5


def test_opencv_rotation_turns_the_same_way_as_the_bilinear_one():
    """At 90 degrees both warps sample pixel centres exactly: they must agree (same direction)."""
    image = torch.rand(1, 3, 9, 9, generator=torch.Generator().manual_seed(0)) * 255
    exact = aug.Rotate(90, warp="bilinear")(image)
    opencv = aug.Rotate(90, warp="opencv")(image)
    torch.testing.assert_close(opencv, exact, atol=1e-3, rtol=0)
    assert not torch.allclose(exact, image)
