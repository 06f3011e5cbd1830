"""pysot's SiamRPN++ AlexNet (``siamrpn_alex_dwxcorr``) with pysot's tracker.

pysot's config.yaml values: PENALTY_K 0.16, WINDOW_INFLUENCE 0.40, LR 0.30,
INSTANCE_SIZE 287, EXEMPLAR_SIZE 127, CONTEXT_AMOUNT 0.5; anchors stride 8, ratios
0.33/0.5/1/2/3, scale 8. BGR input, raw 0..255 pixels; integer crops, centre clamped to the
image, sizes to [10, image].

Weights: pysot's model-zoo file as downloaded, ``siamrpn_alex_dwxcorr/model.pth``, in the
network_path folder, converted on loading (``ltr.models.siam.published``)."""
from pytracking.tracker.siamrpn.params import SiamRPNParams, published_parameters


def parameters() -> SiamRPNParams:
    return published_parameters(
        "pysot", "siamrpn_alex_dwxcorr", "siamrpn_alex_dwxcorr/model.pth",
        instance_sz=287, penalty_k=0.16, window_influence=0.40, lr=0.30)
