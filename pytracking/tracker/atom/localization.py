"""Target localization on ATOM's classifier score maps.

Score maps here are *centred*: ``S x H x W`` (one map per search scale) with zero displacement at
index ``(H // 2, W // 2)``; displacements are in score-map pixels, ``(y, x)``.

Advanced localization (ATOM paper / original implementation): take the maximum; below
``target_not_found_threshold`` the target is 'not_found'. Otherwise mask a
``target_neighborhood_scale x target`` region around it and look for a second maximum. If that one
exceeds ``distractor_threshold`` times the first, the situation is ambiguous: if exactly one of the
two peaks lies within ``displacement_scale * sqrt(H W) / 2`` of the centre, that peak is chosen and
the frame is a 'hard_negative'; otherwise the first peak is kept as 'uncertain'. A second maximum
above ``hard_negative_threshold`` times the first (and above the not-found threshold) makes a
'hard_negative' at the first peak; else the result is normal (flag None).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import torch

from pytracking.libs.dcf import max2d

FLAGS = (None, "not_found", "uncertain", "hard_negative")


@dataclass
class Localization:
    """Result of a localization: displacement (y, x) in score pixels, scale index, case flag."""

    displacement: torch.Tensor
    scale_index: int
    flag: Optional[str]
    max_score: float


def centre_scores(scores: torch.Tensor) -> torch.Tensor:
    """Roll maps with zero displacement at index (0, 0) so that it lies at (H // 2, W // 2)."""
    h, w = scores.shape[-2:]
    return torch.roll(scores, shifts=(h // 2, w // 2), dims=(-2, -1))


def localize_simple(scores: torch.Tensor) -> Localization:
    """The global maximum over all scales of centred ``scores`` (S x H x W)."""
    max_score, max_disp = max2d(scores)
    scale_index = int(torch.argmax(max_score).item())
    centre = torch.tensor([scores.shape[-2] // 2, scores.shape[-1] // 2], dtype=torch.float32)
    disp = max_disp[scale_index].float().cpu() - centre
    return Localization(disp, scale_index, None, float(max_score[scale_index]))


def localize_advanced(scores: torch.Tensor, neighborhood_sz: Sequence[float],
                      target_not_found_threshold: float, distractor_threshold: float,
                      hard_negative_threshold: float, displacement_scale: float,
                      scores_for_hn: Optional[torch.Tensor] = None) -> Localization:
    """Advanced localization on centred ``scores`` (S x H x W); see the module docstring.

    ``neighborhood_sz`` (h, w) is the masked region around the first peak, in score pixels.
    ``scores_for_hn`` (optional, same layout) are used for the second peak instead of ``scores``
    (ATOM's ``perform_hn_without_windowing``).
    """
    if scores.dim() != 3:
        raise ValueError(f"localize_advanced: scores must be S x H x W, got {tuple(scores.shape)}")
    h, w = scores.shape[-2:]
    centre = torch.tensor([h // 2, w // 2], dtype=torch.float32)

    max_score1, max_disp1 = max2d(scores)
    scale_index = int(torch.argmax(max_score1).item())
    score1 = float(max_score1[scale_index])
    peak1 = max_disp1[scale_index].float().cpu()
    disp1 = peak1 - centre
    if score1 < target_not_found_threshold:
        return Localization(disp1, scale_index, "not_found", score1)

    source = scores if scores_for_hn is None else scores_for_hn
    masked = source[scale_index].clone()
    top = max(round(peak1[0].item() - neighborhood_sz[0] / 2), 0)
    bottom = min(round(peak1[0].item() + neighborhood_sz[0] / 2 + 1), h)
    left = max(round(peak1[1].item() - neighborhood_sz[1] / 2), 0)
    right = min(round(peak1[1].item() + neighborhood_sz[1] / 2 + 1), w)
    masked[top:bottom, left:right] = 0
    max_score2, max_disp2 = max2d(masked)
    score2 = float(max_score2)
    disp2 = max_disp2.float().cpu() - centre

    if score2 > distractor_threshold * score1:
        norm1 = float(torch.linalg.norm(disp1))
        norm2 = float(torch.linalg.norm(disp2))
        threshold = displacement_scale * math.sqrt(h * w) / 2
        if norm2 > threshold and norm1 < threshold:
            return Localization(disp1, scale_index, "hard_negative", score1)
        if norm2 < threshold and norm1 > threshold:
            return Localization(disp2, scale_index, "hard_negative", score2)
        return Localization(disp1, scale_index, "uncertain", score1)

    if score2 > hard_negative_threshold * score1 and score2 > target_not_found_threshold:
        return Localization(disp1, scale_index, "hard_negative", score1)
    return Localization(disp1, scale_index, None, score1)
