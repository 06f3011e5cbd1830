"""Hand-crafted features (FHOG, colour names, intensity, intensity channels) against values worked out
independently:
a loop-by-loop FHOG written here from the definition, closed forms for ramps, edges and constant
images, and table rows picked by the table's documented index."""
import math

import numpy as np
import pytest
import torch

from pytracking.features.handcrafted import (COLORNAMES_TABLE_FILE, FHOG, ColorNames, Intensity, IntensityChannels,
                                             colornames, intensity_channel_table,
                                             colornames_reference, fhog, fhog_kernel_available, fhog_reference,
                                             load_colornames_table)
from pytracking.libs.cpu_kernels import load_kernel

needs_kernel = pytest.mark.skipif(not fhog_kernel_available(), reason="compiled FHOG kernel not built")
needs_cn_kernel = pytest.mark.skipif(not hasattr(load_kernel(), "colornames_cells"),
                                     reason="compiled colour-names kernel not built")


# ------------------------------------------------------------------ a plain loop-based FHOG
def loop_fhog(im, s, soft=False, clip=0.2):
    """FHOG of ``im`` (C x H x W numpy) by explicit loops over pixels, cells and blocks."""
    c_num, height, width = im.shape
    h, w = height // s, width // s
    im = im.astype(np.float64)

    def grad(c, y, x):
        if width < 2:
            gx = 0.0
        elif x == 0:
            gx = im[c, y, 1] - im[c, y, 0]
        elif x == width - 1:
            gx = im[c, y, x] - im[c, y, x - 1]
        else:
            gx = (im[c, y, x + 1] - im[c, y, x - 1]) / 2
        if height < 2:
            gy = 0.0
        elif y == 0:
            gy = im[c, 1, x] - im[c, 0, x]
        elif y == height - 1:
            gy = im[c, y, x] - im[c, y - 1, x]
        else:
            gy = (im[c, y + 1, x] - im[c, y - 1, x]) / 2
        return gx, gy

    r1 = np.zeros((h, w, 18))
    for y in range(h * s):
        for x in range(w * s):
            best = None
            for c in range(c_num):
                gx, gy = grad(c, y, x)
                if best is None or gx * gx + gy * gy > best[0]:
                    best = (gx * gx + gy * gy, gx, gy)
            mag = math.sqrt(best[0])
            theta = math.atan2(best[2], best[1]) % (2 * math.pi)
            pos = theta / (math.pi / 9)
            if soft:
                o0 = math.floor(pos)
                orients = [(o0 % 18, 1 - (pos - o0)), ((o0 + 1) % 18, pos - o0)]
            elif best[1] == 0 and best[2] != 0:     # exactly vertical: Dollar rounds 4.5 / 13.5 up
                orients = [(5 if best[2] > 0 else 14, 1.0)]
            else:
                orients = [(int(math.floor(pos + 0.5)) % 18, 1.0)]
            cy, cx = (y + 0.5) / s - 0.5, (x + 0.5) / s - 0.5
            for i in (math.floor(cy), math.floor(cy) + 1):
                for j in (math.floor(cx), math.floor(cx) + 1):
                    if 0 <= i < h and 0 <= j < w:
                        weight = (1 - abs(cy - i)) * (1 - abs(cx - j))
                        for o, ow in orients:
                            r1[i, j, o] += mag * weight * ow
    for i in (0, h - 1):             # Dollar's gradHist: 8/7 per border side (corners twice)
        r1[i] *= 8 / 7
    for j in (0, w - 1):
        r1[:, j] *= 8 / 7
    r2 = r1[:, :, :9] + r1[:, :, 9:]
    energy = (r2 ** 2).sum(axis=2)

    def block_norm(bi, bj):          # block with top-left cell (bi, bj), clamped to existing blocks
        bi = min(max(bi, 0), max(h - 2, 0))
        bj = min(max(bj, 0), max(w - 2, 0))
        e = sum(energy[i, j] for i in (bi, bi + 1) for j in (bj, bj + 1) if i < h and j < w)
        return 1 / math.sqrt(e + 2.5e-5)

    out = np.zeros((31, h, w))
    for i in range(h):
        for j in range(w):
            norms = [block_norm(i, j), block_norm(i - 1, j), block_norm(i, j - 1), block_norm(i - 1, j - 1)]
            for o in range(18):
                out[o, i, j] = 0.5 * sum(min(r1[i, j, o] * n, clip) for n in norms)
            for o in range(9):
                out[18 + o, i, j] = 0.5 * sum(min(r2[i, j, o] * n, clip) for n in norms)
            for k, n in enumerate(norms):
                out[27 + k, i, j] = 0.2357 * sum(min(r1[i, j, o] * n, clip) for o in range(18))
    return out


