from pytracking.tracker.base.basetracker import BaseTracker, validate_init_box

__all__ = ["BaseTracker", "validate_init_box"]
