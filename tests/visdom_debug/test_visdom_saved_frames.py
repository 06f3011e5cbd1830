"""Saved visualizations (no server): rendering, --save_video / --save_frames, run_video's drawer."""
import cv2
import numpy as np
import pytest

from visdom_probe import (FRAME_H, FRAME_W, GT_OFFSET, NUM_FRAMES, SCORE_SHAPE, expected_box,
                      score_map_for)
from pytracking import run_tracker
from pytracking.evaluation.tracker import Tracker
from pytracking.utils.frame_saver import FrameSaver
from pytracking.utils.visualization.render import add_inset, colorize, render_frame

VIRIDIS_LOW = np.array([68, 1, 84])  # published end points of the viridis colour map (RGB)
VIRIDIS_HIGH = np.array([253, 231, 37])
GREEN = np.array([0, 255, 0])
RED = np.array([255, 0, 0])


def test_colorize_uses_viridis_from_min_to_max():
    img = colorize(np.array([[2.0, 7.0], [2.0, float("nan")]]))
    assert img.shape == (2, 2, 3) and img.dtype == np.uint8
    assert np.abs(img[0, 0].astype(int) - VIRIDIS_LOW).max() <= 3
    assert np.abs(img[0, 1].astype(int) - VIRIDIS_HIGH).max() <= 3
    np.testing.assert_array_equal(img[1, 1], img[0, 0])  # NaN drawn as the minimum
    with pytest.raises(ValueError, match="2-D"):
        colorize(np.zeros((2, 3, 4)))


def test_inset_is_scaled_into_the_top_right_corner():
    frame = np.zeros((100, 200, 3), np.uint8)
    inset = np.full((10, 10, 3), 77, np.uint8)
    out = add_inset(frame, inset)
    # scale = min(0.3 * 200 / 10, 0.3 * 100 / 10) = 3 -> a 30 x 30 block at columns 170..199
    assert (out[1:29, 171:199] == 77).all()
    assert (out[30:, :] == 0).all() and (out[:, :170] == 0).all()
    assert (frame == 0).all()  # the input is not modified


def test_render_frame_draws_gt_then_prediction():
    image = np.full((FRAME_H, FRAME_W, 3), 90, np.uint8)
    out = render_frame(image, [10, 12, 20, 16], ground_truth=[30, 30, 20, 16])
    np.testing.assert_array_equal(out[12, 20], GREEN)  # top edge of the prediction
    np.testing.assert_array_equal(out[30, 40], RED)  # top edge of the ground truth
    np.testing.assert_array_equal(out[20, 20], [90, 90, 90])  # inside: untouched
    assert (image == 90).all()


def _result_boxes(results_root, name="Probe"):
    return np.loadtxt(results_root / "visprobe" / "default" / f"{name}.txt", delimiter="\t")