def _random_image(shape, seed=0):
    # integer values: no gradient lies within float rounding of an orientation-bin boundary
    return torch.from_numpy(np.random.default_rng(seed).integers(0, 256, size=shape).astype(np.float32))


def _implementations(mark=needs_kernel):
    return [pytest.param(False, id="torch"), pytest.param(True, id="kernel", marks=mark)]


@pytest.mark.parametrize("use_kernel", _implementations())
@pytest.mark.parametrize("shape,cell,soft", [((3, 13, 14), 4, False), ((3, 13, 14), 4, True),
                                             ((3, 11, 9), 3, False), ((1, 12, 16), 4, False),
                                             ((3, 9, 10), 5, False), ((3, 6, 7), 2, True)])
def test_fhog_equals_the_loop_reference(use_kernel, shape, cell, soft):
    im = _random_image(shape, seed=sum(shape) + cell)
    expected = loop_fhog(im.numpy(), cell, soft=soft)
    got = fhog(im[None], cell, soft_orientation=soft, use_kernel=use_kernel)[0]
    assert got.dtype == torch.float32 and got.shape == expected.shape
    assert np.allclose(got.numpy(), expected, atol=2e-5), np.abs(got.numpy() - expected).max()


@pytest.mark.parametrize("use_kernel", _implementations())
def test_uniform_patch_has_no_orientation_energy(use_kernel):
    im = torch.full((2, 3, 20, 24), 87.0)
    out = fhog(im, 4, use_kernel=use_kernel)
    assert out.shape == (2, 31, 5, 6)
    assert torch.equal(out, torch.zeros_like(out))


@pytest.mark.parametrize("use_kernel", _implementations())
def test_vertical_edge_puts_energy_in_the_horizontal_gradient_bins(use_kernel):
    im = torch.zeros(1, 3, 16, 16)
    im[..., 8:] = 255.0                                     # dark left, bright right: gradient along +x
    out = fhog(im, 4, use_kernel=use_kernel)[0]
    sensitive, insensitive = out[:18], out[18:27]
    # all orientation energy in bin 0 (0 degrees) and insensitive bin 0, in the two middle cell columns
    assert (sensitive[1:] == 0).all() and (insensitive[1:] == 0).all()
    assert (sensitive[0][:, 1:3] > 0.1).all() and (sensitive[0][:, [0, 3]] == 0).all()
    assert torch.allclose(insensitive[0], sensitive[0])
    flipped = fhog(255.0 - im, 4, use_kernel=use_kernel)[0]   # bright left: gradient along -x, 180 degrees
    assert torch.allclose(flipped[9], sensitive[0]) and (flipped[:9] == 0).all() and (flipped[10:18] == 0).all()
    assert torch.allclose(flipped[18:27], insensitive)       # contrast-insensitive: the same


