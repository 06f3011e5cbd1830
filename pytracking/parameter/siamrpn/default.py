"""SiamRPN (AlexNet, up-channel head) with DaSiamRPN's published tracking values: penalty_k 0.055,
window_influence 0.42, lr 0.295, search 271, template 127, context 0.5; weights
siamrpn_alexnet.pth (trained with ``ltr/run_training.py siam siamrpn``) in the network folder."""
from pytracking.tracker.siamrpn.params import SiamRPNParams


def parameters() -> SiamRPNParams:
    params = SiamRPNParams()
    params.network_path = "siamrpn_alexnet.pth"
    params.model = "siamrpn_alexnet"
    params.exemplar_sz = 127
    params.instance_sz = 271
    params.context_amount = 0.5
    params.penalty_k = 0.055
    params.window_influence = 0.42
    params.lr = 0.295
    return params
