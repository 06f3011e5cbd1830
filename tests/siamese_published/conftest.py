"""Fixtures of the published-Siamese-weights tests: the reference folder beside the repository
(``../shared/reference/siamese*``), its weight recipe, and the first frames of OTB Crossing."""
from __future__ import annotations

import importlib.util

import cv2
import numpy as np
import pytest

from published_helpers import CROSSING, OUTPUT_DIR, need


@pytest.fixture(scope="session")
def recipe():
    """The reference folder's ``recipe.py`` (deterministic stand-in weights), imported by path."""
    path = need(OUTPUT_DIR / "recipe.py")
    spec = importlib.util.spec_from_file_location("siamese_reference_recipe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def crossing_frames() -> list[np.ndarray]:
    """Frames 0001..0030 of OTB Crossing as RGB uint8 arrays."""
    files = sorted(need(CROSSING / "img").glob("*.jpg"))[:30]
    return [cv2.cvtColor(cv2.imread(str(f)), cv2.COLOR_BGR2RGB) for f in files]
