"""DaSiamRPN's SiamRPNBIG with DaSiamRPN's tracker. Values of foolwood/DaSiamRPN code/net.py cfg:
penalty_k 0.055, window_influence 0.42, lr 0.295, instance_size 271, adaptive True; the rest is
common to the published trackers (see pytracking.tracker.siamrpn.params.published_parameters).
Weights: DaSiamRPN's ``SiamRPNBIG.model`` in the network_path folder."""
from pytracking.tracker.siamrpn.params import SiamRPNParams, published_parameters


def parameters() -> SiamRPNParams:
    return published_parameters(
        "dasiamrpn", "SiamRPNBIG", "SiamRPNBIG.model",
        instance_sz=271, penalty_k=0.055, window_influence=0.42, lr=0.295,
        adaptive_instance_sz=True)
