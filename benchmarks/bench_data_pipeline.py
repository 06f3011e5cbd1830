"""Throughput of the full ATOM training-data pipeline (sampler + processing + transforms).

Writes a synthetic GOT-10k-layout dataset of 640x480 JPEG frames to a temporary folder, then draws
samples exactly as ltr/train_settings/bbreg/atom.py configures them (output 288 px, 16 proposals,
grayscale joint transform, brightness jitter and normalisation) and prints
- samples per second in one process with one torch thread (what one loader worker delivers: the
  DataLoader runs each worker with a single torch thread),
- the share of that time spent decoding JPEG files,
- samples per second through LTRLoader with one worker process (batch size 1).

Usage: python benchmarks/bench_data_pipeline.py [--samples 300] [--repeats 3]
       [--loader default|opencv|jpeg4py|pil]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import torch

from ltr.data import LTRLoader, sampler
from ltr.data.image_loader import get_image_loader, jpeg4py_available
from ltr.dataset import Got10k
from ltr.dataset.synthetic import write_dataset
from ltr.train_settings.bbreg._atom_common import atom_processing, atom_transforms, set_atom_geometry


class TimedLoader:
    """Wraps an image loader and adds up the time spent in it."""

    def __init__(self, loader):
        self.loader = loader
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, path):
        start = time.perf_counter()
        try:
            return self.loader(path)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def atom_sampler(dataset, samples: int) -> sampler.ATOMSampler:
    """bbreg/atom.py's transforms and processing (output 288 px) on ``dataset``."""
    settings = SimpleNamespace()
    set_atom_geometry(settings, 288)
    transform_joint, transform_train, _ = atom_transforms(settings)
    proc = atom_processing(settings, transform_train, transform_joint)
    return sampler.ATOMSampler(
        [dataset], [1], samples_per_epoch=samples, max_gap=50, processing=proc, seed=0
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--sequences", type=int, default=6)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds (median reported)")
    parser.add_argument(
        "--loader", default="default", choices=["default", "opencv", "jpeg4py", "pil"]
    )
    args = parser.parse_args()
    torch.set_num_threads(1)

    with tempfile.TemporaryDirectory(prefix="bench_ltr_data_") as tmp:
        start = time.perf_counter()
        info = write_dataset(
            "got10k",
            Path(tmp) / "got10k",
            num_sequences=args.sequences,
            num_frames=args.frames,
            seed=0,
            image_size=(640, 480),
            split="train",
        )
        print(
            f"wrote {args.sequences} x {args.frames} frames of 640x480 in "
            f"{time.perf_counter() - start:.1f} s"
        )
        timed = TimedLoader(get_image_loader(args.loader))
        dataset = Got10k(str(info.root), image_loader=timed)
        bench = atom_sampler(dataset, args.samples)
        for i in range(10):  # warm-up
            bench[i]
        rounds = []
        for _ in range(args.repeats):
            timed.seconds, timed.calls = 0.0, 0
            start = time.perf_counter()
            for i in range(args.samples):
                bench[i]
            elapsed = time.perf_counter() - start
            rounds.append((elapsed, timed.seconds, timed.calls))
        elapsed, decode_seconds, decode_calls = sorted(rounds)[len(rounds) // 2]  # median round
        print(f"image loader: {args.loader} (jpeg4py usable: {jpeg4py_available()})")
        print(
            f"in-process (median of {args.repeats} rounds of {args.samples}): "
            f"{args.samples / elapsed:.1f} samples/s "
            f"({1000 * elapsed / args.samples:.1f} ms per sample, 2 frames each)"
        )
        print(
            f"JPEG decoding: {100 * decode_seconds / elapsed:.1f}% of the time "
            f"({1000 * decode_seconds / decode_calls:.2f} ms per 640x480 frame)"
        )

        loader = LTRLoader(
            "bench", atom_sampler(dataset, args.samples), batch_size=1, num_workers=1, stack_dim=1
        )
        iterator = iter(loader)
        for _ in range(5):
            next(iterator)
        start = time.perf_counter()
        count = 0
        for _ in iterator:
            count += 1
        elapsed = time.perf_counter() - start
        print(f"LTRLoader, 1 worker: {count / elapsed:.1f} samples/s")


if __name__ == "__main__":
    main()
