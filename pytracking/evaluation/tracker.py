"""Tracker: a tracker name + parameter name (+ run id), able to run sequences and videos."""
from __future__ import annotations

import difflib
import importlib
import logging
import pkgutil
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence as Seq

import cv2
import numpy as np

from ltr.admin.cli import InputFileError, UnknownNameError
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.results import tracker_results_dir, write_sequence_result
from pytracking.tracker.base import BaseTracker
from pytracking.utils.frame_saver import FrameSaver
from pytracking.utils.image_io import image_folder_frames, read_frame, to_rgb
from pytracking.utils.params import ParameterError, Params
from pytracking.utils.visualization.debug_sink import DebugSink

logger = logging.getLogger(__name__)

_TRACKER_PKG = "pytracking.tracker"
_PARAM_PKG = "pytracking.parameter"


def _submodules(package: str) -> list[str]:
    pkg = importlib.import_module(package)
    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def import_named(package: str, name: str, what: str, exclude: tuple = ()):
    """Import ``package.name`` (a module of that package only); an unknown name lists the available ones."""
    try:
        return importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.{name}":
            raise  # the module exists but one of its imports is missing
        available = [m for m in _submodules(package) if m not in exclude]
        close = difflib.get_close_matches(name, available, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownNameError(f"Unknown {what} '{name}'.{hint} Available: "
                         f"{', '.join(available) or '(none)'}") from None


@dataclass
class SequenceOutput:
    """What a tracker produced on one sequence: boxes ``N x 4`` and per-frame times (seconds)."""

    target_bbox: np.ndarray
    time: np.ndarray


def trackerlist(name: str, parameter_name: str, run_ids: "Optional[int | Iterable[int]]" = None,
                display_name: Optional[str] = None) -> list["Tracker"]:
    """One :class:`Tracker` per run id (``None``: the single un-numbered run), as in experiment modules;
    a ``display_name`` is followed by ``:<run id>`` for numbered runs."""
    if run_ids is None or isinstance(run_ids, int):
        run_ids = [run_ids]
    return [Tracker(name, parameter_name, run_id,
                    display_name=None if display_name is None else
                    display_name + ("" if run_id is None else f":{run_id}"))
            for run_id in run_ids]


def overrides_results_name(parameter_name: str, overrides: Iterable[str]) -> Optional[str]:
    """The results folder name of a run with ``key=value`` overrides: ``<parameter_name>+<override>+...``
    (characters other than letters, digits and ``._=,-`` replaced by ``_``), or None without any."""
    parts = [re.sub(r"[^A-Za-z0-9._=,-]", "_", o.strip()) for o in overrides]
    return "+".join([parameter_name, *parts]) if parts else None


class Tracker:
    """Runs tracker ``name`` with parameter module ``parameter_name``.

    The tracker class comes from ``pytracking.tracker.<name>.get_tracker_class()`` and the parameters
    from ``pytracking.parameter.<name>.<parameter_name>.parameters()``.
    """

    def __init__(self, name: str, parameter_name: str, run_id: Optional[int] = None,
                 display_name: Optional[str] = None, results_path: Optional[str] = None,
                 results_name: Optional[str] = None) -> None:
        self.name = name
        self.parameter_name = parameter_name
        self.run_id = run_id
        # the results folder's name in place of the parameter name (runs with overrides)
        self.results_name = results_name
        self.display_name = display_name or self.default_display_name
        self.results_path = results_path
        tracker_module = import_named(_TRACKER_PKG, name, "tracker", exclude=("base",))
        if not hasattr(tracker_module, "get_tracker_class"):
            raise ValueError(f"Tracker module {tracker_module.__name__} has no get_tracker_class()")
        self.tracker_class = tracker_module.get_tracker_class()
        import_named(_PARAM_PKG, name, "tracker parameter package")
        self._param_module = import_named(f"{_PARAM_PKG}.{name}", parameter_name,
                                          f"parameter setting of tracker '{name}'")

    def __repr__(self) -> str:
        return f"Tracker({self.display_name})"

    @property
    def default_display_name(self) -> str:
        """``name:param[:run id]`` (``param`` the results folder's name for runs with overrides)."""
        return (f"{self.name}:{self.results_name or self.parameter_name}"
                + ("" if self.run_id is None else f":{self.run_id}"))

    @property
    def results_dir(self) -> Path:
        return tracker_results_dir(self.name, self.results_name or self.parameter_name, self.run_id,
                                   self.results_path)

    def get_parameters(self, overrides: Iterable[str] = ()) -> Params:
        """The parameter object with ``key=value`` overrides applied, checked by its ``validate()``
        (where it has one) so that values which cannot work fail before any sequence runs."""
        params = self._param_module.parameters()
        if isinstance(params, Params):
            params.apply_overrides(overrides)
        elif list(overrides):
            raise ValueError(f"Parameters of {self.display_name} are not typed; cannot override")
        validate = getattr(params, "validate", None)
        if callable(validate):
            validate()
        return params

    def check_overrides(self, overrides: Iterable[str]) -> None:
        """:meth:`get_parameters` before anything runs: a misspelled or unusable override is a
        ``ParameterError`` naming the parameter module."""
        try:
            self.get_parameters(overrides)
        except (ParameterError, ValueError) as exc:
            raise ParameterError(f"{exc} (overrides are key=value with a parameter name of "
                                 f"pytracking/parameter/{self.name}/{self.parameter_name}.py)") from exc

    def create_tracker(self, params: Params, debug_sink: Optional[DebugSink] = None) -> BaseTracker:
        """The tracker; with ``debug_sink`` its debug items go there (``tracker.debug_sink``)."""
        tracker = self.tracker_class(params)
        if debug_sink is not None:
            tracker.debug_sink = debug_sink
            tracker.visdom = getattr(debug_sink, "client", None)
        return tracker

    def run_sequence(self, seq: Sequence, overrides: Iterable[str] = (),
                     debug: Optional[int] = None,
                     frame_callback=None, debug_sink: Optional[DebugSink] = None) -> SequenceOutput:
        """Track ``seq`` from its first ground-truth box; returns boxes and per-frame times.

        ``frame_callback(frame_index, image, output_dict)``, if given, is called after every frame
        (used for saved or live visualizations; its time is not counted). ``debug_sink`` becomes
        the tracker's ``debug_sink``.
        """
        params = self.get_parameters(overrides)
        if debug is not None and isinstance(params, Params) and "debug" in params.as_dict():
            params.debug = debug
        tracker = self.create_tracker(params, debug_sink)
        n = len(seq.frames)
        boxes = np.zeros((n, 4))
        times = np.zeros(n)
        image = read_frame(seq.frames[0])
        start = time.perf_counter()
        out = tracker.initialize(image, seq.init_info())
        times[0] = time.perf_counter() - start
        boxes[0] = seq.init_bbox()
        if frame_callback is not None:
            frame_callback(0, image, {"target_bbox": boxes[0].tolist(), **out})
        for i in range(1, n):
            image = read_frame(seq.frames[i])
            start = time.perf_counter()
            out = tracker.track(image)
            times[i] = time.perf_counter() - start
            boxes[i] = out["target_bbox"]
            if frame_callback is not None:
                frame_callback(i, image, out)
        return SequenceOutput(boxes, times)

    def save_sequence_output(self, seq: Sequence, output: SequenceOutput) -> Path:
        """Write the result files of ``seq`` atomically (the box file last: it marks completion)."""
        return write_sequence_result(self.results_dir, seq.name, output.target_bbox, output.time)

    def has_results(self, seq: Sequence) -> bool:
        return ((self.results_dir / f"{seq.name}.txt").is_file()
                and (self.results_dir / f"{seq.name}_time.txt").is_file())

    def run_video(self, video_path: str, optional_box: Optional[Seq[float]] = None,
                  save_results: bool = False, overrides: Iterable[str] = (),
                  debug: Optional[int] = None, output_video: Optional[str] = None,
                  frame_callback=None, debug_sink: Optional[DebugSink] = None,
                  fps: Optional[float] = None) -> SequenceOutput:
        """Track a video file, or a folder of frames, from ``optional_box`` ([x, y, w, h] in the first frame).

        A folder is read as its image files in frame order (numbers in file names compare
        numerically, so ``2.jpg`` comes before ``10.jpg``); it is named after the folder (after its
        parent for an OTB-style ``img/`` folder). With ``save_results`` the boxes go to
        ``<results_dir>/video_<name>.txt`` (times to ``video_<name>_time.txt``) and an annotated
        video to ``output_video`` (default ``<results_dir>/video_<name>.mp4``), drawn like the saved
        visualizations of ``run_tracker.py --save_video`` (score-map inset at ``debug`` >= 1 when
        the tracker outputs ``'score_map'``); its frame rate is the video's, else ``fps`` (default 25).
        ``frame_callback`` and ``debug_sink`` are as in :meth:`run_sequence`.
        """
        if optional_box is None:
            raise ValueError("run_video needs the initial box [x, y, w, h] of the first frame "
                             "(interactive selection needs a display, which is not available)")
        source = Path(video_path)
        if source.is_dir():
            frame_files = image_folder_frames(source)
            frames = (read_frame(f) for f in frame_files)
            fps = fps or 25.0
            capture = None
        else:
            capture = cv2.VideoCapture(str(video_path))
            if not capture.isOpened():
                raise InputFileError(f"Video file {video_path} cannot be opened (not a video "
                                     "OpenCV can read, or no such file)")
            fps = capture.get(cv2.CAP_PROP_FPS) or fps or 25.0
            frames = _video_frames(capture)
        params = self.get_parameters(overrides)
        if debug is not None and isinstance(params, Params) and "debug" in params.as_dict():
            params.debug = debug
        tracker = self.create_tracker(params, debug_sink)
        stem = source_name(source)
        video_out = Path(output_video) if output_video else self.results_dir / f"video_{stem}.mp4"
        saver = FrameSaver(video_path=video_out, fps=fps, debug_level=debug or 0) \
            if save_results else None
        boxes, times = [], []
        try:
            for image in frames:
                start = time.perf_counter()
                if not boxes:
                    out = tracker.initialize(image, {"init_bbox": list(optional_box)}) or {}
                    out = {**out, "target_bbox": [float(v) for v in optional_box]}
                else:
                    out = tracker.track(image)
                times.append(time.perf_counter() - start)
                boxes.append(out["target_bbox"])
                if saver is not None:
                    saver(len(boxes) - 1, image, out)
                if frame_callback is not None:
                    frame_callback(len(boxes) - 1, image, out)
        finally:
            if capture is not None:
                capture.release()
            if saver is not None:
                saver.close()
        if not boxes:
            raise InputFileError(f"Video file {video_path} has no readable frames")
        output = SequenceOutput(np.asarray(boxes), np.asarray(times))
        if save_results:
            write_sequence_result(self.results_dir, f"video_{stem}", output.target_bbox,
                                  output.time)
            logger.info("Wrote %s and %s", self.results_dir / f"video_{stem}.txt", video_out)
        return output


def source_name(path: "str | Path") -> str:
    """The name of a video file (its stem) or frame folder (its name; the parent's for ``img/``)."""
    path = Path(path)
    if path.is_dir():
        path = path.resolve()
        return path.parent.name if path.name == "img" and path.parent.name else path.name
    return path.stem


def _video_frames(capture: "cv2.VideoCapture") -> Iterator[np.ndarray]:
    """RGB frames of an opened video until the first failed read."""
    while True:
        ok, frame_bgr = capture.read()
        if not ok:
            return
        yield to_rgb(frame_bgr, bgr=True)