def test_save_video_and_frames_follow_the_result_file(probe_tracker, probe_sequence, dataset_with,
                                                      results_root):
    dataset_with([probe_sequence])
    rc = run_tracker.main(["visprobe", "default", "--dataset", "otb", "--save_video",
                           "--save_frames", "--debug", "0"])
    assert rc == 0
    folder = results_root / "visprobe" / "default"
    boxes = _result_boxes(results_root)
    np.testing.assert_allclose(boxes, [expected_box(i) for i in range(NUM_FRAMES)])
    # PNG frames: lossless, so the box edges have exactly the drawing colours
    pngs = sorted((folder / "Probe_frames").iterdir())
    assert [p.name for p in pngs] == [f"{i:05d}.png" for i in range(1, NUM_FRAMES + 1)]
    for i, path in enumerate(pngs):
        img = cv2.imread(str(path))[:, :, ::-1]
        x, y, w, h = boxes[i].astype(int)
        np.testing.assert_array_equal(img[y, x + w // 2], GREEN)  # top edge
        np.testing.assert_array_equal(img[y + h - 1, x + w // 2], GREEN)  # bottom edge
        gx, gy = x + int(GT_OFFSET[0]), y + int(GT_OFFSET[1])
        if i > 0:  # (frame 0: the ground truth is the initial box, drawn over by the prediction)
            np.testing.assert_array_equal(img[gy + h - 1, gx + w // 2], RED)  # gt bottom edge
        assert not (img[y + h // 2, x + w // 2] == GREEN).all()  # interior not painted
        # debug 0: no score-map inset even though the tracker outputs one
        assert img[0, FRAME_W - 1].max() <= 120
    # MP4: one frame per sequence frame, box where the result file says (lossy: tolerances)
    cap = cv2.VideoCapture(str(folder / "Probe_vis.mp4"))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame[:, :, ::-1])
    cap.release()
    assert len(frames) == NUM_FRAMES
    for i, img in enumerate(frames):
        x, y, w, h = boxes[i].astype(int)
        r, g, b = img[y, x + w // 2].astype(int)
        assert g > 170 and r < 90 and b < 90, (i, img[y, x + w // 2])
        r, g, b = img[y + h // 2, x + w // 2].astype(int)
        assert g < 150, (i, img[y + h // 2, x + w // 2])


def test_score_map_inset_at_debug_1(probe_tracker, probe_sequence, dataset_with, results_root):
    dataset_with([probe_sequence])
    assert run_tracker.main(["visprobe", "default", "--save_frames", "--debug", "1"]) == 0
    img = cv2.imread(str(results_root / "visprobe" / "default" / "Probe_frames" / "00003.png"))
    img = img[:, :, ::-1].astype(int)
    # frame 3's map (9 x 11) scaled by min(0.3*80/11, 0.3*60/9) = 2 -> 22 x 18 px, top right
    scale = min(0.3 * FRAME_W / SCORE_SHAPE[1], 0.3 * FRAME_H / SCORE_SHAPE[0])
    peak_r, peak_c = 2, 3 % SCORE_SHAPE[1]
    x0 = FRAME_W - int(round(SCORE_SHAPE[1] * scale))
    py, px = int((peak_r + 0.5) * scale), x0 + int((peak_c + 0.5) * scale)
    assert np.abs(img[py, px] - VIRIDIS_HIGH).max() <= 3  # the peak
    zy, zx = int((5 + 0.5) * scale), x0 + int((8 + 0.5) * scale)
    assert np.abs(img[zy, zx] - VIRIDIS_LOW).max() <= 3  # a zero of the map
    assert score_map_for(3)[peak_r, peak_c] == 1.0
    # the first frame comes from initialize(), which gives no score map: no inset there
    first = cv2.imread(str(results_root / "visprobe" / "default" / "Probe_frames" / "00001.png"))
    assert first[1, FRAME_W - 2].max() <= 120


def test_run_video_uses_the_same_drawer(probe_tracker, tmp_path, results_root):
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (FRAME_W, FRAME_H))
    for _ in range(4):
        writer.write(np.full((FRAME_H, FRAME_W, 3), 100, np.uint8))
    writer.release()
    out_path = tmp_path / "annotated.mp4"
    tracker = Tracker("visprobe", "default")
    seen = []
    out = tracker.run_video(str(video), [10, 12, 20, 16], save_results=True, debug=1,
                            output_video=str(out_path),
                            frame_callback=lambda i, img, o: seen.append((i, "score_map" in o)))
    np.testing.assert_allclose(out.target_bbox[:, 0], [10, 14, 18, 22])
    assert seen == [(0, False), (1, True), (2, True), (3, True)]
    cap = cv2.VideoCapture(str(out_path))
    ok, frame = cap.read()
    ok, frame = cap.read()  # second frame: box at x=14 and a score-map inset
    cap.release()
    rgb = frame[:, :, ::-1].astype(int)
    assert rgb[12, 24, 1] > 170 and rgb[12, 24, 0] < 90  # green top edge
    saver = FrameSaver(frames_dir=tmp_path / "x", debug_level=1)
    expected = saver.render(1, np.full((FRAME_H, FRAME_W, 3), 100, np.uint8),
                            {"target_bbox": [14, 12, 20, 16], "score_map": score_map_for(2)})
    assert np.abs(rgb[2:16, 62:78] - expected[2:16, 62:78].astype(int)).mean() < 12


def test_frame_saver_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="video_path, a frames_dir"):
        FrameSaver()
    with pytest.raises(ValueError, match="fps"):
        FrameSaver(video_path=tmp_path / "a.mp4", fps=0)


def test_worker_processes_save_videos_too(probe_tracker, probe_sequence, results_root):
    from pytracking.evaluation.data import Sequence
    from pytracking.evaluation.running import run_dataset
    from pytracking.utils.visualization.session import VisualizationOptions

    second = Sequence("Probe2", probe_sequence.frames[:3], "test", probe_sequence.ground_truth_rect[:3])
    records = run_dataset([probe_sequence, second], [Tracker("visprobe", "default")], threads=2,
                          start_method="fork", visualization=VisualizationOptions(save_video=True))
    assert [r.status for r in records] == ["done", "done"]
    for name, n in (("Probe", NUM_FRAMES), ("Probe2", 3)):
        cap = cv2.VideoCapture(str(results_root / "visprobe" / "default" / f"{name}_vis.mp4"))
        count = 0
        while cap.read()[0]:
            count += 1
        cap.release()
        assert count == n


@pytest.mark.parametrize("argv, message", [
    (["--use_visdom", "--visdom_port", "0"], "not a valid TCP port"),
    (["--use_visdom", "--visdom_env", "a/b"], "environment name 'a/b'"),
])
def test_bad_visualization_options_are_rejected(probe_tracker, argv, message, capsys):
    with pytest.raises(SystemExit, match=message):
        run_tracker.main(["visprobe", "default", *argv])


def test_saved_videos_are_h264_that_browsers_play(tmp_path):
    """H.264 High profile in yuv420p, frame rate and count as written, odd sizes padded to even."""
    av = pytest.importorskip("av")
    from pytracking.utils.video_writer import H264Writer

    path = tmp_path / "odd.mp4"
    frames = []
    with H264Writer(path, fps=12.5, size=(33, 21)) as writer:
        for i in range(6):
            img = np.zeros((21, 33, 3), np.uint8)
            img[:, : 5 * (i + 1)] = (200, 40, 160)  # a coloured band growing 5 px per frame
            frames.append(img)
            writer.write(img)
        writer.write(np.zeros((42, 66, 3), np.uint8))  # another size: scaled to the first
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.profile == "High"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.average_rate == 12.5
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(decoded) == 7 and decoded[0].shape == (22, 34, 3)  # padded by one row and column
    for i, img in enumerate(decoded[:6]):
        band = np.flatnonzero(np.abs(img[10].astype(int) - (200, 40, 160)).max(axis=1) < 40)
        assert band.min() == 0 and abs(band.max() + 1 - 5 * (i + 1)) <= 1, (i, band)
    assert decoded[6].max() < 30
    with pytest.raises(ValueError, match="closed"):
        writer.write(frames[0])
