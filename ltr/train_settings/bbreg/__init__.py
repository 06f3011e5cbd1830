"""Training settings of bounding-box regression networks (ATOM's IoU-Net)."""
