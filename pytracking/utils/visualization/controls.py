"""Pause / step control of a tracking run from key presses in a visdom page.

visdom's page sends a ``KeyPress`` event to the client (``register_event_handler``) addressed to
the *focused* pane; but every image pane on the page sends one as well (addressed to the focused
pane too), and a focused text pane adds its own. One key press therefore arrives as several
identical events, one per image pane (+1 for a focused text pane). :class:`PressFilter` turns
each such burst back into one press. Space pauses and resumes; the right arrow, while paused, lets
exactly one more frame through. The tracking loop calls :meth:`PlaybackControl.wait` after every
frame; the state (running / paused at frame N / finished) goes to a status listener (the page's
``controls`` pane).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Mapping, Optional

logger = logging.getLogger(__name__)

KEY_SPACE = (" ", 32)
KEY_RIGHT = ("ArrowRight", 39)

HELP_HTML = ("<b>Tracking controls</b> (click any pane, then press keys)<br>"
             "<b>space</b>: pause / resume<br><b>&rarr;</b>: next frame while paused")

# The copies of one press are sent by the page in one go (one keyup handler per pane): they reach
# the client milliseconds apart. Two presses of the same key by a person are further apart.
BURST_WINDOW = 0.2  # seconds

StatusListener = Callable[[str, Optional[int]], None]


def _is_key(event: Mapping[str, Any], key: tuple[str, int]) -> bool:
    return event.get("key") == key[0] or event.get("key_code") == key[1]


class PressFilter:
    """Tells the first event of a key press from the copies the page sends with it.

    A burst is a run of events with the same target and key, each within ``window`` seconds of
    the previous one; its first event is the press, the others are copies. The copies of one press
    are sent in one go by the page, so they arrive milliseconds apart; two presses by a person are
    further apart than ``window``.
    """

    def __init__(self, window: float = BURST_WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._key: Optional[tuple] = None
        self._last = float("-inf")

    def is_new_press(self, event: Mapping[str, Any]) -> bool:
        """True for the first event of a press, False for a copy of the current burst."""
        key = (event.get("target"), event.get("key"), event.get("key_code"))
        now = self.clock()
        copy = key == self._key and now - self._last <= self.window
        self._key, self._last = key, now
        return not copy


class PlaybackControl:
    """Paused/running state driven by key events; thread-safe (events arrive on visdom's thread).

    ``press_filter`` drops the copies of a press (see :class:`PressFilter`); without one every
    event counts. ``status_listener(state, frame)`` is called (outside the lock) whenever the state
    shown to the user changes: ``state`` is ``'running'``, ``'paused'``, ``'stepping'`` or
    ``'finished'`` and ``frame`` the 1-based number of the last frame shown (or ``None``).
    """

    def __init__(self, poll_interval: float = 0.2, press_filter: Optional[PressFilter] = None,
                 status_listener: Optional[StatusListener] = None) -> None:
        self._cond = threading.Condition()
        self._status_lock = threading.Lock()  # one status update at a time, the latest state last
        self._paused = False
        self._steps = 0
        self._closed = False
        self._finished = False
        self._frame: Optional[int] = None
        self.presses = 0  # key presses acted on (after dropping copies)
        self.poll_interval = poll_interval
        self.press_filter = press_filter
        self.status_listener = status_listener

    @property
    def paused(self) -> bool:
        with self._cond:
            return self._paused

    @property
    def frame(self) -> Optional[int]:
        """The 1-based number of the last frame that called :meth:`wait`."""
        with self._cond:
            return self._frame

    def _state(self) -> str:
        if self._finished:
            return "finished"
        if not self._paused:
            return "running"
        return "stepping" if self._steps else "paused"

    def _publish(self) -> None:
        """Send the current state to the listener; updates from several threads cannot arrive out
        of order, since each one reads the state it sends while holding the status lock."""
        if self.status_listener is None:
            return
        with self._status_lock:
            with self._cond:
                state, frame = self._state(), self._frame
            self.status_listener(state, frame)

    def handle_event(self, event: Mapping[str, Any]) -> None:
        """React to one visdom event (other event types, other keys and copies are ignored)."""
        if event.get("event_type") != "KeyPress":
            return
        if not (_is_key(event, KEY_SPACE) or _is_key(event, KEY_RIGHT)):
            return
        if self.press_filter is not None and not self.press_filter.is_new_press(event):
            return
        with self._cond:
            self.presses += 1
            if _is_key(event, KEY_SPACE):
                self._paused = not self._paused
                self._steps = 0
                logger.info("Tracking %s", "paused" if self._paused else "resumed")
            elif self._paused:
                self._steps += 1
            else:
                return  # a step while running changes nothing
            self._cond.notify_all()
        self._publish()

    def wait(self, frame: Optional[int] = None, timeout: Optional[float] = None) -> bool:
        """Block while paused, until resumed, a step is granted or :meth:`close`.

        ``frame`` is the 1-based number of the frame just shown (reported to the status listener
        while paused). Returns False only when ``timeout`` seconds passed while still paused.
        """
        with self._cond:
            if frame is not None:
                self._frame = frame
            self._finished = False
            held = self._paused and self._steps == 0 and not self._closed
        if held:
            self._publish()
        with self._cond:
            remaining = timeout
            while self._paused and self._steps == 0 and not self._closed:
                if remaining is not None and remaining <= 0:
                    return False
                wait_for = self.poll_interval if remaining is None else min(self.poll_interval,
                                                                            remaining)
                self._cond.wait(wait_for)
                if remaining is not None:
                    remaining -= wait_for
            if self._paused and self._steps > 0:
                self._steps -= 1
            return True

    def finish(self) -> None:
        """End of a sequence: the listener is told (the state stays until the next frame)."""
        with self._cond:
            self._finished = True
        self._publish()

    def close(self) -> None:
        """Release any waiting loop for good (end of run)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
