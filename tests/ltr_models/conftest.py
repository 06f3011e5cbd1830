"""Fixtures of the ltr model tests."""
from pathlib import Path

import pytest
import torch

#: State-dict listing of atom_resnet18 in the shared folder beside the repository.
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / \
    "atom_resnet18_state_dict.txt"


@pytest.fixture
def reference_state_dict():
    """[(key, shape string, dtype string)] of the reference listing; skips when it is absent."""
    if not REFERENCE.is_file():
        pytest.skip("needs ../shared/reference/atom_resnet18_state_dict.txt")
    entries = []
    for line in REFERENCE.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, shape, dtype = line.split("\t")
        entries.append((key, shape, dtype))
    return entries
