"""A thin wrapper around visdom's client with typed panes, and a one-shot reachability check.

:func:`connect` asks the server once, with a short timeout, whether it answers. When it does not,
it logs one warning (per server address and process) and returns ``None``, so callers go on at full
speed without visdom; visdom's own client is created only for a server that answered. A server
that goes away later gives one more warning, and the client stops sending (tracking goes on).
"""
from __future__ import annotations

import html
import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Any, Callable, Mapping, Optional, Sequence

import cv2
import numpy as np

from pytracking.utils.visualization.render import (
    ANCHOR_COLOR, GT_COLOR, PRED_COLOR, PROPOSAL_COLOR, REFINED_COLOR, as_boxes, as_score_map,
    draw_boxes, to_numpy)

logger = logging.getLogger(__name__)

DEFAULT_SERVER = "127.0.0.1"
DEFAULT_PORT = 8097
REACH_TIMEOUT = 0.5  # seconds for the one reachability check
JPEG_QUALITY = 90  # image panes are sent as JPEG: 5-10x faster to encode than PNG for video frames
MAX_HEATMAP_SIDE = 128  # larger maps are area-averaged down to this for display (JSON size)
HEATMAP_DIGITS = 4  # significant digits of heatmap values sent

BOX_COLORS = {"pred": PRED_COLOR, "gt": GT_COLOR, "anchor": ANCHOR_COLOR,
              "proposals": PROPOSAL_COLOR, "refined": REFINED_COLOR}
_FALLBACK_COLORS = ((0, 255, 255), (255, 128, 0), (128, 0, 255), (255, 255, 255))

_warned: set[tuple[str, int]] = set()
_warn_lock = threading.Lock()


def server_url(server: str, port: int) -> str:
    """``http://server:port`` (``server`` may carry a scheme)."""
    base = server if "://" in server else f"http://{server}"
    return f"{base.rstrip('/')}:{int(port)}"


