"""SiamFC tracker (Bertinetto et al., 2016)."""
from pytracking.tracker.siamfc.siamfc import SiamFC


def get_tracker_class() -> type:
    return SiamFC


__all__ = ["SiamFC", "get_tracker_class"]
