"""The SiamFC tracker: a fixed exemplar, a scale pyramid searched in one batch, no online updates.

Geometry (continuous pixel coordinates, see :mod:`ltr.data.siam_crop`): the search crop of side
``s`` (image pixels) around the current centre is resized to ``instance_sz`` (255) pixels. Score
cell u of the ``score_sz`` (17) map looks at the search sub-window displaced by
``(u - (score_sz - 1) / 2) * total_stride`` crop pixels. The map is upsampled by ``k`` (16) with
bicubic interpolation (half-pixel centres), so upsampled index i sits at score coordinate
``(i + 0.5) / k - 0.5`` and at displacement ``(i - (k * score_sz - 1) / 2) * total_stride / k``
crop pixels, i.e. that times ``s / instance_sz`` image pixels.

With ``params.convention`` "siamfc-pytorch" the tracker follows that project's procedure instead
(:mod:`pytracking.tracker.siamfc.published`), so that its weights give its boxes.
"""
from __future__ import annotations

import logging

import numpy as np
import torch
import torch.nn.functional as F

from ltr.data.siam_crop import box_center, crop_multiscale, crop_square, exemplar_side, mean_colour
from ltr.models.siam import cosine_window
from pytracking.tracker.base.siamese import SiameseTracker
from pytracking.tracker.siamfc.network import get_network
from pytracking.tracker.siamfc.params import SiamFCParams
from pytracking.tracker.siamfc.published import SiamFCPytorchState

logger = logging.getLogger(__name__)


class SiamFC(SiameseTracker):
    """SiamFC tracking with the parameters of :class:`SiamFCParams`."""

    params_class = SiamFCParams

    def __init__(self, params: SiamFCParams) -> None:
        super().__init__(params)
        self.published: SiamFCPytorchState | None = None

    def get_network(self) -> torch.nn.Module:
        return get_network(self.params)

    # ------------------------------------------------------------------ tracking
    def initialize_target(self, image: np.ndarray, box: np.ndarray, info: dict) -> dict:
        p = self.params
        self._set_up_network()
        if p.convention == "siamfc-pytorch":
            self.published = SiamFCPytorchState(p, image, box)
            with torch.no_grad():
                self.z_feat = self.net.template(self._to_tensor(self.published.exemplar(image)))
            return {}
        self.published = None
        self.center = np.array(box_center(box), dtype=np.float64)        # (cx, cy)
        self.size = np.array([box[2], box[3]], dtype=np.float64)          # (w, h)
        s_z = exemplar_side(self.size[0], self.size[1], p.context_amount)
        self.s_x = s_z * p.instance_sz / p.exemplar_sz
        self.base_s_x = self.s_x
        exemplar = crop_square(image, tuple(self.center), s_z, p.exemplar_sz, mean_colour(image))
        with torch.no_grad():
            self.z_feat = self.net.template(self._to_tensor(exemplar[None]))
        offsets = np.arange(p.num_scales) - (p.num_scales - 1) // 2
        self.scales = p.scale_step ** offsets.astype(np.float64)
        self.scale_penalties = np.where(offsets == 0, 1.0, p.scale_penalty)
        self.window = None  # built on the first frame, when the score size is known
        return {}

    def _scores(self, image: np.ndarray, sides: np.ndarray) -> torch.Tensor:
        """Upsampled score maps ``S x U x U`` of the search crops with the given sides."""
        p = self.params
        crops = crop_multiscale(image, tuple(self.center), sides, p.instance_sz, mean_colour(image))
        with torch.no_grad():
            scores = self.net.score(self.z_feat, self.net.search(self._to_tensor(crops)))
            up = F.interpolate(scores, scale_factor=p.response_upsample, mode="bicubic",
                               align_corners=False)
        return up[:, 0].float().cpu()

    def _choose_scale(self, up: torch.Tensor) -> int:
        """The scale whose penalised peak is highest; peaks are measured above the lowest score of
        all maps, so the penalty always lowers a non-central scale (also for negative scores)."""
        peaks = up.flatten(1).amax(dim=1) - up.min()
        return int(torch.argmax(peaks * torch.from_numpy(self.scale_penalties).float()))

    def _displacement(self, response: torch.Tensor) -> tuple[np.ndarray, float]:
        """Peak of the window-weighted response -> displacement (dx, dy) in crop pixels, score."""
        p = self.params
        size = response.shape[-1]
        if self.window is None or self.window.shape[-1] != size:
            self.window = cosine_window(size)
        response = response - response.min()
        total = float(response.sum())
        response = response / total if total > 0 else torch.full_like(response, 1.0 / response.numel())
        weighted = (1 - p.window_influence) * response + p.window_influence * self.window
        index = int(torch.argmax(weighted))
        row, col = divmod(index, size)
        center = (size - 1) / 2
        disp = np.array([col - center, row - center]) * self.total_stride / p.response_upsample
        return disp, float(weighted[row, col])

    def _track_published(self, image: np.ndarray) -> dict:
        """One frame of siamfc-pytorch's procedure."""
        crops = self.published.search(image)
        with torch.no_grad():
            responses = self.net.score(self.z_feat, self.net.search(self._to_tensor(crops)))
        box, peak, scale_id = self.published.update(responses[:, 0].float().cpu().numpy(),
                                                    self.total_stride)
        out = {"target_bbox": box, "max_score": peak}
        if self.params.debug > 0:
            logger.debug("frame %d: scale index %d, peak %.6g", self.frame_num, scale_id, peak)
        if self.params.debug >= 1 or self.debug_sink.enabled(1):
            out["score_map"] = torch.from_numpy(self.published.last_response).float()
        return out

    def track_frame(self, image: np.ndarray, info: dict) -> dict:
        p = self.params
        if self.published is not None:
            return self._track_published(image)
        sides = self.s_x * self.scales
        up = self._scores(image, sides)
        best = self._choose_scale(up)
        disp_crop, score = self._displacement(up[best])
        self.center = self.center + disp_crop * sides[best] / p.instance_sz

        scale = (1 - p.scale_lr) + p.scale_lr * self.scales[best]
        s_x = float(np.clip(self.s_x * scale, p.min_scale_factor * self.base_s_x,
                            p.max_scale_factor * self.base_s_x))
        self.size = np.maximum(self.size * (s_x / self.s_x), p.min_target_size)
        self.s_x = s_x
        height, width = image.shape[:2]
        self.center = np.clip(self.center, [0.0, 0.0], [float(width), float(height)])
        if p.debug > 0:
            logger.debug("frame %d: scale index %d, displacement %s crop px, score %.4g",
                         self.frame_num, best, disp_crop.tolist(), score)
        box = [self.center[0] - 0.5 * self.size[0], self.center[1] - 0.5 * self.size[1],
               self.size[0], self.size[1]]
        out = {"target_bbox": [float(v) for v in box], "max_score": float(up[best].max())}
        if p.debug >= 1 or self.debug_sink.enabled(1):
            out["score_map"] = up[best]  # response of the chosen scale, for live/saved debugging
        return out
