"""Run these tiny-tensor tests single-threaded: torch's intra-op threads only add overhead here
(and are very slow on a loaded 2-core machine)."""
import pytest
import torch


@pytest.fixture(autouse=True)
def _single_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
