"""The live page and the saved videos as a person uses them: headless Chromium, real input events.

Skipped when Chromium is not installed (``.ci/run`` installs it: apt-get install -y chromium).
"""
import base64
import functools
import http.server
import threading
import time

import cv2
import numpy as np
import pytest

from browser import Browser, chromium_path, until
from visdom_probe import (FRAME_H, FRAME_W, NUM_FRAMES, STEP, expected_box, free_port,
                          write_frames)
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.tracker import Tracker
from pytracking.utils.frame_saver import FrameSaver
from pytracking.utils.visualization.session import VisualizationOptions, VisualizationSession

pytestmark = pytest.mark.skipif(chromium_path() is None,
                                reason="chromium is not installed (apt-get install -y chromium)")

# the pane whose title or text contains the given string: its centre in page coordinates
_PANE_CENTRE = """(() => {{
  for (const e of document.querySelectorAll('.react-grid-item')) {{
    const bar = e.querySelector('.bar');
    if ((bar && bar.innerText.includes({text!r})) || e.innerText.includes({text!r})) {{
      const r = e.getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2];
    }}
  }}
  return null;
}})()"""
_STATE = ("(() => {const p = document.querySelector('.tracking-state'); "
          "return p ? p.dataset.state + ' ' + p.dataset.frame : null;})()")
_IMAGE_PANES = "document.querySelectorAll('.react-grid-item img').length"


@pytest.fixture
def browser(tmp_path):
    with Browser(tmp_path / "profile", free_port()) as b:
        yield b


def _click_pane(browser, text):
    centre = browser.wait_for(_PANE_CENTRE.format(text=text))
    assert centre, f"no pane with {text!r} on the page"
    browser.click(*centre)
    time.sleep(0.3)  # the focus, then keys: more than the page's copy window apart


