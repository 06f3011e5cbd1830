"""Tracker runner: parameters, input checks, result files, resuming, worker processes, CLI."""
import dataclasses
import sys
import types
from typing import Optional

import cv2
import numpy as np
import pytest

from pytracking.evaluation.data import Sequence
from pytracking.evaluation.running import run_dataset
from pytracking.evaluation.tracker import Tracker
from pytracking.tracker.base import BaseTracker
from pytracking.utils.image_io import FrameReadError
from pytracking.utils.params import ParameterError, Params


@dataclasses.dataclass
class StepParams(Params):
    step: float = 1.0
    debug: int = 0
    nan_at: Optional[int] = None
    scales: tuple = (1.0,)


class StepTracker(BaseTracker):
    """Moves the initial box right by ``step`` px per frame; can emit a NaN box on request."""

    def initialize_target(self, image, box, info):
        self.box = box
        self.sizes = [image.shape]

    def track_frame(self, image, info):
        self.sizes.append(image.shape)
        self.box = self.box + np.array([self.params.step, 0, 0, 0])
        if self.params.nan_at == self.frame_num:
            return {"target_bbox": [float("nan")] * 4}
        return {"target_bbox": self.box.tolist()}


def _default_params():
    return StepParams()


@pytest.fixture(autouse=True)
def step_tracker_modules(monkeypatch):
    trk = types.ModuleType("pytracking.tracker.steptrk")
    trk.get_tracker_class = lambda: StepTracker
    ppkg = types.ModuleType("pytracking.parameter.steptrk")
    ppkg.__path__ = []
    pmod = types.ModuleType("pytracking.parameter.steptrk.default")
    pmod.parameters = _default_params
    monkeypatch.setitem(sys.modules, "pytracking.tracker.steptrk", trk)
    monkeypatch.setitem(sys.modules, "pytracking.parameter.steptrk", ppkg)
    monkeypatch.setitem(sys.modules, "pytracking.parameter.steptrk.default", pmod)


def _write_frames(folder, n, size=(40, 30), gray_at=None, resize_at=None):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        w, h = (size[0] * 2, size[1] * 2) if i == resize_at else size
        img = np.full((h, w, 3), 10 * i % 255, np.uint8)
        if i == gray_at:
            img = img[:, :, 0]
        path = folder / f"{i + 1:04d}.png"
        cv2.imwrite(str(path), img)
        paths.append(str(path))
    return paths


@pytest.fixture
def seq(tmp_path):
    frames = _write_frames(tmp_path / "frames", 6, gray_at=2, resize_at=4)
    gt = np.tile([5.0, 6.0, 10.0, 8.0], (6, 1))
    return Sequence("Seq1", frames, "test", gt)


def test_run_sequence_boxes_and_mixed_frames(seq, tmp_path):
    tracker = Tracker("steptrk", "default", results_path=str(tmp_path / "res"))
    out = tracker.run_sequence(seq, overrides=["step=2.5"])
    expected = np.array([[5 + 2.5 * i, 6, 10, 8] for i in range(6)])
    np.testing.assert_allclose(out.target_bbox, expected)
    assert out.time.shape == (6,) and (out.time >= 0).all()


def test_nan_box_replaced_by_previous(seq, tmp_path):
    tracker = Tracker("steptrk", "default", results_path=str(tmp_path / "res"))
    out = tracker.run_sequence(seq, overrides=["nan_at=3"])
    assert np.isfinite(out.target_bbox).all()
    np.testing.assert_allclose(out.target_bbox[2], out.target_bbox[1])  # frame_num 3 = index 2


def test_overrides_are_typed_and_checked(tmp_path):
    tracker = Tracker("steptrk", "default", results_path=str(tmp_path))
    params = tracker.get_parameters(["step=3", "debug=2", "nan_at=None", "scales=(0.5, 1.0)"])
    assert params.step == 3.0 and isinstance(params.step, float)
    assert params.debug == 2 and params.nan_at is None and params.scales == (0.5, 1.0)
    with pytest.raises(ParameterError, match="Did you mean 'step'"):
        tracker.get_parameters(["stepp=3"])
    with pytest.raises(ParameterError, match="step"):
        tracker.get_parameters(["step=fast"])
    with pytest.raises(ParameterError, match="key=value"):
        tracker.get_parameters(["step"])
    with pytest.raises(ParameterError):
        params.not_a_param = 1


