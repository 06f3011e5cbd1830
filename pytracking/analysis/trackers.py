"""Which tracker results to analyse: :class:`TrackerSpec` and the ``name:param[:runs]`` syntax."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Sequence, Union

from pytracking.evaluation.results import tracker_results_dir

if TYPE_CHECKING:
    from pytracking.evaluation.tracker import Tracker


def parse_runs(text: str) -> tuple[Optional[int], ...]:
    """``'3'`` -> (3,), ``'0-4'`` -> (0..4), ``'0,2,5-6'`` -> (0, 2, 5, 6), ``'none'`` -> (None,)."""
    text = text.strip()
    if text.lower() == "none" or text == "":
        return (None,)
    runs: list[int] = []
    for part in text.split(","):
        part = part.strip()
        try:
            if "-" in part:
                lo, hi = (int(v) for v in part.split("-", 1))
                if hi < lo:
                    raise ValueError(f"empty range {part}")
                runs.extend(range(lo, hi + 1))
            else:
                runs.append(int(part))
        except ValueError as exc:
            raise ValueError(f"Bad run specification '{text}': {exc}. Use e.g. '0-4', '0,2,5' or 'none'.") from exc
    if len(set(runs)) != len(runs):
        raise ValueError(f"Run specification '{text}' repeats a run id")
    return tuple(runs)


def format_runs(runs: Sequence[Optional[int]]) -> str:
    """The inverse of :func:`parse_runs`: ``(0, 1, 2, 5)`` -> ``'0-2,5'``."""
    if tuple(runs) == (None,):
        return "none"
    parts: list[str] = []
    ordered = list(runs)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if j == i else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)


@dataclass(frozen=True)
class TrackerSpec:
    """Results of tracker ``name`` with parameter ``parameter_name`` over ``run_ids``
    (``(None,)`` for the single un-numbered run); averaged over runs in the analysis."""

    name: str
    parameter_name: str
    run_ids: tuple[Optional[int], ...] = (None,)
    display_name: Optional[str] = None

    @property
    def label(self) -> str:
        """The name shown in tables and legends: the display name, else ``name_param`` with the run
        ids, e.g. ``atom_default (runs 0-4)``, so two runs of one tracker are told apart."""
        if self.display_name:
            return self.display_name
        base = f"{self.name}_{self.parameter_name}"
        if self.run_ids == (None,):
            return base
        return f"{base} (run{'s' * (len(self.run_ids) > 1)} {format_runs(self.run_ids)})"

    @property
    def key(self) -> str:
        """A file-name-safe identifier including the runs."""
        runs = "none" if self.run_ids == (None,) else "-".join(str(r) for r in self.run_ids)
        return f"{self.name}__{self.parameter_name}__runs{runs}"

    def run_dirs(self, results_path: Optional[Union[str, os.PathLike]] = None) -> list[Path]:
        return [tracker_results_dir(self.name, self.parameter_name, r, results_path) for r in self.run_ids]


def parse_tracker_spec(text: str, default_runs: Optional[Sequence[Optional[int]]] = None) -> TrackerSpec:
    """``name:param[:runs][=display name]`` (runs as in :func:`parse_runs`)."""
    spec, has_label, display = text.partition("=")
    display = display.strip()
    if has_label and not display:
        raise ValueError(f"Bad tracker specification '{text}': the display name after '=' is empty")
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError(f"Bad tracker specification '{text}': use name:parameter or name:parameter:runs, "
                         f"optionally followed by =DISPLAY NAME, e.g. atom:default or atom:default:0-4=ATOM")
    if len(parts) == 3:
        runs = parse_runs(parts[2])
    else:
        runs = tuple(default_runs) if default_runs is not None else (None,)
    return TrackerSpec(parts[0], parts[1], runs, display or None)


def specs_from_trackers(trackers: Iterable["Tracker"]) -> list[TrackerSpec]:
    """One spec per tracker and results folder name among ``trackers``
    (:class:`pytracking.evaluation.tracker.Tracker`, e.g. an experiment's), its runs together, in the
    order first seen. A display name the trackers were given (without the ``:<run id>`` that
    :func:`~pytracking.evaluation.tracker.trackerlist` appends) is the spec's label."""
    groups: dict[tuple[str, str], list] = {}
    for t in trackers:
        groups.setdefault((t.name, t.results_name or t.parameter_name), []).append(t)
    specs = []
    for (name, param), runs in groups.items():
        labels = {None if t.display_name == t.default_display_name
                  else t.display_name.removesuffix("" if t.run_id is None else f":{t.run_id}") for t in runs}
        specs.append(TrackerSpec(name, param, tuple(t.run_id for t in runs), labels.pop() if len(labels) == 1 else None))
    return specs
