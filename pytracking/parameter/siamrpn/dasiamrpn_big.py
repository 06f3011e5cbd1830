"""DaSiamRPN's SiamRPNBIG with DaSiamRPN's tracker.

Values of foolwood/DaSiamRPN code/net.py cfg: penalty_k 0.055, window_influence 0.42,
lr 0.295, instance_size 271, adaptive True; exemplar 127, context 0.5, anchors stride 8,
ratios 0.33/0.5/1/2/3, scale 8. BGR input, raw 0..255 pixels; integer crops, centre clamped to
the image, sizes to [10, image].

The published code targets Python 2: its builtin ``round`` (ties away from zero) and its integer
``score_size / 2`` (centred anchors) are used here (``round_half`` "away", ``anchor_origin``
"floor"). The same code run by Python 3 is ``round_half = "even"`` and
``anchor_origin = "true_division"`` (anchors half a stride off; boxes drift by ~2 px a frame).

Weights: DaSiamRPN's ``SiamRPNBIG.model`` in the network_path folder, converted on loading
(``ltr.models.siam.published``)."""
from pytracking.tracker.siamrpn.params import SiamRPNParams, published_parameters


def parameters() -> SiamRPNParams:
    return published_parameters(
        "dasiamrpn", "SiamRPNBIG", "SiamRPNBIG.model",
        instance_sz=271, penalty_k=0.055, window_influence=0.42, lr=0.295,
        adaptive_instance_sz=True)
