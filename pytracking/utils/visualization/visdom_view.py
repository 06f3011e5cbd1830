"""Live tracking views in visdom: the debug sink trackers write to, and the per-frame runner view.

Panes (window ids) the runner fills from every tracker's output dict, by debug level:

=====  ==================  =================================================================
level  window id           content
=====  ==================  =================================================================
1      ``frame``           frame with predicted box (green), ground truth (red, when known),
                           ``'anchor_box'`` (yellow, when the tracker gives one)
1      ``score_map``       heatmap of ``'score_map'`` (when the tracker gives one)
1      ``info``            sequence, frame number, predicted box
1      ``controls``        state (running / paused at frame N / finished) and key help; space
                           pauses/resumes, right arrow steps while paused (keys work whichever
                           pane has the focus)
2      ``proposals``       frame with ``'proposals'`` (blue) and ``'refined_boxes'`` (magenta)
2      ``cg_losses``       ``'cg_losses'`` of every frame appended into one curve
3      ``memory_weights``  ``'memory_weights'`` (weight per sample in the memory)
=====  ==================  =================================================================

A tracker may also send these items itself through ``self.debug_sink`` (same names); the runner
then does not send them again that frame. Its sink items named ``frame``, ``info`` or ``controls``
go to ``tracker_frame`` / ``tracker_info`` / ``tracker_controls`` (those three are the runner's).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np

from pytracking.utils.visualization.controls import HELP_HTML, PlaybackControl, PressFilter
from pytracking.utils.visualization.debug_sink import DebugSink
from pytracking.utils.visualization.visdom_client import VisdomClient

PANE_LEVELS = {"frame": 1, "score_map": 1, "info": 1, "controls": 1, "proposals": 2,
               "cg_losses": 2, "memory_weights": 3}
RUNNER_PANES = ("frame", "info", "controls")  # filled by the runner only
TRACKER_PREFIX = "tracker_"


class VisdomDebugSink(DebugSink):
    """Shows a tracker's debug items in visdom panes named after them (up to ``debug_level``).

    Names of the runner's own panes (:data:`RUNNER_PANES`) are shown as ``tracker_<name>``.
    The names sent since the last :meth:`take_sent` are recorded, so the runner does not send an
    output-dict item again (a curve appended twice) when the tracker already sent it this frame.
    """

    def __init__(self, client: VisdomClient, debug_level: int = 1) -> None:
        super().__init__(debug_level)
        self.client = client
        self._sent: set[str] = set()

    def _active(self) -> bool:
        return True

    def _win(self, name: str) -> str:
        self._sent.add(name)
        return TRACKER_PREFIX + name if name in RUNNER_PANES else name

    def take_sent(self) -> set[str]:
        """The pane names the tracker sent since the previous call."""
        sent, self._sent = self._sent, set()
        return sent

    def _show_image(self, name: str, image: Any, boxes: Mapping[str, Any], title: str) -> None:
        win = self._win(name)
        self.client.image(win, image, boxes, win if title == name else title)

    def _show_heatmap(self, name: str, data: Any, title: str) -> None:
        win = self._win(name)
        self.client.heatmap(win, data, win if title == name else title)

    def _show_line(self, name: str, values: Any, title: str, append: bool,
                   x: Optional[Sequence[float]]) -> None:
        win = self._win(name)
        self.client.line(win, values, win if title == name else title, append, x)

    def _show_info(self, name: str, items: Mapping[str, Any], title: str) -> None:
        win = self._win(name)
        self.client.info(win, items, win if title == name else title)


class VisdomTrackingView:
    """Runner frame callback: fills the panes of :data:`PANE_LEVELS` then honours pause/step.

    ``ground_truth`` is the sequence's ``N x 4`` annotation (or ``None``). An output-dict item
    whose pane the tracker already filled through its sink during this frame is not sent again.
    """

    def __init__(self, sink: VisdomDebugSink, control: Optional[PlaybackControl],
                 sequence_name: str, ground_truth: Optional[np.ndarray] = None) -> None:
        self.sink = sink
        self.client = sink.client
        self.level = sink.debug_level
        self.control = control
        self.sequence_name = sequence_name
        self.ground_truth = None if ground_truth is None else np.asarray(ground_truth, np.float64)

    def _wants(self, pane: str, output: dict, key: str, sent: set[str]) -> bool:
        return (PANE_LEVELS[pane] <= self.level and output.get(key) is not None
                and pane not in sent)

    def __call__(self, frame_index: int, image: np.ndarray, output: dict) -> None:
        client, sent = self.client, self.sink.take_sent()
        box = output.get("target_bbox")
        gt = None
        if self.ground_truth is not None and frame_index < len(self.ground_truth):
            gt = self.ground_truth[frame_index]
            if not np.isfinite(gt).all():
                gt = None
        num = frame_index + 1
        client.image("frame", image, {"gt": gt, "anchor": output.get("anchor_box"), "pred": box},
                     title=f"{self.sequence_name} #{num}")
        items = {"sequence": self.sequence_name, "frame": num, "box": box}
        if gt is not None:
            items["ground truth"] = gt
        client.info("info", items, title="info")
        if self._wants("score_map", output, "score_map", sent):
            client.heatmap("score_map", output["score_map"], title=f"score map #{num}")
        if (self._wants("proposals", output, "proposals", sent)
                or self._wants("proposals", output, "refined_boxes", sent)):
            client.image("proposals", image, {"proposals": output.get("proposals"),
                                              "refined": output.get("refined_boxes"), "pred": box},
                         title=f"proposals #{num}")
        if self._wants("cg_losses", output, "cg_losses", sent):
            client.line("cg_losses", output["cg_losses"], title="CG loss", append=frame_index > 0)
        if self._wants("memory_weights", output, "memory_weights", sent):
            client.line("memory_weights", output["memory_weights"], title="sample memory weights")
        if self.control is not None:
            self.control.wait(frame=num)

    def close(self) -> None:
        """End of the sequence: the controls pane says so."""
        if self.control is not None:
            self.control.finish()


STATE_TEXT = {"running": "&#9654; running", "paused": "&#10074;&#10074; paused at frame {frame}",
              "stepping": "&#9654;| stepping to frame {next}",
              "finished": "&#9632; finished at frame {frame}"}


def controls_html(state: str, frame: Optional[int]) -> str:
    """The ``controls`` pane: the state line (with the frame number) above the key help."""
    text = STATE_TEXT[state].format(frame=frame if frame is not None else "-",
                                    next=frame + 1 if frame is not None else "-")
    return (f'<p class="tracking-state" data-state="{state}" data-frame="{frame or 0}">'
            f"<b>{text}</b></p>" + HELP_HTML)


def install_controls(client: VisdomClient, control: PlaybackControl) -> None:
    """Show the controls pane and route key presses addressed to any pane to ``control``.

    visdom addresses a key press to the focused pane, so the handler listens on every pane; the
    copies the page sends of one press are dropped by a :class:`PressFilter`.
    """
    control.press_filter = PressFilter()
    control.status_listener = lambda state, frame: client.text(
        "controls", controls_html(state, frame), "controls")
    client.text("controls", controls_html("running", None), "controls")
    client.on_any_event(control.handle_event)
