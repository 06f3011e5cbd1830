"""Published Siamese weight files load strictly through the safe reader, in every layout the
projects save, and bad files fail with the file and the first mismatching key named."""
from __future__ import annotations

import collections
import io
import pickletools
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from ltr.models.siam.published import PUBLISHED, published_key
from ltr.models.siam.published_loading import (PublishedWeightsError, convert_state_dict, read_state_dict,
                                               load_published)

# Facts of the published layouts (the key-list headers in ../shared/reference/siamese/):
# (entries in the state dict, parameter elements) and a few keys with their shapes.
LAYOUTS = {
    "siamrpn_alex_dwxcorr": (75, 6251102, {"backbone.features.14.weight": (256, 384, 3, 3),
                                           "rpn_head.loc.head.3.weight": (20, 256, 1, 1)}),
    "siamrpn_r50_l234_dwxcorr": (458, 53950624, {
        "backbone.conv1.weight": (64, 3, 7, 7),
        "backbone.layer2.0.downsample.0.weight": (512, 256, 3, 3),
        "backbone.layer4.0.downsample.0.weight": (2048, 1024, 3, 3),
        "neck.downsample4.downsample.0.weight": (256, 2048, 1, 1),
        "rpn_head.cls_weight": (3,), "rpn_head.rpn3.cls.head.3.weight": (10, 256, 1, 1)}),
    "siamrpn_mobilev2_l234_dwxcorr": (450, 11150446, {
        "backbone.layer0.0.weight": (44, 3, 3, 3),
        "backbone.layer1.0.conv.0.weight": (44, 44, 1, 1),
        "backbone.layer7.0.conv.6.weight": (448, 1344, 1, 1),
        "neck.downsample2.downsample.0.weight": (256, 44, 1, 1)}),
    "SiamRPNBIG": (45, 90436132, {"featureExtract.0.weight": (192, 3, 11, 11),
                                  "conv_r1.weight": (10240, 512, 3, 3)}),
    "SiamRPNvot": (45, 22632932, {"conv_r1.weight": (5120, 256, 3, 3),
                                  "regress_adjust.weight": (20, 20, 1, 1)}),
    "SiamRPNotb": (45, 22632932, {"conv_cls1.weight": (2560, 256, 3, 3)}),
    "siamfc_alexnet_e50": (30, 2336320, {"backbone.conv2.0.weight": (256, 48, 5, 5),
                                         "backbone.conv5.0.bias": (256,)}),
}


