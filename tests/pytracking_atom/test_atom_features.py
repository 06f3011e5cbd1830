"""The ATOM feature wrapper and the multi-resolution extractor."""
import math

import pytest
import torch

from pytracking.features import net_wrappers
from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.features.net_wrappers import ATOMFeatures, normalize_features, resolve_network_path


def test_normalize_power_two_gives_norm_sqrt_chw():
    g = torch.Generator().manual_seed(0)
    feat = torch.randn(3, 4, 5, 6, generator=g) * torch.tensor([1.0, 10.0, 0.1]).reshape(3, 1, 1, 1)
    out = normalize_features(feat, 2.0)
    norms = out.reshape(3, -1).norm(dim=1)
    assert torch.allclose(norms, torch.full((3,), math.sqrt(4 * 5 * 6)), rtol=1e-5)
    # a positive rescaling of a sample does not change its normalised features
    assert torch.allclose(normalize_features(feat * 7.0, 2.0), out, atol=1e-5)
    assert normalize_features(feat, None) is feat


def test_network_path_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTRACKING_NETWORK_PATH", str(tmp_path))
    assert resolve_network_path("atom_default.pth") is None
    (tmp_path / "atom_default.pth").write_bytes(b"")
    assert resolve_network_path("atom_default.pth") == tmp_path / "atom_default.pth"
    with pytest.raises(FileNotFoundError, match="network"):
        resolve_network_path(str(tmp_path / "missing.pth"))


def test_fallback_network_features_and_preprocessing(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PYTRACKING_NETWORK_PATH", str(tmp_path))
    monkeypatch.setattr(net_wrappers, "_warned_fallback", False)
    monkeypatch.setattr(net_wrappers, "_NETWORK_CACHE", {})
    feats = ATOMFeatures("atom_default.pth", device=torch.device("cpu"))
    with caplog.at_level("WARNING"):
        feats.initialize()
        ATOMFeatures("atom_default.pth", device=torch.device("cpu"), seed=2).initialize()
    assert sum("seeded random ATOM network" in r.message for r in caplog.records) == 1
    # ImageNet preprocessing: the mean colour maps to 0, one std above it to 1
    mean = torch.tensor(net_wrappers.IMAGENET_MEAN).reshape(1, 3, 1, 1) * 255
    std = torch.tensor(net_wrappers.IMAGENET_STD).reshape(1, 3, 1, 1) * 255
    assert torch.allclose(feats.preprocess(mean.expand(1, 3, 2, 2)), torch.zeros(1, 3, 2, 2), atol=1e-5)
    assert torch.allclose(feats.preprocess((mean + std).expand(1, 3, 2, 2)), torch.ones(1, 3, 2, 2), atol=1e-5)
    # the same seed gives the same network; layer3 features are 256 x ceil(size / 16)
    im = torch.rand(2, 3, 80, 72) * 255
    x = feats.extract(im)
    assert x[0].shape == (2, 256, 5, 5)
    assert [s.tolist() for s in feats.size((80, 72))] == [[5, 5]]
    assert torch.allclose(x[0].reshape(2, -1).norm(dim=1), torch.full((2,), math.sqrt(256 * 25)), rtol=1e-4)
    iou_backbone = feats.iou_backbone_features()
    assert [t.shape[1] for t in iou_backbone] == [128, 256]
    assert [t.shape[1] for t in feats.iou_features()] == [256, 256]


def test_extractor_scales_and_transforms(tmp_path, monkeypatch):
    from pytracking.features import augmentation

    monkeypatch.setenv("PYTRACKING_NETWORK_PATH", str(tmp_path))
    extractor = MultiResolutionExtractor([ATOMFeatures("atom_default.pth", device=torch.device("cpu"))])
    extractor.initialize()
    assert extractor.stride() == [16] and extractor.dim() == [256]
    im = torch.rand(1, 3, 100, 120) * 255
    feats, coords = extractor.extract(im, (50.0, 60.0), [1.0, 2.0], (64, 64))
    assert feats[0].shape == (2, 256, 4, 4)
    assert coords.shape == (2, 4)
    # patch centres at the requested position (within half a pixel), scale 2 covers twice the size
    centre = (coords[:, :2] + coords[:, 2:] - 1) / 2
    assert (centre - torch.tensor([50.0, 60.0])).abs().max() <= 0.5
    assert (coords[1, 2:] - coords[1, :2]).tolist() == [128.0, 128.0]
    transforms = [augmentation.Identity((32, 32)), augmentation.FlipHorizontal((32, 32))]
    feats, coords = extractor.extract_transformed(im, (50.0, 60.0), 1.0, (64, 64), transforms)
    assert feats[0].shape == (2, 256, 2, 2) and coords.shape == (1, 4)


def test_large_batches_are_run_in_chunks_with_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTRACKING_NETWORK_PATH", str(tmp_path))
    feats = ATOMFeatures("atom_default.pth", device=torch.device("cpu"))
    im = torch.rand(7, 3, 64, 80, generator=torch.Generator().manual_seed(2)) * 255
    monkeypatch.setattr(net_wrappers, "CPU_BATCH_CHUNK", 3)            # chunks of 3, 3 and 1
    chunked = feats.extract(im)[0], list(feats.iou_backbone_features())
    monkeypatch.setattr(net_wrappers, "CPU_BATCH_CHUNK", 100)          # one batch
    whole = feats.extract(im)[0], list(feats.iou_backbone_features())
    assert chunked[0].shape == (7, 256, 4, 5)
    assert torch.allclose(chunked[0], whole[0], atol=1e-5)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(chunked[1], whole[1]))


