"""Throughput of ATOM training steps (IoU predictor forward + backward + Adam step).

Synthetic batches shaped like ATOM's training data (1 train + 1 test crop per sequence,
16 proposals per test crop). Prints seconds per iteration and sequences per second.

    python benchmarks/bench_training.py --batch_size 8 --crop 288 --iterations 5
"""
from __future__ import annotations

import argparse
import time

import torch

from ltr.actors import AtomActor
from ltr.models.bbreg.atom import atom_resnet18, atom_resnet50
from pytracking.libs import TensorDict


def synthetic_batch(batch_size: int, crop: int, num_proposals: int, device: torch.device) -> TensorDict:
    """An ATOM-like batch: images [1, B, 3, crop, crop], boxes x,y,w,h inside the crop."""
    box = torch.tensor([crop / 4, crop / 4, crop / 2, crop / 2])
    jitter = torch.rand(1, batch_size, num_proposals, 4) * (crop / 8)
    return TensorDict(train_images=torch.randn(1, batch_size, 3, crop, crop),
                      test_images=torch.randn(1, batch_size, 3, crop, crop),
                      train_anno=box.expand(1, batch_size, 4).clone(),
                      test_proposals=box + jitter,
                      proposal_iou=torch.rand(1, batch_size, num_proposals)).to(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", choices=["resnet18", "resnet50"], default="resnet18")
    parser.add_argument("--batch_size", type=int, default=8)
    parser.add_argument("--crop", type=int, default=288, help="crop size in pixels (ATOM: 288)")
    parser.add_argument("--proposals", type=int, default=16)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    device = torch.device(args.device)
    build = atom_resnet18 if args.backbone == "resnet18" else atom_resnet50
    net = build(backbone_pretrained=False).to(device)
    actor = AtomActor(net=net, objective=torch.nn.MSELoss())
    actor.train()
    optimizer = torch.optim.Adam(net.bb_regressor.parameters(), lr=1e-3)
    batch = synthetic_batch(args.batch_size, args.crop, args.proposals, device)

    def step() -> None:
        loss, _ = actor(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.iterations):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    per_iteration = (time.perf_counter() - start) / args.iterations
    print(f"ATOM {args.backbone} training step on {device} ({torch.get_num_threads()} CPU threads): "
          f"batch {args.batch_size}, crop {args.crop}, {args.proposals} proposals")
    print(f"  {per_iteration:.3f} s/iteration, {args.batch_size / per_iteration:.1f} sequences/s")


if __name__ == "__main__":
    main()
