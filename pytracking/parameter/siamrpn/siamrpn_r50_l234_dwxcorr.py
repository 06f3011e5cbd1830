"""pysot's SiamRPN++ ResNet-50 (``siamrpn_r50_l234_dwxcorr``) with pysot's tracker.

pysot's config.yaml values: PENALTY_K 0.05, WINDOW_INFLUENCE 0.42, LR 0.38,
INSTANCE_SIZE 255, EXEMPLAR_SIZE 127, CONTEXT_AMOUNT 0.5; anchors stride 8, ratios
0.33/0.5/1/2/3, scale 8. BGR input, raw 0..255 pixels; integer crops, centre clamped to the
image, sizes to [10, image].

Weights: pysot's model-zoo file as downloaded, ``siamrpn_r50_l234_dwxcorr/model.pth``, in the
network_path folder, converted on loading (``ltr.models.siam.published``)."""
from pytracking.tracker.siamrpn.params import SiamRPNParams


def parameters() -> SiamRPNParams:
    params = SiamRPNParams()
    params.published_model = "siamrpn_r50_l234_dwxcorr"
    params.network_path = "siamrpn_r50_l234_dwxcorr/model.pth"
    params.convention = "pysot"
    params.exemplar_sz = 127
    params.instance_sz = 255
    params.context_amount = 0.5
    params.anchor_base_size = 8.0
    params.anchor_scales = (8.0,)
    params.anchor_ratios = (0.33, 0.5, 1.0, 2.0, 3.0)
    params.penalty_k = 0.05
    params.window_influence = 0.42
    params.lr = 0.38
    params.min_target_size = 10.0
    params.pixel_max = 255.0
    params.channel_order = "BGR"
    params.normalize_mean = (0.0, 0.0, 0.0)
    params.normalize_std = (1.0, 1.0, 1.0)
    return params
