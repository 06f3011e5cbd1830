"""ECO with hand-crafted features: the built-in tracker that needs no weight file."""
from pytracking.tracker.eco.eco import ECO
from pytracking.tracker.eco.params import ECOParams


def get_tracker_class() -> type:
    """The tracker class loaded by :class:`pytracking.evaluation.tracker.Tracker`."""
    return ECO


__all__ = ["ECO", "ECOParams", "get_tracker_class"]
