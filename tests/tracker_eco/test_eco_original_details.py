"""Details where ECO follows the original MATLAB implementation (martin-danelljan/ECO), each checked
against a value worked out from that code: the sample size's rounding, the first frame's shifted
sample, the preconditioner's update schedule, grey-video detection, the translation samples,
mexResize 'auto' for scale samples, the regularization filter's taps, the filter's symmetrization
after each Gauss-Newton step, the projection preconditioner's per-block label energy, and the
steadier 'smooth' scale sampling."""
from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch

from pytracking.parameter.eco.default import parameters
from pytracking.tracker.eco import ECO
from pytracking.tracker.eco import continuous as cont
from pytracking.tracker.eco import eco as eco_module
from pytracking.tracker.eco.eco import is_grey, odd_cells_sample_size
from pytracking.tracker.eco.optim import JointGaussNewton
from pytracking.tracker.eco import region
from pytracking.tracker.eco.region import matlab_round, original_patch, resize_auto, resized_patch
from tests.tracker_eco.conftest import moving_target_sequence, smooth_texture


def test_sample_size_rounds_halves_away_from_zero_as_matlab():
    # init_features.m: (1 + 2*round(150/12))*6 = 27*6 = 162 (MATLAB rounds 12.5 up), then the
    # extra pixels that make the most maps odd: 164/6 -> 27, 164/4 -> 41
    assert odd_cells_sample_size(150.0, [6, 4]) == 164
    # a 30 x 30 target: search area 120^2 < 150^2, so the sample is exactly 150 pixels before rounding
    img = smooth_texture(np.random.default_rng(0), 200, 260, 4.0)
    tracker = ECO(parameters())
    tracker.initialize(img, {"init_bbox": [100.0, 80.0, 30.0, 30.0]})
    assert tracker.img_sample_sz == 164
    assert tracker.scale == pytest.approx(0.8)


@pytest.mark.parametrize("box", [[100.0, 80.0, 41.0, 36.0], [100.3, 80.6, 40.0, 35.0], [100.0, 80.0, 30.0, 30.0]])
def test_first_sample_is_shifted_onto_the_target(box):
    """On a still image the target must not move: the first frame's sample (cropped on the pixel
    grid, up to half a pixel off the box centre) is shifted onto the target before learning."""
    img = smooth_texture(np.random.default_rng(3), 200, 260, 4.0)
    tracker = ECO(parameters())
    tracker.initialize(img, {"init_bbox": box})
    start = tracker.pos.clone()
    tracker.track(img)
    assert float((tracker.pos - start).abs().max()) < 0.05


def test_preconditioner_energy_changes_on_training_frames_only():
    # tracker.m: trains on frames < skip_after_frame (10) and then every train_gap + 1 = 6th frame
    frames, gt = moving_target_sequence(22, (200, 260), (80, 60, 36, 30), (1.0, 0.5), seed=4)
    tracker = ECO(parameters())
    tracker.initialize(frames[0], {"init_bbox": list(gt[0])})
    changed = []
    for i, f in enumerate(frames[1:], 2):
        before = [e.clone() for e in tracker.sample_energy]
        tracker.track(f)
        if any(not torch.equal(a, b) for a, b in zip(before, tracker.sample_energy)):
            changed.append(i)
    assert changed == [2, 3, 4, 5, 6, 7, 8, 9, 15, 21]


def test_grey_video_is_decided_on_red_and_green_and_uses_the_first_channel():
    frames, gt = moving_target_sequence(8, (200, 260), (80, 60, 36, 30), (1.5, 0.5), seed=5, grey=True)
    noisy = [f.copy() for f in frames]
    rng = np.random.default_rng(0)
    for f in noisy:
        f[..., 2] = rng.integers(0, 256, size=f.shape[:2])     # blue differs: still grey for ECO
    assert is_grey(noisy[0]) and not is_grey(noisy[0][..., ::-1])
    boxes = []
    for seq in (frames, noisy):
        tracker = ECO(parameters())
        tracker.initialize(seq[0], {"init_bbox": list(gt[0])})
        assert tracker.grey
        boxes.append([tracker.track(f)["target_bbox"] for f in seq[1:]])
    np.testing.assert_allclose(boxes[0], boxes[1])


