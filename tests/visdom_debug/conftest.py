"""Shared fixtures: the injected test tracker, a synthetic sequence, a loopback visdom server."""
import subprocess
import sys
import time
import types
import urllib.request

import numpy as np
import pytest

from pytracking.evaluation.data import Sequence
from visdom_probe import (GT_OFFSET, INIT_BOX, NUM_FRAMES, ProbeParams, ProbeTracker,
                          expected_box, free_port, write_frames)


@pytest.fixture
def probe_tracker(monkeypatch):
    """Registers tracker 'visprobe' with parameter module 'default' (in sys.modules only)."""
    trk = types.ModuleType("pytracking.tracker.visprobe")
    trk.get_tracker_class = lambda: ProbeTracker
    ppkg = types.ModuleType("pytracking.parameter.visprobe")
    ppkg.__path__ = []
    pmod = types.ModuleType("pytracking.parameter.visprobe.default")
    pmod.parameters = ProbeParams
    monkeypatch.setitem(sys.modules, "pytracking.tracker.visprobe", trk)
    monkeypatch.setitem(sys.modules, "pytracking.parameter.visprobe", ppkg)
    monkeypatch.setitem(sys.modules, "pytracking.parameter.visprobe.default", pmod)
    return "visprobe"


@pytest.fixture
def probe_sequence(tmp_path):
    frames = write_frames(tmp_path / "frames", NUM_FRAMES)
    gt = np.array([expected_box(i) for i in range(NUM_FRAMES)]) + GT_OFFSET
    gt[0] = INIT_BOX  # the tracker starts from the first ground-truth box
    return Sequence("Probe", frames, "test", gt)


@pytest.fixture
def dataset_with(monkeypatch):
    """Makes run_tracker's load_dataset('probe') return the given sequences."""
    def install(sequences):
        from pytracking import run_tracker
        from pytracking.evaluation.data import SequenceList

        class _Dataset:
            def get_sequence_list(self):
                return SequenceList(sequences)

        monkeypatch.setattr(run_tracker, "load_dataset", lambda name: _Dataset())
    return install


@pytest.fixture(scope="module")
def visdom_server(tmp_path_factory):
    """A real server of ``python -m pytracking.utils.visdom_server`` on a free loopback port."""
    pytest.importorskip("visdom")
    port = free_port()
    env_path = tmp_path_factory.mktemp("visdom_env")
    log = open(env_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "pytracking.utils.visdom_server", "--port",
                             str(port), "--env_path", str(env_path)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                raise RuntimeError("visdom server did not start:\n"
                                   + (env_path / "server.log").read_text()[-3000:])
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def results_root(tmp_path, monkeypatch):
    """Results go under tmp_path/results (PYTRACKING_RESULTS_PATH)."""
    root = tmp_path / "results"
    monkeypatch.setenv("PYTRACKING_RESULTS_PATH", str(root))
    return root


@pytest.fixture(autouse=True)
def _fresh_warnings():
    """Each test sees visdom_client's warn-once state fresh."""
    from pytracking.utils.visualization import visdom_client
    visdom_client._warned.clear()
    yield
    visdom_client._warned.clear()
