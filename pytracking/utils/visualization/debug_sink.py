"""The debugging interface a tracker talks to: ``self.debug_sink`` of every tracker.

A tracker calls e.g. ``self.debug_sink.heatmap('score', scores, level=1)`` wherever it has something
worth showing; the runner decides where it goes. The base :class:`DebugSink` discards everything
(the default when no visualization is active, so a tracker never needs to check), the visdom sink
shows it in a pane named after the first argument. ``level`` is the debug level from which the item
is shown: the sink drops items above its own level before any conversion work is done.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence


class DebugSink:
    """Receives a tracker's debug data; this base class discards it (no visualization active)."""

    def __init__(self, debug_level: int = 0) -> None:
        self.debug_level = int(debug_level)

    def enabled(self, level: int = 1) -> bool:
        """True when items of debug ``level`` are shown (trackers may skip costly work otherwise)."""
        return self._active() and 0 < level <= self.debug_level

    def _active(self) -> bool:
        return False

    # Each method shows one pane named ``name``; subclasses implement the ``_show_*`` hooks.
    def image(self, name: str, image: Any, boxes: Optional[Mapping[str, Any]] = None,
              level: int = 1, title: Optional[str] = None) -> None:
        """An RGB ``H x W x 3`` image; ``boxes`` maps a label ('pred', 'gt', 'anchor', 'proposals',
        'refined' or any other) to one ``[x, y, w, h]`` box or ``N x 4`` boxes drawn on it."""
        if self.enabled(level):
            self._show_image(name, image, boxes or {}, title or name)

    def heatmap(self, name: str, data: Any, level: int = 1, title: Optional[str] = None) -> None:
        """A 2-D map (score map, response map), row 0 at the top as in the image."""
        if self.enabled(level):
            self._show_heatmap(name, data, title or name)

    def line(self, name: str, values: Any, level: int = 1, title: Optional[str] = None,
             append: bool = False, x: Optional[Sequence[float]] = None) -> None:
        """A curve of ``values`` (e.g. CG losses); ``append`` continues the curve already shown."""
        if self.enabled(level):
            self._show_line(name, values, title or name, append, x)

    def info(self, name: str, items: Mapping[str, Any], level: int = 1,
             title: Optional[str] = None) -> None:
        """A two-column table of ``items`` (frame number, FPS, box, ...)."""
        if self.enabled(level):
            self._show_info(name, items, title or name)

    # ------------------------------------------------------------------ hooks
    def _show_image(self, name: str, image: Any, boxes: Mapping[str, Any], title: str) -> None:
        pass

    def _show_heatmap(self, name: str, data: Any, title: str) -> None:
        pass

    def _show_line(self, name: str, values: Any, title: str, append: bool,
                   x: Optional[Sequence[float]]) -> None:
        pass

    def _show_info(self, name: str, items: Mapping[str, Any], title: str) -> None:
        pass
