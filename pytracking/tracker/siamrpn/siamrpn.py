"""The SiamRPN tracker: a fixed template, one search crop per frame, anchors refined by the RPN.

Per frame (DaSiamRPN's procedure): crop the search region of side ``s_x = s_z * instance_sz /
exemplar_sz`` (``s_z`` the context side of the current target) around the current centre and
resize it to ``instance_sz``; the foreground probability (softmax over background/foreground) of
every anchor is multiplied by the scale/aspect penalty of its decoded box
(:mod:`pytracking.tracker.siamrpn.penalty`) and blended with a cosine window
(``(1 - window_influence) * penalised + window_influence * window``); the best anchor's box gives
the new centre directly and the new size with the rate ``lr * penalty * score``; the size is
clamped to ``[min_target_size, image size]`` and the box moved into the image
(:func:`clamp_to_image`).

Geometry: anchors live in search-crop pixels relative to the crop centre
(:mod:`ltr.models.siam.anchors`); a crop offset d is ``d * s_x / instance_sz`` image pixels.

With ``params.convention`` "pysot" or "dasiamrpn" the crops, the window and the clamping are those
of the published trackers (:mod:`pytracking.tracker.siamrpn.published`), so that their weights
give their boxes.
"""
from __future__ import annotations

import logging
from typing import Optional

import numpy as np
import torch

from ltr.data.siam_crop import box_center, crop_square, exemplar_side, mean_colour
from ltr.models.siam import cosine_window
from ltr.models.siam.anchors import decode_boxes, generate_anchors
from ltr.models.siam.rpn_loss import flatten_cls, flatten_reg
from pytracking.tracker.base.siamese import SiameseTracker
from pytracking.tracker.siamrpn.network import get_network
from pytracking.tracker.siamrpn.params import SiamRPNParams
from pytracking.tracker.siamrpn.penalty import scale_aspect_penalty
from pytracking.tracker.siamrpn.published import (PublishedGeometry, anchor_origin_shift,
                                                  published_window)

logger = logging.getLogger(__name__)


