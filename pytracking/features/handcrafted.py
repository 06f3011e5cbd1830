"""Hand-crafted feature modules (no weights): FHOG, colour names, greyscale intensity and intensity
channels.

All of them follow :class:`pytracking.features.featurebase.FeatureModule`: ``extract(patches)`` takes
``N x C x H x W`` float patches with values in 0..255 (``C`` = 3 RGB, or 1 for grey images) and
returns one ``N x dim x h x w`` float32 map on a grid of ``cell_size x cell_size`` pixel cells:
``h = floor(H / cell_size)``, ``w = floor(W / cell_size)``; cell ``(i, j)`` covers pixels
``i*cell_size .. (i+1)*cell_size - 1`` (rows) and likewise columns, the pixels beyond the last whole
cell (``H mod cell_size`` rows at the bottom, ``W mod cell_size`` columns at the right) are not used.

**FHOG** (:class:`FHOG`, 31 channels; Felzenszwalb, Girshick, McAllester, Ramanan, "Object Detection
with Discriminatively Trained Part-Based Models", TPAMI 2010; border handling and output size as in
P. Dollár's ``fhog``, which ECO-HC uses). See :func:`fhog_reference` for the definition. Differences
from Felzenszwalb's own code, all as in Dollár's ``fhog``: the border cells are kept (he drops one
cell on each side and the outermost pixels), the border cells' histograms are scaled by 8/7 per
border side, normalisers of border cells are those of the nearest complete block, and gradients on
the image border are one-sided; his always-zero 32nd channel is left out. Orientation binning is to
the nearest of the 18 directions, exactly vertical gradients to the later of the two as ``fhog``
rounds; ``fhog`` finds the angle in a table of 1e-4 steps and the magnitude with an approximate
reciprocal square root, so its bins differ from these for the pixels within about 0.05 degrees of
a bin boundary (about 5e-4 of the pixels of random noise, fewer on natural images) and its
magnitudes by up to 4e-4 relative. ``soft_orientation=True`` interpolates between the two nearest
directions instead.

**Colour names** (:class:`ColorNames`, 10 channels): the "CNnorm" table of van de Weijer, Schmid,
Verbeek, Larlus, "Learning Color Names for Real-World Applications", IEEE TIP 2009, in the
normalised 10-dimensional form used by the correlation-filter trackers (Danelljan et al., CVPR
2014; ECO-HC, CVPR 2017), shipped as ``pytracking/features/data/colornames_cnnorm.npy``. Each pixel
is rounded to 8 bits, looked up at ``R//8 + 32*(G//8) + 1024*(B//8)``, and the values are averaged
over each cell. Grey patches (``C`` = 1) are looked up as ``R = G = B`` = the grey value (the
module stays enabled, so the feature dimensions do not change with the image type).

**Intensity** (:class:`Intensity`, 1 channel): ``grey/255 - 0.5`` averaged over each cell, ``grey``
= ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601, as MATLAB's ``rgb2gray`` that ECO-HC uses, without
its rounding to 8 bits) or the single channel of a grey patch.

**Intensity channels** (:class:`IntensityChannels`, 5 channels; channel representations of M.
Felsberg, "Enhanced Distribution Field Tracking using Channel Representations", ICCV Workshops
2013): ECO-HC's feature for grey video, its lookup table ``intensityChannelNorm6``. The grey value
``v`` (0..255, rounded) is coded by 6 quadratic B-spline channels (spacing ``255/4``, centres
``-255/8 + k * 255/4``, k = 0..5; they sum to 1) and projected onto an orthonormal basis of the
5-dimensional subspace orthogonal to the constant vector (:func:`intensity_channel_table`, equal to
the published table up to float32 rounding); the values are averaged over each cell. Colour
patches are first converted to grey as for :class:`Intensity` and rounded.

Every module takes ``normalize_power`` (None: off): each sample's map is divided by
``(mean over C,H,W of |f|^p)^(1/p)`` (:func:`pytracking.features.net_wrappers.normalize_features`;
ECO's feature normalisation is ``p = 2``). A tracker may also normalise itself and leave it off.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, List, Optional, Union

import numpy as np
import torch
import torch.nn.functional as F

from pytracking.features.featurebase import FeatureModule, check_patches
from pytracking.features.net_wrappers import normalize_features
from pytracking.libs.cpu_kernels import compiled_op, load_kernel
from pytracking.libs.tensorlist import TensorList

logger = logging.getLogger(__name__)

__all__ = ["FHOG", "ColorNames", "Intensity", "IntensityChannels", "intensity_channel_table", "fhog",
           "fhog_reference", "fhog_kernel_available", "colornames", "colornames_reference",
           "COLORNAMES_TABLE_FILE", "load_colornames_table"]

FHOG_ORIENTATIONS = 9                   # contrast-insensitive bins (18 contrast-sensitive)
FHOG_CHANNELS = 31                      # 18 + 9 + 4
FHOG_TEXTURE_WEIGHT = 0.2357            # Felzenszwalb's / Dollar's constant (about 1/sqrt(18))
# Added to each block's energy before the square root. With this module's histogram scale it equals
# Felzenszwalb's 1e-4 (his gradients are not halved: 4x the energy) and Dollar's 1e-4/4/cell^4 (his
# histograms are divided by cell^2).
FHOG_EPS = 1e-4 / 4

COLORNAMES_TABLE_FILE = Path(__file__).resolve().parent / "data" / "colornames_cnnorm.npy"
COLORNAMES_DIM = 10
GREY_WEIGHTS = (0.299, 0.587, 0.114)
INTENSITY_CHANNELS = 6                  # B-spline channels of intensityChannelNorm6 (5 after projection)

_colornames_cache: Optional[torch.Tensor] = None
_intensity_table_cache: Optional[torch.Tensor] = None


def _check_cell_size(cell_size: Any, name: str) -> int:
    if isinstance(cell_size, bool) or not isinstance(cell_size, (int, np.integer)) or cell_size < 1:
        raise ValueError(f"{name}: cell_size must be a positive integer, got {cell_size!r}")
    return int(cell_size)


def _cell_grid(patches: torch.Tensor, cell_size: int, name: str) -> tuple:
    h, w = patches.shape[-2] // cell_size, patches.shape[-1] // cell_size
    if h < 1 or w < 1:
        raise ValueError(f"{name}: patches of {patches.shape[-2]}x{patches.shape[-1]} pixels are smaller than "
                         f"one {cell_size}x{cell_size} cell")
    return h, w


def _cell_average(im: torch.Tensor, cell_size: int) -> torch.Tensor:
    """``N x C x H x W`` -> the mean over each whole ``cell_size`` cell (``N x C x H//s x W//s``)."""
    return F.avg_pool2d(im, cell_size, stride=cell_size) if cell_size > 1 else im


# ---------------------------------------------------------------------------------------------- FHOG
def fhog_kernel_available() -> bool:
    """Whether the compiled FHOG kernel is built (``pytracking.libs.cpu_kernels``)."""
    kernel = load_kernel()
    return kernel is not None and hasattr(kernel, "fhog")


def _orientation_constants() -> tuple:
    angles = [o * math.pi / FHOG_ORIENTATIONS for o in range(FHOG_ORIENTATIONS)]
    cos = torch.tensor([math.cos(a) for a in angles], dtype=torch.float32)
    sin = torch.tensor([math.sin(a) for a in angles], dtype=torch.float32)
    return cos, sin


def _gradients(im: torch.Tensor) -> tuple:
    """Per-pixel gradient (gx, gy) of the channel with the largest magnitude (first on ties):
    central differences halved inside, one-sided differences on the border rows/columns."""
    def diff(x: torch.Tensor, dim: int) -> torch.Tensor:
        n = x.shape[dim]
        g = torch.zeros_like(x)
        if n < 2:
            return g
        g.narrow(dim, 1, n - 2).copy_((x.narrow(dim, 2, n - 2) - x.narrow(dim, 0, n - 2)) * 0.5)
        g.narrow(dim, 0, 1).copy_(x.narrow(dim, 1, 1) - x.narrow(dim, 0, 1))
        g.narrow(dim, n - 1, 1).copy_(x.narrow(dim, n - 1, 1) - x.narrow(dim, n - 2, 1))
        return g

    gx, gy = diff(im, 3), diff(im, 2)
    bx, by = gx[:, 0], gy[:, 0]
    best = bx * bx + by * by
    for c in range(1, im.shape[1]):                 # strictly larger: the first channel on ties
        cx, cy = gx[:, c], gy[:, c]
        energy = cx * cx + cy * cy
        take = energy > best
        bx, by, best = torch.where(take, cx, bx), torch.where(take, cy, by), torch.where(take, energy, best)
    return bx, by


def _orientation_bins(gx: torch.Tensor, gy: torch.Tensor, soft: bool) -> list:
    """(bin, weight) pairs per pixel among the 18 contrast-sensitive bins (bin ``o`` centred at
    ``o * 20`` degrees): soft, the two nearest centres; hard, the nearest with weight 1."""
    n_bins = 2 * FHOG_ORIENTATIONS
    if soft:
        theta = torch.atan2(gy, gx)
        theta = torch.where(theta < 0, theta + 2 * math.pi, theta)
        pos = theta * (FHOG_ORIENTATIONS / math.pi)
        o0 = pos.floor()
        frac = pos - o0
        o0 = o0.long() % n_bins
        return [(o0, 1 - frac), ((o0 + 1) % n_bins, frac)]
    # the axis k with the largest |cos c_k gx + sin c_k gy| (strictly larger: the first on ties);
    # bin k for a positive product, k + 9 for a negative one
    cos, sin = _orientation_constants()
    top = torch.zeros_like(gx)
    sign = torch.zeros_like(gx)
    o = torch.zeros(gx.shape, dtype=torch.long)
    for k in range(FHOG_ORIENTATIONS):
        d = gx * cos[k] + gy * sin[k]
        take = d.abs() > top
        top = torch.where(take, d.abs(), top)
        sign = torch.where(take, d, sign)
        o.masked_fill_(take, k)
    o = o + FHOG_ORIENTATIONS * (sign < 0).long()
    # exactly vertical gradients (gx = 0, common in 8-bit images) lie halfway between two bins
    # (90 degrees: 4.5 bins); Dollar's fhog rounds up, to bin 5 (270 degrees: 14)
    vertical = (gx == 0) & (gy != 0)
    up = FHOG_ORIENTATIONS // 2 + 1
    return [(torch.where(vertical, torch.where(gy > 0, up, up + FHOG_ORIENTATIONS), o), None)]


def _spatial_weights(n_pixels: int, n_cells: int, cell_size: int) -> tuple:
    """Per pixel: index of the lower cell (offset by +1, so that -1 becomes 0) and the weights of
    the lower and upper cell (bilinear in the pixel centre's cell coordinate)."""
    pos = (torch.arange(n_pixels, dtype=torch.float32) + 0.5) / float(cell_size) - 0.5
    lower = pos.floor()
    upper_weight = pos - lower
    return lower.long() + 1, 1 - upper_weight, upper_weight


def _border_weights(h: int, w: int) -> torch.Tensor:
    """``h x w`` factors of the cell histograms: 8/7 for each of the first and last cell row and
    column (corners twice), as Dollar's gradHist makes up for the weight the border cells' bilinear
    spatial binning loses outside the grid."""
    f = torch.ones(h, w)
    for rows, cols in ((0, slice(None)), (h - 1, slice(None)), (slice(None), 0), (slice(None), w - 1)):
        f[rows, cols] *= 8.0 / 7.0
    return f


def _block_normalisers(r2: torch.Tensor) -> List[torch.Tensor]:
    """The 4 block normalisers ``1/sqrt(block energy + eps)`` of every cell (``N x h x w`` each):
    blocks (row, col) = (i, j), (i-1, j), (i, j-1), (i-1, j-1) by their top-left cell, clamped to the
    blocks that exist (so the border cells reuse the nearest block)."""
    n, h, w, _ = r2.shape
    energy = (r2 * r2).sum(dim=-1)
    padded = F.pad(energy, (0, max(2 - w, 0), 0, max(2 - h, 0)))
    block = padded[:, :-1, :-1] + padded[:, 1:, :-1] + padded[:, :-1, 1:] + padded[:, 1:, 1:]
    norm = 1.0 / torch.sqrt(block + FHOG_EPS)
    bh, bw = norm.shape[1:]
    rows = torch.arange(h)
    cols = torch.arange(w)
    out = []
    for dr, dc in ((0, 0), (-1, 0), (0, -1), (-1, -1)):
        r = (rows + dr).clamp(0, bh - 1)
        c = (cols + dc).clamp(0, bw - 1)
        out.append(norm.index_select(1, r).index_select(2, c))
    return out


def fhog_reference(patches: torch.Tensor, cell_size: int = 4, soft_orientation: bool = False,
                   clip: float = 0.2) -> torch.Tensor:
    """FHOG in plain torch (the fallback of :func:`fhog`, and its definition):

    1. Gradient of each colour channel: ``(I[x+1] - I[x-1]) / 2`` inside, ``I[1] - I[0]`` and
       ``I[W-1] - I[W-2]`` on the first/last column (rows likewise; y points down); per pixel the
       channel with the largest magnitude is used (the first on ties).
    2. Orientation ``atan2(gy, gx)`` in [0, 2 pi) into 18 contrast-sensitive bins, bin ``o``
       centred at ``o * pi / 9``: the nearest centre (``soft_orientation=False``, as Felzenszwalb
       and Dollar's fhog; the nearest is found as the largest of ``+-(cos c gx + sin c gy)``;
       exactly vertical gradients, ``gx = 0``, halfway between two centres, go to bin 5 or 14 as
       Dollar's rounding up of 4.5 and 13.5), or linear between the two nearest centres.
    3. Spatial binning: the pixel centre at cell coordinate ``(x + 0.5) / s - 0.5`` is shared
       bilinearly between its 2 x 2 nearest cells (cells outside the grid get nothing); histogram
       ``R1`` = the sums of gradient magnitude x weights, times 8/7 for each of the first and last
       cell row and column (corners twice, as Dollar's gradHist); ``R2[o] = R1[o] + R1[o + 9]``.
    4. Block energy: the sum of ``|R2|^2`` over each 2 x 2 block of cells; each cell lies in 4
       blocks, normalisers ``n_k = 1 / sqrt(energy_k + 2.5e-5)`` (border cells reuse the nearest
       existing block, as Dollar's fhog).
    5. Channels: 18 contrast-sensitive ``0.5 * sum_k min(R1[o] n_k, clip)``, 9 insensitive
       ``0.5 * sum_k min(R2[o] n_k, clip)``, 4 texture ``0.2357 * sum_o min(R1[o] n_k, clip)`` over
       the 18 sensitive bins, for the blocks k = (i, j), (i-1, j), (i, j-1), (i-1, j-1) by top-left
       cell.

    ``patches``: ``N x C x H x W`` (C = 1 or 3), values 0..255. Returns ``N x 31 x H//s x W//s``.
    """
    cell_size = _check_cell_size(cell_size, "fhog")
    im = check_patches(patches, "fhog").detach().cpu()
    h, w = _cell_grid(im, cell_size, "fhog")
    n = im.shape[0]
    n_bins = 2 * FHOG_ORIENTATIONS
    gx, gy = _gradients(im)
    gx, gy = gx[:, :h * cell_size, :w * cell_size], gy[:, :h * cell_size, :w * cell_size]
    mag = torch.sqrt(gx * gx + gy * gy)
    bins = _orientation_bins(gx, gy, soft_orientation)
    ry, wy0, wy1 = _spatial_weights(h * cell_size, h, cell_size)
    rx, wx0, wx1 = _spatial_weights(w * cell_size, w, cell_size)
    hp, wp = h + 2, w + 2
    hist = torch.zeros(n * hp * wp * n_bins, dtype=torch.float32)
    base_n = (torch.arange(n) * hp * wp).reshape(n, 1, 1)
    for dy, wy in ((0, wy0), (1, wy1)):
        for dx, wx in ((0, wx0), (1, wx1)):
            cell = base_n + (ry + dy).reshape(1, -1, 1) * wp + (rx + dx).reshape(1, 1, -1)
            spatial = mag * (wy.reshape(1, -1, 1) * wx.reshape(1, 1, -1))
            for o, ow in bins:
                values = spatial if ow is None else spatial * ow
                hist.index_add_(0, (cell * n_bins + o).reshape(-1), values.reshape(-1))
    r1 = hist.reshape(n, hp, wp, n_bins)[:, 1:h + 1, 1:w + 1] * _border_weights(h, w).reshape(1, h, w, 1)
    r2 = r1[..., :FHOG_ORIENTATIONS] + r1[..., FHOG_ORIENTATIONS:]
    norms = _block_normalisers(r2)
    sensitive = sum((r1 * nk.unsqueeze(-1)).clamp(max=clip) for nk in norms) * 0.5
    insensitive = sum((r2 * nk.unsqueeze(-1)).clamp(max=clip) for nk in norms) * 0.5
    texture = torch.stack([(r1 * nk.unsqueeze(-1)).clamp(max=clip).sum(dim=-1) for nk in norms], dim=-1)
    out = torch.cat((sensitive, insensitive, texture * FHOG_TEXTURE_WEIGHT), dim=-1)
    return out.permute(0, 3, 1, 2).contiguous()


def fhog(patches: torch.Tensor, cell_size: int = 4, soft_orientation: bool = False, clip: float = 0.2,
         use_kernel: Optional[bool] = None) -> torch.Tensor:
    """FHOG features ``N x 31 x H//s x W//s`` of ``patches`` (``N x C x H x W``, C = 1 or 3, 0..255),
    defined by :func:`fhog_reference`. ``use_kernel``: None runs the compiled kernel when it is
    built (else the torch version, with one warning), True requires it, False never uses it. The
    two agree up to float32 rounding (summation order); in hard orientation binning a gradient
    within rounding of a bin boundary may fall into the other bin."""
    cell_size = _check_cell_size(cell_size, "fhog")
    if not clip > 0:
        raise ValueError(f"fhog: clip must be positive, got {clip!r}")
    im = check_patches(patches, "fhog")
    _cell_grid(im, cell_size, "fhog")
    op = compiled_op("fhog", use_kernel)
    with torch.no_grad():
        if op is not None:
            return op(im.detach().cpu().contiguous(), cell_size, bool(soft_orientation), float(clip))
        return fhog_reference(im, cell_size, soft_orientation, clip)


class _CellFeature(FeatureModule):
    """Common parts of the hand-crafted modules: one layer on a grid of ``cell_size`` cells."""

    name = "feature"
    channels = 0

    def __init__(self, cell_size: int = 4, normalize_power: Optional[float] = None, fparams: Optional[Any] = None,
                 use_for_color: bool = True, use_for_gray: bool = True) -> None:
        self.cell_size = _check_cell_size(cell_size, type(self).__name__)
        self.normalize_power = normalize_power
        self.fparams = fparams
        self.use_for_color = use_for_color
        self.use_for_gray = use_for_gray

    def dim(self) -> List[int]:
        return [self.channels]

    def stride(self) -> List[int]:
        return [self.cell_size]

    def extract(self, patches: torch.Tensor) -> TensorList:
        im = check_patches(patches, type(self).__name__)
        _cell_grid(im, self.cell_size, type(self).__name__)
        with torch.no_grad():
            feat = self._compute(im.detach())
        return TensorList([normalize_features(feat, self.normalize_power)])

    def _compute(self, im: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class FHOG(_CellFeature):
    """FHOG, 31 channels per ``cell_size`` cell (:func:`fhog`; default cell 4 and clip 0.2 as
    Felzenszwalb's; ECO-HC uses cell 6, and cell 4 in its scale filter). ``soft_orientation``:
    linear instead of nearest orientation binning (an option; the published FHOG uses the nearest).
    ``use_kernel`` as in :func:`fhog`."""

    channels = FHOG_CHANNELS

    def __init__(self, cell_size: int = 4, clip: float = 0.2, soft_orientation: bool = False,
                 use_kernel: Optional[bool] = None, **kwargs: Any) -> None:
        super().__init__(cell_size, **kwargs)
        if not clip > 0:
            raise ValueError(f"FHOG: clip must be positive, got {clip!r}")
        self.clip = float(clip)
        self.soft_orientation = bool(soft_orientation)
        self.use_kernel = use_kernel

    def _compute(self, im: torch.Tensor) -> torch.Tensor:
        return fhog(im, self.cell_size, self.soft_orientation, self.clip, self.use_kernel).to(im.device)


def load_colornames_table(path: Union[str, Path, None] = None) -> torch.Tensor:
    """The colour-names table (``32768 x 10`` float32) from ``path`` (default: the shipped file);
    cached for the default file. A file of another shape or type is an error naming it."""
    global _colornames_cache
    if path is None and _colornames_cache is not None:
        return _colornames_cache
    file = Path(path) if path is not None else COLORNAMES_TABLE_FILE
    if not file.is_file():
        raise FileNotFoundError(f"Colour-names table {file} not found (it ships with the package)")
    table = np.load(file, allow_pickle=False)
    if table.shape != (32768, COLORNAMES_DIM) or table.dtype.kind != "f":
        raise ValueError(f"Colour-names table {file}: expected a 32768 x {COLORNAMES_DIM} float array, "
                         f"got {table.shape} {table.dtype}")
    out = torch.from_numpy(np.ascontiguousarray(table, dtype=np.float32))
    if path is None:
        _colornames_cache = out
    return out


def colornames_index(im: torch.Tensor) -> torch.Tensor:
    """Table index ``R//8 + 32*(G//8) + 1024*(B//8)`` per pixel (``N x H x W``) of 0..255 RGB (or grey:
    R = G = B) patches, each value first rounded to the nearest integer in 0..255."""
    # floor(round(v) / 8) = floor((v + 0.5) / 8) (division by 8 is exact in floating point)
    q = torch.floor((im + 0.5) * 0.125).clamp_(0, 31)
    if q.shape[1] == 1:
        q = q.expand(-1, 3, -1, -1)
    return (q[:, 0] + 32 * q[:, 1] + 1024 * q[:, 2]).long()


def colornames_reference(patches: torch.Tensor, table: torch.Tensor, cell_size: int) -> torch.Tensor:
    """Colour names ``N x D x H//s x W//s``: the ``table`` row (``32768 x D``) of every pixel
    (:func:`colornames_index`) averaged over each whole ``cell_size`` cell."""
    idx = colornames_index(patches)
    values = table.index_select(0, idx.reshape(-1)).reshape(*idx.shape, table.shape[1])
    return _cell_average(values.permute(0, 3, 1, 2), cell_size)


def colornames(patches: torch.Tensor, table: torch.Tensor, cell_size: int = 4,
               use_kernel: Optional[bool] = None) -> torch.Tensor:
    """Colour names of ``patches`` (``N x C x H x W``, C = 1 or 3, 0..255), defined by
    :func:`colornames_reference`; ``use_kernel`` as in :func:`fhog`. The two agree up to float32
    rounding (summation order)."""
    cell_size = _check_cell_size(cell_size, "colornames")
    im = check_patches(patches, "colornames")
    _cell_grid(im, cell_size, "colornames")
    op = compiled_op("colornames_cells", use_kernel)
    with torch.no_grad():
        if op is not None:
            return op(im.detach().cpu().contiguous(), table.contiguous(), cell_size).to(im.device)
        return colornames_reference(im.detach().cpu(), table, cell_size).to(im.device)


class ColorNames(_CellFeature):
    """Colour names (10 channels, the CNnorm table) averaged over ``cell_size`` cells (default 4, as
    ECO-HC); grey patches are looked up as R = G = B (see the module docstring). ``use_kernel`` as
    in :func:`fhog`."""

    channels = COLORNAMES_DIM

    def __init__(self, cell_size: int = 4, table_file: Union[str, Path, None] = None,
                 use_kernel: Optional[bool] = None, **kwargs: Any) -> None:
        super().__init__(cell_size, **kwargs)
        self.table_file = table_file
        self.table: Optional[torch.Tensor] = None
        self.use_kernel = use_kernel

    def initialize(self) -> None:
        if self.table is None:
            self.table = load_colornames_table(self.table_file)

    def _compute(self, im: torch.Tensor) -> torch.Tensor:
        self.initialize()
        return colornames(im, self.table, self.cell_size, self.use_kernel)


def _grey(im: torch.Tensor) -> torch.Tensor:
    """``N x 1 x H x W`` grey values of RGB (BT.601 weights) or grey patches."""
    if im.shape[1] == 1:
        return im
    weights = torch.tensor(GREY_WEIGHTS, dtype=im.dtype, device=im.device).reshape(1, 3, 1, 1)
    return (im * weights).sum(dim=1, keepdim=True)


class Intensity(_CellFeature):
    """Greyscale intensity ``grey/255 - 0.5`` averaged over ``cell_size`` cells (1 channel; see the
    module docstring)."""

    channels = 1

    def _compute(self, im: torch.Tensor) -> torch.Tensor:
        return _cell_average(_grey(im), self.cell_size) / 255.0 - 0.5


def _quadratic_bspline(t: np.ndarray) -> np.ndarray:
    a = np.abs(t)
    return np.where(a < 0.5, 0.75 - a ** 2, np.where(a < 1.5, 0.5 * (a - 1.5) ** 2, 0.0))


def intensity_channel_table() -> torch.Tensor:
    """ECO's ``intensityChannelNorm6`` table (``256 x 5`` float32; see the module docstring): row ``v``
    = the 6 quadratic B-spline channel values of grey value ``v``, times the orthonormal basis
    ``[(e1-e2)/sqrt2, (e3-e4)/sqrt2, (e5-e6)/sqrt2, (e1+e2-e3-e4)/2, (e1+e2+e3+e4-2e5-2e6)/sqrt12]``
    of the complement of the constant vector (the published table's basis)."""
    global _intensity_table_cache
    if _intensity_table_cache is None:
        spacing = 255.0 / 4
        centres = -spacing / 2 + spacing * np.arange(INTENSITY_CHANNELS)
        channels = _quadratic_bspline((np.arange(256.0)[:, None] - centres[None]) / spacing)
        r2, r12 = 1 / math.sqrt(2), 1 / math.sqrt(12)
        basis = np.array([[r2, 0, 0, 0.5, r12],
                          [-r2, 0, 0, 0.5, r12],
                          [0, r2, 0, -0.5, r12],
                          [0, -r2, 0, -0.5, r12],
                          [0, 0, r2, 0, -2 * r12],
                          [0, 0, -r2, 0, -2 * r12]])
        _intensity_table_cache = torch.from_numpy((channels @ basis).astype(np.float32))
    return _intensity_table_cache


class IntensityChannels(_CellFeature):
    """ECO-HC's intensity channels on grey video (5 channels, :func:`intensity_channel_table`) averaged
    over ``cell_size`` cells (default 4, as ECO-HC); see the module docstring."""

    channels = INTENSITY_CHANNELS - 1

    def _compute(self, im: torch.Tensor) -> torch.Tensor:
        table = intensity_channel_table().to(im.device)
        idx = torch.floor(_grey(im)[:, 0] + 0.5).clamp_(0, 255).long()
        values = table.index_select(0, idx.reshape(-1)).reshape(*idx.shape, table.shape[1])
        return _cell_average(values.permute(0, 3, 1, 2), self.cell_size)
