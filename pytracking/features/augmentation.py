"""Data augmentation of the first-frame patch (ATOM's initial training samples).

The tracker samples one patch *larger* than the network input (``augmentation_expansion_factor``)
and every transform returns the central ``output_sz`` part of the transformed patch, moved by
``shift``; so rotations and blurs see real image content, not padding. Blurs and warps compute
only the part of the transformed patch that this crop reads (:meth:`Transform.read_region`, plus
the blur kernel's radius): the same pixels as transforming the whole patch, several times faster.

Conventions (images are ``N x C x H x W`` tensors, coordinates ``(y, x)``, pixel ``i`` centred at
coordinate ``i``):

* centre of an ``H x W`` image: ``((H - 1) / 2, (W - 1) / 2)``; rotations and scalings act about it.
* :meth:`Transform.crop_to_output`: input pixel ``(top + u, left + v)`` becomes output pixel
  ``(u, v)`` with ``top = (H - out_h + 1) // 2 - shift[0]`` and ``left = (W - out_w + 1) // 2 - shift[1]``;
  so content moves by ``+shift`` and, for an even size difference, the input centre lands on the
  output centre plus ``shift``. Pixels outside the input replicate its border.
* :class:`Rotate` by a positive angle turns the content counter-clockwise *as displayed* (y axis
  pointing down): the offset ``(dy, dx)`` from the centre becomes
  ``(cos a dy - sin a dx, sin a dy + cos a dx)``; 90 degrees maps ``(dy, dx)`` to ``(-dx, dy)``.
* :class:`Scale` with factor ``s`` magnifies: the offset from the centre becomes ``s (dy, dx)``.
"""
from __future__ import annotations

import abc
import math
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from pytracking.features.preprocessing import crop_replicate

IntPair = Tuple[int, int]


def _int_pair(value: Optional[Sequence[int]], name: str) -> Optional[IntPair]:
    if value is None:
        return None
    if torch.is_tensor(value):
        value = value.reshape(-1).tolist()
    if len(value) != 2 or any(float(v) != int(v) for v in value):
        raise ValueError(f"{name} must be a pair of integers (y, x), got {value!r}")
    return int(value[0]), int(value[1])


def _clamp(v: int, lo: int, hi: int) -> int:
    return min(max(v, lo), hi)


def _check_image(image: torch.Tensor, who: str) -> None:
    if not torch.is_tensor(image) or image.dim() != 4:
        shape = tuple(image.shape) if torch.is_tensor(image) else type(image).__name__
        raise ValueError(f"{who}: expected an N x C x H x W tensor, got {shape}")


class Transform(abc.ABC):
    """Base transform: ``output_sz`` ``(h, w)`` of the result (None keeps the size) and ``shift`` ``(dy, dx)``."""

    def __init__(self, output_sz: Optional[Sequence[int]] = None, shift: Optional[Sequence[int]] = None) -> None:
        self.output_sz = _int_pair(output_sz, f"{type(self).__name__} output_sz")
        self.shift = _int_pair(shift, f"{type(self).__name__} shift") or (0, 0)

    @abc.abstractmethod
    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        """Transform ``image`` (``N x C x H x W``) and crop it to ``output_sz``."""

    def output_window(self, h: int, w: int) -> Tuple[int, int, int, int]:
        """``(top, left, out_h, out_w)``: output pixel ``(u, v)`` reads pixel ``(top + u, left + v)``
        (clamped to the image) of an ``h x w`` transformed image."""
        oh, ow = self.output_sz if self.output_sz is not None else (h, w)
        return (h - oh + 1) // 2 - self.shift[0], (w - ow + 1) // 2 - self.shift[1], oh, ow

    def read_region(self, h: int, w: int) -> Tuple[int, int, int, int]:
        """``(y0, y1, x0, x1)`` (end exclusive): the part of an ``h x w`` transformed image that
        :meth:`crop_to_output` reads; transforms compute only this part."""
        top, left, oh, ow = self.output_window(h, w)
        y0, y1 = _clamp(top, 0, h - 1), _clamp(top + oh - 1, 0, h - 1) + 1
        x0, x1 = _clamp(left, 0, w - 1), _clamp(left + ow - 1, 0, w - 1) + 1
        return y0, y1, x0, x1

    def crop_to_output(self, image: torch.Tensor) -> torch.Tensor:
        """The shifted central ``output_sz`` part of ``image`` (see the module docstring)."""
        h, w = image.shape[-2:]
        top, left, oh, ow = self.output_window(h, w)
        if (top, left, oh, ow) == (0, 0, h, w):
            return image
        return crop_replicate(image, top, left, oh, ow)

    def crop_region_to_output(self, region: torch.Tensor, h: int, w: int) -> torch.Tensor:
        """:meth:`crop_to_output` of an ``h x w`` transformed image of which only ``region``, its part
        :meth:`read_region`, was computed (the same pixels as the crop of the whole image)."""
        top, left, oh, ow = self.output_window(h, w)
        y0, y1, x0, x1 = self.read_region(h, w)
        if (top - y0, left - x0, oh, ow) == (0, 0, y1 - y0, x1 - x0):
            return region
        # Output pixels read clamp(top + u, 0, h - 1), which lies in [y0, y1): clamping to the
        # region's rows instead gives the same pixels.
        return crop_replicate(region, top - y0, left - x0, oh, ow)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(output_sz={self.output_sz}, shift={self.shift})"


