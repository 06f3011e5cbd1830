"""Fixtures of the SiamFC tests."""
import pytest


@pytest.fixture(autouse=True)
def _empty_network_folder(network_folder):
    """Every SiamFC test has the (empty) network_path folder."""