def published_state(name: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """A random state dict with the published key names of ``name``."""
    model = PUBLISHED[name].build()
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for key, value in model.state_dict().items():
        if value.is_floating_point():
            value = torch.randn(value.shape, generator=generator)
        state[published_key(name, key)] = value
    return state


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_published_layout_loads_strictly(name):
    entries, elements, known = LAYOUTS[name]
    state = published_state(name)
    assert len(state) == entries
    for key, shape in known.items():
        assert tuple(state[key].shape) == shape, key
    model = PUBLISHED[name].build()
    assert sum(p.numel() for p in model.parameters()) == elements
    model.load_state_dict(convert_state_dict(name, state, model, "mem"), strict=True)
    loaded = model.state_dict()
    for key, value in state.items():
        assert torch.equal(loaded[next(k for k in loaded if published_key(name, k) == key)],
                           value), key


def _python2_pickle(segment: bytes) -> bytes:
    """One pickle of torch's legacy format as torch 0.3 under Python 2 wrote it: text as Python 2
    byte strings (SHORT_BINSTRING / BINSTRING), tensors rebuilt by ``torch._utils._rebuild_tensor``
    (storage, offset, size, stride), without the later requires-grad flag and backward hooks."""
    ops = list(pickletools.genops(segment))
    out, in_args, depth, skipping, rebuild_memo = io.BytesIO(), False, 0, False, None
    for i, (op, arg, pos) in enumerate(ops):
        end = ops[i + 1][2] if i + 1 < len(ops) else len(segment)
        if i and ops[i - 1][0].name == "GLOBAL" and ops[i - 1][1] == "torch._utils _rebuild_tensor_v2":
            rebuild_memo = arg if op.name in ("BINPUT", "LONG_BINPUT") else rebuild_memo
        if op.name in ("BINGET", "LONG_BINGET") and arg == rebuild_memo:
            in_args = True                              # a later tensor: the memoized function
        elif in_args:                                   # inside _rebuild_tensor_v2's argument tuple
            depth += op.name == "MARK"
            depth -= op.name == "TUPLE"
            if depth == 0 and op.name == "TUPLE":
                in_args = skipping = False
            elif depth == 1 and op.name in ("NEWFALSE", "NEWTRUE"):
                skipping = True                         # requires_grad and the backward hooks
        if skipping:
            continue
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8"):
            text = arg.encode("ascii")
            out.write(b"U" + bytes([len(text)]) + text if len(text) < 256
                      else b"T" + struct.pack("<i", len(text)) + text)
        elif op.name == "GLOBAL" and arg == "torch._utils _rebuild_tensor_v2":
            out.write(b"ctorch._utils\n_rebuild_tensor\n")
            in_args = True
        else:
            out.write(segment[pos:end])
    return out.getvalue()


def python2_file(state: dict, path: Path) -> None:
    """``state`` in torch's legacy format as written under Python 2 by torch 0.3 (DaSiamRPN's
    ``.model`` files): five pickles (magic number, protocol, system info, the object, the storage
    keys), then the raw storages."""
    buf = io.BytesIO()
    torch.save(state, buf, _use_new_zipfile_serialization=False)
    data, out = buf.getvalue(), io.BytesIO()
    reader = io.BytesIO(data)
    for _ in range(5):
        start = reader.tell()
        for _op in pickletools.genops(reader):
            pass
        out.write(_python2_pickle(data[start:reader.tell()]))
    out.write(data[reader.tell():])
    path.write_bytes(out.getvalue())


def save_variants(state: dict, folder: Path) -> dict[str, Path]:
    """The file layouts the projects write: flat (siamfc-pytorch, pysot demo), a pysot training
    snapshot of a DataParallel model, an old flat file without BN counters in torch's legacy
    (pre-zip) format (DaSiamRPN's era), and the same as Python 2 and torch 0.3 wrote it."""
    files = {"flat": folder / "flat.pth", "snapshot": folder / "snapshot.pth",
             "legacy": folder / "legacy.model", "python2": folder / "python2.model"}
    torch.save(state, files["flat"])
    torch.save({"epoch": 20, "state_dict": {"module." + k: v for k, v in state.items()},
                "optimizer": {"state": {}, "param_groups": []}}, files["snapshot"])
    old = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    torch.save(old, files["legacy"], _use_new_zipfile_serialization=False)
    python2_file(collections.OrderedDict(old), files["python2"])
    return files


def test_the_python2_file_really_has_python2_strings_and_the_old_tensor_rebuild(tmp_path):
    python2_file({"a.weight": torch.arange(6.0).reshape(2, 3)}, tmp_path / "p2.model")
    data = (tmp_path / "p2.model").read_bytes()
    assert b"_rebuild_tensor\n" in data and b"_rebuild_tensor_v2" not in data
    reader = io.BytesIO(data)
    names = [op.name for _ in range(5) for op, _arg, _pos in pickletools.genops(reader)]
    assert "SHORT_BINSTRING" in names and not {"SHORT_BINUNICODE", "BINUNICODE"} & set(names)
    assert torch.equal(read_state_dict(tmp_path / "p2.model")["a.weight"], torch.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("name", ["siamfc_alexnet_e50", "siamrpn_alex_dwxcorr", "SiamRPNvot"])
def test_file_variants_load_with_equal_tensors(name, tmp_path):
    state = published_state(name, seed=3)
    for variant, path in save_variants(state, tmp_path).items():
        model = load_published(name, path)
        assert not model.training
        loaded = {published_key(name, k): v for k, v in model.state_dict().items()}
        assert loaded.keys() == state.keys(), variant
        for key, value in state.items():
            if key.endswith("num_batches_tracked") and variant in ("legacy", "python2"):
                assert int(loaded[key]) == 0
            else:
                assert torch.equal(loaded[key], value), (variant, key)


@pytest.fixture
def siamfc_file(tmp_path) -> tuple[Path, dict]:
    state = published_state("siamfc_alexnet_e50")
    path = tmp_path / "siamfc_alexnet_e50.pth"
    torch.save(state, path)
    return path, state


def test_truncated_file_names_the_file(siamfc_file, tmp_path):
    path, _ = siamfc_file
    cut = tmp_path / "cut.pth"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(PublishedWeightsError, match="cut.pth"):
        load_published("siamfc_alexnet_e50", cut)


def test_missing_key_is_named(siamfc_file, tmp_path):
    _, state = siamfc_file
    state.pop("backbone.conv5.0.bias")
    torch.save(state, tmp_path / "short.pth")
    with pytest.raises(PublishedWeightsError,
                       match=r"short\.pth.*'backbone\.conv5\.0\.bias' is missing"):
        load_published("siamfc_alexnet_e50", tmp_path / "short.pth")


def test_unknown_and_misshaped_keys_are_named(siamfc_file, tmp_path):
    _, state = siamfc_file
    renamed = {("backbone.conv3.1.weights" if k == "backbone.conv3.1.weight" else k): v
               for k, v in state.items()}
    torch.save(renamed, tmp_path / "renamed.pth")
    with pytest.raises(PublishedWeightsError, match=r"renamed\.pth.*'backbone\.conv3\.1\.weights'"):
        load_published("siamfc_alexnet_e50", tmp_path / "renamed.pth")
    state["backbone.conv2.0.weight"] = torch.zeros(256, 96, 5, 5)      # not grouped
    torch.save(state, tmp_path / "shape.pth")
    with pytest.raises(PublishedWeightsError,
                       match=r"shape\.pth.*'backbone\.conv2\.0\.weight' has shape \(256, 96, 5, 5\)"):
        load_published("siamfc_alexnet_e50", tmp_path / "shape.pth")


def test_another_model_file_is_refused(tmp_path):
    torch.save(published_state("siamfc_alexnet_e50"), tmp_path / "fc.pth")
    with pytest.raises(PublishedWeightsError, match=r"fc\.pth is not a SiamRPNvot weight file"):
        load_published("SiamRPNvot", tmp_path / "fc.pth")


class _Payload:
    """Pickles as a call that would create a file when unpickled by an unsafe loader."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_pickled_code_is_not_run(siamfc_file, tmp_path):
    _, state = siamfc_file
    marker = tmp_path / "ran"
    torch.save({"state_dict": state, "extra": _Payload(str(marker))}, tmp_path / "evil.pth")
    with pytest.raises(PublishedWeightsError, match=r"evil\.pth"):
        load_published("siamfc_alexnet_e50", tmp_path / "evil.pth")
    assert not marker.exists()


def test_not_a_state_dict(tmp_path):
    torch.save([torch.zeros(1)], tmp_path / "list.pth")
    with pytest.raises(PublishedWeightsError, match=r"list\.pth holds a list"):
        load_published("siamfc_alexnet_e50", tmp_path / "list.pth")
    with pytest.raises(KeyError, match="Unknown published Siamese model 'SiamRPNxyz'"):
        load_published("SiamRPNxyz", tmp_path / "list.pth")


def test_fixed_scale_head_has_no_weights():
    model = PUBLISHED["siamfc_alexnet_e50"].build().eval()
    z, x = torch.ones(1, 256, 6, 6), torch.ones(2, 256, 22, 22)
    score = model.score(z, x)
    assert score.shape == (2, 1, 17, 17)
    np.testing.assert_allclose(score.numpy(), 256 * 36 * 1e-3, rtol=1e-6)


def test_mobilev2_feature_and_output_sizes():
    """pysot's io note for siamrpn_mobilev2_l234_dwxcorr (no reference outputs exist for it):
    layers 3, 5, 7 give 44, 134, 448 channels, 15 x 15 for a 127 template and 31 x 31 for a 255
    search region; the head gives 25 x 25 maps."""
    model = PUBLISHED["siamrpn_mobilev2_l234_dwxcorr"].build().eval()
    with torch.no_grad():
        z_feats = model.feature_extractor(torch.rand(1, 3, 127, 127))
        x_feats = model.feature_extractor(torch.rand(1, 3, 255, 255))
        cls, loc = model.rpn(model.rpn_head.template(z_feats), x_feats)
    assert [tuple(f.shape[1:]) for f in z_feats] == [(44, 15, 15), (134, 15, 15), (448, 15, 15)]
    assert [tuple(f.shape[1:]) for f in x_feats] == [(44, 31, 31), (134, 31, 31), (448, 31, 31)]
    assert tuple(cls.shape) == (1, 10, 25, 25) and tuple(loc.shape) == (1, 20, 25, 25)
