"""SiamRPN++ with the ResNet-50 backbone (layers 2-4, depth-wise heads), with the values recalled
from the authors' pysot configuration of that model: penalty_k 0.05, window_influence 0.42,
lr 0.38, search 255 (25 x 25 score map), template 127, context 0.5; weights
siamrpn_resnet50.pth (trained with ``ltr/run_training.py siam siamrpn_pp`` and
``settings.model = 'siamrpn_resnet50'``) in the network folder."""
from pytracking.tracker.siamrpn.params import SiamRPNParams


def parameters() -> SiamRPNParams:
    params = SiamRPNParams()
    params.network_path = "siamrpn_resnet50.pth"
    params.model = "siamrpn_resnet50"
    params.exemplar_sz = 127
    params.instance_sz = 255
    params.context_amount = 0.5
    params.penalty_k = 0.05
    params.window_influence = 0.42
    params.lr = 0.38
    return params
