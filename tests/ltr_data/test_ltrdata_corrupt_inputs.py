"""Truncated and corrupt inputs (issue 18, item 6): every image path raises ImageLoadError naming the
file (OpenCV included, which decodes a truncated JPEG silently as a partly grey image); training
skips such a frame, or a sequence whose annotation cannot be parsed, with a warning naming file and
line; fail-safe training does not retry errors that cannot go away."""
from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest

from ltr.data import image_loader as il
from ltr.data import sampler as sampler_mod
from ltr.dataset import Got10k
from pytracking.utils.image_io import FrameReadError, read_frame


def textured_image(height=96, width=128, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def write_truncated(path, suffix, keep=0.6):
    ok, buffer = cv2.imencode(suffix, textured_image())
    assert ok
    data = buffer.tobytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


LOADERS = [il.opencv_loader, il.default_image_loader]
if il.jpeg4py_available():
    LOADERS.append(il.jpeg4py_loader)
try:
    import PIL  # noqa: F401
    LOADERS.append(il.pil_loader)
except ImportError:
    pass


def test_opencv_alone_decodes_a_truncated_jpeg_silently(tmp_path):
    """The fault itself: without the check, OpenCV returns an image for a truncated JPEG."""
    path = write_truncated(tmp_path / "cut.jpg", ".jpg")
    assert cv2.imread(str(path)) is not None


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_images_are_errors_naming_the_file(tmp_path, loader, suffix):
    if loader is il.jpeg4py_loader and suffix == ".png":
        pytest.skip("jpeg4py reads JPEG only")
    path = write_truncated(tmp_path / f"cut{suffix}", suffix)
    with pytest.raises(il.ImageLoadError, match=f"cut\\{suffix}.*truncated"):
        loader(str(path))


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_tracking_frame_reader_detects_truncation(tmp_path, suffix):
    path = write_truncated(tmp_path / f"frame{suffix}", suffix)
    with pytest.raises(FrameReadError, match=f"frame\\{suffix}.*truncated") as err:
        read_frame(path)
    assert isinstance(err.value, il.ImageLoadError)


@pytest.mark.parametrize("content", [b"", b"\xff\xd8\xff\xe0 garbage", b"not an image at all"])
def test_empty_and_garbage_files_are_errors(tmp_path, content):
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    for reader in (il.opencv_loader, read_frame):
        with pytest.raises(il.ImageLoadError, match="bad.jpg"):
            reader(str(path))


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_complete_images_still_load_exactly(tmp_path, suffix):
    image = textured_image()
    path = tmp_path / f"ok{suffix}"
    cv2.imwrite(str(path), image[:, :, ::-1])
    expected = cv2.imread(str(path))[:, :, ::-1]
    assert np.array_equal(il.opencv_loader(str(path)), expected)
    assert np.array_equal(read_frame(path), expected)
    if suffix == ".png":
        assert np.array_equal(expected, image)  # lossless


def _sampler(dataset):
    return sampler_mod.TrackingSampler([dataset], None, 10, max_gap=100, num_test_frames=1,
                                       frame_sample_mode="interval", min_sequence_length=5, seed=0)


def test_truncated_training_frame_is_skipped_with_a_warning(got10k_copy, caplog):
    frame = got10k_copy / "GOT-10k_Train_000002" / "00000005.jpg"
    data = frame.read_bytes()
    frame.write_bytes(data[: len(data) // 2])
    s = _sampler(Got10k(str(got10k_copy), image_loader=il.opencv_loader))
    gen = np.random.default_rng(0)
    with caplog.at_level(logging.WARNING, logger="ltr.data.sampler"):
        for _ in range(150):
            assert len(s.sample(gen)["test_images"]) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert messages, "the truncated frame was never drawn"
    assert all("00000005.jpg" in m and "truncated" in m for m in messages)


def test_sequence_with_unparseable_annotation_is_skipped_with_file_and_line(got10k_copy, caplog):
    gt = got10k_copy / "GOT-10k_Train_000004" / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    lines[2] = "12,abc,40,30"
    gt.write_text("\n".join(lines) + "\n")
    dataset = Got10k(str(got10k_copy), image_loader=il.opencv_loader)
    s = _sampler(dataset)
    gen = np.random.default_rng(0)
    with caplog.at_level(logging.WARNING, logger="ltr.data.sampler"):
        for _ in range(60):
            assert len(s.sample(gen)["test_images"]) == 1
    warnings = [r.getMessage() for r in caplog.records if "GOT-10k_Train_000004" in r.getMessage()]
    assert len(warnings) == 1  # the sequence is marked unusable after the first failure
    assert "groundtruth.txt" in warnings[0] and "line 3" in warnings[0]


def test_fail_safe_does_not_retry_permanent_errors(isolated_settings):
    import torch

    from ltr.actors.base_actor import BaseActor
    from ltr.admin.settings import Settings
    from ltr.trainers import LTRTrainer
    from pytracking.libs import TensorDict

    class Failing(BaseActor):
        calls = 0

        def __call__(self, data):
            Failing.calls += 1
            raise self.error

    class Loader(list):
        name, training, epoch_interval, stack_dim = "train", True, 1, 0

    for error, expected_calls in ((il.ImageLoadError("x.jpg", "truncated JPEG"), 1),
                                  (ValueError("bad annotation"), 1),
                                  (RuntimeError("CUDA out of memory (transient)"), 3)):
        settings = Settings()
        settings.project_path, settings.use_gpu, settings.max_restarts = "ltr/t/fs", False, 2
        net = torch.nn.Linear(2, 1)
        actor = Failing(net, torch.nn.MSELoss())
        actor.error = error
        Failing.calls = 0
        trainer = LTRTrainer(actor, [Loader([TensorDict(train_images=torch.zeros(1, 2))])],
                             torch.optim.SGD(net.parameters(), lr=0.1), settings)
        with pytest.raises(type(error)):
            trainer.train(1, fail_safe=True)
        assert Failing.calls == expected_calls, type(error).__name__


@pytest.mark.parametrize("field, value, problem", [
    ("bbox", [1.0, 2.0, 3.0], "4 numbers"),
    ("bbox", "10 20 30 40", "4 numbers"),
    ("bbox", [1, 2, True, 4], "4 numbers"),
    ("image_id", 987654, "unknown image id 987654"),
    ("category_id", 4242, "unknown category id 4242"),
])
def test_bad_coco_annotation_is_skipped_naming_file_and_annotation(coco_info, tmp_path, caplog,
                                                                   field, value, problem):
    import json
    import shutil

    from ltr.dataset import MSCOCOSeq

    root = tmp_path / "coco"
    shutil.copytree(coco_info.root, root)
    (annotation_file,) = (root / "annotations").glob("instances_train*.json")
    document = json.loads(annotation_file.read_text())
    good = MSCOCOSeq(str(root)).get_num_sequences()
    document["annotations"][1][field] = value
    bad_id = document["annotations"][1]["id"]
    annotation_file.write_text(json.dumps(document))
    with caplog.at_level(logging.WARNING, logger="ltr.dataset.coco_index"):
        dataset = MSCOCOSeq(str(root))
    assert dataset.get_num_sequences() == good - 1
    (message,) = [r.getMessage() for r in caplog.records]
    assert str(annotation_file) in message and f"annotation id {bad_id} " in message
    assert problem in message
