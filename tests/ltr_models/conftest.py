"""Fixtures of the ltr model tests."""
from pathlib import Path

import pytest
import torch

#: State-dict listing of atom_resnet18 in the shared folder beside the repository.
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / \
    "atom_resnet18_state_dict.txt"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors: one thread is much faster than several on a shared machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """Use a fresh ltr settings file, not the machine's ltr/admin/local.py."""
    monkeypatch.setenv("LTR_SETTINGS_FILE", str(tmp_path / "ltr_local.py"))


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
