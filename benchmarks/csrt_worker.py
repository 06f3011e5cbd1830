"""Runs OpenCV's CSRT tracker for bench_eco.py inside its own virtual environment.

Reads one JSON request per line on stdin (``{"frames": [paths], "init": [x, y, w, h]}``) and
answers one JSON line per request: ``{"boxes": [[x, y, w, h], ...], "seconds": s, "cpu_seconds": c}``,
where ``s`` / ``c`` are the wall-clock / process CPU time spent in ``init`` and ``update`` (images are
decoded before timing). A failed ``update``
keeps the previous box. One OpenCV thread. Only the standard library, numpy and cv2 are used.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import cv2


def track(frames: list, init: list) -> dict:
    images = [cv2.imread(f, cv2.IMREAD_COLOR) for f in frames]
    if any(im is None for im in images):
        raise FileNotFoundError(f"cannot read {frames[[im is None for im in images].index(True)]}")
    box = tuple(int(round(v)) for v in init)
    boxes = [list(map(float, init))]
    start, cpu_start = time.perf_counter(), time.process_time()
    create = getattr(cv2, "TrackerCSRT_create", None) or cv2.TrackerCSRT.create
    tracker = create()
    tracker.init(images[0], box)
    for im in images[1:]:
        ok, new = tracker.update(im)
        if ok:
            boxes.append([float(v) for v in new])
        else:
            boxes.append(boxes[-1])
    return {"boxes": boxes, "seconds": time.perf_counter() - start,
            "cpu_seconds": time.process_time() - cpu_start}


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                            epilog="Started by benchmarks/bench_eco.py; not meant to be run by hand.").parse_args()
    cv2.setNumThreads(1)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        sys.stdout.write(json.dumps(track(req["frames"], req["init"])) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
