"""Session-wide tiny synthetic datasets in every layout the readers support."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest


def _register_helpers() -> None:
    """Make ``import ltrdata_helpers`` work in every pytest import mode (the file sits beside this one)."""
    if "ltrdata_helpers" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "ltrdata_helpers", Path(__file__).with_name("ltrdata_helpers.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["ltrdata_helpers"] = module
    spec.loader.exec_module(module)


_register_helpers()

synthetic = pytest.importorskip("ltr.dataset.synthetic")

IMAGE_SIZE = (96, 72)  # (W, H)
NUM_FRAMES = 24


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ltr_data_synth")


@pytest.fixture(scope="session")
def got10k_info(synth_root):
    return synthetic.write_dataset(
        "got10k",
        synth_root / "got10k",
        num_sequences=4,
        num_frames=NUM_FRAMES,
        seed=11,
        image_size=IMAGE_SIZE,
        split="train",
    )


@pytest.fixture(scope="session")
def lasot_info(synth_root):
    return synthetic.write_dataset(
        "lasot",
        synth_root / "lasot",
        num_sequences=4,
        num_frames=NUM_FRAMES,
        seed=12,
        image_size=IMAGE_SIZE,
        sequences_per_class=2,
    )


@pytest.fixture(scope="session")
def trackingnet_info(synth_root):
    return synthetic.write_dataset(
        "trackingnet",
        synth_root / "trackingnet",
        num_sequences=4,
        num_frames=NUM_FRAMES,
        seed=13,
        image_size=IMAGE_SIZE,
        num_sets=2,
    )


@pytest.fixture(scope="session")
def coco_info(synth_root):
    return synthetic.write_dataset(
        "coco", synth_root / "coco", num_sequences=3, seed=14, image_size=IMAGE_SIZE, version="2017"
    )


@pytest.fixture(scope="session")
def coco2014_info(synth_root):
    return synthetic.write_dataset(
        "coco",
        synth_root / "coco2014",
        num_sequences=2,
        seed=15,
        image_size=IMAGE_SIZE,
        version="2014",
    )


@pytest.fixture()
def got10k_copy(got10k_info, tmp_path) -> Path:
    """A private copy of the GOT-10k train folder, for planting defects."""
    target = tmp_path / "got10k_train"
    shutil.copytree(got10k_info.root, target)
    return target
