"""The ATOM tracker (online Gauss-Newton/CG classifier + IoU-Net box refinement)."""
from pytracking.tracker.atom.atom import ATOM
from pytracking.tracker.atom.params import ATOMParams


def get_tracker_class() -> type:
    """The tracker class loaded by :class:`pytracking.evaluation.tracker.Tracker`."""
    return ATOM


__all__ = ["ATOM", "ATOMParams", "get_tracker_class"]