class Identity(Transform):
    """Only crops to the output size."""

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        _check_image(image, "Identity")
        return self.crop_to_output(image)


class FlipHorizontal(Transform):
    """Mirror left-right (column ``c`` -> ``W - 1 - c``), then crop."""

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        _check_image(image, "FlipHorizontal")
        return self.crop_to_output(image.flip(-1))


class FlipVertical(Transform):
    """Mirror top-bottom (row ``r`` -> ``H - 1 - r``), then crop."""

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        _check_image(image, "FlipVertical")
        return self.crop_to_output(image.flip(-2))


class Translation(Transform):
    """Move the content by the integer ``translation`` ``(dy, dx)`` (added to ``shift``), then crop."""

    def __init__(self, translation: Sequence[int], output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None) -> None:
        super().__init__(output_sz, shift)
        t = _int_pair(translation, "Translation translation")
        self.translation = t
        self.shift = (self.shift[0] + t[0], self.shift[1] + t[1])

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        _check_image(image, "Translation")
        return self.crop_to_output(image)


def warp_about_centre(image: torch.Tensor, matrix: torch.Tensor,
                      region: Optional[Tuple[int, int, int, int]] = None) -> torch.Tensor:
    """Apply the linear map ``matrix`` (2 x 2, acting on ``(dy, dx)`` offsets from the centre).

    Output pixel ``p`` takes the bilinear sample of the input at ``c + matrix^-1 (p - c)``; samples
    outside the input replicate its border. The output has the input's size, or is only its part
    ``region`` = ``(y0, y1, x0, x1)`` (end exclusive; the same values as that crop of the whole).
    """
    _check_image(image, "warp_about_centre")
    n, _, h, w = image.shape
    y0, y1, x0, x1 = (0, h, 0, w) if region is None else region
    if not (0 <= y0 < y1 <= h and 0 <= x0 < x1 <= w):
        raise ValueError(f"warp_about_centre: region {region!r} is not a non-empty part of the {h} x {w} image")
    inv = torch.linalg.inv(matrix.to(torch.float64))
    cy, cx = (h - 1) / 2, (w - 1) / 2
    ys = torch.arange(y0, y1, dtype=torch.float64) - cy
    xs = torch.arange(x0, x1, dtype=torch.float64) - cx
    dy, dx = torch.meshgrid(ys, xs, indexing="ij")
    src_y = inv[0, 0] * dy + inv[0, 1] * dx + cy
    src_x = inv[1, 0] * dy + inv[1, 1] * dx + cx
    # align_corners=True: -1 and +1 are the centres of the first and last pixels.
    gx = 2 * src_x / (w - 1) - 1 if w > 1 else torch.zeros_like(src_x)
    gy = 2 * src_y / (h - 1) - 1 if h > 1 else torch.zeros_like(src_y)
    grid = torch.stack((gx, gy), dim=-1).to(image.dtype).to(image.device)
    return F.grid_sample(image, grid.unsqueeze(0).expand(n, y1 - y0, x1 - x0, 2), mode="bilinear",
                         padding_mode="border", align_corners=True)


