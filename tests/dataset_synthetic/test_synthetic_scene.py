"""Generator checks: determinism, exact ground truth, and the promised scene events."""
import numpy as np
import pytest

from ltr.dataset.synthetic import generate_sequence
from ltr.dataset.synthetic import geometry
from ltr.dataset.synthetic.formats.coco import rle_encode
from ltr.dataset.synthetic.formats.got10k import cover_label

SIZE = (96, 72)


@pytest.fixture(scope="module")
def long_sequences():
    return [generate_sequence(seed, 60, SIZE) for seed in range(4)]


def test_same_seed_gives_identical_data():
    a = generate_sequence(7, 10, SIZE)
    b = generate_sequence(7, 10, SIZE)
    assert all(np.array_equal(x, y) for x, y in zip(a.frames, b.frames))
    assert np.array_equal(a.boxes, b.boxes)
    assert np.array_equal(a.target_masks, b.target_masks)
    assert np.array_equal(a.visible_ratio, b.visible_ratio)


def test_different_seed_gives_different_data():
    a = generate_sequence(7, 10, SIZE)
    b = generate_sequence(8, 10, SIZE)
    assert not np.array_equal(a.frames[0], b.frames[0])
    assert not np.array_equal(a.boxes, b.boxes)


def test_frames_are_rgb_uint8_of_requested_size():
    seq = generate_sequence(3, 4, (80, 48))
    assert len(seq.frames) == 4 and seq.num_frames == 4
    for frame in seq.frames:
        assert frame.shape == (48, 80, 3) and frame.dtype == np.uint8
    assert seq.boxes.shape == (4, 4) and seq.boxes.dtype == np.float64
    assert seq.target_masks.shape == (4, 48, 80) and seq.target_masks.dtype == bool


def test_box_is_bounding_box_of_target_mask(long_sequences):
    for seq in long_sequences:
        for mask, box in zip(seq.target_masks, seq.boxes):
            rows, cols = np.where(mask)
            if rows.size == 0:
                expected = [0, 0, 0, 0]
            else:
                expected = [cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1]
            assert box.tolist() == [float(v) for v in expected]


def test_flags_agree_with_masks(long_sequences):
    for seq in long_sequences:
        n = seq.num_frames
        in_image = seq.target_masks.reshape(n, -1).sum(1)
        seen = seq.visible_masks.reshape(n, -1).sum(1)
        assert not (seq.visible_masks & ~seq.target_masks).any()
        assert np.array_equal(seq.visible, seen > 0)
        assert np.array_equal(seq.out_of_view, in_image == 0)
        assert np.array_equal(seq.full_occlusion, (in_image > 0) & (seen == 0))
        assert np.array_equal(seq.cut_by_image, in_image < seq.target_area)
        np.testing.assert_allclose(seq.visible_ratio, seen / seq.target_area)
        assert (seq.target_area > 0).all()


def test_first_frame_shows_whole_target(long_sequences):
    for seq in long_sequences:
        assert seq.visible_ratio[0] == 1.0
        assert seq.boxes[0, 2] > 0 and seq.boxes[0, 3] > 0


def test_scene_contains_every_event(long_sequences):
    for seq in long_sequences:
        ratio = seq.visible_ratio
        occluded_only = (ratio > 0) & (ratio < 1) & ~seq.cut_by_image
        assert occluded_only.any(), "no partial occlusion inside the image"
        assert seq.full_occlusion.any(), "no full occlusion"
        assert seq.out_of_view.any(), "target never fully leaves the image"
        assert (seq.cut_by_image & seq.visible & ~seq.out_of_view).any(), "target never partly leaves the image"
        # the occluder covers part of the target where visible < in-image silhouette
        hidden = seq.target_masks & ~seq.visible_masks
        assert hidden[~seq.out_of_view].any()


def test_distractor_present_and_elsewhere(long_sequences):
    for seq in long_sequences:
        present = seq.distractor_masks.reshape(seq.num_frames, -1).any(1)
        assert present.mean() > 0.5
        assert not (seq.distractor_masks & seq.target_masks).any()
        tx, ty, tw, th = seq.boxes[0]
        dx, dy, dw, dh = seq.distractor_boxes[0]
        overlap_x = min(tx + tw, dx + dw) - max(tx, dx)
        overlap_y = min(ty + th, dy + dh) - max(ty, dy)
        assert overlap_x <= 0 or overlap_y <= 0, "distractor overlaps the target in frame 0"


