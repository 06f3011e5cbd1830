"""Pause / step logic and the debug sink's level filtering (no server)."""
import threading

import numpy as np

from pytracking.utils.visualization.controls import PlaybackControl
from pytracking.utils.visualization.debug_sink import DebugSink
from pytracking.utils.visualization.visdom_client import VisdomClient
from pytracking.utils.visualization.visdom_view import VisdomDebugSink

SPACE = {"event_type": "KeyPress", "key": " ", "key_code": 32}
RIGHT = {"event_type": "KeyPress", "key": "ArrowRight", "key_code": 39}


def test_space_pauses_right_arrow_steps_space_resumes():
    control = PlaybackControl(poll_interval=0.01)
    assert control.wait(timeout=0.05) is True  # running: never blocks
    control.handle_event(RIGHT)  # a step while running is ignored ...
    control.handle_event(SPACE)
    assert control.paused
    assert control.wait(timeout=0.05) is False  # ... so the paused loop is held
    control.handle_event(RIGHT)
    control.handle_event({"event_type": "KeyPress", "key_code": 39})  # key code alone works too
    assert control.wait(timeout=0.05) is True  # two steps granted: two frames pass
    assert control.wait(timeout=0.05) is True
    assert control.wait(timeout=0.05) is False
    control.handle_event({"event_type": "Click"})
    control.handle_event({"event_type": "KeyPress", "key": "a", "key_code": 65})
    assert control.paused and control.wait(timeout=0.05) is False
    control.handle_event(SPACE)
    assert not control.paused and control.wait(timeout=0.05) is True


def test_a_blocked_loop_is_released_by_events_from_another_thread():
    control = PlaybackControl(poll_interval=0.01)
    control.handle_event(SPACE)
    passed = []

    def loop():
        for i in range(3):
            passed.append(i)
            control.wait()

    thread = threading.Thread(target=loop)
    thread.start()
    thread.join(0.2)
    assert passed == [0]  # held after the first frame
    control.handle_event(RIGHT)
    thread.join(0.2)
    assert passed == [0, 1]
    control.close()  # end of run: released for good
    thread.join(2)
    assert not thread.is_alive() and passed == [0, 1, 2]


class _RecordingVis:
    """Stands in for visdom.Visdom: records the calls."""

    def __init__(self):
        self.calls = []

    def heatmap(self, X, win, env, opts):
        self.calls.append(("heatmap", win, np.asarray(X)))

    def line(self, Y, X, win, env, update, opts, name=None):
        self.calls.append(("line", win, np.asarray(X).tolist(), np.asarray(Y).tolist(), update))


def test_sink_levels_and_line_append():
    assert not DebugSink(3).enabled(1)  # the default sink shows nothing at any level
    vis = _RecordingVis()
    sink = VisdomDebugSink(VisdomClient(vis, "e"), debug_level=2)
    assert sink.enabled(1) and sink.enabled(2) and not sink.enabled(3)
    sink.heatmap("a", np.arange(6).reshape(2, 3), level=2)
    sink.heatmap("b", np.zeros((2, 2)), level=3)  # above the sink's level: dropped
    sink.line("loss", [3.0, 2.0])
    sink.line("loss", [1.0], append=True)
    assert [c[1] for c in vis.calls] == ["a", "loss", "loss"]
    np.testing.assert_array_equal(vis.calls[0][2], [[0, 1, 2], [3, 4, 5]])
    assert vis.calls[1][2:] == ([1.0, 2.0], [3.0, 2.0], None)
    assert vis.calls[2][2:] == ([3.0], [1.0], "append")


class _RecordingVisAll(_RecordingVis):
    def image(self, img, win, env, opts):
        self.calls.append(("image", win, np.asarray(img).shape))

    def text(self, text, win, env, opts):
        self.calls.append(("text", win, text))


def test_tracker_items_are_not_sent_twice_and_runner_panes_stay_the_runners():
    from pytracking.utils.visualization.visdom_view import VisdomTrackingView

    vis = _RecordingVisAll()
    sink = VisdomDebugSink(VisdomClient(vis, "e"), debug_level=2)
    view = VisdomTrackingView(sink, None, "Seq", np.array([[1.0, 2.0, 5.0, 6.0]] * 3))
    image = np.zeros((20, 30, 3), np.uint8)
    # during the frame the tracker sends its own 'frame' image and its CG losses
    sink.image("frame", image, {"anchor": [1, 1, 4, 4]})
    sink.line("cg_losses", [0.5, 0.4], append=True)
    out = {"target_bbox": [2.0, 2.0, 5.0, 6.0], "cg_losses": [0.5, 0.4],
           "score_map": np.ones((3, 3)), "memory_weights": [1.0]}
    view(1, image, out)
    wins = [c[1] for c in vis.calls]
    assert wins.count("cg_losses") == 1  # not appended a second time by the runner
    assert "tracker_frame" in wins and wins.count("frame") == 1  # the runner's pane is its own
    assert "score_map" in wins and "info" in wins
    assert "memory_weights" not in wins  # level 3 > 2
    vis.calls.clear()
    view(2, image, out)  # next frame, tracker sent nothing itself: the runner sends the losses
    assert [c[1] for c in vis.calls].count("cg_losses") == 1


