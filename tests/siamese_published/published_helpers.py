"""Paths of the published-Siamese reference data beside the repository (``../shared``)."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
KEY_DIR = SHARED / "reference" / "siamese"
OUTPUT_DIR = SHARED / "reference" / "siamese_outputs"
CROSSING = SHARED / "data" / "otb_crossing"


def need(path: Path) -> Path:
    """``path``, or skip the test when it is not there."""
    if not path.exists():
        pytest.skip(f"needs {path}")
    return path
