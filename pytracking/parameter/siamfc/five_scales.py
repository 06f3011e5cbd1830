"""SiamFC searching 5 scales in one batch (SiamFC-5s). Step, penalty, scale learning rate and window
influence are the values recalled from the authors' 5-scale configuration; they were not re-tuned
here."""
from pytracking.tracker.siamfc.params import SiamFCParams


def parameters() -> SiamFCParams:
    params = SiamFCParams()
    params.network_path = "siamfc_default.pth"
    params.num_scales = 5
    params.scale_step = 1.0255
    params.scale_penalty = 0.962
    params.scale_lr = 0.295
    params.window_influence = 0.168
    params.response_upsample = 16
    return params
