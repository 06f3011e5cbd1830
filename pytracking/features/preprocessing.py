"""Image conversion and patch extraction for the trackers.

Conventions: positions and sizes are ``(y, x)`` / ``(height, width)``; pixel ``i`` is centred at
coordinate ``i`` (so it covers ``[i - 0.5, i + 0.5)``); images are ``N x C x H x W`` float tensors.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F

PairLike = Union[float, Sequence[float], torch.Tensor]

BORDER_MODES = ("replicate", "inside", "inside_major")
# How the crop's first pixel is found from a fractional position: 'round' centres the region on
# ``pos`` within half a pixel; 'truncate' is the original pytracking rule (``pos.long()``, then
# ``- (size - 1) // 2``), up to a pixel off.
PATCH_POSITIONS = ("round", "truncate")
# How a region much larger than the output is shrunk before the bilinear resize: 'average' over
# ``df x df`` cells (anti-aliased), or 'subsample' every ``df``-th pixel (the original rule).
PATCH_DOWNSAMPLING = ("average", "subsample")


def _pair(value: PairLike, name: str) -> Tuple[float, float]:
    if torch.is_tensor(value):
        value = value.reshape(-1).tolist()
    elif isinstance(value, np.ndarray):
        value = value.reshape(-1).tolist()
    if isinstance(value, (int, float)):
        return float(value), float(value)
    if len(value) != 2:
        raise ValueError(f"{name} must be a (y, x) / (height, width) pair, got {value!r}")
    return float(value[0]), float(value[1])


def numpy_to_torch(a: np.ndarray) -> torch.Tensor:
    """``H x W x C`` (or ``H x W``) array, any dtype -> ``1 x C x H x W`` float32 tensor (values kept)."""
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3:
        raise ValueError(f"numpy_to_torch: expected an H x W x C image, got shape {a.shape}")
    return torch.from_numpy(np.ascontiguousarray(a)).float().permute(2, 0, 1).unsqueeze(0)


def torch_to_numpy(a: torch.Tensor) -> np.ndarray:
    """``1 x C x H x W`` (or ``C x H x W``) tensor -> ``H x W x C`` numpy array (same dtype, on CPU)."""
    if a.dim() == 4:
        if a.shape[0] != 1:
            raise ValueError(f"torch_to_numpy: batch size must be 1, got shape {tuple(a.shape)}")
        a = a[0]
    if a.dim() != 3:
        raise ValueError(f"torch_to_numpy: expected 1 x C x H x W or C x H x W, got shape {tuple(a.shape)}")
    return a.detach().permute(1, 2, 0).cpu().numpy()


def crop_replicate(im: torch.Tensor, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """Rows ``top..top+height-1`` and cols ``left..left+width-1`` of ``im`` (``... x H x W``).

    Indices outside the image are clamped to the border (replicate padding), for any offsets.
    """
    h, w = im.shape[-2:]
    rows = (torch.arange(height, device=im.device) + int(top)).clamp_(0, h - 1)
    cols = (torch.arange(width, device=im.device) + int(left)).clamp_(0, w - 1)
    return im.index_select(-2, rows).index_select(-1, cols)


def _round(v: float) -> int:
    return int(math.floor(v + 0.5))


def _downsample_factor(sample_sz: Tuple[float, float], output_sz: Optional[Tuple[int, int]],
                       im_sz: Tuple[int, int]) -> int:
    if output_sz is None:
        return 1
    ratio = min(sample_sz[0] / output_sz[0], sample_sz[1] / output_sz[1])
    return max(1, min(int(ratio - 0.1), im_sz[0], im_sz[1]))


def _pooled_crop(im: torch.Tensor, start: Tuple[int, int], size: Tuple[int, int], df: int) -> torch.Tensor:
    """Crop of ``size`` cells of ``df x df`` averaged pixels; cell ``(0, 0)`` starts at pixel ``start``."""
    h, w = im.shape[-2:]
    bounds = []
    for st, sz, n in zip(start, size, (h, w)):
        off = st % df                          # cells are aligned to pixel off + j * df
        num_cells = -(-(n - off) // df)        # ceil: the last cell may be partial
        first = (st - off) // df               # index of the crop's first cell
        lo = min(max(first, 0), num_cells - 1)
        hi = min(max(first + sz - 1, 0), num_cells - 1)
        bounds.append((off + lo * df, min(n, off + (hi + 1) * df), first - lo))
    (y0, y1, ty), (x0, x1, tx) = bounds
    region = im[..., y0:y1, x0:x1]
    pooled = F.avg_pool2d(region.reshape(-1, 1, *region.shape[-2:]), df, ceil_mode=True)
    pooled = pooled.reshape(*im.shape[:-2], *pooled.shape[-2:])
    return crop_replicate(pooled, ty, tx, size[0], size[1])


def _truncated_start(p: float, cells: int, df: int) -> Tuple[int, int]:
    """First pixel and subsampling offset of the original rule: position ``trunc(p)``, in a grid
    of every ``df``-th pixel starting at ``trunc(p) % df``, minus ``(cells - 1) // 2`` grid steps."""
    pl = int(p)                                 # torch's .long(): truncation towards zero
    off = pl % df
    return off + ((pl - off) // df - (cells - 1) // 2) * df, off


def _subsampled_crop(im: torch.Tensor, start: Tuple[int, int], size: Tuple[int, int], df: int) -> torch.Tensor:
    """Crop of ``size`` pixels taken every ``df``-th pixel from ``start``; indices outside the
    image are clamped to the last grid pixel inside it (replicate padding of the subsampled image)."""
    h, w = im.shape[-2:]
    index = []
    for st, sz, n in zip(start, size, (h, w)):
        off = st % df
        last = off + (n - 1 - off) // df * df          # last grid pixel inside the image
        idx = torch.arange(sz, device=im.device) * df + st
        index.append(idx.clamp_(off, last))
    return im.index_select(-2, index[0]).index_select(-1, index[1])


def sample_patch(im: torch.Tensor, pos: PairLike, sample_sz: PairLike, output_sz: Optional[PairLike] = None,
                 mode: str = "replicate", max_scale_change: Optional[float] = None,
                 position: str = "round", downsampling: str = "average"
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Crop a region of about ``sample_sz`` centred at ``pos`` from ``im`` and resize it to ``output_sz``.

    ``im`` is ``N x C x H x W``; ``pos`` is ``(y, x)``; sizes are ``(height, width)``.

    * When the region is much larger than ``output_sz``, the image is first averaged over
      ``df x df`` cells, ``df = max(1, int(min(sample_sz / output_sz) - 0.1))`` (fast
      anti-aliased shrink); the region then spans ``round(sample_sz / df) * df`` pixels.
    * Its first pixel is ``round(pos - (extent - 1) / 2)``, so its centre ``(y0 + y1 - 1) / 2`` is
      within half a pixel of ``pos``.
    * ``mode='replicate'``: parts outside the image repeat the border pixels. ``'inside'``: the
      region is shrunk (by at most ``max_scale_change``) so that it fits in the image, and moved
      inside it; ``'inside_major'`` only needs it to fit along its tighter dimension.
    * The crop is resized with bilinear interpolation (``align_corners=False``).
    * ``position='truncate'`` and ``downsampling='subsample'`` reproduce the original pytracking
      crop (see :data:`PATCH_POSITIONS`, :data:`PATCH_DOWNSAMPLING`): the region then starts at
      ``trunc(pos) - (cells - 1) // 2 * df`` on the grid of every ``df``-th pixel from
      ``trunc(pos) % df``, at least 2 cells.

    Returns ``(patch, coords)``: ``patch`` is ``N x C x out_h x out_w``; ``coords`` is a ``1 x 4``
    float tensor ``[y0, x0, y1, x1]`` (end exclusive, may lie outside the image) of the image pixels
    the patch covers. Output pixel ``(u, v)`` samples image position
    ``(y0 - 0.5 + (u + 0.5) (y1 - y0) / out_h, x0 - 0.5 + (v + 0.5) (x1 - x0) / out_w)``.
    """
    if im.dim() != 4:
        raise ValueError(f"sample_patch: image must be N x C x H x W, got shape {tuple(im.shape)}")
    if mode not in BORDER_MODES:
        raise ValueError(f"sample_patch: unknown mode {mode!r}; expected one of {BORDER_MODES}")
    if position not in PATCH_POSITIONS:
        raise ValueError(f"sample_patch: unknown position {position!r}; expected one of {PATCH_POSITIONS}")
    if downsampling not in PATCH_DOWNSAMPLING:
        raise ValueError(f"sample_patch: unknown downsampling {downsampling!r}; expected one of "
                         f"{PATCH_DOWNSAMPLING}")
    im_sz = (im.shape[-2], im.shape[-1])
    py, px = _pair(pos, "pos")
    sz = _pair(sample_sz, "sample_sz")
    if not all(math.isfinite(v) for v in (py, px) + sz) or min(sz) <= 0:
        raise ValueError(f"sample_patch: pos {pos!r} must be finite and sample_sz {sample_sz!r} positive")
    out_sz = None
    if output_sz is not None:
        oh, ow = _pair(output_sz, "output_sz")
        if oh < 1 or ow < 1 or oh != int(oh) or ow != int(ow):
            raise ValueError(f"sample_patch: output_sz must be positive integers, got {output_sz!r}")
        out_sz = (int(oh), int(ow))

    if mode != "replicate":
        ratios = (sz[0] / im_sz[0], sz[1] / im_sz[1])
        shrink = max(ratios) if mode == "inside" else min(ratios)
        shrink = max(shrink, 1.0)
        if max_scale_change is not None:
            shrink = min(shrink, float(max_scale_change))
        sz = (sz[0] / shrink, sz[1] / shrink)

    df = _downsample_factor(sz, out_sz, im_sz)
    if position == "truncate":                 # torch.round (half to even), at least 2 cells
        cells = (max(round(sz[0] / df), 2), max(round(sz[1] / df), 2))
    else:
        cells = (max(_round(sz[0] / df), 1), max(_round(sz[1] / df), 1))
    extent = (cells[0] * df, cells[1] * df)
    if position == "truncate":
        start = [_truncated_start(p, c, df)[0] for p, c in zip((py, px), cells)]
    else:
        start = [_round(p - (e - 1) / 2) for p, e in zip((py, px), extent)]
    if mode != "replicate":
        for d in range(2):
            if extent[d] <= im_sz[d]:
                start[d] = min(max(start[d], 0), im_sz[d] - extent[d])
            else:
                start[d] = -((extent[d] - im_sz[d]) // 2)

    if df == 1:
        patch = crop_replicate(im, start[0], start[1], cells[0], cells[1])
    elif downsampling == "subsample":
        patch = _subsampled_crop(im, (start[0], start[1]), cells, df)
    else:
        patch = _pooled_crop(im, (start[0], start[1]), cells, df)
    coords = torch.tensor([[start[0], start[1], start[0] + extent[0], start[1] + extent[1]]],
                          dtype=torch.float32)
    if out_sz is not None and tuple(patch.shape[-2:]) != out_sz:
        patch = F.interpolate(patch, size=out_sz, mode="bilinear", align_corners=False)
    return patch, coords


def sample_patch_multiscale(im: torch.Tensor, pos: PairLike, scales: Union[float, Sequence[float], torch.Tensor],
                            image_sz: PairLike, mode: str = "replicate",
                            max_scale_change: Optional[float] = None, position: str = "round",
                            downsampling: str = "average") -> Tuple[torch.Tensor, torch.Tensor]:
    """One :func:`sample_patch` of size ``scale * image_sz`` resized to ``image_sz`` per scale.

    Returns the patches concatenated along dim 0 (``len(scales) * N x C x h x w``) and their
    coordinates (``len(scales) x 4``, see :func:`sample_patch`).
    """
    if torch.is_tensor(scales):
        scales = scales.reshape(-1).tolist()
    elif isinstance(scales, (int, float)):
        scales = [scales]
    if len(scales) == 0:
        raise ValueError("sample_patch_multiscale: no scales given")
    ih, iw = _pair(image_sz, "image_sz")
    results = [sample_patch(im, pos, (s * ih, s * iw), (ih, iw), mode=mode, max_scale_change=max_scale_change,
                            position=position, downsampling=downsampling) for s in scales]
    return torch.cat([p for p, _ in results]), torch.cat([c for _, c in results])
