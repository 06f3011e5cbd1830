"""Run a tracker on a video file or a folder of frames from a given initial box; optionally save the boxes
and an annotated video.

Examples (from the repository root; eco needs no weight file, atom loads atom_default.pth and
without it runs on a random network that does not track):
  python pytracking/run_video.py eco default my_video.mp4 --optional_box 100 80 40 60 --save_results
  python pytracking/run_video.py eco default clip.avi --optional_box 10 10 50 50 --output out.mp4
  python pytracking/run_video.py eco default clip.avi --optional_box 10 10 50 50 --use_visdom
  python pytracking/run_video.py eco default my_frames/ --optional_box 100 80 40 60 --save_results
  python pytracking/run_video.py atom default my_video.mp4 --optional_box 100 80 40 60 --save_results
The initial box is [x y w h] of the target in the first frame. A folder is read as its images in
frame order (numbers in names compare numerically: 2.jpg before 10.jpg). With --save_results the boxes
go to <results_path>/<tracker>/<param>/video_<name>.txt (times to video_<name>_time.txt) and the
annotated video next to them; --output names the annotated video (and implies --save_results).
"""
from __future__ import annotations

import argparse
import logging
import math
from pathlib import Path

from ltr.admin.cli import add_verbose_argument, run_main
from pytracking.evaluation.running import frames_per_second
from pytracking.evaluation.tracker import Tracker, overrides_results_name, source_name
from pytracking.utils.visualization.cli import add_visualization_arguments, visualization_options
from pytracking.utils.visualization.session import VisualizationSession


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_video.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tracker_name", help="tracker package in pytracking/tracker/, e.g. eco (needs no "
                        "weights) or atom")
    parser.add_argument("tracker_param", help="parameter module in pytracking/parameter/<tracker>/")
    parser.add_argument("videofile", help="path to a video file OpenCV can read, or a folder of image frames")
    parser.add_argument("overrides", nargs="*", metavar="key=value",
                        help="override parameters of the parameter module (results then go to "
                        "<param>+key=value[+...] instead of <param>)")
    parser.add_argument("--optional_box", type=float, nargs=4, metavar=("X", "Y", "W", "H"),
                        required=True, help="initial box of the target in the first frame")
    parser.add_argument("--save_results", action="store_true",
                        help="write the boxes and an annotated video")
    parser.add_argument("--output", default=None,
                        help="annotated video path (implies --save_results; default: next to the boxes)")
    parser.add_argument("--fps", type=float, default=None,
                        help="frame rate of the annotated video for a folder of frames (default 25)")
    parser.add_argument("--debug", type=int, default=None,
                        help="debug level (0: off; >= 1 adds the score-map inset to the video)")
    add_verbose_argument(parser)
    add_visualization_arguments(parser, saving=False)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_intermixed_args(argv)
    if args.output is not None and Path(args.output).suffix.lower() != ".mp4":
        parser.error(f"--output {args.output}: the annotated video is an H.264 MP4 file; give it a .mp4 name")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    session = VisualizationSession(visualization_options(args))
    tracker = Tracker(args.tracker_name, args.tracker_param,
                      results_name=overrides_results_name(args.tracker_param, args.overrides))
    tracker.check_overrides(args.overrides)  # fail early on a misspelled or unusable override
    callbacks = session.sequence_callbacks(source_name(args.videofile), None, tracker.results_dir)
    try:
        output = tracker.run_video(args.videofile, args.optional_box,
                                   save_results=args.save_results or args.output is not None,
                                   overrides=args.overrides,
                                   debug=args.debug, output_video=args.output,
                                   frame_callback=callbacks, debug_sink=session.sink, fps=args.fps)
    finally:
        if callbacks is not None:
            callbacks.close()
        session.close()
    fps = frames_per_second(output.time)
    speed = f"{fps:.2f} FPS" if math.isfinite(fps) else "no frame after the first to time"
    print(f"{args.videofile}: {len(output.time)} frame{'' if len(output.time) == 1 else 's'}, {speed}")
    return 0


if __name__ == "__main__":
    run_main(main)