def _warp_to_output(transform: Transform, image: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    """``transform.crop_to_output(warp_about_centre(image, matrix))``, warping only the part the
    crop reads."""
    h, w = image.shape[-2:]
    region = warp_about_centre(image, matrix, transform.read_region(h, w))
    return transform.crop_region_to_output(region, h, w)


class Scale(Transform):
    """Magnify the content by ``scale_factor`` about the image centre, then crop."""

    def __init__(self, scale_factor: float, output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None) -> None:
        super().__init__(output_sz, shift)
        if not scale_factor > 0:
            raise ValueError(f"Scale: scale_factor must be > 0, got {scale_factor}")
        self.scale_factor = float(scale_factor)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        _check_image(image, "Scale")
        return _warp_to_output(self, image, torch.eye(2, dtype=torch.float64) * self.scale_factor)


# Rotation warps: 'bilinear' (exact bilinear samples of the part the crop reads) or 'opencv'
# (the original pytracking transform: cv2.warpAffine of the whole patch, whose bilinear weights
# are quantised to 1/32 pixel).
ROTATION_WARPS = ("bilinear", "opencv")


class Rotate(Transform):
    """Rotate the content by ``angle`` degrees counter-clockwise (as displayed) about the centre, then crop.

    ``warp``: see :data:`ROTATION_WARPS`; both use replicated borders.
    """

    def __init__(self, angle: float, output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None, warp: str = "bilinear") -> None:
        super().__init__(output_sz, shift)
        if warp not in ROTATION_WARPS:
            raise ValueError(f"Rotate: unknown warp {warp!r}; expected one of {ROTATION_WARPS}")
        self.angle = float(angle)
        self.warp = warp

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        _check_image(image, "Rotate")
        a = math.radians(self.angle)
        if self.warp == "opencv":
            return self.crop_to_output(_opencv_rotate(image, a))
        matrix = torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], dtype=torch.float64)
        return _warp_to_output(self, image, matrix)


def _opencv_rotate(image: torch.Tensor, angle: float) -> torch.Tensor:
    """Every image of ``image`` (N x C x H x W) rotated by ``angle`` radians with cv2.warpAffine
    about ``((H - 1) / 2, (W - 1) / 2)`` (the centre taken in (y, x) order as the original does)."""
    h, w = image.shape[-2:]
    c = np.array([[(h - 1) / 2], [(w - 1) / 2]])
    rot = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    warp = np.concatenate([rot, c - rot @ c], 1)
    out = []
    for im in image.detach().cpu():
        hwc = np.ascontiguousarray(im.permute(1, 2, 0).numpy())
        rotated = cv2.warpAffine(hwc, warp, (w, h), borderMode=cv2.BORDER_REPLICATE)
        if rotated.ndim == 2:
            rotated = rotated[:, :, None]
        out.append(torch.from_numpy(rotated).permute(2, 0, 1))
    return torch.stack(out).to(image.device)


# Blur kernels: 'original' (pytracking's: truncated at ceil(2 sigma), computed in float32, zero
# padding at the patch border) or 'replicate' (truncated at ceil(3 sigma), replicated borders).
BLUR_KERNELS = ("original", "replicate")


def gaussian_kernel1d(sigma: float, truncate: float = 3.0) -> torch.Tensor:
    """Normalised samples of ``exp(-k^2 / (2 sigma^2))`` at ``k = -r..r``, ``r = ceil(truncate sigma)``;
    [1] if sigma is 0. ``truncate=2`` computes in float32 as the original pytracking kernel does."""
    if sigma < 0:
        raise ValueError(f"gaussian_kernel1d: sigma must be >= 0, got {sigma}")
    if sigma == 0:
        return torch.ones(1)
    r = math.ceil(truncate * sigma)
    dtype = torch.float32 if truncate == 2.0 else torch.float64
    k = torch.arange(-r, r + 1, dtype=dtype)
    g = torch.exp(-k ** 2 / (2 * sigma ** 2))
    return (g / g.sum()).float()


