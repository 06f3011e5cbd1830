"""SiamRPN tracker (Li et al., 2018), also driving SiamRPN++-style depth-wise networks."""
from pytracking.tracker.siamrpn.siamrpn import SiamRPN


def get_tracker_class() -> type:
    return SiamRPN


__all__ = ["SiamRPN", "get_tracker_class"]
