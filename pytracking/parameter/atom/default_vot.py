"""ATOM settings for VOT.

Differences from ``default``, as recalled from the original project's ``default_vot`` (not
verifiable here): a 14x16-cell search area of scale 4, learning rate 0.0075, a clipped cosine
window on the score map (effective search area 10) with hard-negative detection done without the
window, target-not-found and distractor handling effectively off (thresholds -1 and 100), hard
negative threshold 0.3, displacement scale 0.7, and 'preserve_area' conversion of the VOT
polygon annotations.
"""
from pytracking.tracker.atom.params import ATOMParams


def parameters() -> ATOMParams:
    params = ATOMParams()
    params.max_image_sample_size = float((14 * 16) ** 2)
    params.min_image_sample_size = float((14 * 16) ** 2)
    params.search_area_scale = 4.0
    params.learning_rate = 0.0075
    params.window_output = True
    params.use_clipped_window = True
    params.effective_search_area = 10.0
    params.perform_hn_without_windowing = True
    params.target_not_found_threshold = -1.0
    params.distractor_threshold = 100.0
    params.hard_negative_threshold = 0.3
    params.displacement_scale = 0.7
    params.vot_anno_conversion_type = "preserve_area"
    return params
