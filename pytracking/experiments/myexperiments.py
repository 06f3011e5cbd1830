"""Example experiments: ``python pytracking/run_experiment.py myexperiments <function>``."""
from __future__ import annotations

from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.tracker import Tracker, trackerlist


def eco_synthetic() -> tuple[list[Tracker], SequenceList]:
    """ECO-HC (no weight file) on the built-in synthetic benchmark: runs out of the box."""
    return trackerlist("eco", "default"), get_dataset("synthetic")


def eco_settings_otb() -> tuple[list[Tracker], SequenceList]:
    """The three published ECO-HC parameter sets on OTB-100 (no weight files)."""
    trackers = trackerlist("eco", "default") + trackerlist("eco", "default_vot") + trackerlist("eco", "otb_hc_v2")
    return trackers, get_dataset("otb")


def atom_nfs_uav() -> tuple[list[Tracker], SequenceList]:
    """ATOM, five runs, on NfS and UAV123 (needs atom_default.pth in network_path)."""
    return trackerlist("atom", "default", range(5)), get_dataset("nfs", "uav")


def weight_free_vs_atom_otb() -> tuple[list[Tracker], SequenceList]:
    """ECO-HC and ATOM (needs atom_default.pth) on OTB-100, to compare."""
    return trackerlist("eco", "default") + trackerlist("atom", "default"), get_dataset("otb")
