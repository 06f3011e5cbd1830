"""Bounding-box regression networks (ATOM's IoU predictor)."""
from ltr.models.bbreg.atom_iou_net import AtomIoUNet

__all__ = ["AtomIoUNet"]