class Blur(Transform):
    """Separable Gaussian blur with std ``sigma`` (a number or ``(sigma_y, sigma_x)``), then crop.

    ``kernel='replicate'``: truncated at ``ceil(3 sigma)``, normalised, borders replicated.
    ``kernel='original'``: as the original pytracking transform, truncated at ``ceil(2 sigma)``
    (float32) with zeros beyond the borders.
    """

    def __init__(self, sigma: Union[float, Sequence[float]], output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None, kernel: str = "replicate") -> None:
        super().__init__(output_sz, shift)
        if isinstance(sigma, (int, float)):
            sigma = (sigma, sigma)
        if len(sigma) != 2:
            raise ValueError(f"Blur: sigma must be a number or a (sigma_y, sigma_x) pair, got {sigma!r}")
        if kernel not in BLUR_KERNELS:
            raise ValueError(f"Blur: unknown kernel {kernel!r}; expected one of {BLUR_KERNELS}")
        self.sigma = (float(sigma[0]), float(sigma[1]))
        self.kernel = kernel
        truncate = 2.0 if kernel == "original" else 3.0
        self.kernels = (gaussian_kernel1d(self.sigma[0], truncate), gaussian_kernel1d(self.sigma[1], truncate))

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        _check_image(image, "Blur")
        h, w = image.shape[-2:]
        ry, rx = (k.numel() // 2 for k in self.kernels)
        # Blur only the part the crop reads: that part plus the kernel radius, replicate-padded
        # (blurred pixel (i, j) reads input pixels (clamp(i + a), clamp(j + b)), |a| <= ry, |b| <= rx).
        y0, y1, x0, x1 = self.read_region(h, w)
        region = crop_replicate(image, y0 - ry, x0 - rx, y1 - y0 + 2 * ry, x1 - x0 + 2 * rx)
        if self.kernel == "original":           # zero padding: clear what lies outside the image
            rows = torch.arange(y0 - ry, y1 + ry, device=image.device)
            cols = torch.arange(x0 - rx, x1 + rx, device=image.device)
            inside = ((rows >= 0) & (rows < h)).reshape(-1, 1) & ((cols >= 0) & (cols < w)).reshape(1, -1)
            region = region * inside.to(region.dtype)
        if image.device.type == "cpu" and image.dtype in (torch.float32, torch.float64):
            out = _separable_valid_cv2(region, *self.kernels)
        else:
            out = _separable_valid_torch(region, *self.kernels)
        return self.crop_region_to_output(out, h, w)


def _separable_valid_torch(image: torch.Tensor, ky: torch.Tensor, kx: torch.Tensor) -> torch.Tensor:
    """Correlation of every channel with ``ky`` (along y) and ``kx`` (along x), 'valid' part only."""
    n, c, h, w = image.shape
    ky, kx = (k.to(image.dtype).to(image.device) for k in (ky, kx))
    out = image.reshape(n * c, 1, h, w)
    if ky.numel() > 1:
        out = F.conv2d(out, ky.view(1, 1, -1, 1))
    if kx.numel() > 1:
        out = F.conv2d(out, kx.view(1, 1, 1, -1))
    return out.reshape(n, c, *out.shape[-2:])


def _separable_valid_cv2(image: torch.Tensor, ky: torch.Tensor, kx: torch.Tensor) -> torch.Tensor:
    """:func:`_separable_valid_torch` of a CPU float tensor with OpenCV (several times faster)."""
    n, c, h, w = image.shape
    ry, rx = ky.numel() // 2, kx.numel() // 2
    planes = image.detach().contiguous().reshape(n * c, h, w).numpy()
    dtype = planes.dtype
    kyn, kxn = ky.numpy().astype(dtype), kx.numpy().astype(dtype)
    out = np.empty((n * c, h - 2 * ry, w - 2 * rx), dtype=dtype)
    for i, plane in enumerate(planes):
        # The border mode only affects the discarded margin of width (rx, ry).
        full = cv2.sepFilter2D(plane, -1, kxn, kyn, borderType=cv2.BORDER_REPLICATE)
        out[i] = full[ry:h - ry, rx:w - rx]
    return torch.from_numpy(out).reshape(n, c, h - 2 * ry, w - 2 * rx)
