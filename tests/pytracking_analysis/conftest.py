"""Isolated pytracking settings for every test: a private settings file and no inherited overrides."""
import os

import pytest


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("PYTRACKING_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PYTRACKING_SETTINGS_FILE", str(tmp_path / "settings" / "local.py"))
    monkeypatch.setenv("PYTRACKING_RESULTS_PATH", str(tmp_path / "results"))
    monkeypatch.setenv("PYTRACKING_RESULT_PLOT_PATH", str(tmp_path / "plots"))
    monkeypatch.setenv("PYTRACKING_GOT_PACKED_RESULTS_PATH", str(tmp_path / "packed" / "got10k"))
    monkeypatch.setenv("PYTRACKING_TN_PACKED_RESULTS_PATH", str(tmp_path / "packed" / "trackingnet"))
    monkeypatch.setenv("PYTRACKING_SYNTHETIC_PATH", str(tmp_path / "synthetic" / "otb"))
    return tmp_path
