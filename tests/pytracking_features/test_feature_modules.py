"""The feature-module interface: extractors combine modules chosen by a parameter set, and select
them for colour or grey sequences (ATOM with ``params.features``: tests/pytracking_atom)."""
import numpy as np
import pytest
import torch

from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.features.featurebase import FeatureModule, provides_iou_branch
from pytracking.features.handcrafted import FHOG, ColorNames, Intensity
from pytracking.features.net_wrappers import ATOMFeatures


def test_extractor_combines_handcrafted_modules():
    extractor = MultiResolutionExtractor([FHOG(cell_size=4), ColorNames(cell_size=4), Intensity(cell_size=2)])
    extractor.initialize()
    assert extractor.dim() == [31, 10, 1] and extractor.stride() == [4, 4, 2]
    assert [s.tolist() for s in extractor.size([40, 48])] == [[10, 12], [10, 12], [20, 24]]
    rng = np.random.default_rng(0)
    im = torch.from_numpy(rng.integers(0, 256, (1, 3, 120, 100)).astype(np.float32))
    feats, coords = extractor.extract(im, torch.tensor([60.0, 50.0]), [1.0, 1.5], torch.tensor([40.0, 48.0]))
    assert [tuple(f.shape) for f in feats] == [(2, 31, 10, 12), (2, 10, 10, 12), (2, 1, 20, 24)]
    assert coords.shape == (2, 4)
    # the features of a patch are those of the module run on the same patch
    from pytracking.features.preprocessing import sample_patch
    patch, _ = sample_patch(im, torch.tensor([60.0, 50.0]), (40.0, 48.0), (40.0, 48.0))
    assert torch.allclose(feats[1][:1], ColorNames(cell_size=4).extract(patch)[0])
    assert extractor.iou_feature_module() is None


def test_colour_and_grey_selection():
    hog, cn, grey = FHOG(), ColorNames(use_for_gray=False), Intensity(use_for_color=False)
    extractor = MultiResolutionExtractor([hog, cn, grey])
    assert extractor.dim() == [31, 10, 1]                     # before set_is_color: all modules
    extractor.set_is_color(True)
    assert extractor.dim() == [31, 10] and extractor.active_features() == [hog, cn]
    extractor.set_is_color(False)
    assert extractor.dim() == [31, 1]
    (f_hog, f_grey), _ = extractor.extract(torch.full((1, 1, 32, 32), 100.0), torch.tensor([16.0, 16.0]), [1.0],
                                           torch.tensor([16.0, 16.0]))
    assert f_hog.shape == (1, 31, 4, 4) and torch.allclose(f_grey, torch.full_like(f_grey, 100 / 255 - 0.5))
    with pytest.raises(ValueError, match="no feature module is used for grey"):
        MultiResolutionExtractor([ColorNames(use_for_gray=False)]).set_is_color(False)


def test_feature_module_contract():
    class Mean(FeatureModule):
        def dim(self):
            return [1]

        def stride(self):
            return [8]

        def extract(self, patches):
            return [patches.mean(dim=1, keepdim=True)[..., ::8, ::8]]

    assert Mean().size([33, 16])[0].tolist() == [4, 2]
    assert issubclass(ATOMFeatures, FeatureModule)
    assert provides_iou_branch(ATOMFeatures(use_iou_net=True)) and not provides_iou_branch(FHOG())
    with pytest.raises(NotImplementedError):
        FeatureModule().dim()
