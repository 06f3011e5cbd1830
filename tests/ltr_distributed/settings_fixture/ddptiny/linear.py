"""Tiny training run for the distributed tests: linear regression with LTRTrainer.

Data are fresh random draws from the data pipeline's per-process generator (like the samplers),
so what a process sees depends only on its torch seed. ``run`` writes what happened (initial
weights, final weights, batches seen, loss history) to ``$DDP_TEST_OUT/rank<r>.pt``.
"""
import os

import torch
import torch.utils.data

from ltr.actors.base_actor import BaseActor
from ltr.admin.model_constructor import model_constructor
from ltr.admin.multigpu import unwrap
from ltr.data import LTRLoader
from ltr.data.rng import WorkerRNG
from ltr.trainers import LTRTrainer
from pytracking.libs import TensorDict

TRUE_W = torch.tensor([2.0, -3.0])
TRUE_B = 0.5
BATCH_SIZE = 4
BATCHES_PER_EPOCH = 3
EPOCHS = 2
LR = 0.1
LR_GAMMA = 0.5


class RandomPoints(torch.utils.data.Dataset):
    """Every item is a new draw (the index is ignored), as in the tracking samplers."""

    def __init__(self, num_items):
        self.num_items = num_items
        self.rng = WorkerRNG()

    def __len__(self):
        return self.num_items

    def __getitem__(self, index):
        x = torch.from_numpy(self.rng.get().standard_normal(2)).float()
        return TensorDict(train_images=x, target=(x * TRUE_W).sum().view(1) + TRUE_B)


@model_constructor
def linear_net():
    return torch.nn.Linear(2, 1)


class RecordingActor(BaseActor):
    def __init__(self, net):
        super().__init__(net, torch.nn.MSELoss())
        self.inputs = []

    def __call__(self, data):
        self.inputs.append(data["train_images"].detach().clone())
        loss = self.objective(self.net(data["train_images"]), data["target"])
        return loss, {"Loss/total": loss.item()}


def run(settings):
    settings.print_interval = 1
    net = linear_net()
    initial = {k: v.clone() for k, v in net.state_dict().items()}
    loader = LTRLoader("train", RandomPoints(BATCHES_PER_EPOCH * BATCH_SIZE), training=True,
                       batch_size=BATCH_SIZE, shuffle=True, drop_last=True, stack_dim=0)
    actor = RecordingActor(net)
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=LR_GAMMA)
    trainer = LTRTrainer(actor, [loader], optimizer, settings, scheduler)
    trainer.train(EPOCHS, load_latest=True, fail_safe=True)
    torch.save({"initial": initial,
                "final": {k: v.clone() for k, v in unwrap(trainer.actor.net).state_dict().items()},
                "inputs": actor.inputs,
                "loss_history": list(trainer.stats["train"]["Loss/total"].history),
                "wrapped": type(trainer.actor.net).__name__},
               os.path.join(os.environ["DDP_TEST_OUT"], f"rank{settings.rank}.pt"))
