"""Siamese tracking networks: SiamFC, cross-correlation ops, losses and the cosine window."""
from ltr.models.siam.correlation import xcorr_batched, xcorr_depthwise, xcorr_naive
from ltr.models.siam.loss import BalancedLogisticLoss, balanced_logistic_loss, balanced_weights
from ltr.models.siam.siamfc import ScoreAdjust, SiamFCNet, siamfc_alexnet
from ltr.models.siam.window import cosine_window

__all__ = ["xcorr_naive", "xcorr_batched", "xcorr_depthwise", "BalancedLogisticLoss",
           "balanced_logistic_loss", "balanced_weights", "ScoreAdjust", "SiamFCNet",
           "siamfc_alexnet", "cosine_window"]
