"""Live visdom debugging against a real loopback server started by the test."""
import base64
import json
import logging
import shutil
import subprocess
import threading
import time

import cv2
import numpy as np
import pytest

from visdom_probe import (FRAME_H, FRAME_W, GT_OFFSET, NUM_FRAMES, expected_box, free_port,
                      score_map_for, windows, write_frames)
from pytracking import run_tracker
from pytracking.evaluation.data import Sequence
from pytracking.utils.visualization.session import VisualizationOptions, VisualizationSession
from pytracking.utils.visualization.training import VisdomTrainingPlotter

GREEN = [0, 255, 0]
RED = [255, 0, 0]


def _decode_image(window):
    content = window["content"]
    src = content["src"]
    assert src.startswith("data:image/jpeg;base64,")  # frames go as JPEG (fast to encode)
    data = np.frombuffer(base64.b64decode(src.split(",", 1)[1]), np.uint8)
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1]


def _run(port, env, debug, extra=()):
    return run_tracker.main(["visprobe", "default", "--debug", str(debug), "--use_visdom",
                             "--visdom_port", str(port), "--visdom_env", env, "--rerun", *extra])


def test_debug_1_windows(visdom_server, probe_tracker, probe_sequence, dataset_with, results_root):
    dataset_with([probe_sequence])
    assert _run(visdom_server, "level1", 1) == 0
    wins = windows(visdom_server, "level1")
    assert set(wins) == {"frame", "score_map", "info", "controls"}
    assert {k: w["type"] for k, w in wins.items()} == {
        "frame": "image", "score_map": "plot", "info": "text", "controls": "text"}
    frame = wins["frame"]
    assert (frame["width"], frame["height"]) == (FRAME_W, FRAME_H)
    assert frame["title"] == f"Probe #{NUM_FRAMES}"
    img = _decode_image(frame)
    assert img.shape == (FRAME_H, FRAME_W, 3)
    x, y, w, h = (int(v) for v in expected_box(NUM_FRAMES - 1))
    assert np.abs(img[y, x + w // 2].astype(int) - GREEN).max() < 40  # the last predicted box
    gx, gy = x + int(GT_OFFSET[0]), y + int(GT_OFFSET[1])
    assert np.abs(img[gy + h - 1, gx + w // 2].astype(int) - RED).max() < 40  # its ground truth
    assert np.abs(img[y + h // 2, x + w // 2].astype(int) - GREEN).max() > 100  # not inside
    heat = wins["score_map"]["content"]["data"][0]
    assert heat["type"] == "heatmap"
    np.testing.assert_array_equal(np.array(heat["z"], float), score_map_for(NUM_FRAMES))
    # plotly draws row 0 at the bottom unless the y axis is reversed: reversed, it reads like the image
    assert wins["score_map"]["content"]["layout"]["yaxis"]["autorange"] == "reversed"
    assert "Probe" in wins["info"]["content"] and "space" in wins["controls"]["content"]


def test_debug_3_adds_proposals_losses_and_memory(visdom_server, probe_tracker, probe_sequence,
                                                  dataset_with, results_root):
    dataset_with([probe_sequence])
    assert _run(visdom_server, "level3", 3) == 0
    wins = windows(visdom_server, "level3")
    assert set(wins) == {"frame", "score_map", "info", "controls", "proposals", "cg_losses",
                         "memory_weights", "tracker_side"}
    props = _decode_image(wins["proposals"])
    assert props.shape == (FRAME_H, FRAME_W, 3)
    loss = wins["cg_losses"]["content"]["data"][0]
    # frames 2..5 each report [1/n, 0.5/n]; appended into one curve with x = 1, 2, ...
    expected = [v for n in range(2, NUM_FRAMES + 1) for v in (1.0 / n, 0.5 / n)]
    np.testing.assert_allclose(loss["y"], expected)
    np.testing.assert_allclose(loss["x"], np.arange(1, len(expected) + 1))
    mem = wins["memory_weights"]["content"]["data"][0]
    np.testing.assert_allclose(mem["y"], np.full(NUM_FRAMES, 1.0 / NUM_FRAMES))
    side = wins["tracker_side"]["content"]["data"][0]  # sent by the tracker through its sink
    np.testing.assert_array_equal(side["z"], np.full((3, 4), float(NUM_FRAMES)))


def _browser_socket(port):
    websocket = pytest.importorskip("websocket")
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket", timeout=5)
    return ws


def _press(ws, env, win, key, code):
    ws.send(json.dumps({"cmd": "forward_to_vis", "data": {
        "eid": env, "target": win, "event_type": "KeyPress", "key": key, "key_code": code,
        "pane_data": False}}))


def _until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_keys_from_the_page_pause_and_step(visdom_server, probe_tracker, probe_sequence,
                                           results_root):
    """Key presses travel browser socket -> server -> client handler, as from the real page."""
    from pytracking.evaluation.tracker import Tracker
    session = VisualizationSession(VisualizationOptions(
        debug_level=1, use_visdom=True, visdom_port=visdom_server, visdom_env="keys"))
    ws = _browser_socket(visdom_server)
    try:
        assert session.control is not None
        _press(ws, "keys", "controls", " ", 32)
        assert _until(lambda: session.control.paused)
        callbacks = session.sequence_callbacks("Probe", probe_sequence.ground_truth_rect,
                                               results_root)
        seen = []

        def callback(i, image, out):
            seen.append(i)
            callbacks(i, image, out)

        tracker = Tracker("visprobe", "default")
        thread = threading.Thread(target=tracker.run_sequence, args=(probe_sequence,),
                                  kwargs={"frame_callback": callback, "debug_sink": session.sink})
        thread.start()
        assert _until(lambda: seen == [0])
        time.sleep(0.3)
        assert seen == [0]  # paused after the first frame
        _press(ws, "keys", "frame", "ArrowRight", 39)  # the frame pane listens too
        assert _until(lambda: seen == [0, 1])
        time.sleep(0.3)
        assert seen == [0, 1]  # exactly one step
        _press(ws, "keys", "controls", " ", 32)
        thread.join(10)
        assert not thread.is_alive() and seen == list(range(NUM_FRAMES))
    finally:
        ws.close()
        session.close()


def test_no_server_warns_once_and_changes_nothing(probe_tracker, probe_sequence, dataset_with,
                                                  results_root, caplog):
    second = Sequence("Probe2", probe_sequence.frames, "test", probe_sequence.ground_truth_rect)
    dataset_with([probe_sequence, second])
    port = free_port()  # nothing listens here
    assert run_tracker.main(["visprobe", "default", "--debug", "1", "--runid", "0"]) == 0
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert _run(port, "none", 1, ["--runid", "1"]) == 0
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and f":{port}" in warnings[0].getMessage()
    for name in ("Probe", "Probe2"):
        a = (results_root / "visprobe" / "default_000" / f"{name}.txt").read_text()
        b = (results_root / "visprobe" / "default_001" / f"{name}.txt").read_text()
        assert a == b


class _Meter:
    def __init__(self, history):
        self.history = history
        self.has_new_data = True


def test_training_curves(visdom_server):
    plotter = VisdomTrainingPlotter(port=visdom_server, env="train_probe")
    assert plotter.connected
    for epoch, (tr, va) in enumerate([(0.9, 1.1), (0.5, 0.8)], start=1):
        hist_tr = [0.9, 0.5][:epoch]
        hist_va = [1.1, 0.8][:epoch]
        assert plotter.write_epoch({"train": {"Loss/total": _Meter(hist_tr)},
                                    "val": {"Loss/total": _Meter(hist_va)}}, epoch) == 2
    traces = windows(visdom_server, "train_probe")["train_Loss_total"]["content"]["data"]
    by_name = {t["name"]: t for t in traces}
    assert by_name["train"]["x"] == [1.0, 2.0] and by_name["train"]["y"] == [0.9, 0.5]
    assert by_name["val"]["x"] == [1.0, 2.0] and by_name["val"]["y"] == [1.1, 0.8]


def _mask_near(img, rgb, tol=12):
    return np.abs(img.astype(int) - np.array(rgb)).max(axis=2) <= tol


def _pixels_near(img, rgb, tol=12):
    return int(_mask_near(img, rgb, tol).sum())


def test_page_renders_in_headless_chromium(visdom_server, probe_tracker, tmp_path, dataset_with,
                                           results_root):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from pytracking.utils.visdom_server import check_front_end
    missing = check_front_end()
    if missing:
        pytest.skip(f"visdom front-end files missing ({missing[0]}, ...): run "
                    "python -m pytracking.utils.visdom_assets")
    color = (200, 40, 160)  # a frame colour that appears nowhere else on the page
    frames = write_frames(tmp_path / "solid", 3, color=color, size=(160, 120))
    dataset_with([Sequence("Solid", frames, "test", np.tile([20.0, 20.0, 40.0, 30.0], (3, 1)))])
    assert _run(visdom_server, "shot", 1) == 0
    shot = tmp_path / "page.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={shot}", "--window-size=1400,1000",
                    "--virtual-time-budget=10000",
                    f"http://127.0.0.1:{visdom_server}/env/shot"],
                   capture_output=True, timeout=60, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    img = cv2.imread(str(shot))[:, :, ::-1]
    assert img.shape[:2] == (1000, 1400)
    # the frame pane: the frame's colour covers a large area (the pane scales the 160 x 120 image)
    assert _pixels_near(img, color) > 4000
    # the heatmap pane: plotly's viridis colours of the score map (zeros, peak, 0.5 marker)
    purple = _mask_near(img, (68, 1, 84))
    assert purple.sum() > 2000
    body_cols = np.flatnonzero(purple.sum(axis=0) > 100)  # the map's body, not its colour bar
    x0, x1 = body_cols.min(), body_cols.max()
    peak = np.argwhere(_mask_near(img, (253, 231, 37))[:, x0:x1 + 1])
    marker = np.argwhere(_mask_near(img, (33, 145, 140))[:, x0:x1 + 1])
    assert len(peak) > 20 and len(marker) > 20
    # drawn like the image: the peak (row 2, col 3) above and right of the marker (row 8, col 0)
    assert peak[:, 0].mean() < marker[:, 0].mean() and peak[:, 1].mean() > marker[:, 1].mean()
    # a rendered page is not one flat colour (what a blank page would be)
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50
    shutil.copy(shot, results_root.parent / "visdom_page.png")


def test_run_video_streams_to_visdom(visdom_server, probe_tracker, tmp_path, results_root):
    from pytracking import run_video

    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (FRAME_W, FRAME_H))
    for _ in range(3):
        writer.write(np.full((FRAME_H, FRAME_W, 3), 100, np.uint8))
    writer.release()
    assert run_video.main(["visprobe", "default", str(video), "--optional_box", "10", "12", "20",
                           "16", "--use_visdom", "--visdom_port", str(visdom_server),
                           "--visdom_env", "video"]) == 0
    wins = windows(visdom_server, "video")
    assert {"frame", "score_map", "info", "controls"} <= set(wins)
    assert wins["frame"]["title"] == "clip #3"
