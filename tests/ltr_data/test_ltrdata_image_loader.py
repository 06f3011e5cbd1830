"""Image loaders: RGB uint8 output, agreement between decoders, fallback and corrupt files."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest

import ltr.data.image_loader as il
from ltr.dataset.coco_index import rasterize_polygon


@pytest.fixture()
def images(tmp_path):
    rng = np.random.default_rng(0)
    rgb = np.zeros((30, 40, 3), dtype=np.uint8)
    rgb[:, :20] = (250, 10, 10)  # red left half
    rgb[:, 20:] = (10, 10, 250)  # blue right half
    rgb[10:20, 5:15] = rng.integers(0, 255, (10, 10, 3))
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    jpg, png = tmp_path / "a.jpg", tmp_path / "a.png"
    cv2.imwrite(str(jpg), bgr, [cv2.IMWRITE_JPEG_QUALITY, 100])
    cv2.imwrite(str(png), bgr)
    gray = tmp_path / "g.jpg"
    cv2.imwrite(str(gray), rgb[:, :, 0])
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    return rgb, jpg, png, gray, bad


def test_opencv_and_pil_give_rgb(images):
    rgb, jpg, png, gray, _ = images
    for loader in (il.opencv_loader, il.pil_loader, il.default_image_loader):
        out = loader(str(png))
        assert out.dtype == np.uint8 and out.shape == (30, 40, 3)
        np.testing.assert_array_equal(out, rgb)  # PNG is lossless: exact RGB order
        out = loader(str(jpg))
        assert out.shape == (30, 40, 3)
        assert out[:, :15, 0].mean() > 200 and out[:, 25:, 2].mean() > 200  # red left, blue right
        g = loader(str(gray))
        assert g.shape == (30, 40, 3) and (g[..., 0] == g[..., 1]).all()


@pytest.mark.skipif(not il.jpeg4py_available(), reason="libjpeg-turbo not installed")
def test_jpeg4py_matches_opencv(images):
    _, jpg, _, _, _ = images
    a = il.jpeg4py_loader(str(jpg)).astype(int)
    b = il.opencv_loader(str(jpg)).astype(int)
    assert a.shape == b.shape == (30, 40, 3)
    assert np.abs(a - b).max() <= 2


@pytest.mark.parametrize("name", ["opencv", "pil", "default", "jpeg4py"])
def test_corrupt_and_missing_files_name_the_file(images, name):
    if name == "jpeg4py" and not il.jpeg4py_available():
        pytest.skip("libjpeg-turbo not installed")
    *_, bad = images
    loader = il.get_image_loader(name)
    with pytest.raises(il.ImageLoadError) as err:
        loader(str(bad))
    assert str(bad) in str(err.value)
    with pytest.raises(il.ImageLoadError, match="no such file"):
        loader(str(bad.parent / "missing.jpg"))


def test_default_falls_back_to_opencv_with_one_warning(images, monkeypatch, caplog):
    rgb, jpg, *_ = images
    jpeg4py = pytest.importorskip("jpeg4py")

    class Broken:
        def __init__(self, *args):
            raise OSError("Could not load libjpeg-turbo library")

    monkeypatch.setattr(jpeg4py, "JPEG", Broken)
    monkeypatch.setattr(il, "_jpeg4py_ok", None)
    with caplog.at_level(logging.WARNING, logger="ltr.data.image_loader"):
        first = il.default_image_loader(str(jpg))
        il.default_image_loader(str(jpg))
    warnings = [r for r in caplog.records if "OpenCV" in r.getMessage()]
    assert len(warnings) == 1
    np.testing.assert_array_equal(first, il.opencv_loader(str(jpg)))


def test_unknown_loader_name():
    with pytest.raises(ValueError, match="opencv"):
        il.get_image_loader("imageio")


def test_polygon_rasterisation_uses_pixel_centres():
    # square [2, 6] x [2, 5]: pixel centres 2.5..5.5 in x, 2.5..4.5 in y
    mask = rasterize_polygon(np.array([[2, 2], [6, 2], [6, 5], [2, 5]], dtype=float), 8, 9)
    expected = np.zeros((8, 9), dtype=bool)
    expected[2:5, 2:6] = True
    np.testing.assert_array_equal(mask, expected)
    # triangle: brute-force point-in-triangle test at every pixel centre
    tri = np.array([[1.3, 0.7], [7.8, 2.2], [3.1, 6.6]])
    mask = rasterize_polygon(tri, 8, 9)
    ys, xs = np.mgrid[0:8, 0:9] + 0.5

    def side(a, b):
        return (b[0] - a[0]) * (ys - a[1]) - (b[1] - a[1]) * (xs - a[0])

    s1, s2, s3 = side(tri[0], tri[1]), side(tri[1], tri[2]), side(tri[2], tri[0])
    inside = ((s1 > 0) & (s2 > 0) & (s3 > 0)) | ((s1 < 0) & (s2 < 0) & (s3 < 0))
    np.testing.assert_array_equal(mask, inside)
