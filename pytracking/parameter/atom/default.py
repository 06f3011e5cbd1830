"""ATOM as published (OTB/NfS/UAV/LaSOT/TrackingNet settings): the ATOMParams defaults."""
from pytracking.tracker.atom.params import ATOMParams


def parameters() -> ATOMParams:
    """The published default parameters (network 'atom_default.pth', layer3, 18x16 search area)."""
    return ATOMParams()