def test_weight_file_is_loaded_from_network_path(tmp_path, monkeypatch):
    from ltr.models.bbreg.atom import atom_resnet18

    torch.manual_seed(11)
    net = atom_resnet18(backbone_pretrained=False)
    for m in net.modules():                     # non-trivial batch-norm statistics
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    torch.save({"net": net.state_dict(), "constructor": net.constructor, "net_type": "ATOMnet"},
               tmp_path / "my_atom.pth")
    monkeypatch.setenv("PYTRACKING_NETWORK_PATH", str(tmp_path))
    monkeypatch.setattr(net_wrappers, "_NETWORK_CACHE", {})
    feats = ATOMFeatures("my_atom.pth", device=torch.device("cpu"), normalize_power=None)
    im = torch.rand(1, 3, 64, 64) * 255
    x = feats.extract(im)[0]
    net.eval()
    with torch.no_grad():
        ref = net.extract_features(feats.preprocess(im), ["layer3"])["layer3"]
    assert torch.allclose(x, ref, atol=1e-4)


def test_batchnorm_folding_keeps_the_outputs():
    from ltr.models.bbreg.atom import atom_resnet18

    torch.manual_seed(5)
    net = atom_resnet18(backbone_pretrained=False)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.1, 0.1)
    net.eval()
    folded = net_wrappers.fold_batchnorm(net)
    # only the batch norms after the IoU predictor's linear layers (no convolution before) remain
    assert [n for n, m in folded.named_modules() if isinstance(m, torch.nn.BatchNorm2d)] == \
        ["bb_regressor.fc3_rt.bn", "bb_regressor.fc4_rt.bn"]
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())      # original untouched
    im = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ref = net.extract_features(im, ["layer2", "layer3"])
        out = folded.extract_features(im, ["layer2", "layer3"])
        for name in ("layer2", "layer3"):
            assert torch.allclose(out[name], ref[name], atol=1e-4, rtol=1e-4)
        iou_ref = net.bb_regressor.get_iou_feat(list(ref.values()))
        iou_out = folded.bb_regressor.get_iou_feat(list(out.values()))
        for a, b in zip(iou_out, iou_ref):
            assert torch.allclose(a, b, atol=1e-3, rtol=1e-3)