@pytest.mark.parametrize("use_kernel", _implementations())
@pytest.mark.parametrize("downward", [True, False])
def test_vertical_ramp_closed_form_as_dollars_fhog(use_kernel, downward):
    """I = 10 y: gradient (0, 10) at every pixel, exactly 90 degrees, halfway between bins 4 and 5;
    Dollar's fhog rounds 4.5 up: bin 5 (the ramp the other way: 270 degrees, bin 14). With cell 4
    the bilinear spatial binning gives border cells 7/8 (corners 49/64) of an interior cell's
    16 x 10 = 160; Dollar's 8/7 per border side makes every cell 160. All block energies are then
    4 x 160^2, so without clipping each value is 0.5 * 4 * 160 / 320 = 1 in every cell."""
    y = torch.arange(24, dtype=torch.float32).reshape(24, 1).expand(24, 28)
    im = (10.0 * (y if downward else 23 - y)).expand(1, 3, 24, 28).contiguous()
    out = fhog(im, 4, clip=10.0, use_kernel=use_kernel)[0]
    o = 5 if downward else 14
    assert out.shape == (31, 6, 7)
    assert torch.allclose(out[o], torch.ones(6, 7), atol=1e-5)
    others = [k for k in range(18) if k != o]
    assert (out[others] == 0).all()
    assert torch.allclose(out[18 + 5], torch.ones(6, 7), atol=1e-5) and (out[[18 + k for k in range(9) if k != 5]] == 0).all()
    assert torch.allclose(out[27:], torch.full((4, 6, 7), 0.2357 * 0.5), atol=1e-5)


@pytest.mark.parametrize("use_kernel", _implementations())
def test_diagonal_ramp_closed_form(use_kernel):
    """I = 10 (x - y): gradient (10, -10) everywhere, 315 degrees, nearest bin 16 (320 degrees),
    contrast-insensitive bin 7. Each cell's normalised value exceeds the clip 0.2 in all 4 blocks,
    so bin 16 and insensitive bin 7 are 0.5 * 4 * 0.2 = 0.4 and each texture channel 0.2357 * 0.2."""
    y, x = torch.meshgrid(torch.arange(24.0), torch.arange(28.0), indexing="ij")
    im = (10 * (x - y) + 128).expand(1, 3, 24, 28)
    out = fhog(im, 4, use_kernel=use_kernel)[0]
    expected = torch.zeros(31, 6, 7)
    expected[16] = 0.4
    expected[18 + 7] = 0.4
    expected[27:] = 0.2357 * 0.2
    assert torch.allclose(out, expected, atol=1e-6)


@needs_kernel
@pytest.mark.parametrize("avx2", [True, False], ids=["avx2", "generic"])
@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("shape,cell", [((2, 3, 64, 80), 4), ((1, 1, 37, 29), 4), ((1, 3, 50, 45), 6)])
def test_kernel_equals_the_torch_version(shape, cell, soft, avx2):
    from pytracking.libs.cpu_kernels import load_kernel

    im = _random_image(shape, seed=3)
    ref = fhog_reference(im, cell, soft_orientation=soft)
    kernel = load_kernel()
    previous = kernel.use_avx2(avx2)
    try:
        got = fhog(im, cell, soft_orientation=soft, use_kernel=True)
    finally:
        kernel.use_avx2(previous)
    assert got.shape == ref.shape
    assert torch.allclose(got, ref, atol=2e-5, rtol=1e-5), (got - ref).abs().max()


def test_fhog_module_sizes_and_bad_input():
    module = FHOG(cell_size=4)
    assert module.dim() == [31] and module.stride() == [4]
    im = _random_image((2, 3, 30, 41))
    (feat,) = module.extract(im)
    assert feat.shape == (2, 31, 7, 10)
    assert module.size([30, 41])[0].tolist() == [7.0, 10.0]
    with pytest.raises(ValueError, match="C = 1 or 3"):
        module.extract(torch.zeros(1, 2, 16, 16))
    with pytest.raises(ValueError, match="smaller than one 4x4 cell"):
        module.extract(torch.zeros(1, 3, 3, 16))
    with pytest.raises(ValueError, match="cell_size"):
        FHOG(cell_size=0)


def test_normalize_power_gives_unit_mean_square():
    im = _random_image((2, 3, 24, 24))
    (feat,) = FHOG(normalize_power=2).extract(im)
    assert torch.allclose(feat.pow(2).mean(dim=(1, 2, 3)), torch.ones(2), atol=1e-4)


# ------------------------------------------------------------------ colour names
def _table():
    return np.load(COLORNAMES_TABLE_FILE, allow_pickle=False)