def test_unknown_tracker_or_parameter_lists_available():
    with pytest.raises(ValueError, match="Unknown tracker 'steptrkk'.*Available: ") as err:
        Tracker("steptrkk", "default")
    assert "base" not in str(err.value).split("Available:")[1]  # the base class is no tracker
    with pytest.raises(ValueError, match="Unknown parameter setting of tracker 'steptrk' 'defualt'"):
        Tracker("steptrk", "defualt")


@pytest.mark.parametrize("box, reason", [
    ([1, 2, 0, 5], "zero or negative size"),
    ([1, 2, 5, -1], "zero or negative size"),
    ([float("nan"), 2, 5, 5], "NaN"),
    ([100, 2, 5, 5], "fully outside"),
    ([-10, 2, 5, 5], "fully outside"),
])
def test_invalid_initial_box(box, reason):
    tracker = StepTracker(StepParams())
    with pytest.raises(ValueError, match=reason):
        tracker.initialize(np.zeros((30, 40, 3), np.uint8), {"init_bbox": box})


def test_unreadable_frame_names_the_file(seq, tmp_path):
    bad = tmp_path / "frames" / "0004.png"
    bad.write_bytes(b"not an image")
    tracker = Tracker("steptrk", "default", results_path=str(tmp_path / "res"))
    with pytest.raises(FrameReadError, match="0004.png"):
        tracker.run_sequence(seq)


def test_run_dataset_writes_results_and_skips_existing(seq, tmp_path):
    tracker = Tracker("steptrk", "default", run_id=3, results_path=str(tmp_path / "res"))
    records = run_dataset([seq], [tracker])
    assert [r.status for r in records] == ["done"]
    folder = tmp_path / "res" / "steptrk" / "default_003"
    rows = np.loadtxt(folder / "Seq1.txt", delimiter="\t")
    np.testing.assert_allclose(rows[:, 0], [5, 6, 7, 8, 9, 10])
    assert len(np.loadtxt(folder / "Seq1_time.txt")) == 6
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    before = (folder / "Seq1.txt").read_text()
    records = run_dataset([seq], [tracker], overrides=["step=5"])
    assert [r.status for r in records] == ["skipped"]
    assert (folder / "Seq1.txt").read_text() == before
    records = run_dataset([seq], [tracker], overrides=["step=5"], skip_existing=False)
    assert records[0].status == "done"
    assert np.loadtxt(folder / "Seq1.txt", delimiter="\t")[1, 0] == 10


def test_progress_bar_stays_below_the_logged_lines(seq, tmp_path, terminal_stderr):
    seqs = [seq, Sequence("Seq2", seq.frames[:4], "test", seq.ground_truth_rect[:4])]
    with terminal_stderr() as terminal:
        run_dataset(seqs, [Tracker("steptrk", "default", results_path=str(tmp_path / "res"))])
    assert "sequences:" in terminal.getvalue()  # the bar was drawn on the terminal
    # each job's line starts a terminal line of its own (not appended to the bar)
    assert terminal.line_prefixes("steptrk") == ["", ""]


def test_failure_in_one_job_does_not_stop_others(seq, tmp_path):
    broken = Sequence("Broken", [seq.frames[0], str(tmp_path / "missing.png")], "test",
                      seq.ground_truth_rect[:2])
    tracker = Tracker("steptrk", "default", results_path=str(tmp_path / "res"))
    records = run_dataset([broken, seq], [tracker])
    assert [r.status for r in records] == ["failed", "done"]
    assert "missing.png" in records[0].error
    assert not (tmp_path / "res" / "steptrk" / "default" / "Broken.txt").exists()


def test_worker_processes_give_the_same_results(seq, tmp_path):
    seqs = [seq, Sequence("Seq2", seq.frames[:4], "test", seq.ground_truth_rect[:4] + 1)]
    t_seq = Tracker("steptrk", "default", results_path=str(tmp_path / "a"))
    t_par = Tracker("steptrk", "default", results_path=str(tmp_path / "b"))
    run_dataset(seqs, [t_seq])
    records = run_dataset(seqs, [t_par], threads=2, start_method="fork")
    assert [r.status for r in records] == ["done", "done"]
    assert [r.sequence for r in records] == ["Seq1", "Seq2"]
    for name in ("Seq1", "Seq2"):
        a = np.loadtxt(tmp_path / "a" / "steptrk" / "default" / f"{name}.txt")
        b = np.loadtxt(tmp_path / "b" / "steptrk" / "default" / f"{name}.txt")
        np.testing.assert_array_equal(a, b)


