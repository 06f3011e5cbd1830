"""Fixtures of the SiamRPN tests."""
import pytest


@pytest.fixture(autouse=True)
def _empty_network_folder(network_folder):
    """Every SiamRPN test has the (empty) network_path folder."""
