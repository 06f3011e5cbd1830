"""Pause / step control of a tracking run from key presses in a visdom pane.

The browser sends ``KeyPress`` events of the focused pane to the client (visdom's
``register_event_handler``). Space pauses and resumes; the right arrow, while paused, lets exactly
one more frame through. The tracking loop calls :meth:`PlaybackControl.wait` after every frame.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Mapping, Optional

logger = logging.getLogger(__name__)

KEY_SPACE = (" ", 32)
KEY_RIGHT = ("ArrowRight", 39)

HELP_HTML = ("<b>Tracking controls</b> (click this pane, then press keys)<br>"
             "<b>space</b>: pause / resume<br><b>&rarr;</b>: next frame while paused")


def _is_key(event: Mapping[str, Any], key: tuple[str, int]) -> bool:
    return event.get("key") == key[0] or event.get("key_code") == key[1]


class PlaybackControl:
    """Paused/running state driven by key events; thread-safe (events arrive on visdom's thread)."""

    def __init__(self, poll_interval: float = 0.2) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._steps = 0
        self._closed = False
        self.poll_interval = poll_interval

    @property
    def paused(self) -> bool:
        with self._cond:
            return self._paused

    def handle_event(self, event: Mapping[str, Any]) -> None:
        """React to one visdom event (other event types and keys are ignored)."""
        if event.get("event_type") != "KeyPress":
            return
        with self._cond:
            if _is_key(event, KEY_SPACE):
                self._paused = not self._paused
                self._steps = 0
                logger.info("Tracking %s", "paused" if self._paused else "resumed")
            elif _is_key(event, KEY_RIGHT) and self._paused:
                self._steps += 1
            else:
                return
            self._cond.notify_all()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block while paused, until resumed, a step is granted or :meth:`close`.

        Returns False only when ``timeout`` seconds passed while still paused.
        """
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

    def close(self) -> None:
        """Release any waiting loop for good (end of run)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
