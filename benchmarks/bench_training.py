"""Training throughput of ATOM.

Two measurements:

``step``: one training step (IoU predictor forward + backward + Adam step) on a fixed synthetic
batch shaped like ATOM's training data (1 train + 1 test crop per sequence, 16 proposals per test
crop); no data loading. Prints seconds per iteration and sequences per second.

``instant``: the real instant setting ``bbreg/atom_synthetic`` (synthetic GOT-10k videos, sampler,
processing, loader workers, LTRTrainer) for a few epochs in a temporary workspace. Prints training
iterations per second and the share of the time the trainer waited for the loader's next batch,
for the first epoch (includes starting the loader workers) and the later ones (steady state).

    python benchmarks/bench_training.py step --batch_size 8 --crop 288 --iterations 5
    python benchmarks/bench_training.py --threads 1 instant --iterations 20 --epochs 3
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import tempfile
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


def bench_step(args: argparse.Namespace) -> None:
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


def bench_instant(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_training_") as workspace:
        os.environ["LTR_WORKSPACE_DIR"] = workspace
        os.environ["LTR_TENSORBOARD_DIR"] = os.path.join(workspace, "tensorboard")
        from ltr.run_training import make_settings, set_seed
        from ltr.train_settings.bbreg import atom_synthetic

        config = dataclasses.replace(atom_synthetic.DEFAULT_CONFIG, epochs=args.epochs,
                                     train_iterations=args.iterations,
                                     num_workers=args.num_workers,
                                     val_epoch_interval=args.epochs + 1,
                                     print_interval=max(args.iterations, 1))
        settings = make_settings("bbreg", "atom_synthetic", cudnn_benchmark=True, seed=0)
        settings.use_gpu = args.device != "cpu"
        set_seed(settings.process_seed)
        trainer = atom_synthetic.build_trainer(settings, config)  # generates the data first
        per_epoch = []
        train_epoch = trainer.train_epoch

        def timed_epoch() -> None:
            train_epoch()
            per_epoch.append(dict(trainer.timing["train"]))

        trainer.train_epoch = timed_epoch
        trainer.train(config.epochs, load_latest=False, fail_safe=False)

    print(f"Instant ATOM training (bbreg atom_synthetic) on {trainer.device}: batch "
          f"{config.batch_size}, crop {config.output_sz}, {config.num_workers} loader worker(s), "
          f"{torch.get_num_threads()} torch thread(s), {config.train_iterations} iterations/epoch")
    stretches = [("epoch 1 (loader start-up included)", per_epoch[:1]),
                 (f"epochs 2-{len(per_epoch)}", per_epoch[1:])]
    for label, epochs in stretches:
        if not epochs:
            continue
        iterations = sum(e["iterations"] for e in epochs)
        seconds = sum(e["seconds"] for e in epochs)
        waiting = sum(e["data_seconds"] for e in epochs)
        print(f"  {label}: {iterations / seconds:.2f} iterations/s "
              f"({seconds / iterations:.3f} s/iteration), waiting for data "
              f"{100 * waiting / seconds:.1f} % of the time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    sub = parser.add_subparsers(dest="mode", required=True)
    step = sub.add_parser("step", help="one training step on a fixed batch (no data loading)")
    step.add_argument("--backbone", choices=["resnet18", "resnet50"], default="resnet18")
    step.add_argument("--batch_size", type=int, default=8)
    step.add_argument("--crop", type=int, default=288, help="crop size in pixels (ATOM: 288)")
    step.add_argument("--proposals", type=int, default=16)
    step.add_argument("--iterations", type=int, default=5)
    step.add_argument("--warmup", type=int, default=1)
    instant = sub.add_parser("instant", help="the bbreg/atom_synthetic training with its loaders")
    instant.add_argument("--epochs", type=int, default=3)
    instant.add_argument("--iterations", type=int, default=20, help="training iterations per epoch")
    instant.add_argument("--num_workers", type=int, default=1, help="loader worker processes")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)
    if args.mode == "step":
        bench_step(args)
    else:
        bench_instant(args)


if __name__ == "__main__":
    main()