def visdom_reachable(server: str = DEFAULT_SERVER, port: int = DEFAULT_PORT,
                     timeout: float = REACH_TIMEOUT) -> bool:
    """True when an HTTP server answers at ``server:port`` within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(server_url(server, port) + "/", timeout=timeout) as resp:
            return 200 <= resp.status < 500
    except urllib.error.HTTPError as exc:  # it answered, with an error page
        return exc.code < 500
    except (urllib.error.URLError, OSError, ValueError):
        return False


class VisdomClient:
    """Typed panes in one visdom environment: images with boxes, heatmaps, lines, info tables.

    ``vis`` is a ``visdom.Visdom`` instance (or anything with its methods). Pane names are used as
    window ids, so every update replaces the pane it belongs to.
    """

    def __init__(self, vis: Any, env: str) -> None:
        self.vis = vis
        self.env = env
        self.alive = True
        self._line_x: dict[str, float] = {}
        self._windows: set[str] = set()
        self._any_handlers: list[Callable[[dict], None]] = []

    def _call(self, method: str, *args: Any, **kwargs: Any) -> None:
        """``vis.<method>(...)``; a lost server turns the client off with one warning."""
        if not self.alive:
            return
        win = kwargs.get("win")
        if win is not None and win not in self._windows:
            self._windows.add(win)
            for handler in self._any_handlers:
                self.on_event(win, handler)
        try:
            getattr(self.vis, method)(*args, **kwargs)
        except ConnectionError as exc:  # visdom raises the builtin ConnectionError
            self.alive = False
            logger.warning("The visdom server stopped answering (%s); live visualization is off "
                           "for the rest of this run", exc)

    def image(self, win: str, image: Any, boxes: Optional[Mapping[str, Any]] = None,
              title: Optional[str] = None) -> None:
        """An RGB ``H x W x 3`` image with ``boxes`` (label → box or N x 4 boxes) outlined."""
        img = to_numpy(image)
        if img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f"pane '{win}': image must be H x W x 3 RGB, got shape {img.shape}")
        if img.dtype != np.uint8:
            img = np.clip(img, 0, 255).astype(np.uint8)
        for k, (label, value) in enumerate((boxes or {}).items()):
            if value is None:
                continue
            color = BOX_COLORS.get(label, _FALLBACK_COLORS[k % len(_FALLBACK_COLORS)])
            thick = 2 if label in ("pred", "gt") else 1
            img = draw_boxes(img, as_boxes(value, f"pane '{win}' boxes '{label}'"), color, thick)
        self._call("image", np.ascontiguousarray(img.transpose(2, 0, 1)), win=win, env=self.env,
                   opts={"title": title or win, "caption": title or win,
                             "jpgquality": JPEG_QUALITY})

    def heatmap(self, win: str, data: Any, title: Optional[str] = None) -> None:
        """A 2-D map drawn like an image: row 0 at the top (plotly's y axis reversed)."""
        arr = display_heatmap(as_score_map(data, f"pane '{win}' heatmap"))
        self._call("heatmap", np.ascontiguousarray(arr), win=win, env=self.env,
                   opts={"title": title or win, "colormap": "Viridis",
                         "layoutopts": {"plotly": {"yaxis": {"autorange": "reversed"}}}})

    def line(self, win: str, values: Any, title: Optional[str] = None, append: bool = False,
             x: Optional[Sequence[float]] = None, trace: Optional[str] = None) -> None:
        """A curve; with ``append`` the values continue the pane's curve (x keeps counting).

        ``trace`` names one of several curves of the pane (shown in a legend); appending to a
        name the pane does not have yet adds that curve.
        """
        y = to_numpy(values).astype(np.float64).reshape(-1)
        if y.size == 0:
            return
        if x is None:
            start = self._line_x.get(win, 0.0) if append else 0.0
            xs = start + np.arange(1, y.size + 1, dtype=np.float64)
        else:
            xs = to_numpy(x).astype(np.float64).reshape(-1)
            if xs.shape != y.shape:
                raise ValueError(f"pane '{win}': x has {xs.size} values for {y.size} y values")
        update = "append" if append and win in self._line_x else None
        opts = {"title": title or win}
        if trace is not None:
            opts["showlegend"] = True
        self._call("line", Y=y, X=xs, win=win, env=self.env, update=update, name=trace,
                   opts=opts)
        self._line_x[win] = float(xs[-1])

    def info(self, win: str, items: Mapping[str, Any], title: Optional[str] = None) -> None:
        """A two-column HTML table of ``items``."""
        rows = "".join(f"<tr><td><b>{html.escape(str(k))}</b></td><td>{html.escape(_fmt(v))}</td></tr>"
                       for k, v in items.items())
        self.text(win, f"<table>{rows}</table>", title)

    def text(self, win: str, content: str, title: Optional[str] = None) -> None:
        """A text pane with HTML ``content``."""
        self._call("text", content, win=win, env=self.env, opts={"title": title or win})

    def on_event(self, win: str, handler: Callable[[dict], None]) -> None:
        """Call ``handler(event)`` for the events of pane ``win`` (key presses, clicks)."""
        self.vis.register_event_handler(handler, win)

    def on_any_event(self, handler: Callable[[dict], None]) -> None:
        """Call ``handler(event)`` for the events of every pane of the environment: those on the
        server now and those this client creates later (visdom addresses a key press to the pane
        that has the focus)."""
        self._any_handlers.append(handler)
        for win in sorted(self._windows | set(self.pane_types() or {})):
            self.on_event(win, handler)

    def pane_types(self) -> Optional[dict[str, str]]:
        """Window id -> pane type (``image``, ``text``, ``plot``, ...) of the panes of this
        environment on the server, or ``None`` when the server cannot tell."""
        if not self.alive or not hasattr(self.vis, "get_window_data"):
            return None
        try:
            data = json.loads(self.vis.get_window_data(env=self.env) or "{}")
        except (ConnectionError, ValueError, TypeError) as exc:
            logger.debug("visdom window list unavailable: %s", exc)
            return None
        return {str(win): str(pane.get("type")) for win, pane in data.items()
                if isinstance(pane, dict)}

    def close(self) -> None:
        """Stop listening for events (the panes stay on the server)."""
        self._any_handlers.clear()
        for win in list(getattr(self.vis, "event_handlers", {})):
            self.vis.clear_event_handlers(win)
        if hasattr(self.vis, "use_socket"):
            self.vis.use_socket = False  # ends visdom's socket thread at its next reconnect check


def display_heatmap(arr: np.ndarray, max_side: int = MAX_HEATMAP_SIDE,
                    digits: int = HEATMAP_DIGITS) -> np.ndarray:
    """``arr`` as sent for display: area-averaged to at most ``max_side`` per side, values rounded
    to ``digits`` significant digits, non-finite values as NaN (shown as gaps)."""
    arr = np.where(np.isfinite(arr), arr, np.nan)
    height, width = arr.shape
    if max(height, width) > max_side:
        scale = max_side / max(height, width)
        size = (max(1, int(round(width * scale))), max(1, int(round(height * scale))))
        arr = cv2.resize(arr, size, interpolation=cv2.INTER_AREA)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.where(np.isfinite(arr) & (arr != 0), np.floor(np.log10(np.abs(arr))), 0)
    factor = 10.0 ** (digits - 1 - magnitude)
    return np.round(arr * factor) / factor


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_fmt(v) for v in np.asarray(value).reshape(-1).tolist()) + "]"
    return str(value)


def connect(server: str = DEFAULT_SERVER, port: int = DEFAULT_PORT, env: str = "main",
            listen: bool = True, timeout: float = REACH_TIMEOUT) -> Optional[VisdomClient]:
    """A :class:`VisdomClient` on a visdom server, or ``None`` (with one warning) when none answers.

    ``listen`` opens visdom's incoming socket, needed to receive key presses.
    """
    if not visdom_reachable(server, port, timeout):
        _warn_once(server, port, f"no visdom server answers at {server_url(server, port)}; "
                                 "going on without live visualization (start one with: "
                                 "python -m pytracking.utils.visdom_server --port "
                                 f"{port})")
        return None
    try:
        import visdom
    except ImportError:
        _warn_once(server, port, "visdom is not installed (pip install visdom); going on without "
                                 "live visualization")
        return None
    base = server if "://" in server else f"http://{server}"
    try:
        vis = visdom.Visdom(server=base, port=int(port), env=env, raise_exceptions=True,
                            use_incoming_socket=listen)
    except ConnectionError as exc:
        _warn_once(server, port, f"the visdom server at {server_url(server, port)} did not accept "
                                 f"the connection ({exc}); going on without live visualization")
        return None
    return VisdomClient(vis, env)


def _warn_once(server: str, port: int, message: str) -> None:
    with _warn_lock:
        if (server, int(port)) in _warned:
            return
        _warned.add((server, int(port)))
    logger.warning(message)
