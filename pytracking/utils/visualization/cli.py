"""Command-line options for visualizations, shared by run_tracker.py and run_video.py."""
from __future__ import annotations

import argparse

from pytracking.utils.visualization.session import VisualizationOptions
from pytracking.utils.visualization.visdom_client import DEFAULT_PORT, DEFAULT_SERVER


def add_visualization_arguments(parser: argparse.ArgumentParser, saving: bool = True) -> None:
    """Add ``--use_visdom``, ``--visdom_server/port/env`` (and ``--save_video/--save_frames``)."""
    group = parser.add_argument_group("visualization")
    group.add_argument("--use_visdom", action="store_true",
                       help="stream frames, boxes and debug panes to a visdom server "
                            "(start one with: python -m pytracking.utils.visdom_server); "
                            "implies --debug 1 unless --debug is given")
    group.add_argument("--visdom_server", default=DEFAULT_SERVER,
                       help=f"visdom server host (default {DEFAULT_SERVER})")
    group.add_argument("--visdom_port", type=int, default=DEFAULT_PORT,
                       help=f"visdom server port (default {DEFAULT_PORT})")
    group.add_argument("--visdom_env", default="main", help="visdom environment (default main)")
    if saving:
        group.add_argument("--save_video", action="store_true",
                           help="write <results_dir>/<sequence>_vis.mp4 with the tracked boxes")
        group.add_argument("--save_frames", action="store_true",
                           help="write <results_dir>/<sequence>_frames/00001.png, ... ")


def visualization_options(args: argparse.Namespace) -> VisualizationOptions:
    """The options from parsed arguments; sets ``args.debug`` to 1 for visdom when not given."""
    if args.use_visdom and args.debug is None:
        args.debug = 1
    try:
        return VisualizationOptions(
            debug_level=args.debug or 0, use_visdom=args.use_visdom,
            visdom_server=args.visdom_server, visdom_port=args.visdom_port,
            visdom_env=args.visdom_env, save_video=getattr(args, "save_video", False),
            save_frames=getattr(args, "save_frames", False))
    except ValueError as exc:
        raise SystemExit(f"error: {exc} (--visdom_port / --visdom_env)") from None
