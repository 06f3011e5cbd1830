"""The data part of ltr/train_settings/bbreg/atom.py, written as users write it, on synthetic data."""

from __future__ import annotations

import pytest
import torch

import ltr.dataset.split_files as split_files
from ltr.admin.environment import env_settings


@pytest.fixture()
def atom_env(monkeypatch, tmp_path, got10k_info, lasot_info, coco_info, synth_root):
    from ltr.dataset.synthetic import write_dataset

    tn_root = synth_root / "trackingnet4"
    if not tn_root.exists():
        write_dataset(
            "trackingnet",
            tn_root,
            num_sequences=4,
            num_frames=24,
            seed=21,
            image_size=(96, 72),
            num_sets=4,
        )
    monkeypatch.setenv("LTR_LASOT_DIR", str(lasot_info.root))
    monkeypatch.setenv("LTR_GOT10K_DIR", str(got10k_info.root))
    monkeypatch.setenv("LTR_TRACKINGNET_DIR", str(tn_root))
    monkeypatch.setenv("LTR_COCO_DIR", str(coco_info.root))
    specs = tmp_path / "data_specs"
    specs.mkdir()
    shipped = split_files.spec_path("lasot_test_split.txt")
    (specs / "lasot_test_split.txt").write_text(shipped.read_text())
    (specs / "got10k_vot_train_split.txt").write_text("0\n1\n3\n")
    monkeypatch.setattr(split_files, "DATA_SPECS_DIR", specs)
    return env_settings()


def test_atom_data_settings_as_users_write_them(atom_env):
    from ltr.dataset import Lasot, Got10k, TrackingNet, MSCOCOSeq
    from ltr.data import processing, sampler, LTRLoader
    import ltr.data.transforms as tfm

    class Settings:
        env = atom_env
        normalize_mean = [0.485, 0.456, 0.406]
        normalize_std = [0.229, 0.224, 0.225]

    settings = Settings()
    lasot_train = Lasot(settings.env.lasot_dir, split="train")
    got10k_train = Got10k(settings.env.got10k_dir, split="vottrain")
    trackingnet_train = TrackingNet(settings.env.trackingnet_dir, set_ids=list(range(4)))
    coco_train = MSCOCOSeq(settings.env.coco_dir)
    transform_joint = tfm.Transform(tfm.ToGrayscale(probability=0.05))
    transform_train = tfm.Transform(
        tfm.ToTensorAndJitter(0.2),
        tfm.Normalize(mean=settings.normalize_mean, std=settings.normalize_std),
    )
    data_processing_train = processing.ATOMProcessing(
        search_area_factor=5.0,
        output_sz=288,
        center_jitter_factor={"train": 0, "test": 4.5},
        scale_jitter_factor={"train": 0, "test": 0.5},
        mode="sequence",
        proposal_params={
            "min_iou": 0.1,
            "boxes_per_frame": 16,
            "sigma_factor": [0.01, 0.05, 0.1, 0.2, 0.3],
        },
        transform=transform_train,
        joint_transform=transform_joint,
    )
    dataset_train = sampler.ATOMSampler(
        [lasot_train, got10k_train, trackingnet_train, coco_train],
        [1, 1, 1, 1],
        samples_per_epoch=4,
        max_gap=50,
        processing=data_processing_train,
    )
    loader_train = LTRLoader(
        "train",
        dataset_train,
        training=True,
        batch_size=2,
        num_workers=0,
        shuffle=True,
        drop_last=True,
        stack_dim=1,
    )
    assert got10k_train.get_num_sequences() == 3
    batches = list(loader_train)
    assert len(batches) == 2
    assert batches[0]["train_images"].shape == (1, 2, 3, 288, 288)
    assert batches[0]["test_proposals"].shape == (1, 2, 16, 4)
    assert torch.isfinite(batches[0]["test_images"]).all()


def test_atom_settings_without_split_file_say_what_to_do(got10k_info, monkeypatch, tmp_path):
    from ltr.dataset import Got10k, SplitFileError

    monkeypatch.setattr(split_files, "DATA_SPECS_DIR", tmp_path)
    with pytest.raises(SplitFileError) as err:
        Got10k(str(got10k_info.root), split="vottrain")
    assert "got10k_vot_train_split.txt" in str(err.value) and "README.md" in str(err.value)
