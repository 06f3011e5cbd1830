"""Shared fixtures of the SiamRPN tests: a single torch thread (the tensors are small, and the
test machine is shared) and private settings files, workspace and network folder."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def single_torch_thread():
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """Settings files and folders under tmp_path instead of the machine's."""
    workspace = tmp_path / "workspace"
    networks = tmp_path / "networks"
    networks.mkdir()
    for name, value in (("LTR_SETTINGS_FILE", tmp_path / "ltr_local.py"),
                        ("LTR_WORKSPACE_DIR", workspace),
                        ("LTR_TENSORBOARD_DIR", workspace / "tensorboard"),
                        ("PYTRACKING_SETTINGS_FILE", tmp_path / "pytracking_local.py"),
                        ("PYTRACKING_NETWORK_PATH", networks),
                        ("PYTRACKING_RESULTS_PATH", tmp_path / "results")):
        monkeypatch.setenv(name, str(value))
