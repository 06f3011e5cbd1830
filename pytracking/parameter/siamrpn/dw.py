"""SiamRPN++-style AlexNet with the depth-wise head, with the values of the authors' SiamRPN++
AlexNet configuration (pysot): penalty_k 0.16, window_influence 0.40, lr 0.30, search 287,
template 127, context 0.5; weights siamrpn_alexnet_dw.pth (trained with
``ltr/run_training.py siam siamrpn_pp``) in the network folder."""
from pytracking.tracker.siamrpn.params import SiamRPNParams


def parameters() -> SiamRPNParams:
    params = SiamRPNParams()
    params.network_path = "siamrpn_alexnet_dw.pth"
    params.model = "siamrpn_alexnet_dw"
    params.exemplar_sz = 127
    params.instance_sz = 287
    params.context_amount = 0.5
    params.penalty_k = 0.16
    params.window_influence = 0.40
    params.lr = 0.30
    return params
