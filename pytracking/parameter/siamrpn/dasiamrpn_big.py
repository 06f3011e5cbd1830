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
from pytracking.tracker.siamrpn.params import SiamRPNParams


def parameters() -> SiamRPNParams:
    params = SiamRPNParams()
    params.published_model = "SiamRPNBIG"
    params.network_path = "SiamRPNBIG.model"
    params.convention = "dasiamrpn"
    params.round_half = "away"
    params.anchor_origin = "floor"
    params.exemplar_sz = 127
    params.instance_sz = 271
    params.adaptive_instance_sz = True
    params.small_target_instance_sz = 287
    params.small_target_area_ratio = 0.004
    params.context_amount = 0.5
    params.anchor_base_size = 8.0
    params.anchor_scales = (8.0,)
    params.anchor_ratios = (0.33, 0.5, 1.0, 2.0, 3.0)
    params.penalty_k = 0.055
    params.window_influence = 0.42
    params.lr = 0.295
    params.min_target_size = 10.0
    params.pixel_max = 255.0
    params.channel_order = "BGR"
    params.normalize_mean = (0.0, 0.0, 0.0)
    params.normalize_std = (1.0, 1.0, 1.0)
    return params
