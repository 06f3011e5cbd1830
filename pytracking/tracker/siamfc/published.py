"""siamfc-pytorch's tracking procedure (``TrackerSiamFC.init`` / ``update``), for reproducing its
boxes with its weights (``pytracking/parameter/siamfc/siamfc_alexnet_e50``).

It works on the box numbers it is given as 1-based pixel indices: the 0-based centre is
``(x - 1 + (w - 1) / 2, y - 1 + (h - 1) / 2)`` and the returned box is
``[cx + 1 - (w - 1) / 2, cy + 1 - (h - 1) / 2, w, h]``, i.e. in the same numbers as the input.
Centre and size are float32, as that tracker keeps them. Crops:
:func:`ltr.data.published_crops.crop_and_resize`. Per frame the raw responses of the
``num_scales`` crops are upsampled with OpenCV's bicubic resize, the non-central scales multiplied
by ``scale_penalty``, the scale with the highest peak chosen; its map is min-shifted,
sum-normalized and blended with a sum-1 ``np.hanning`` window; the peak gives the displacement.
No limits on size or position.
"""
from __future__ import annotations

import cv2
import numpy as np

from ltr.data.published_crops import crop_and_resize


class SiamFCPytorchState:
    """The state of one target under siamfc-pytorch's procedure; ``params`` a SiamFCParams."""

    def __init__(self, params, image: np.ndarray, box) -> None:
        p = params
        self.params = p
        x, y, w, h = (float(v) for v in box)
        yx_hw = np.array([y - 1 + (h - 1) / 2, x - 1 + (w - 1) / 2, h, w], dtype=np.float32)
        self.center, self.target_sz = yx_hw[:2], yx_hw[2:]
        half = p.num_scales // 2
        self.scale_factors = p.scale_step ** np.linspace(-half, half, p.num_scales)
        context = p.context_amount * np.sum(self.target_sz)
        self.z_sz = np.sqrt(np.prod(self.target_sz + context))
        self.x_sz = self.z_sz * p.instance_sz / p.exemplar_sz
        self.avg_color = np.mean(image, axis=(0, 1))
        self.hann_window: np.ndarray | None = None
        self.last_response: np.ndarray | None = None

    def exemplar(self, image: np.ndarray) -> np.ndarray:
        """The exemplar crop (``exemplar_sz`` square)."""
        return crop_and_resize(image, self.center, self.z_sz, self.params.exemplar_sz,
                               self.avg_color)

    def search(self, image: np.ndarray) -> np.ndarray:
        """The ``num_scales`` search crops, stacked (smallest scale first)."""
        return np.stack([crop_and_resize(image, self.center, self.x_sz * f,
                                         self.params.instance_sz, self.avg_color)
                         for f in self.scale_factors])

    def update(self, responses: np.ndarray, total_stride: int) -> tuple[list[float], float, int]:
        """Move and rescale the target from the raw responses (``num_scales x R x R``);
        returns (box [x, y, w, h], the chosen scale's penalised peak, the scale index)."""
        p = self.params
        size = responses.shape[-1] * p.response_upsample
        if self.hann_window is None or self.hann_window.shape[0] != size:
            self.hann_window = np.outer(np.hanning(size), np.hanning(size))
            self.hann_window /= self.hann_window.sum()
        up = np.stack([cv2.resize(u, (size, size), interpolation=cv2.INTER_CUBIC)
                       for u in responses])
        half = p.num_scales // 2
        up[:half] *= p.scale_penalty
        up[half + 1:] *= p.scale_penalty
        scale_id = int(np.argmax(np.amax(up, axis=(1, 2))))
        response = up[scale_id]
        peak = float(response.max())
        response -= response.min()
        response /= response.sum() + 1e-16
        response = (1 - p.window_influence) * response + p.window_influence * self.hann_window
        self.last_response = response          # the map the peak is taken from (for debugging)
        loc = np.unravel_index(response.argmax(), response.shape)
        disp = (np.array(loc) - (size - 1) / 2) * total_stride / p.response_upsample
        self.center += disp * self.x_sz * self.scale_factors[scale_id] / p.instance_sz
        scale = (1 - p.scale_lr) * 1.0 + p.scale_lr * self.scale_factors[scale_id]
        self.target_sz *= scale
        self.z_sz *= scale
        self.x_sz *= scale
        box = [self.center[1] + 1 - (self.target_sz[1] - 1) / 2,
               self.center[0] + 1 - (self.target_sz[0] - 1) / 2,
               self.target_sz[1], self.target_sz[0]]
        return [float(v) for v in box], peak, scale_id
