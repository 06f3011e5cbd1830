"""Command line: write a synthetic dataset in a real on-disk layout."""
import argparse
import logging
import sys
from typing import List, Optional

from .writer import FORMATS, write_dataset

EPILOG = """examples:
  python -m ltr.dataset.synthetic --format got10k --out /tmp/syn_got10k --sequences 4 --frames 30
  python -m ltr.dataset.synthetic --format got10k --split val --out /tmp/syn_got10k --seed 1
  python -m ltr.dataset.synthetic --format lasot --out /tmp/syn_lasot --sequences 6 --sequences-per-class 3
  python -m ltr.dataset.synthetic --format trackingnet --out /tmp/syn_tn --num-sets 3 --width 640 --height 480
  python -m ltr.dataset.synthetic --format coco --version 2014 --out /tmp/syn_coco --sequences 20
  python -m ltr.dataset.synthetic --format otb --out /tmp/syn_otb --overwrite
  python -m ltr.dataset.synthetic --format uav --out /tmp/syn_uav --frames 120

The same --seed always produces the same data. A non-empty output folder is refused unless
--overwrite is given; data are written to a hidden temporary folder next to it and renamed into
place at the end, so an interrupted run never leaves a complete-looking dataset.
Point the dataset settings at the printed root (for got10k: <out>/<split>)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ltr.dataset.synthetic",
        description="Render synthetic tracking sequences (textured moving objects with occlusion, "
                    "out-of-view frames and a distractor) and write them in a real dataset layout.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", required=True, choices=FORMATS, help="dataset layout to write")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--sequences", type=int, default=4, help="number of sequences (images for coco; default 4)")
    parser.add_argument("--frames", type=int, default=30, help="frames per sequence (ignored by coco; default 30)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--width", type=int, default=320, help="image width in pixels (default 320)")
    parser.add_argument("--height", type=int, default=240, help="image height in pixels (default 240)")
    parser.add_argument("--quality", type=int, default=95, help="JPEG quality 1..100 (default 95)")
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty output folder")
    group = parser.add_argument_group("format options (only for the formats named)")
    group.add_argument("--split", default=None, help="got10k: train|val|test (default train); coco: train|val")
    group.add_argument("--sequences-per-class", type=int, default=None, help="lasot: sequences per class (default 2)")
    group.add_argument("--num-sets", type=int, default=None, help="trackingnet: number of TRAIN_<k> chunks (default 2)")
    group.add_argument("--version", default=None, help="coco: 2014|2017 (default 2017)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    options = {name: value for name, value in (("split", args.split), ("sequences_per_class", args.sequences_per_class),
                                               ("num_sets", args.num_sets), ("version", args.version))
               if value is not None}
    try:
        info = write_dataset(args.format, args.out, num_sequences=args.sequences, num_frames=args.frames,
                             seed=args.seed, image_size=(args.width, args.height), overwrite=args.overwrite,
                             jpeg_quality=args.quality, **options)
    except (ValueError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {len(info.sequences)} {info.format} {'images' if info.format == 'coco' else 'sequences'} "
          f"({args.width}x{args.height}, seed {args.seed}) to {info.root}")
    for record in info.sequences:
        where = getattr(record, "sequence_dir", None) or record.path
        print(f"  {record.name}: {where}")
    print(f"Dataset root (point the {info.format} settings here): {info.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
