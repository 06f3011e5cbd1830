"""SiamFC with the paper's 3-scale set-up and the weights file siamfc_default.pth."""
from pytracking.tracker.siamfc.params import SiamFCParams


def parameters() -> SiamFCParams:
    params = SiamFCParams()
    params.network_path = "siamfc_default.pth"
    params.num_scales = 3
    params.scale_step = 1.0375
    params.scale_penalty = 0.9745
    params.scale_lr = 0.59
    params.window_influence = 0.176
    params.response_upsample = 16
    return params