@pytest.mark.parametrize("rgb,index", [((255, 0, 0), 31), ((0, 255, 0), 31 * 32), ((0, 0, 255), 31 * 1024),
                                       ((255, 255, 255), 32767), ((0, 0, 0), 0),
                                       ((100, 150, 200), 12 + 32 * 18 + 1024 * 25)])
@pytest.mark.parametrize("use_kernel", _implementations(needs_cn_kernel))
def test_colornames_of_known_pixels(rgb, index, use_kernel):
    table = _table()
    im = torch.tensor(rgb, dtype=torch.float32).reshape(1, 3, 1, 1).expand(1, 3, 4, 4)
    (feat,) = ColorNames(cell_size=4, use_kernel=use_kernel).extract(im)
    assert feat.shape == (1, 10, 1, 1)
    assert np.allclose(feat[0, :, 0, 0].numpy(), table[index], atol=1e-7)


@pytest.mark.parametrize("use_kernel", _implementations(needs_cn_kernel))
def test_colornames_round_values_to_8_bits_before_the_lookup(use_kernel):
    table = _table()
    # R: 7.4 -> 7 (bin 0), G: 7.6 -> 8 (bin 1), B: 300 -> 255 (bin 31); then R -3 -> 0, G 15.49 -> 15, B 16.5 -> 17
    im = torch.tensor([[7.4, -3.0], [7.6, 15.49], [300.0, 16.5]]).reshape(1, 3, 1, 2)
    (feat,) = ColorNames(cell_size=1, use_kernel=use_kernel).extract(im)
    assert np.allclose(feat[0, :, 0, 0].numpy(), table[0 + 32 * 1 + 1024 * 31], atol=1e-7)
    assert np.allclose(feat[0, :, 0, 1].numpy(), table[0 + 32 * 1 + 1024 * 2], atol=1e-7)


@pytest.mark.parametrize("use_kernel", _implementations(needs_cn_kernel))
def test_colornames_average_over_cells_and_grey_images(use_kernel):
    table = _table()
    im = torch.zeros(1, 3, 4, 8)
    im[0, 0, :, :4] = 255.0                              # left cell red
    im[0, :, :2, 4:] = 255.0                             # right cell: top half white, bottom half black
    (feat,) = ColorNames(cell_size=4, use_kernel=use_kernel).extract(im)
    assert feat.shape == (1, 10, 1, 2)
    assert np.allclose(feat[0, :, 0, 0].numpy(), table[31], atol=1e-6)
    assert np.allclose(feat[0, :, 0, 1].numpy(), (table[32767] + table[0]) / 2, atol=1e-6)
    grey = torch.full((1, 1, 4, 4), 130.4)               # rounds to 130, bin 16 in every channel
    (feat,) = ColorNames(cell_size=2, use_kernel=use_kernel).extract(grey)
    assert feat.shape == (1, 10, 2, 2)
    assert np.allclose(feat[0, :, 1, 1].numpy(), table[16 + 32 * 16 + 1024 * 16], atol=1e-7)


