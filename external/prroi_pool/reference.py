"""Pure-PyTorch Precise RoI Pooling in closed form: the reference and the fallback backend.

The feature map is the bilinear interpolant of the grid values, zero outside the map, with value
f[i, j] at (x=j, y=i). It is separable, so the integral of bin (p, q) of roi k is
    sum_ij f[i, j] * Wy[k, p, i] * Wx[k, q, j],
where Wx[k, q, j] = HatCdf(xb - j) - HatCdf(xa - j) is the integral of the hat function of column
j over the bin's x-range [xa, xb] (likewise Wy). The result is divided by the bin area. Everything
is built from differentiable tensor ops, so autograd gives the gradients to the features and to
the box coordinates.
"""
import torch

from .validation import check_inputs, check_pool_args

__all__ = ["hat_cdf", "bin_weights", "prroi_pool2d_reference"]


def hat_cdf(t: torch.Tensor) -> torch.Tensor:
    """Antiderivative of hat(t) = max(0, 1 - |t|) from -inf (0 below -1, 1 above 1)."""
    rising = (t + 1).clamp(0, 1)
    falling = t.clamp(0, 1)
    return 0.5 * rising * rising + falling - 0.5 * falling * falling


def bin_weights(start: torch.Tensor, bin_size: torch.Tensor, bins: int, n: int) -> torch.Tensor:
    """[K, bins, n] integrals of the hat function of grid index 0..n-1 over each of `bins`
    consecutive intervals of length bin_size[k] starting at start[k]."""
    steps = torch.arange(bins + 1, dtype=start.dtype, device=start.device)
    edges = start[:, None] + steps * bin_size[:, None]
    grid = torch.arange(n, dtype=start.dtype, device=start.device)
    cdf = hat_cdf(edges[:, :, None] - grid)
    return cdf[:, 1:] - cdf[:, :-1]


def pool_reference(
    features: torch.Tensor, rois: torch.Tensor, pooled_height: int, pooled_width: int, spatial_scale: float
) -> torch.Tensor:
    """prroi_pool2d_reference without the argument checks (callers have validated)."""
    num_rois = rois.shape[0]
    _, channels, height, width = features.shape
    if num_rois == 0:
        return features.new_zeros((0, channels, pooled_height, pooled_width))
    x1, y1, x2, y2 = (rois[:, 1:] * spatial_scale).unbind(1)
    box_w, box_h = x2 - x1, y2 - y1
    bin_w, bin_h = box_w / pooled_width, box_h / pooled_height
    area = bin_w * bin_h
    valid = (box_w > 0) & (box_h > 0) & (area > 0)
    wy = bin_weights(y1, bin_h, pooled_height, height)  # [K, ph, H]
    wx_t = bin_weights(x1, bin_w, pooled_width, width).transpose(1, 2)  # [K, W, pw]

    batch_index = rois[:, 0].detach().long()
    images = torch.unique(batch_index).tolist()
    per_image = features.unbind(0)  # one backward for all images, not one per indexing
    pooled_parts, order = [], []
    for image in images:
        sel = (batch_index == image).nonzero().squeeze(1) if len(images) > 1 else None
        wy_b = wy if sel is None else wy[sel]
        wx_b = wx_t if sel is None else wx_t[sel]
        rows = torch.einsum("chw,kwq->kchq", per_image[image], wx_b)
        pooled_parts.append(torch.einsum("kph,kchq->kcpq", wy_b, rows))
        if sel is not None:
            order.append(sel)
    if len(images) == 1:
        pooled = pooled_parts[0]
    else:
        pooled = torch.cat(pooled_parts)[torch.argsort(torch.cat(order))]
    scale = torch.where(valid, 1 / torch.where(valid, area, torch.ones_like(area)), torch.zeros_like(area))
    return pooled * scale[:, None, None, None]


def prroi_pool2d_reference(
    features: torch.Tensor, rois: torch.Tensor, pooled_height: int, pooled_width: int, spatial_scale: float
) -> torch.Tensor:
    """Precise RoI pooling of features [B, C, H, W] over rois [K, 5] = (batch index, x1, y1, x2, y2)
    in image coordinates (multiplied by spatial_scale); returns [K, C, pooled_height, pooled_width]."""
    check_pool_args(pooled_height, pooled_width, spatial_scale)
    check_inputs(features, rois)
    return pool_reference(features, rois, pooled_height, pooled_width, spatial_scale)