def test_heatmaps_are_reduced_for_display():
    from pytracking.utils.visualization.visdom_client import display_heatmap

    np.testing.assert_array_equal(
        display_heatmap(np.array([[0.123456, -98765.4321], [3.14159e-7, np.inf]])),
        [[0.1235, -98770.0], [3.142e-7, np.nan]])
    # 256 x 256 made of 2 x 2 blocks -> 128 x 128 block means
    blocks = np.arange(128 * 128, dtype=float).reshape(128, 128) / 100
    big = np.repeat(np.repeat(blocks, 2, axis=0), 2, axis=1)
    big[::2, ::2] += 0.25  # block mean += 0.0625
    reduced = display_heatmap(big)
    assert reduced.shape == (128, 128)
    expected = blocks + 0.0625
    np.testing.assert_allclose(reduced, expected, rtol=5e-4)
    small = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(display_heatmap(small), small)  # small maps unchanged


class _DyingVis(_RecordingVis):
    """Answers twice, then behaves like visdom's client (raise_exceptions=True) without a server."""

    def text(self, text, win, env, opts):
        if len(self.calls) >= 2:
            raise ConnectionError("Error connecting to Visdom server")
        self.calls.append(("text", win, text))


def test_a_lost_server_warns_once_and_stops_sending(caplog):
    import logging

    vis = _DyingVis()
    client = VisdomClient(vis, "e")
    with caplog.at_level(logging.WARNING):
        for i in range(5):
            client.info("info", {"frame": i})
    assert len(vis.calls) == 2 and not client.alive
    assert sum("stopped answering" in r.getMessage() for r in caplog.records) == 1


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_copies_of_one_press_count_once():
    """visdom's page sends one press once per image pane (+1 from a focused text pane), all
    addressed to the focused pane, milliseconds apart."""
    from pytracking.utils.visualization.controls import PressFilter

    clock = _Clock()
    states = []
    control = PlaybackControl(poll_interval=0.01, press_filter=PressFilter(window=0.2, clock=clock),
                              status_listener=lambda state, frame: states.append((state, frame)))
    space = {**SPACE, "target": "controls"}
    right = {**RIGHT, "target": "frame"}
    for _ in range(3):  # debug 2: frame + proposals image panes + the focused controls pane
        control.handle_event(space)
        clock.now += 0.002
    assert control.paused and control.presses == 1 and states == [("paused", None)]
    assert control.wait(frame=7, timeout=0.05) is False
    assert states[-1] == ("paused", 7)  # the page shows where it stopped
    clock.now += 1.0
    for _ in range(2):
        control.handle_event(right)
        clock.now += 0.002
    assert control.presses == 2 and states[-1] == ("stepping", 7)
    assert control.wait(frame=8, timeout=0.05) is True  # exactly one frame passes ...
    assert control.wait(frame=8, timeout=0.05) is False  # ... then it holds again
    clock.now += 0.3  # a second press of the same key, later than the copy window: counts
    control.handle_event(right)
    assert control.presses == 3 and control.wait(timeout=0.05) is True
    clock.now += 0.05  # same key but another focused pane: another press, not a copy
    control.handle_event({**RIGHT, "target": "info"})
    assert control.presses == 4 and control.wait(timeout=0.05) is True
    clock.now += 1.0
    control.handle_event(space)
    assert not control.paused and states[-1] == ("running", 8)
    control.finish()
    assert states[-1] == ("finished", 8)


def test_events_of_every_pane_reach_the_handler():
    """The handler is registered on the panes the server has and on every pane created later
    (visdom addresses a key press to whichever pane has the focus)."""

    class _Vis(_RecordingVisAll):
        def __init__(self):
            super().__init__()
            self.event_handlers = {}
            self.use_socket = True

        def get_window_data(self, env):
            return '{"old_pane": {"type": "plot"}}'

        def register_event_handler(self, handler, target):
            self.event_handlers.setdefault(target, []).append(handler)

        def clear_event_handlers(self, target):
            self.event_handlers[target] = []

    vis = _Vis()
    client = VisdomClient(vis, "e")
    client.text("controls", "help")
    got = []
    client.on_any_event(got.append)
    client.image("frame", np.zeros((4, 4, 3), np.uint8))
    client.heatmap("score_map", np.zeros((2, 2)))
    assert {k for k, v in vis.event_handlers.items() if v} == {"old_pane", "controls", "frame",
                                                               "score_map"}
    assert all(len(v) == 1 for v in vis.event_handlers.values())  # once each
    client.close()
    client.image("later", np.zeros((4, 4, 3), np.uint8))
    assert not any(vis.event_handlers.values())  # closed: nothing listens any more
