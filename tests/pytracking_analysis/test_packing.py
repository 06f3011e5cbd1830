"""Packed server submissions, re-read and compared with the original results."""
import io
import zipfile

import numpy as np
import pytest

from pytracking.evaluation.results import ResultFileError, tracker_results_dir, write_sequence_result
from pytracking.util_scripts import pack_got10k_results, pack_trackingnet_results

NAMES = ["GOT-10k_Test_000001", "GOT-10k_Test_000002"]


def _results(rng, run_ids):
    written = {}
    for run in run_ids:
        for name in NAMES:
            boxes = np.round(rng.uniform(1, 300, (7, 4)), 4)
            times = np.round(rng.uniform(0.01, 0.1, 7), 6)
            write_sequence_result(tracker_results_dir("trk", "p", run), name, boxes, times)
            written[(run, name)] = (boxes, times)
    return written


def _read(zf, name):
    return np.loadtxt(io.StringIO(zf.read(name).decode()), delimiter=",", ndmin=2)


def test_got10k_packing(isolated_settings):
    written = _results(np.random.default_rng(0), [0, 1, 2])
    zip_path = pack_got10k_results.pack_got10k_results("trk", "p", [0, 1, 2])
    assert zip_path == isolated_settings / "packed" / "got10k" / "trk_p.zip"
    with zipfile.ZipFile(zip_path) as zf:
        assert sorted(zf.namelist()) == sorted(f"{n}/{n}_{s}.txt" for n in NAMES for s in ("001", "002", "003", "time"))
        for name in NAMES:
            for k, run in enumerate([0, 1, 2], start=1):
                np.testing.assert_allclose(_read(zf, f"{name}/{name}_{k:03d}.txt"), written[(run, name)][0])
            times = np.loadtxt(io.StringIO(zf.read(f"{name}/{name}_time.txt").decode()))
            np.testing.assert_allclose(times, written[(0, name)][1])
    assert [p.name for p in zip_path.parent.iterdir()] == ["trk_p.zip"]   # no temporary files left


def test_got10k_packing_checks(isolated_settings):
    _results(np.random.default_rng(1), [None])
    with pytest.raises(ValueError, match="1 to 3 runs"):
        pack_got10k_results.pack_got10k_results("trk", "p", [0, 1, 2, 3])
    (tracker_results_dir("trk", "p") / f"{NAMES[0]}_time.txt").unlink()
    with pytest.raises(ResultFileError, match="Time file not found"):
        pack_got10k_results.pack_got10k_results("trk", "p")


def test_trackingnet_packing(isolated_settings):
    written = _results(np.random.default_rng(2), [None])
    assert pack_trackingnet_results.main(["trk", "p", "--output-name", "sub", "--from-results"]) == 0
    zip_path = isolated_settings / "packed" / "trackingnet" / "sub.zip"
    with zipfile.ZipFile(zip_path) as zf:
        assert sorted(zf.namelist()) == sorted(f"{n}.txt" for n in NAMES)   # no folder level
        for name in NAMES:
            np.testing.assert_allclose(_read(zf, f"{name}.txt"), written[(None, name)][0])


def test_got10k_cli_takes_sequences_from_dataset(isolated_settings, monkeypatch, capsys):
    synthetic = pytest.importorskip("ltr.dataset.synthetic", reason="synthetic generator not available")
    info = synthetic.write_dataset("got10k", isolated_settings / "got10k", split="test", num_sequences=2,
                                   num_frames=5, image_size=(48, 40))
    monkeypatch.setenv("PYTRACKING_GOT10K_PATH", str(isolated_settings / "got10k"))
    rng = np.random.default_rng(3)
    names = [r.name for r in info.sequences]
    for name in names + ["video_extra"]:             # a stray file the dataset does not list
        write_sequence_result(tracker_results_dir("trk", "p"), name, rng.uniform(1, 9, (5, 4)), np.ones(5))
    assert pack_got10k_results.main(["trk", "p"]) == 0
    zip_path = isolated_settings / "packed" / "got10k" / "trk_p.zip"
    assert str(zip_path) in capsys.readouterr().out
    with zipfile.ZipFile(zip_path) as zf:
        assert sorted({n.split("/")[0] for n in zf.namelist()}) == sorted(names)
    monkeypatch.delenv("PYTRACKING_GOT10K_PATH")
    assert pack_got10k_results.main(["trk", "p"]) == 2
    assert "got10k_path" in capsys.readouterr().err