def test_run_video_writes_boxes_and_annotated_video(tmp_path):
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(5):
        writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
    writer.release()
    tracker = Tracker("steptrk", "default", results_path=str(tmp_path / "res"))
    out = tracker.run_video(str(video), [10, 10, 20, 12], save_results=True)
    np.testing.assert_allclose(out.target_bbox[:, 0], [10, 11, 12, 13, 14])
    folder = tmp_path / "res" / "steptrk" / "default"
    np.testing.assert_allclose(np.loadtxt(folder / "video_clip.txt")[:, 0], [10, 11, 12, 13, 14])
    cap = cv2.VideoCapture(str(folder / "video_clip.mp4"))
    count = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if count == 2:
            # frame 2: box x=12..31, y=10..21 drawn in green on a gray frame
            b, g, r = frame[10, 20].astype(int)
            assert g > 150 and g - r > 60, frame[10, 20]
        count += 1
    assert count == 5
    with pytest.raises(ValueError, match="initial box"):
        tracker.run_video(str(video), None)
    with pytest.raises(OSError, match="cannot be opened"):
        tracker.run_video(str(tmp_path / "nope.mp4"), [1, 1, 2, 2])


def test_run_video_on_a_folder_of_frames(tmp_path):
    """A folder of frames is tracked like a video: numeric frame order, same result files and video."""
    folder = tmp_path / "MyClip" / "img"
    folder.mkdir(parents=True)
    for i in range(1, 13):              # 1.png .. 12.png: a plain name sort would put 10 before 2
        cv2.imwrite(str(folder / f"{i}.png"), np.full((48, 64, 3), 10 * i, np.uint8))
    (folder / "notes.txt").write_text("not a frame")
    tracker = Tracker("steptrk", "default", results_path=str(tmp_path / "res"))
    seen = []
    out = tracker.run_video(str(folder), [10, 10, 20, 12], save_results=True,
                            frame_callback=lambda i, image, o: seen.append(int(image[0, 0, 0])))
    assert seen == [10 * i for i in range(1, 13)]
    np.testing.assert_allclose(out.target_bbox[:, 0], 10 + np.arange(12))
    results = tmp_path / "res" / "steptrk" / "default"
    np.testing.assert_allclose(np.loadtxt(results / "video_MyClip.txt")[:, 0], 10 + np.arange(12))
    assert len(np.loadtxt(results / "video_MyClip_time.txt")) == 12
    cap = cv2.VideoCapture(str(results / "video_MyClip.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 12
    cap.release()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FrameReadError, match="no image files"):
        tracker.run_video(str(empty), [1, 1, 2, 2])


def test_run_video_cli_takes_a_folder(isolated_settings, capsys):
    from pytracking import run_video
    folder = isolated_settings / "frames"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i:05d}.jpg"), np.full((32, 32, 3), 100, np.uint8))
    assert run_video.main(["steptrk", "default", str(folder), "--optional_box", "1", "2", "8", "8",
                           "--save_results", "--fps", "5"]) == 0
    assert "3 frames" in capsys.readouterr().out
    boxes = np.loadtxt(isolated_settings / "results" / "steptrk" / "default" / "video_frames.txt")
    np.testing.assert_allclose(boxes[:, 0], [1, 2, 3])


def test_run_record_line_of_a_single_frame_sequence_shows_no_nan():
    from pytracking.evaluation.running import RunRecord
    line = RunRecord("eco:default", "One", "done", 1, float("nan"), 0.25).line()
    assert "      - FPS  (first frame 0.25 s)" in line and "nan" not in line
    assert "  12.50 FPS" in RunRecord("eco:default", "Two", "done", 2, 12.5, 0.25).line()