def clamp_to_image(center: np.ndarray, size: np.ndarray, image_hw: tuple[int, int],
                   min_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Size clamped to ``[min_size, image size]`` per axis, then the centre moved so that the
    whole box lies in the image (DaSiamRPN clamps only the centre to the image; keeping the whole
    box inside is this tracker's choice). An image smaller than ``min_size`` centres the box."""
    height, width = float(image_hw[0]), float(image_hw[1])
    limit = np.array([width, height])
    size = np.clip(np.asarray(size, dtype=np.float64), min_size, np.maximum(limit, min_size))
    low = np.minimum(0.5 * size, 0.5 * limit)
    high = np.maximum(limit - 0.5 * size, 0.5 * limit)
    return np.clip(np.asarray(center, dtype=np.float64), low, high), size


class SiamRPN(SiameseTracker):
    """SiamRPN tracking with the parameters of :class:`SiamRPNParams`."""

    params_class = SiamRPNParams

    def __init__(self, params: SiamRPNParams) -> None:
        super().__init__(params)
        self.anchors: Optional[np.ndarray] = None
        self.window: Optional[np.ndarray] = None
        self.geometry: Optional[PublishedGeometry] = None
        self.instance_sz = params.instance_sz

    def get_network(self) -> torch.nn.Module:
        return get_network(self.params)

    # ------------------------------------------------------------------ helpers
    def _set_up_network(self) -> None:
        super()._set_up_network()
        net_anchors = getattr(self.net, "num_anchors", self.params.num_anchors)
        if net_anchors != self.params.num_anchors:
            raise ValueError(f"The SiamRPN network has {net_anchors} anchors per position but the "
                             f"parameters anchor_ratios x anchor_scales give "
                             f"{self.params.num_anchors}")

    def _anchors_and_window(self, score_size: int) -> None:
        """Anchors and the per-anchor cosine window of a ``score_size`` map (built once)."""
        if self.anchors is not None and self.window.size == self.params.num_anchors * score_size ** 2:
            return
        p = self.params
        self.anchors = generate_anchors(score_size, self.total_stride, p.anchor_base_size,
                                        p.anchor_scales, p.anchor_ratios).double().numpy()
        self.anchors[:, :2] += anchor_origin_shift(score_size, self.total_stride, p.anchor_origin)
        if self.geometry is not None:
            self.window = published_window(score_size, p.num_anchors)
            return
        window = cosine_window(score_size, normalize=False).double().numpy().reshape(-1)
        self.window = np.tile(window, p.num_anchors)

    # ------------------------------------------------------------------ tracking
    def initialize_target(self, image: np.ndarray, box: np.ndarray, info: dict) -> dict:
        p = self.params
        self._set_up_network()
        self.anchors, self.window = None, None  # built on the first frame, for the output size
        self.center = np.array(box_center(box), dtype=np.float64)        # (cx, cy)
        self.size = np.array([box[2], box[3]], dtype=np.float64)          # (w, h)
        self.instance_sz = p.instance_sz
        if p.convention == "pytracking":
            self.geometry = None
            s_z = exemplar_side(self.size[0], self.size[1], p.context_amount)
            exemplar = crop_square(image, tuple(self.center), s_z, p.exemplar_sz,
                                   mean_colour(image))
        else:
            self.geometry = PublishedGeometry(p.convention, p.round_half, p.context_amount,
                                              p.exemplar_sz)
            area_ratio = self.size[0] * self.size[1] / float(image.shape[0] * image.shape[1])
            if p.adaptive_instance_sz and area_ratio < p.small_target_area_ratio:
                self.instance_sz = p.small_target_instance_sz
            exemplar = self.geometry.exemplar(image, self.center, self.size)
        with torch.no_grad():
            self.kernels = self.net.template(self._to_tensor(exemplar))
        return {}

    def _search_crop(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        """(search crop, crop pixels per image pixel) around the current target."""
        p = self.params
        if self.geometry is not None:
            return self.geometry.search(image, self.center, self.size, self.instance_sz)
        s_z = exemplar_side(self.size[0], self.size[1], p.context_amount)
        s_x = s_z * p.instance_sz / p.exemplar_sz
        crop = crop_square(image, tuple(self.center), s_x, p.instance_sz, mean_colour(image))
        return crop, p.instance_sz / s_x

    def _proposals(self, crop: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """(foreground probability ``A``, decoded boxes ``A x 4`` [cx, cy, w, h] in crop pixels
        relative to the crop centre, score-map side) of a search crop."""
        p = self.params
        with torch.no_grad():
            cls, reg = self.net.rpn(self.kernels, self.net.search(self._to_tensor(crop)))
        if cls.shape[-1] != cls.shape[-2] or cls.shape[1] != 2 * p.num_anchors:
            raise ValueError(f"SiamRPN: network output {tuple(cls.shape)} is not N x "
                             f"{2 * p.num_anchors} x S x S")
        score_size = int(cls.shape[-1])
        self._anchors_and_window(score_size)
        score = torch.softmax(flatten_cls(cls)[0].double(), dim=1)[:, 1].cpu().numpy()
        deltas = flatten_reg(reg)[0].double().cpu()
        boxes = decode_boxes(deltas, torch.from_numpy(self.anchors)).numpy()
        return score, boxes, score_size

    def track_frame(self, image: np.ndarray, info: dict) -> dict:
        p = self.params
        crop, scale = self._search_crop(image)            # scale: crop pixels per image pixel
        score, boxes, score_size = self._proposals(crop)

        penalty = scale_aspect_penalty(boxes[:, 2:], self.size * scale, p.penalty_k)
        penalised = penalty * score
        ranked = (1 - p.window_influence) * penalised + p.window_influence * self.window
        best = int(np.argmax(ranked))
        box = boxes[best] / scale
        rate = p.lr * penalty[best] * score[best]
        previous_center = self.center.copy()

        clamp = clamp_to_image if self.geometry is None else self.geometry.clamp
        self.center, self.size = clamp(self.center + box[:2],
                                       self.size * (1 - rate) + box[2:] * rate,
                                       image.shape[:2], p.min_target_size)
        out = {"target_bbox": [float(self.center[0] - 0.5 * self.size[0]),
                               float(self.center[1] - 0.5 * self.size[1]),
                               float(self.size[0]), float(self.size[1])],
               "score": float(score[best])}
        if p.debug >= 1:
            anchor = self.anchors[best]
            a_center = previous_center + anchor[:2] / scale
            a_size = anchor[2:] / scale
            out["score_map"] = ranked.reshape(p.num_anchors, score_size, score_size).max(axis=0)
            out["anchor_box"] = [float(a_center[0] - 0.5 * a_size[0]),
                                 float(a_center[1] - 0.5 * a_size[1]),
                                 float(a_size[0]), float(a_size[1])]
            logger.debug("frame %d: anchor %d, score %.4g, penalty %.4g, rate %.4g",
                         self.frame_num, best, score[best], penalty[best], rate)
        return out
