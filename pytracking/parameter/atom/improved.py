"""ATOM with every improvement over the original implementation switched on (compare with ``default``).

``default`` reproduces the original pytracking ATOM; this set changes only the parameters of the
section "behaviour of the original implementation" of :class:`ATOMParams` (see their comments):
sample centre from the patch coordinates, classifier position kept when no refined box is
accepted, refined scale limited to the image, patches cut around the rounded position and shrunk
by averaging, wider blur kernel with replicated borders, exact bilinear rotations, halved Nyquist
term in the score interpolation, PCA in float64 and the chosen peak's score as ``max_score``.
"""
from pytracking.tracker.atom.params import ATOMParams


def improve(params: ATOMParams) -> ATOMParams:
    """Switch ``params`` (in place) from the original behaviour to the improved one; returns it."""
    params.sample_centre = "patch"
    params.no_box_position = "classifier"
    params.clamp_refined_scale = True
    params.patch_position = "round"
    params.patch_downsampling = "average"
    params.blur_kernel = "replicate"
    params.rotation_warp = "bilinear"
    params.score_nyquist = "split"
    params.pca_precision = "float64"
    params.max_score_source = "peak"
    return params


def parameters() -> ATOMParams:
    """The published default parameters with the improvements switched on."""
    return improve(ATOMParams())
