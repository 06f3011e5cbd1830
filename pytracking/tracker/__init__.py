"""Trackers: one sub-package per tracker, each exposing ``get_tracker_class()``."""
