"""Processing: turns the frames and boxes a sampler drew into network inputs (crops, boxes, labels).

A processing object is called with a TensorDict holding 'train_images', 'train_anno', 'test_images'
and 'test_anno' (lists with one entry per frame) and an optional numpy Generator ``rng``.
"""

from __future__ import annotations

import abc
from typing import Optional

import numpy as np
import torch

import ltr.data.processing_utils as prutils
import ltr.data.transforms as tfm
from ltr.data.rng import resolve_rng
from pytracking.libs import TensorDict

_SPLITS = ("train", "test")


def stack_tensors(value):
    """Stack a list of tensors into one tensor (other values are returned unchanged)."""
    if isinstance(value, (list, tuple)) and value and all(torch.is_tensor(v) for v in value):
        return torch.stack(value)
    return value


def no_processing(data: TensorDict, rng: Optional[np.random.Generator] = None) -> TensorDict:
    """The identity processing (the sampler's default)."""
    return data


class BaseProcessing(abc.ABC):
    """Holds the transforms: 'joint' (all frames of a sample, one roll) and per-split 'train'/'test'."""

    def __init__(
        self,
        transform: Optional[tfm.Transform] = None,
        train_transform: Optional[tfm.Transform] = None,
        test_transform: Optional[tfm.Transform] = None,
        joint_transform: Optional[tfm.Transform] = None,
    ) -> None:
        if transform is None:
            transform = tfm.Transform(tfm.ToTensor())
        self.transform = {
            "train": transform if train_transform is None else train_transform,
            "test": transform if test_transform is None else test_transform,
            "joint": joint_transform,
        }

    @abc.abstractmethod
    def __call__(self, data: TensorDict, rng: Optional[np.random.Generator] = None) -> TensorDict:
        """Process one sample drawn by a sampler."""

    def apply_joint_transform(self, data: TensorDict, rng: np.random.Generator) -> None:
        """Apply the joint transform with one roll to the train and the test frames."""
        joint = self.transform["joint"]
        if joint is None:
            return
        data["train_images"], data["train_anno"] = joint(
            image=data["train_images"], bbox=data["train_anno"], rng=rng
        )
        data["test_images"], data["test_anno"] = joint(
            image=data["test_images"], bbox=data["test_anno"], new_roll=False, rng=rng
        )


def _per_split(value, name: str) -> dict:
    if isinstance(value, dict):
        missing = [s for s in _SPLITS if s not in value]
        if missing:
            raise ValueError(f"{name} needs values for 'train' and 'test', missing {missing}")
        return {s: float(value[s]) for s in _SPLITS}
    return {s: float(value) for s in _SPLITS}


class ATOMProcessing(BaseProcessing):
    """ATOM's processing: jittered square crops and IoU-labelled box proposals for the test frames.

    For each frame the annotated box is jittered (:func:`processing_utils.jittered_box`), a square of
    ``search_area_factor**2`` times the jittered box area is cropped around the jittered centre and
    resized to ``output_sz``, and the annotated box is mapped into the crop. For each test frame,
    ``proposal_params['boxes_per_frame']`` proposals with IoU > ``min_iou`` are drawn
    (:func:`processing_utils.perturb_box` with a random entry of ``sigma_factor``); their IoU is
    stored as 2 * IoU - 1 in 'proposal_iou'. ``mode='sequence'`` stacks the frames of each key
    into one tensor, ``mode='pair'`` expects one frame per split and unpacks it.
    """

    def __init__(
        self,
        search_area_factor: float,
        output_sz: int,
        center_jitter_factor,
        scale_jitter_factor,
        proposal_params: dict,
        mode: str = "pair",
        *args,
        border_mode: str = "replicate",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if mode not in ("pair", "sequence"):
            raise ValueError(f"ATOMProcessing mode must be 'pair' or 'sequence', got '{mode}'")
        required = {"min_iou", "boxes_per_frame", "sigma_factor"}
        missing = required - set(proposal_params)
        if missing:
            raise ValueError(f"ATOMProcessing proposal_params lacks {sorted(missing)}")
        self.search_area_factor = float(search_area_factor)
        self.output_sz = int(output_sz)
        self.center_jitter_factor = _per_split(center_jitter_factor, "center_jitter_factor")
        self.scale_jitter_factor = _per_split(scale_jitter_factor, "scale_jitter_factor")
        self.proposal_params = dict(proposal_params)
        self.mode = mode
        self.border_mode = border_mode

    def _generate_proposals(self, box: torch.Tensor, rng: np.random.Generator):
        proposals, iou = prutils.generate_proposals(
            box,
            int(self.proposal_params["boxes_per_frame"]),
            float(self.proposal_params["min_iou"]),
            self.proposal_params["sigma_factor"],
            rng,
        )
        return proposals, iou * 2 - 1

    def __call__(self, data: TensorDict, rng: Optional[np.random.Generator] = None) -> TensorDict:
        rng = resolve_rng(rng)
        data = TensorDict(data)
        self.apply_joint_transform(data, rng)
        for s in _SPLITS:
            if self.mode == "pair" and len(data[s + "_images"]) != 1:
                raise ValueError(
                    f"ATOMProcessing mode='pair' expects one {s} frame, got "
                    f"{len(data[s + '_images'])}; use mode='sequence'"
                )
            jittered = [
                prutils.jittered_box(
                    a, self.scale_jitter_factor[s], self.center_jitter_factor[s], rng
                )
                for a in data[s + "_anno"]
            ]
            crops, boxes = prutils.jittered_center_crop(
                data[s + "_images"],
                jittered,
                data[s + "_anno"],
                self.search_area_factor,
                self.output_sz,
                border_mode=self.border_mode,
            )
            data[s + "_images"], data[s + "_anno"] = self.transform[s](
                image=crops, bbox=boxes, joint=False, rng=rng
            )
        proposals = [self._generate_proposals(a, rng) for a in data["test_anno"]]
        data["test_proposals"] = [p for p, _ in proposals]
        data["proposal_iou"] = [iou for _, iou in proposals]
        if self.mode == "sequence":
            return data.apply(stack_tensors)
        return data.apply(lambda x: x[0] if isinstance(x, list) else x)
