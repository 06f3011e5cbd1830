"""ATOM without IoU-Net: the scale is found by searching five scales 1.02**[-2..2]."""
from pytracking.tracker.atom.params import ATOMParams


def parameters() -> ATOMParams:
    params = ATOMParams()
    params.use_iou_net = False
    params.scale_factors = tuple(1.02 ** k for k in range(-2, 3))
    return params
