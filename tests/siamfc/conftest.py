"""Fixtures of the SiamFC tests."""
import pytest


@pytest.fixture(autouse=True)
def network_folder(isolated_settings):
    """The (empty) network_path folder the trackers look in for weight files."""
    folder = isolated_settings / "networks"
    folder.mkdir()
    return folder
