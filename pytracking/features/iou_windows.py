"""IoU-Net test features computed only where proposal boxes read them.

The test branch of ATOM's IoU-Net (two 3x3 convolution blocks per feature level) costs about as
much as half the backbone when run on the whole search area, but box refinement pools only the
cells under a few boxes. :class:`WindowedIoUFeatures` computes the branch on a window of cells
around the boxes, with each convolution zero-padded only where the window touches the edge of the
map, so every computed cell equals the full computation (up to float rounding). When a box moves
beyond the window during refinement the window grows (it is recomputed around the union).
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.bbreg.atom_iou_net import is_plain_atom_iou_net
from pytracking.libs.cpu_kernels import winograd as winograd_conv
from pytracking.libs.tensorlist import TensorList

# (top, bottom, left, right) inclusive cell ranges of one feature level
Cells = Tuple[int, int, int, int]


def iou_branch_modules(predictor: nn.Module) -> Optional[List[List[nn.Module]]]:
    """Per feature level, the modules of ATOM's IoU-Net test branch in order, or None when
    ``predictor`` is not an eval-mode :class:`AtomIoUNet` with its own ``get_iou_feat``."""
    if not is_plain_atom_iou_net(predictor, "get_iou_feat"):
        return None
    branches = []
    for blocks in ((predictor.conv3_1t, predictor.conv3_2t), (predictor.conv4_1t, predictor.conv4_2t)):
        modules = [m for b in blocks for m in (b if isinstance(b, nn.Sequential) else [b])]
        for m in modules:
            if isinstance(m, nn.Conv2d):
                kh, kw = m.kernel_size
                if (m.stride != (1, 1) or m.dilation != (1, 1) or kh % 2 == 0 or kw % 2 == 0
                        or m.padding != (kh // 2, kw // 2) or m.padding_mode != "zeros"):
                    return None
            elif not isinstance(m, (nn.ReLU, nn.Identity, nn.BatchNorm2d)):
                return None
        branches.append(modules)
    return branches


def branch_margin(modules: Sequence[nn.Module]) -> Tuple[int, int]:
    """Cells (rows, columns) that the convolutions of a branch add around their output."""
    convs = [m for m in modules if isinstance(m, nn.Conv2d)]
    return sum(m.padding[0] for m in convs), sum(m.padding[1] for m in convs)


def run_branch_on_window(modules: Sequence[nn.Module], feat: torch.Tensor, cells: Cells,
                         winograd: bool = False) -> Tuple[torch.Tensor, Cells]:
    """The branch's output on the cells ``cells`` of the map ``feat`` (``1 x C x H x W``): the
    input window is ``cells`` widened by the branch margin (clipped to the map), and each
    convolution pads with zeros only on the sides where its input touches the map edge. Returns
    the output window and its cells (= ``cells``).

    ``winograd``: CPU convolutions that :func:`pytracking.libs.cpu_kernels.winograd.supports`, on windows
    large enough to gain (:func:`~pytracking.libs.cpu_kernels.winograd.worthwhile`), run by the Winograd
    kernel, with a ReLU that follows (after Identity modules only) fused into it."""
    h, w = feat.shape[-2:]
    my, mx = branch_margin(modules)
    top, bottom, left, right = max(cells[0] - my, 0), min(cells[1] + my, h - 1), \
        max(cells[2] - mx, 0), min(cells[3] + mx, w - 1)
    x = feat[:, :, top:bottom + 1, left:right + 1]
    i = 0
    while i < len(modules):
        m = modules[i]
        i += 1
        if not isinstance(m, nn.Conv2d):
            x = m(x)
            continue
        py, px = m.padding
        pad = (px if left == 0 else 0, px if right == w - 1 else 0,
               py if top == 0 else 0, py if bottom == h - 1 else 0)
        out_h = x.shape[-2] + pad[2] + pad[3] - m.kernel_size[0] + 1
        out_w = x.shape[-1] + pad[0] + pad[1] - m.kernel_size[1] + 1
        if winograd and x.device.type == "cpu" and winograd_conv.supports(m) and winograd_conv.worthwhile(out_h, out_w):
            j = i
            while j < len(modules) and isinstance(modules[j], nn.Identity):
                j += 1
            relu = j < len(modules) and isinstance(modules[j], nn.ReLU)
            if relu:
                i = j + 1
            x = winograd_conv.conv3x3(x, m, relu=relu, padding=(pad[2], pad[3], pad[0], pad[1]))
        else:
            if any(pad):
                x = F.pad(x, pad)
            x = F.conv2d(x, m.weight, m.bias, padding=0, groups=m.groups)
        top, bottom = (top + py if top > 0 else 0), (bottom - py if bottom < h - 1 else h - 1)
        left, right = (left + px if left > 0 else 0), (right - px if right < w - 1 else w - 1)
    return x, (top, bottom, left, right)


def box_extent(boxes: torch.Tensor) -> Optional[Tuple[float, float, float, float]]:
    """``(x0, y0, x1, y1)``: the pixel extent of ``boxes`` (``P x 4`` [x, y, w, h]); None when
    there are no boxes or one is not finite."""
    b = boxes.detach().reshape(-1, 4).float()
    if b.shape[0] == 0:
        return None
    ends = b[:, :2] + b[:, 2:]
    x0, y0, x1, y1 = torch.cat((b[:, :2].amin(dim=0), ends.amax(dim=0))).tolist()
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    return x0, y0, x1, y1


def box_cells(boxes: torch.Tensor, stride: int, map_size: Sequence[int], extra: int = 0,
              extent: Optional[Tuple[float, float, float, float]] = None) -> Cells:
    """Cells that PrRoI pooling of ``boxes`` (``P x 4`` [x, y, w, h], pixels) at ``stride`` reads,
    with ``extra`` more on every side, clipped to the map ``(H, W)`` (the whole map when a box is
    not finite). ``extent``: :func:`box_extent` of the boxes, if known.

    A bin [a, b] (in cells) reads the cells g with hat(x - g) > 0 somewhere in [a, b], i.e.
    g in (a - 1, b + 1): floor(a) .. floor(b) + 1."""
    h, w = int(map_size[0]), int(map_size[1])
    extent = box_extent(boxes) if extent is None else extent
    if extent is None:
        return 0, h - 1, 0, w - 1
    x0, y0, x1, y1 = (v / stride for v in extent)

    def span(a: float, b: float, n: int) -> Tuple[int, int]:
        # clipped into the map; a box beyond an edge reads nothing, any cell at that edge will do
        lo, hi = math.floor(min(a, b)) - extra, math.floor(max(a, b)) + 1 + extra
        return min(max(lo, 0), n - 1), min(max(hi, 0), n - 1)

    return span(y0, y1, h) + span(x0, x1, w)


def cells_contain(outer: Cells, inner: Cells) -> bool:
    return outer[0] <= inner[0] and outer[1] >= inner[1] and outer[2] <= inner[2] and outer[3] >= inner[3]


def cells_union(a: Cells, b: Cells) -> Cells:
    return min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])


class WindowedIoUFeatures:
    """IoU-Net test features of one sample, exact on every cell the given boxes read.

    ``backbone``: the backbone maps of the IoU layers (``1 x C x H x W`` each, one sample);
    ``strides``: their strides; ``margin``: when (re)computing, the window extends
    ``margin x`` the largest box side beyond the cells the boxes need, so that moving boxes
    rarely make it grow. Call it with boxes to get full-size maps (zero outside the window).
    ``winograd``: see :func:`run_branch_on_window`.
    """

    def __init__(self, predictor: nn.Module, backbone: Sequence[torch.Tensor], strides: Sequence[int],
                 margin: float, winograd: bool = False) -> None:
        self.branches = iou_branch_modules(predictor)
        if self.branches is None:
            raise ValueError(f"WindowedIoUFeatures needs an eval-mode AtomIoUNet, got {type(predictor).__name__}"
                             f"{' in training mode' if predictor.training else ''}")
        if len(backbone) != len(self.branches) or len(strides) != len(self.branches):
            raise ValueError(f"WindowedIoUFeatures: {len(self.branches)} feature levels expected, got "
                             f"{len(backbone)} maps and {len(strides)} strides")
        if margin < 0:
            raise ValueError(f"WindowedIoUFeatures: margin must be >= 0, got {margin}")
        self.backbone = list(backbone)
        self.strides = list(strides)
        self.margin = float(margin)
        self.winograd = winograd
        self.windows: Optional[List[Cells]] = None
        self.computations = 0
        self._features: Optional[TensorList] = None

    def needed_cells(self, boxes: torch.Tensor, extra_pixels: float = 0.0,
                     extent: Optional[Tuple[float, float, float, float]] = None) -> List[Cells]:
        extent = box_extent(boxes) if extent is None else extent
        return [box_cells(boxes, s, f.shape[-2:], math.ceil(extra_pixels / s), extent)
                for f, s in zip(self.backbone, self.strides)]

    def __call__(self, boxes: torch.Tensor) -> TensorList:
        """Full-size test features (``1 x C x H x W`` per level), exact wherever ``boxes`` read them."""
        extent = box_extent(boxes)
        needed = self.needed_cells(boxes, extent=extent)
        if self.windows is not None and all(cells_contain(w, n) for w, n in zip(self.windows, needed)):
            return self._features
        side = float(boxes.reshape(-1, 4)[:, 2:].max()) if extent is not None else 0.0
        wanted = self.needed_cells(boxes, self.margin * max(side, 0.0), extent)
        if self.windows is not None:
            wanted = [cells_union(w, n) for w, n in zip(self.windows, wanted)]
        self._features = self._compute(wanted)
        self.windows = wanted
        self.computations += 1
        return self._features

    def _compute(self, windows: Sequence[Cells]) -> TensorList:
        maps = []
        with torch.no_grad():
            for modules, feat, cells in zip(self.branches, self.backbone, windows):
                out, (t, b, l, r) = run_branch_on_window(modules, feat, cells, self.winograd)
                layout = torch.channels_last if out.is_contiguous(memory_format=torch.channels_last) \
                    else torch.contiguous_format
                canvas = torch.empty((1, out.shape[1], *feat.shape[-2:]), dtype=out.dtype, device=out.device,
                                     memory_format=layout).zero_()
                canvas[:, :, t:b + 1, l:r + 1] = out
                maps.append(canvas)
        return TensorList(maps)