def test_translation_samples_are_resized_bilinearly():
    img = np.random.default_rng(2).integers(0, 256, size=(120, 160, 3), dtype=np.uint8)
    patch, (cy, cx) = resized_patch(img, (60.0, 80.0), (71.0, 71.0), (50, 50))      # shrinking, df = 1
    assert (cy, cx) == (60.0, 80.0)
    want = cv2.resize(img[25:96, 45:116], (50, 50), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(patch, want)


def test_projection_preconditioner_uses_each_blocks_label_energy(monkeypatch):
    """train_joint's proj_energy: 2 * sum |yf_k|^2 / total feature dimension, yf_k the label on block
    k's own (smaller) frequency grid."""
    seen = {}
    run = JointGaussNewton.run

    def spy(self, f, P, diag_m, *args):
        seen["diag"] = diag_m
        return run(self, f, P, diag_m, *args)

    monkeypatch.setattr(JointGaussNewton, "run", spy)
    img = smooth_texture(np.random.default_rng(1), 200, 260, 4.0)
    p = parameters()
    tracker = ECO(p)
    tracker.initialize(img, {"init_bbox": [90.0, 70.0, 44.0, 40.0]})
    nb = len(tracker.P)
    assert nb == 2 and tracker.filter_sz[0] != tracker.filter_sz[1]
    total_dim = 31 + 10
    sigma = np.sqrt(np.prod(np.floor(tracker.base_target_sz.numpy()))) / 16
    support = float(tracker.img_sample_sz)
    for b, (kh, kw) in enumerate(tracker.filter_sz):
        yf = cont.gaussian_label(kh, kw, (sigma, sigma), (support, support))
        want = p.precond_proj_param * (2 * float((yf.abs() ** 2).sum()) / total_dim + p.projection_reg)
        assert torch.allclose(seen["diag"][nb + b], torch.full_like(seen["diag"][nb + b], want), rtol=1e-4)


@pytest.mark.parametrize("cg, gn, per_step", [(150, 10, 15), (25, 10, 3), (7, 7, 1)])
def test_first_frame_gauss_newton_steps_get_the_rounded_up_share_of_cg_iterations(monkeypatch, cg, gn, per_step):
    """The original's init_CG_opts.maxit = ceil(init_CG_iter / init_GN_iter)."""
    seen = {}
    run = JointGaussNewton.run

    def spy(self, f, P, diag_m, gn_iter, cg_iter):
        seen["iters"] = (gn_iter, cg_iter)
        return run(self, f, P, diag_m, 1, 1)  # the values are what matters here

    monkeypatch.setattr(JointGaussNewton, "run", spy)
    p = parameters()
    p.init_CG_iter, p.init_GN_iter = cg, gn
    ECO(p).initialize(smooth_texture(np.random.default_rng(1), 120, 160, 4.0), {"init_bbox": [60.0, 40.0, 30.0, 30.0]})
    assert seen["iters"] == (gn, per_step)


@pytest.mark.parametrize("box", [[100.0, 80.0, 41.0, 36.0], [100.5, 80.5, 40.0, 30.0], [60.0, 50.0, 80.0, 70.0]])
def test_smooth_scale_sampling_keeps_a_still_target_at_its_scale(box):
    img = smooth_texture(np.random.default_rng(3), 200, 260, 4.0)
    p = parameters()
    p.scale_sampling = "smooth"
    p.sample_centring = "exact"      # without the original's half-cell jumps of the position
    tracker = ECO(p)
    tracker.initialize(img, {"init_bbox": box})
    start = tracker.scale
    for _ in range(8):
        tracker.track(img)
        assert abs(tracker.scale / start - 1) < 0.01


@pytest.mark.parametrize("crop_hw, out_hw, interp", [
    ((40, 10), (20, 30), cv2.INTER_AREA),      # area grows, but the output is no wider than the input is high
    ((20, 60), (15, 25), cv2.INTER_LINEAR),    # area shrinks, but the output is wider than the input is high
    ((10, 40), (20, 30), cv2.INTER_LINEAR),
    ((50, 50), (20, 30), cv2.INTER_AREA),
])
def test_scale_samples_are_resized_as_mexresize_auto(crop_hw, out_hw, interp):
    """mexResize 'auto' picks bilinear when newSize.width > oldSize.height; its MxArray::toMat
    (transpose = true by default) hands OpenCV the image with rows = height, so that compares the
    output's width with the input's height."""
    crop = np.random.default_rng(4).integers(0, 256, size=(*crop_hw, 3), dtype=np.uint8)
    got = resize_auto(crop, out_hw)
    want = cv2.resize(crop, (out_hw[1], out_hw[0]), interpolation=interp)
    other = cv2.resize(crop, (out_hw[1], out_hw[0]),
                       interpolation=cv2.INTER_AREA if interp == cv2.INTER_LINEAR else cv2.INTER_LINEAR)
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(got, other)


def _original_reg_filter(sz, target_sz, edge, minimum, power, sparsity):
    """get_reg_filter.m: the window on the grid -(N-1)/2 .. (N-1)/2, its DFT with the origin at the
    first pixel, sparsified, minimum corrected, fftshifted, real part, all-zero rows/columns dropped."""
    wrs, wcs = np.meshgrid(np.arange(sz[0]) - (sz[0] - 1) / 2, np.arange(sz[1]) - (sz[1] - 1) / 2, indexing="ij")
    w = (edge - minimum) * (np.abs(wrs / (0.5 * target_sz[0])) ** power
                            + np.abs(wcs / (0.5 * target_sz[1])) ** power) + minimum
    wf = np.fft.fft2(w) / np.prod(sz)
    wf[np.abs(wf) < sparsity * np.abs(wf).max()] = 0
    wf[0, 0] = wf[0, 0] - np.prod(sz) * np.real(np.fft.ifft2(wf)).min() + minimum
    wf = np.fft.fftshift(wf)
    return np.real(wf[~np.all(wf == 0, 1)][:, ~np.all(wf == 0, 0)])


@pytest.mark.parametrize("support", [(164, 164), (201, 153), (150, 251)])
def test_reg_filter_is_the_originals_with_the_origin_at_the_centre(support):
    """Our spectra have the spatial origin at the sample centre, the original's at its first pixel:
    the taps are the original's times (-1)^(ky + kx), for odd supports too (where the original's
    real part keeps a cos(pi (ky/Ny + kx/Nx)) factor)."""
    target = (41.0, 29.0)
    want = _original_reg_filter(support, target, 10e-3, 1e-4, 2.0, 0.05)
    got = cont.reg_filter(support, target, 10e-3, 1e-4, 2.0, 0.05).double().numpy()
    assert got.shape == want.shape
    ky = np.arange(want.shape[0]) - want.shape[0] // 2
    kx = np.arange(want.shape[1]) - want.shape[1] // 2
    sign = (-1.0) ** (ky.reshape(-1, 1) + kx.reshape(1, -1))
    np.testing.assert_allclose(got, want * sign, rtol=0, atol=1e-7 * np.abs(want).max())


def test_symmetrize_zero_column_mirrors_the_negative_frequencies():
    f = torch.arange(2 * 5 * 3, dtype=torch.float32).reshape(2, 5, 3) * (1 + 2j)
    out = cont.symmetrize_zero_column(f)
    assert torch.equal(out[..., 1:], f[..., 1:]) and torch.equal(out[:, :3, 0], f[:, :3, 0])
    assert torch.equal(out[:, 3, 0], f[:, 1, 0].conj()) and torch.equal(out[:, 4, 0], f[:, 0, 0].conj())


def test_joint_gauss_newton_returns_a_filter_with_a_hermitian_zero_column():
    """train_joint.m symmetrizes hf after each Gauss-Newton step: a warm start whose kx = 0 column is
    not Hermitian comes back Hermitian."""
    rng = np.random.default_rng(8)

    def cplx(*shape):
        return torch.tensor(rng.standard_normal(shape) + 1j * rng.standard_normal(shape), dtype=torch.complex64)

    x = [cplx(6, 7, 4)]
    y = cont.gaussian_label(7, 7, (1.0, 1.0), (7.0, 7.0))
    gn = JointGaussNewton(x, y, cont.RegOperator(torch.full((1, 1), 0.1)), 1e-7)
    f0 = [cplx(3, 7, 4)]
    P0 = [torch.tensor(rng.standard_normal((6, 3)), dtype=torch.float32)]
    diag = [torch.ones(3, 7, 4), torch.ones(6, 3)]
    f, _ = gn.run(f0, P0, diag, gn_iter=2, cg_iter=3)
    col = f[0][:, :, 0]
    assert torch.equal(col[:, 4:], col[:, :3].flip(-1).conj())
    assert not torch.equal(f0[0][:, 4:, 0], f0[0][:, :3, 0].flip(-1).conj())


def _matlab_sample_patch(im, pos1, sample_sz, output_sz):
    """sample_patch.m written in its own 1-based index arithmetic (``pos1`` integer, 1-based)."""
    resize_factor = min(sample_sz[0] / output_sz[0], sample_sz[1] / output_sz[1])
    df = max(math.floor(resize_factor - 0.1), 1)
    pos1 = list(pos1)
    if df > 1:
        os_ = [(p - 1) % df for p in pos1]
        pos1 = [(p - 1 - o) // df + 1 for p, o in zip(pos1, os_)]
        sample_sz = [s / df for s in sample_sz]
        im = im[os_[0]::df, os_[1]::df]
    sz = [max(math.floor(s + 0.5), 2) for s in sample_sz]
    xs = [min(max(pos1[1] + k - (sz[1] + 1) // 2, 1), im.shape[1]) for k in range(1, sz[1] + 1)]
    ys = [min(max(pos1[0] + k - (sz[0] + 1) // 2, 1), im.shape[0]) for k in range(1, sz[0] + 1)]
    patch = im[np.ix_([y - 1 for y in ys], [x - 1 for x in xs])]
    if tuple(sz) == tuple(output_sz):
        return patch
    return cv2.resize(patch, (output_sz[1], output_sz[0]), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize("pos, size, out", [
    ((60, 85), (50.0, 50.0), (50, 50)),          # no resize
    ((60, 85), (61.4, 61.4), (50, 50)),          # shrink, df = 1, odd count
    ((61, 84), (92.6, 92.6), (40, 40)),          # df = 2, even count
    ((7, 300), (130.0, 130.0), (40, 40)),        # df = 3, over the top and right borders
    ((230, 2), (35.0, 35.0), (48, 48)),          # enlarged, over the bottom and left borders
])
def test_translation_samples_are_the_originals_sample_patch(pos, size, out):
    im = np.random.default_rng(12).integers(0, 256, size=(240, 320, 3), dtype=np.uint8)
    got = original_patch(im, pos, size, out)
    want = _matlab_sample_patch(im, (pos[0] + 1, pos[1] + 1), size, out)
    np.testing.assert_array_equal(got, want)


def test_translation_sample_size_is_rounded_before_sample_patch_divides_it(monkeypatch):
    """extract_features.m passes round(img_sample_sz * scale) to sample_patch, which takes
    round(size / df) pixels: with df = 2 and a size of 2k + 0.7 that is k + 1 pixels, where rounding
    once would take k."""
    seen = []
    patch = region.original_patch

    def spy(image, sample_pos, size, out_sz):
        seen.append((tuple(sample_pos), tuple(size), out_sz, patch(image, sample_pos, size, out_sz)))
        return seen[-1][-1]

    img = smooth_texture(np.random.default_rng(5), 240, 320, 4.0)
    tracker = ECO(parameters())
    tracker.initialize(img, {"init_bbox": [140.0, 100.0, 40.0, 36.0]})
    monkeypatch.setattr(eco_module, "original_patch", spy)
    sz = tracker.img_sample_sz
    size = 2 * round(1.15 * sz) + 0.7                              # df = 2
    assert math.floor(size / sz - 0.1) == 2
    tracker._features(img, tracker.pos, size / sz)
    (sample_pos, _, out_sz, got), = seen
    want = _matlab_sample_patch(img, (sample_pos[0] + 1, sample_pos[1] + 1), [matlab_round(size)] * 2, out_sz)
    np.testing.assert_array_equal(got, want)
    # rounding only once would have taken another patch
    assert not np.array_equal(got, _matlab_sample_patch(img, (sample_pos[0] + 1, sample_pos[1] + 1), [size] * 2,
                                                        out_sz))


def test_the_displacement_is_measured_from_matlabs_round_of_the_position(monkeypatch):
    """tracker.m: ``sample_pos = round(pos)``, halves away from zero: a centre at (97.5, 120.5)
    is sampled at (98, 121) (Python's round would give 120 for 120.5)."""
    seen = []
    patch = region.original_patch

    def spy(image, sample_pos, *args):
        seen.append(tuple(sample_pos))
        return patch(image, sample_pos, *args)

    monkeypatch.setattr(eco_module, "original_patch", spy)
    img = smooth_texture(np.random.default_rng(3), 200, 260, 4.0)
    tracker = ECO(parameters())
    tracker.initialize(img, {"init_bbox": [100.0, 80.0, 42.0, 36.0]})
    assert seen == [(98, 121)]
    # the first sample is shifted by pos - round(pos) onto the target: still image, still target
    tracker.track(img)
    assert float((tracker.pos - torch.tensor([97.5, 120.5])).abs().max()) < 0.05


@pytest.mark.parametrize("box", [[100.0, 80.0, 41.0, 36.0], [100.5, 80.5, 40.0, 30.0], [60.0, 50.0, 80.0, 70.0]])
def test_exact_centring_keeps_a_still_target_still(box):
    """``sample_centring='exact'`` measures from the centre of the pixels cropped, so a still
    target stays within 0.2 px over 8 frames (the original's patches of even pixel count sit half
    a cell past round(pos), which moves it by up to half a pixel as the sample size changes parity)."""
    img = smooth_texture(np.random.default_rng(3), 200, 260, 4.0)
    p = parameters()
    p.sample_centring = "exact"
    tracker = ECO(p)
    tracker.initialize(img, {"init_bbox": box})
    start = tracker.pos.clone()
    for _ in range(8):
        tracker.track(img)
        assert float((tracker.pos - start).abs().max()) < 0.2
