"""DaSiamRPN's SiamRPNotb with DaSiamRPN's tracker. Values of foolwood/DaSiamRPN code/net.py cfg:
penalty_k 0.22, window_influence 0.4, lr 0.3, instance_size 271, adaptive False; the rest is common
to the published trackers (see pytracking.tracker.siamrpn.params.published_parameters). Weights:
DaSiamRPN's ``SiamRPNOTB.model`` in the network_path folder."""
from pytracking.tracker.siamrpn.params import SiamRPNParams, published_parameters


def parameters() -> SiamRPNParams:
    return published_parameters(
        "dasiamrpn", "SiamRPNotb", "SiamRPNOTB.model",
        instance_sz=271, penalty_k=0.22, window_influence=0.4, lr=0.3)
