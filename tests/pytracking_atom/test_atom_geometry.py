"""Score-map geometry: a response shaped like ATOM's training label for a target displaced by
``c`` feature cells must come out of the Fourier interpolation as a displacement of 16 c pixels."""
import torch

from pytracking.libs import dcf
from pytracking.tracker.atom import ATOM
from pytracking.tracker.atom.atom import sample_location
from pytracking.tracker.atom.localization import centre_scores


def test_label_peak_maps_to_the_target_displacement(small_params):
    tracker = ATOM(small_params)
    tracker.kernel_size = (4, 4)
    tracker.output_sz = torch.tensor([96.0, 96.0])
    # filter = delta at kernel index (2, 2): with the 'same' padding (2 before, 1 after) the score
    # map equals the input map
    tracker.filter = torch.zeros(1, 1, 4, 4)
    tracker.filter[0, 0, 2, 2] = 1
    for c in ([1.0, -2.0], [0.0, 0.0], [-2.0, 1.0]):
        # label of a target c cells from the sample centre, with ATOM's +0.5 even-kernel offset
        label = dcf.label_function_spatial((6, 6), 0.6, (c[0] + 0.5, c[1] + 0.5))
        scores = centre_scores(tracker.score_map(label))
        _, argmax = dcf.max2d(scores[0])
        assert (argmax.float() - 48).tolist() == [16 * c[0], 16 * c[1]]


def test_sample_location_from_patch_coordinates():
    coords = torch.tensor([[10.0, 20.0, 106.0, 116.0], [0.0, 0.0, 192.0, 192.0]])
    centre, scale = sample_location(coords, torch.tensor([96.0, 96.0]))
    assert centre.tolist() == [[57.5, 67.5], [95.5, 95.5]]
    assert scale.tolist() == [1.0, 2.0]


def test_clipped_window_shorter_and_longer_than_the_map():
    import math

    from pytracking.tracker.atom.atom import clipped_window

    # effective 4 on 8 cells: hann of length 4 (0.5 - 0.5 cos(2 pi (n+1)/5)) padded by 2 constant cells
    w = clipped_window([8, 8], [4.0, 4.0])[0, 0]
    h4 = [0.5 - 0.5 * math.cos(2 * math.pi * (n + 1) / 5) for n in range(4)]
    expected = [h4[0]] * 2 + h4 + [h4[-1]] * 2
    assert torch.allclose(w[3], torch.tensor(expected) * expected[3], atol=1e-6)
    # effective 20 on 8 cells: the central 8 values of a length-20 window
    w = clipped_window([8, 8], [20.0, 20.0])[0, 0]
    h20 = [0.5 - 0.5 * math.cos(2 * math.pi * (n + 1) / 21) for n in range(20)]
    assert torch.allclose(w[0], torch.tensor(h20[6:14]) * h20[6], atol=1e-6)
    # mixed: shorter along y, longer along x
    assert clipped_window([6, 8], [2.0, 20.0]).shape == (1, 1, 6, 8)
