"""Fixtures of the SiamFC tests: one torch thread, isolated settings files and workspace."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread is faster than several on a shared machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """Fresh ltr/pytracking settings files, workspace and network folder (not the machine's)."""
    monkeypatch.setenv("LTR_SETTINGS_FILE", str(tmp_path / "ltr_local.py"))
    monkeypatch.setenv("LTR_WORKSPACE_DIR", str(tmp_path / "workspace"))
    monkeypatch.setenv("LTR_TENSORBOARD_DIR", str(tmp_path / "workspace" / "tensorboard"))
    monkeypatch.setenv("PYTRACKING_SETTINGS_FILE", str(tmp_path / "pytracking_local.py"))
    networks = tmp_path / "networks"
    networks.mkdir()
    monkeypatch.setenv("PYTRACKING_NETWORK_PATH", str(networks))
    monkeypatch.setenv("PYTRACKING_RESULTS_PATH", str(tmp_path / "results"))
