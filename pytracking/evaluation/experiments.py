"""Experiments: a function in ``pytracking/experiments/<module>.py`` that returns ``(trackers, dataset)``
(see that package), found by name as trackers and parameter modules are."""
from __future__ import annotations

import difflib
import inspect

from ltr.admin.cli import UnknownNameError, UserError
from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.tracker import Tracker, import_named

EXPERIMENTS_PACKAGE = "pytracking.experiments"


def list_experiments(module_name: str) -> dict[str, str]:
    """The experiments of ``pytracking/experiments/<module_name>.py`` (its public functions defined
    there, by name) and the first lines of their docstrings."""
    module = import_named(EXPERIMENTS_PACKAGE, module_name, "experiment module")
    return {name: (inspect.getdoc(fn) or "").split("\n")[0]
            for name, fn in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and fn.__module__ == module.__name__}


def load_experiment(module_name: str, name: str) -> tuple[list[Tracker], SequenceList]:
    """``(trackers, sequences)`` of experiment ``name`` in ``pytracking/experiments/<module_name>.py``;
    an unknown name, a malformed return value or a tracker listed twice is a :class:`UserError`."""
    available = list_experiments(module_name)
    if name not in available:
        close = difflib.get_close_matches(name, available, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UnknownNameError(f"Unknown experiment '{name}' in pytracking/experiments/{module_name}.py.{hint} "
                               f"Available: {', '.join(available) or '(none)'}")
    result = getattr(import_named(EXPERIMENTS_PACKAGE, module_name, "experiment module"), name)()
    where = f"pytracking/experiments/{module_name}.py: {name}()"
    if not (isinstance(result, tuple) and len(result) == 2):
        raise UserError(f"{where} must return (trackers, dataset), got {type(result).__name__}")
    trackers, sequences = list(result[0]), SequenceList(result[1])
    if not trackers or not all(isinstance(t, Tracker) for t in trackers):
        raise UserError(f"{where} must return a non-empty list of Tracker as its trackers")
    folders, names = [t.results_dir for t in trackers], [t.display_name for t in trackers]
    twice = sorted({n for n, d in zip(names, folders) if folders.count(d) > 1 or names.count(n) > 1})
    if twice:
        raise UserError(f"{where} lists {', '.join(twice)} more than once (each tracker needs a results "
                        f"folder and a display name of its own)")
    return trackers, sequences