@pytest.mark.slow
@pytest.mark.parametrize("level", [1, 2, 3])
def test_keys_pause_and_step_whichever_pane_has_focus(level, visdom_server, probe_tracker,
                                                      probe_sequence, results_root, browser):
    """One key press is one action at every debug level, though the page sends it several times
    (once per image pane, plus once from a focused text pane)."""
    from pytracking.utils.visdom_server import check_front_end

    missing = check_front_end()
    if missing:
        pytest.skip(f"visdom front-end files missing ({missing[0]}, ...): run "
                    "python -m pytracking.utils.visdom_assets")
    env = f"keys{level}"
    session = VisualizationSession(VisualizationOptions(
        debug_level=level, use_visdom=True, visdom_port=visdom_server, visdom_env=env))
    seen = []
    thread = None
    try:
        control = session.control
        callbacks = session.sequence_callbacks("Probe", probe_sequence.ground_truth_rect,
                                               results_root)

        def callback(i, image, out):
            seen.append(i)
            callbacks(i, image, out)

        browser.goto(f"http://127.0.0.1:{visdom_server}/env/{env}")
        assert browser.wait_for(_STATE) == "running 0"
        _click_pane(browser, "Tracking controls")
        browser.press(" ")
        assert browser.wait_for(f"{_STATE} === 'paused 0'"), browser.js(_STATE)
        assert control.paused and control.presses == 1
        thread = threading.Thread(target=Tracker("visprobe", "default").run_sequence,
                                  args=(probe_sequence,),
                                  kwargs={"debug": level, "frame_callback": callback,
                                          "debug_sink": session.sink})
        thread.start()
        assert browser.wait_for(f"{_STATE} === 'paused 1'"), browser.js(_STATE)
        assert seen == [0] and browser.js(_IMAGE_PANES) == 1  # the frame pane
        # one -> per pane kind that can have the focus: text, image, text, plot
        for frame, pane in enumerate(["Tracking controls", f"Probe #", "sequence", "score map"],
                                     start=2):
            _click_pane(browser, pane)
            browser.press("ArrowRight")
            assert browser.wait_for(f"{_STATE} === 'paused {frame}'"), (pane, browser.js(_STATE))
            time.sleep(0.3)  # a second step would come within this
            assert seen == list(range(frame)), (pane, seen)
            assert browser.js(_STATE) == f"paused {frame}"
            # from frame 2 on, level >= 2 adds the proposals pane: one more copy of every press
            assert browser.js(_IMAGE_PANES) == (1 if level == 1 else 2)
        assert browser.wait_for(_PANE_CENTRE.format(text=f"Probe #{NUM_FRAMES}"))
        assert control.presses == 1 + 4
        browser.press(" ")  # resume: the last frame was shown, the sequence ends
        thread.join(10)
        assert not thread.is_alive() and seen == list(range(NUM_FRAMES))
        callbacks.close()
        assert browser.wait_for(f"{_STATE} === 'finished {NUM_FRAMES}'"), browser.js(_STATE)
        assert control.presses == 1 + 4 + 1
    finally:
        session.close()
        if thread is not None:
            thread.join(10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_folder(tmp_path):
    """Serves tmp_path/site on a loopback port (same origin: the page may read video pixels)."""
    site = tmp_path / "site"
    site.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, server.server_address[1]
    server.shutdown()
    server.server_close()


_VIDEO_STATE = """(() => {const v = document.querySelector('video');
  return {t: v.currentTime, ready: v.readyState, error: v.error && v.error.code,
          duration: v.duration, w: v.videoWidth, h: v.videoHeight, paused: v.paused};})()"""

# the frame on screen while playing: currentTime before and after drawing it, and the drawing
_FRAME_NOW = """(() => {
  const v = document.querySelector('video');
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const t0 = v.currentTime;
  c.getContext('2d').drawImage(v, 0, 0);
  return [t0, v.currentTime, c.toDataURL('image/png')];
})()"""


def _green_left_edge(data_url):
    """The leftmost column of the drawn (green) box in a PNG data URL, or None."""
    png = np.frombuffer(base64.b64decode(data_url.split(",", 1)[1]), np.uint8)
    img = cv2.imdecode(png, cv2.IMREAD_COLOR)[:, :, ::-1].astype(int)
    cols = np.flatnonzero(((img[:, :, 1] > 170) & (img[:, :, 0] < 90) & (img[:, :, 2] < 90)).any(0))
    return int(cols.min()) if cols.size else None


@pytest.mark.slow
def test_saved_video_plays_in_the_browser(tmp_path, http_folder, browser, probe_tracker):
    """The saved MP4 loads in a <video> element, plays (time advances, no media error), and shows
    the tracked box where the tracker put it."""
    site, port = http_folder
    fps, n = 10.0, 30
    frames = write_frames(tmp_path / "frames", n)
    boxes = np.array([expected_box(i) for i in range(n)])
    seq = Sequence("Long", frames, "test", boxes)
    saver = FrameSaver(video_path=site / "Long_vis.mp4", fps=fps)
    Tracker("visprobe", "default").run_sequence(seq, frame_callback=saver)
    saver.close()
    (site / "index.html").write_text(
        '<html><body><video src="Long_vis.mp4" muted autoplay playsinline></video></body></html>')
    browser.goto(f"http://127.0.0.1:{port}/index.html")
    assert browser.wait_for("document.querySelector('video') && "
                            "document.querySelector('video').readyState >= 2"), \
        browser.js(_VIDEO_STATE)
    assert until(lambda: browser.js(_VIDEO_STATE)["t"] > 0.5, timeout=20), browser.js(_VIDEO_STATE)
    state = browser.js(_VIDEO_STATE)
    assert state["error"] is None and not state["paused"]
    assert (state["w"], state["h"]) == (FRAME_W, FRAME_H)
    assert abs(state["duration"] - n / fps) < 1.5 / fps
    # while it plays, the frame on screen is the one for its time: the box (STEP px further right
    # per frame) where the tracker put it in that frame (the 2 px line starts 1 px left of x)
    lefts = []
    for after in (0.8, 1.6):
        assert until(lambda: browser.js(_VIDEO_STATE)["t"] > after, timeout=20)
        t0, t1, url = browser.js(_FRAME_NOW)
        left = _green_left_edge(url)
        candidates = range(int(t0 * fps) - 1, int(t1 * fps) + 1)  # painting may lag one frame
        assert left is not None and any(left - expected_box(k)[0] in (-1, 0)
                                        for k in candidates), (t0, t1, left)
        lefts.append(left)
    assert lefts[1] - lefts[0] >= STEP * 5  # at least 0.6 s = 6 frames later
