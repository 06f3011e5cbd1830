"""Fixtures for the whole suite: one torch thread, settings that never touch the machine's, and
standard error as a terminal receives it."""
import contextlib
import io
import logging
import os
import sys
from typing import Iterator, List

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """The suite's tensors are small: one intra-op thread is much faster than several on a
    2-core machine that also runs data-loader workers and subprocesses."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Fresh `ltr` and `pytracking` settings files, workspace, network and results folders under
    tmp_path (subprocesses inherit the environment); returns tmp_path. Nothing is created here:
    the settings file appears when first read, the folders when a test makes them (tests that need
    the network folder use :func:`network_folder`)."""
    base = tmp_path
    for key in list(os.environ):
        if key.startswith(("LTR_", "PYTRACKING_")):
            monkeypatch.delenv(key)
    workspace = base / "workspace"
    for name, value in (("LTR_SETTINGS_FILE", base / "ltr_local.py"),
                        ("LTR_WORKSPACE_DIR", workspace),
                        ("LTR_TENSORBOARD_DIR", workspace / "tensorboard"),
                        ("PYTRACKING_SETTINGS_FILE", base / "pytracking_local.py"),
                        ("PYTRACKING_NETWORK_PATH", base / "networks"),
                        ("PYTRACKING_RESULTS_PATH", base / "results"),
                        ("PYTRACKING_RESULT_PLOT_PATH", base / "plots"),
                        ("PYTRACKING_GOT_PACKED_RESULTS_PATH", base / "packed" / "got10k"),
                        ("PYTRACKING_TN_PACKED_RESULTS_PATH", base / "packed" / "trackingnet"),
                        ("PYTRACKING_SYNTHETIC_PATH", base / "synthetic" / "otb")):
        monkeypatch.setenv(name, str(value))
    return base


@pytest.fixture
def network_folder(isolated_settings):
    """The network_path folder the trackers look in for weight files, created empty."""
    folder = isolated_settings / "networks"
    folder.mkdir()
    return folder


class TerminalStream(io.StringIO):
    """What a terminal receives on standard error (``isatty`` is true, so progress bars draw)."""

    def isatty(self) -> bool:
        return True

    def line_prefixes(self, text: str) -> List[str]:
        """For each occurrence of ``text``, what precedes it on its terminal line (after the last
        carriage return or newline): empty when it starts a line of its own."""
        out = self.getvalue()
        prefixes, start = [], out.find(text)
        while start >= 0:
            before = out[:start]
            prefixes.append(before[max(before.rfind("\r"), before.rfind("\n")) + 1:])
            start = out.find(text, start + 1)
        return prefixes


@contextlib.contextmanager
def _terminal_stderr() -> Iterator[TerminalStream]:
    stream = TerminalStream()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    saved_stderr, level = sys.stderr, root.level
    sys.stderr = stream
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        sys.stderr = saved_stderr


@pytest.fixture
def terminal_stderr():
    """A context manager: inside it sys.stderr is a :class:`TerminalStream` that the root logger
    writes INFO lines to, as the command-line tools' logging.basicConfig does. (Entered in the
    test itself: pytest puts its own capture back on sys.stderr between fixture setup and the test.)"""
    return _terminal_stderr
