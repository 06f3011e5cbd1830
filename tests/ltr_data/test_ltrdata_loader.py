"""LTRLoader: collate along stack_dim, the full ATOM pipeline with 2 workers, per-worker seeds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from ltr.data import LTRLoader, processing, sampler
from ltr.data.loader import ltr_collate
from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
from ltr.train_settings.bbreg._atom_common import atom_processing, atom_transforms, set_atom_geometry
from ltrdata_helpers import TinyVideoDataset, full_boxes
from pytracking.libs import TensorDict, TensorList


def test_collate_nested_structures():
    batch = [
        TensorDict(
            {
                "a": torch.full((2, 3), float(i)),
                "name": f"s{i}",
                "n": i,
                "tl": TensorList([torch.zeros(2) + i]),
                "none": None,
            }
        )
        for i in range(4)
    ]
    out = ltr_collate(batch, stack_dim=1)
    assert isinstance(out, TensorDict) and out["a"].shape == (2, 4, 3)
    assert torch.equal(out["a"][:, 2], torch.full((2, 3), 2.0))
    assert out["name"] == ["s0", "s1", "s2", "s3"] and torch.equal(out["n"], torch.arange(4))
    assert isinstance(out["tl"], TensorList) and out["tl"][0].shape == (2, 4)
    assert out["none"] == [None] * 4
    assert ltr_collate(batch, stack_dim=0)["a"].shape == (4, 2, 3)


def atom_pipeline(datasets, output_sz=48):
    """ATOM's training pipeline (bbreg/atom.py's transforms and processing) at ``output_sz``."""
    settings = SimpleNamespace()
    set_atom_geometry(settings, output_sz)
    transform_joint, transform_train, _ = atom_transforms(settings)
    proc = atom_processing(settings, transform_train, transform_joint)
    return sampler.ATOMSampler(
        datasets, [1] * len(datasets), samples_per_epoch=16, max_gap=50, processing=proc
    )


def test_full_atom_pipeline_with_two_workers(got10k_info, lasot_info, trackingnet_info, coco_info):
    datasets = [
        Lasot(str(lasot_info.root), split="train"),
        Got10k(str(got10k_info.root)),
        TrackingNet(str(trackingnet_info.root), set_ids=[0, 1]),
        MSCOCOSeq(str(coco_info.root)),
    ]
    loader = LTRLoader(
        "train",
        atom_pipeline(datasets),
        training=True,
        batch_size=4,
        num_workers=2,
        shuffle=True,
        drop_last=True,
        stack_dim=1,
        seed=0,
    )
    assert loader.name == "train" and loader.training and loader.stack_dim == 1
    batches = list(loader)
    assert len(batches) == 4
    for batch in batches:
        assert batch["train_images"].shape == (1, 4, 3, 48, 48)
        assert batch["test_images"].shape == (1, 4, 3, 48, 48)
        assert batch["train_anno"].shape == (1, 4, 4) and batch["test_anno"].shape == (1, 4, 4)
        assert batch["test_proposals"].shape == (1, 4, 16, 4)
        assert batch["proposal_iou"].shape == (1, 4, 16)
        assert batch["train_images"].dtype == torch.float32
        assert ((batch["proposal_iou"] > 2 * 0.1 - 1) & (batch["proposal_iou"] <= 1)).all()
        assert set(batch["dataset"]) <= {"lasot", "got10k", "trackingnet", "coco"}


class FrameIdProcessing(processing.BaseProcessing):
    """Keeps only which sequence/frames were drawn."""

    def __call__(self, data, rng=None):
        ids = [int(f[0, 0, 0]) for f in data["train_images"] + data["test_images"]]
        return TensorDict({"ids": torch.tensor(ids + [int(data["test_images"][0][0, 0, 1])])})


def test_workers_differ_and_seeded_loaders_repeat():
    ds = TinyVideoDataset([full_boxes(200)] * 50)
    s = sampler.ATOMSampler(
        [ds], [1], samples_per_epoch=8, max_gap=100, processing=FrameIdProcessing()
    )

    def run(seed):
        loader = LTRLoader("val", s, training=False, batch_size=4, num_workers=2, seed=seed)
        return [b["ids"] for b in loader]

    first, again, other = run(1), run(1), run(2)
    assert len(first) == 2 and first[0].shape == (4, 3)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0], first[1])  # batch 0 from worker 0, batch 1 from worker 1
    assert not all(torch.equal(a, b) for a, b in zip(first, other))


def test_bad_loader_arguments():
    with pytest.raises(ValueError, match="stack_dim"):
        LTRLoader("x", [1, 2], stack_dim=2)