def test_run_video_cli_on_a_single_frame_says_nothing_was_timed(isolated_settings, capsys):
    from pytracking import run_video
    folder = isolated_settings / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "00001.jpg"), np.full((32, 32, 3), 100, np.uint8))
    assert run_video.main(["steptrk", "default", str(folder), "--optional_box", "1", "2", "8", "8"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("frames: 1 frame, no frame after the first to time") and "nan" not in out


def test_run_video_cli_output_alone_writes_the_annotated_video(isolated_settings, capsys):
    """As the help's example: ``--output out.mp4`` without --save_results still writes the video there
    (and the boxes)."""
    from pytracking import run_video
    folder = isolated_settings / "frames"
    folder.mkdir()
    for i in range(4):
        cv2.imwrite(str(folder / f"{i:05d}.png"), np.full((32, 32, 3), 100, np.uint8))
    out = isolated_settings / "elsewhere" / "out.mp4"
    out.parent.mkdir()
    assert run_video.main(["steptrk", "default", str(folder), "--optional_box", "1", "2", "8", "8",
                           "--output", str(out)]) == 0
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 4
    cap.release()
    boxes = np.loadtxt(isolated_settings / "results" / "steptrk" / "default" / "video_frames.txt")
    np.testing.assert_allclose(boxes[:, 0], [1, 2, 3, 4])
    assert not (isolated_settings / "results" / "steptrk" / "default" / "video_frames.mp4").exists()
    with pytest.raises(SystemExit) as stop:  # a name that is not .mp4 is an argument error
        run_video.main(["steptrk", "default", str(folder), "--optional_box", "1", "2", "8", "8",
                        "--output", str(out.with_suffix(".avi"))])
    assert stop.value.code == 2 and "give it a .mp4 name" in capsys.readouterr().err
    assert not out.with_suffix(".avi").exists()


@pytest.mark.parametrize("extra, message", [
    (["--optional_box", "1", "2", "0", "8"], "error: Initial box [1.0, 2.0, 0.0, 8.0] has zero or negative size"),
    (["--optional_box", "90", "2", "8", "8"], "error: Initial box [90.0, 2.0, 8.0, 8.0] lies fully outside the 32x32"),
    (["--optional_box", "1", "2", "8", "8", "learning_rate=2"],
     "error: ECO parameter learning_rate=2.0 must be in (0, 1) (overrides are key=value with a parameter name "
     "of pytracking/parameter/eco/default.py)"),
])
def test_run_video_cli_reports_a_bad_box_or_override_in_one_line(isolated_settings, capsys, extra, message):
    """What a user types wrong on the command line is one ``error:`` line (exit status 2), no
    traceback, and nothing is written."""
    from ltr.admin.cli import EXIT_USER_ERROR, call_main
    from pytracking import run_video
    folder = isolated_settings / "frames"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i:05d}.jpg"), np.full((32, 32, 3), 100, np.uint8))
    argv = ["eco", "default", str(folder), "--save_results", "--output", str(isolated_settings / "out.mp4"), *extra]
    assert call_main(run_video.main, argv) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert err.strip() == message or (err.startswith(message) and err.count("\n") == 1), err
    assert "Traceback" not in err
    assert not (isolated_settings / "out.mp4").exists() and not (isolated_settings / "results").exists()


def test_runs_with_overrides_get_their_own_results_folder(isolated_settings, seq, monkeypatch, capsys):
    """A run with key=value overrides must not be skipped because the plain run's results exist,
    nor overwrite them: its results go to <param>+<overrides>."""
    from pytracking import run_tracker
    from pytracking.evaluation.data import SequenceList

    class OneSequence:
        def get_sequence_list(self):
            return SequenceList([seq])

    monkeypatch.setattr(run_tracker, "load_dataset", lambda name: OneSequence())
    root = isolated_settings / "results" / "steptrk"
    assert run_tracker.main(["steptrk", "default"]) == 0
    assert run_tracker.main(["steptrk", "default", "step=2.5", "scales=(0.5, 1.0)"]) == 0
    out = capsys.readouterr().out
    assert "0 skipped" in out.splitlines()[-1]
    plain = np.loadtxt(root / "default" / "Seq1.txt")
    changed = np.loadtxt(root / "default+step=2.5+scales=_0.5,_1.0_" / "Seq1.txt")
    np.testing.assert_allclose(plain[:, 0], [5 + i for i in range(6)])
    np.testing.assert_allclose(changed[:, 0], [5 + 2.5 * i for i in range(6)])
    # the same overrides again: that run's results exist and are kept
    assert run_tracker.main(["steptrk", "default", "step=2.5", "scales=(0.5, 1.0)"]) == 0
    assert "1 skipped" in capsys.readouterr().out.splitlines()[-1]
