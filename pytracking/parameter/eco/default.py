"""ECO-HC as published (OTB settings of the original ECO 1.0 release): the ECOParams defaults — FHOG
(cell 6, 10 projected dims) + colour names (cell 4, 3 dims), or intensity channels on grey video; no
weight file needed."""
from pytracking.tracker.eco.params import ECOParams


def parameters() -> ECOParams:
    """The published ECO-HC OTB parameters."""
    return ECOParams()
