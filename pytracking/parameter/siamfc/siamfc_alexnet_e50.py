"""siamfc-pytorch's SiamFC (huanglianghua/siamfc-pytorch, ``TrackerSiamFC`` defaults): weights
``siamfc_alexnet_e50.pth`` in the network_path folder (converted on loading), that project's
tracking procedure (``convention`` "siamfc-pytorch": integer crops, OpenCV bicubic upsampling,
no size limits), RGB input with raw 0..255 pixels, exemplar 127, search 255, context 0.5, 3 scales
of step 1.0375, scale_lr 0.59, scale_penalty 0.9745, window_influence 0.176, upsampling 16."""
from pytracking.tracker.siamfc.params import SiamFCParams


def parameters() -> SiamFCParams:
    params = SiamFCParams()
    params.published_model = "siamfc_alexnet_e50"
    params.network_path = "siamfc_alexnet_e50.pth"
    params.convention = "siamfc-pytorch"
    params.exemplar_sz = 127
    params.instance_sz = 255
    params.context_amount = 0.5
    params.num_scales = 3
    params.scale_step = 1.0375
    params.scale_lr = 0.59
    params.scale_penalty = 0.9745
    params.window_influence = 0.176
    params.response_upsample = 16
    params.pixel_max = 255.0
    params.channel_order = "RGB"
    params.normalize_mean = (0.0, 0.0, 0.0)
    params.normalize_std = (1.0, 1.0, 1.0)
    return params