@needs_cn_kernel
@pytest.mark.parametrize("shape,cell", [((2, 3, 13, 18), 4), ((1, 1, 9, 7), 3), ((1, 3, 5, 6), 1)])
def test_colornames_kernel_equals_the_torch_version(shape, cell):
    table = load_colornames_table()
    im = torch.from_numpy(np.random.default_rng(3).uniform(-20, 280, size=shape).astype(np.float32))
    want = colornames_reference(im, table, cell)
    got = colornames(im, table, cell, use_kernel=True)
    assert got.shape == want.shape == (shape[0], 10, shape[2] // cell, shape[3] // cell)
    assert torch.allclose(got, want, atol=1e-6)


# ------------------------------------------------------------------ intensity
def test_intensity_closed_form():
    im = torch.zeros(1, 3, 4, 8)
    im[0, :, :, :4] = torch.tensor([200.0, 100.0, 50.0]).reshape(3, 1, 1)
    im[0, :, :, 4:6] = 255.0                             # right cell: half white, half black
    (feat,) = Intensity(cell_size=4).extract(im)
    assert feat.shape == (1, 1, 1, 2)
    left = (0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255 - 0.5
    assert torch.allclose(feat[0, 0, 0], torch.tensor([left, 0.0]), atol=1e-6)
    (grey,) = Intensity(cell_size=2).extract(torch.full((1, 1, 4, 6), 51.0))
    assert grey.shape == (1, 1, 2, 3) and torch.allclose(grey, torch.full_like(grey, 0.2 - 0.5))


# ------------------------------------------------------------------ intensity channels (intensityChannelNorm6)
# Rows of the original ECO release's lookup table feature_extraction/lookup_tables/intensityChannelNorm6
# (published data, as printed to 8 digits in a text copy of it).
PUBLISHED_INTENSITY_ROWS = {
    0: [0, 0, 0, 0.50000000, 0.28867513],
    1: [-0.021922758, 8.6995067e-05, 0, 0.49987698, 0.28867513],
    42: [-0.47133929, 0.15345930, 0, 0.28297579, 0.28867513],
    100: [-0.065790020, 0.41268286, 0, -0.40695885, 0.28867513],
    127: [-2.1748767e-05, 0.011026625, 0, -0.49996924, 0.28867513],
    128: [0, -0.011026625, 2.1748767e-05, -0.49998462, 0.28864849],
    200: [0, -0.26316008, 0.43062559, -0.18608227, -0.25504631],
    254: [0, -8.6995067e-05, 0.021922758, -6.1514802e-05, -0.57724375],
    255: [0, 0, 0, 0, -0.57735026],
}


def test_intensity_channel_table_equals_the_published_rows():
    table = intensity_channel_table()
    assert table.shape == (256, 5) and table.dtype == torch.float32
    for v, row in PUBLISHED_INTENSITY_ROWS.items():
        assert torch.allclose(table[v], torch.tensor(row), atol=2e-7), v


def test_intensity_channels_are_projected_bspline_channels():
    """Independently: 6 quadratic B-spline channels of spacing 255/4 sum to one, so the table (their
    projection on an orthonormal basis orthogonal to the constant vector) keeps their squared norm
    minus 1/6, and rows of grey values one channel spacing apart are shifted copies."""
    table = intensity_channel_table().double()
    v = np.arange(256.0)
    t = (v[:, None] - (-255 / 8 + 255 / 4 * np.arange(6))[None]) / (255 / 4)
    a = np.abs(t)
    b = np.where(a < 0.5, 0.75 - a ** 2, np.where(a < 1.5, 0.5 * (a - 1.5) ** 2, 0.0))
    assert np.allclose(b.sum(1), 1.0)
    assert np.allclose((table ** 2).sum(1).numpy(), (b ** 2).sum(1) - 1 / 6, atol=1e-6)
    gram = (table @ table.t()).numpy()
    assert np.allclose(gram, b @ b.T - 1 / 6, atol=1e-6)


def test_intensity_channels_look_up_and_average_cells():
    im = torch.zeros(1, 1, 4, 8)
    im[0, 0, :, :4] = 100.0
    im[0, 0, :2, 4:] = 0.0
    im[0, 0, 2:, 4:] = 255.0
    (feat,) = IntensityChannels(cell_size=4).extract(im)
    assert feat.shape == (1, 5, 1, 2)
    want_left = torch.tensor(PUBLISHED_INTENSITY_ROWS[100])
    want_right = (torch.tensor(PUBLISHED_INTENSITY_ROWS[0]) + torch.tensor(PUBLISHED_INTENSITY_ROWS[255])) / 2
    assert torch.allclose(feat[0, :, 0, 0], want_left, atol=1e-6)
    assert torch.allclose(feat[0, :, 0, 1], want_right, atol=1e-6)
    # an RGB grey patch (R = G = B) gives the same, and values are rounded to the nearest level
    (rgb,) = IntensityChannels(cell_size=4).extract(im.expand(1, 3, 4, 8) + 0.4)
    assert torch.allclose(rgb, feat, atol=1e-6)
