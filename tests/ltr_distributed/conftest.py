"""Fixtures: one torch thread, and a private ltr settings file and workspace per test."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread is much faster than several on a shared machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """Use a fresh ltr settings file and workspace, not the machine's ltr/admin/local.py."""
    monkeypatch.setenv("LTR_SETTINGS_FILE", str(tmp_path / "ltr_local.py"))
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / "workspace"))
    monkeypatch.setenv("LTR_TENSORBOARD_DIR", str(tmp_path / "workspace" / "tensorboard"))