def test_scale_and_aspect_change(long_sequences):
    for seq in long_sequences:
        full = seq.visible_ratio == 1.0
        areas = seq.target_area[full]
        assert areas.max() > 1.1 * areas.min()


def test_rectangle_polygons_bound_the_box():
    seq = generate_sequence(11, 12, SIZE, shape="rectangle", rotating=True, out_of_view=False)
    assert seq.polygons.shape == (12, 4, 2)
    for poly, box in zip(seq.polygons, seq.boxes):
        xs, ys = poly[:, 0], poly[:, 1]
        assert abs(xs.min() - box[0]) <= 1.5 and abs(xs.max() - (box[0] + box[2])) <= 1.5
        assert abs(ys.min() - box[1]) <= 1.5 and abs(ys.max() - (box[1] + box[3])) <= 1.5
    edges = np.diff(seq.polygons[:, :2, :], axis=1)[:, 0]
    assert (np.abs(edges[:, 1]) > 0.5).any(), "no frame with a rotated rectangle"


def test_events_can_be_disabled():
    seq = generate_sequence(2, 40, SIZE, occlusion=False, out_of_view=False, distractor=False)
    assert seq.visible_ratio.min() == 1.0
    assert not seq.distractor_masks.any()


def test_rasterization_matches_hand_computed_pixels():
    # rectangle of 5 x 3 centred on pixel (10, 20): columns 8..12, rows 19..21
    raster = geometry.rasterize("rectangle", geometry.Pose(10.5, 20.5, 5.0, 3.0, 0.0))
    mask = np.zeros((40, 40), dtype=bool)
    mask[raster.r0:raster.r1, raster.c0:raster.c1] = raster.mask
    assert geometry.mask_box(mask).tolist() == [8.0, 19.0, 5.0, 3.0]
    assert mask.sum() == 15
    # rotating by 90 degrees swaps width and height
    raster = geometry.rasterize("rectangle", geometry.Pose(10.5, 20.5, 5.0, 3.0, np.pi / 2))
    assert raster.mask.sum() == 15
    rows, cols = np.where(raster.mask)
    assert cols.max() - cols.min() + 1 == 3 and rows.max() - rows.min() + 1 == 5


@pytest.mark.parametrize("kind, fraction", [("ellipse", np.pi / 4), ("triangle", 0.5), ("diamond", 0.5),
                                            ("hexagon", 0.75)])
def test_shape_areas_follow_closed_forms(kind, fraction):
    w, h = 80.0, 50.0
    raster = geometry.rasterize(kind, geometry.Pose(100.3, 70.7, w, h, 0.4))
    assert abs(raster.mask.sum() / (w * h * fraction) - 1) < 0.02


def test_cover_bins_follow_got10k_definition():
    ratios = np.array([0.0, 1e-6, 0.15, 0.1501, 0.30, 0.45, 0.6, 0.75, 0.9, 0.9001, 0.999, 1.0])
    assert cover_label(ratios).tolist() == [0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 7, 8]


def test_rle_encoding_hand_examples():
    # column-major order: [[0,1],[1,1]] -> 0,1,1,1
    assert rle_encode(np.array([[0, 1], [1, 1]], dtype=bool)) == {"counts": [1, 3], "size": [2, 2]}
    # starts with a one: a zero-length run of zeros comes first
    assert rle_encode(np.array([[1, 0, 0]], dtype=bool)) == {"counts": [0, 1, 2], "size": [1, 3]}


@pytest.mark.parametrize("kwargs, word", [
    ({"seed": -1, "num_frames": 3}, "seed"),
    ({"seed": 0, "num_frames": 0}, "num_frames"),
    ({"seed": 0, "num_frames": 3, "image_size": (20, 20)}, "image_size"),
    ({"seed": 0, "num_frames": 3, "shape": "star"}, "shape"),
])
def test_bad_arguments_are_rejected(kwargs, word):
    with pytest.raises(ValueError, match=word):
        generate_sequence(**kwargs)
