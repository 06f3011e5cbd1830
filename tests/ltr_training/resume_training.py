"""The training of the kill-and-resume test: short, seeded, and every source of randomness
matters (sampler and processing generator, loader shuffle, dropout, numpy's and Python's global
generators). It resumes from the latest checkpoint of its run (load_latest) and reports every
iteration through a pipe, so that the test can SIGKILL it at chosen points."""
import os
import random

import numpy as np
import torch

from ltr.actors.base_actor import BaseActor
from ltr.admin.settings import Settings
from ltr.data.loader import LTRLoader
from ltr.data.processing import BaseProcessing
from ltr.data.sampler import TrackingSampler
from ltr.dataset.base_video_dataset import BaseVideoDataset, empty_object_meta, make_sequence_info
from ltr.run_training import set_seed
from ltr.trainers import LTRTrainer

EPOCHS, SAMPLES, BATCH = 8, 16, 4


class Frames(BaseVideoDataset):
    """Five in-memory sequences of 30 frames; frame f of sequence s is a constant image."""

    def __init__(self):
        super().__init__("frames", "<memory>", image_loader=None)
        self.sequence_list = [f"seq{i}" for i in range(5)]
        gen = np.random.default_rng(0)
        self.boxes = [torch.tensor(gen.uniform(1, 6, (30, 4)), dtype=torch.float32) for _ in range(5)]

    def is_video_sequence(self):
        return True

    def get_sequence_info(self, seq_id):
        return make_sequence_info(self.boxes[seq_id])

    def get_frames(self, seq_id, frame_ids, anno=None):
        frames = [np.full((4, 4, 3), 8 * f + seq_id, dtype=np.uint8) for f in frame_ids]
        anno = self.get_sequence_info(seq_id) if anno is None else anno
        return frames, self.select_frames_anno(anno, frame_ids), empty_object_meta("thing")


class Noisy(BaseProcessing):
    """Frames to float tensors plus noise from the sampler's generator."""

    def __call__(self, data, rng=None):
        for key in ("train_images", "test_images"):
            data[key] = torch.stack([torch.from_numpy(f.astype(np.float32) / 255
                                                      + rng.normal(0, 0.1, f.shape).astype(np.float32))
                                     for f in data[key]]).flatten(1)
        for key in ("train_anno", "test_anno"):
            data[key] = torch.stack(list(data[key]))
        return data


class Actor(BaseActor):
    progress = None  # a multiprocessing connection: one message per iteration

    def __call__(self, data):
        if self.progress is not None:
            self.progress.send(data["epoch"])
        x = torch.cat([data["train_images"][:, 0], data["test_images"][:, 0]], dim=1)
        # numpy's and Python's global generators take part too
        scale = 1.0 + 0.01 * float(np.random.rand()) + 0.01 * random.random()
        loss = self.objective(self.net(x) * scale, data["test_anno"][:, 0])
        return loss, {"Loss/total": loss.item()}


def train(workspace: str, progress=None) -> None:
    """Train (or resume) the run in ``workspace``; ``progress`` gets one message per iteration."""
    os.environ["LTR_WORKSPACE_DIR"] = workspace
    os.environ["LTR_TENSORBOARD_DIR"] = os.path.join(workspace, "tb")
    torch.set_num_threads(1)
    set_seed(0)
    settings = Settings()
    settings.project_path, settings.use_gpu, settings.print_interval = "ltr/test/resume", False, 100
    net = torch.nn.Sequential(torch.nn.Linear(96, 32), torch.nn.ReLU(), torch.nn.Dropout(0.3),
                              torch.nn.Linear(32, 4))
    sampler = TrackingSampler([Frames()], None, SAMPLES, max_gap=10, num_test_frames=1,
                              processing=Noisy(), frame_sample_mode="interval", seed=3)
    loader = LTRLoader("train", sampler, batch_size=BATCH, shuffle=True, seed=5, stack_dim=0)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    actor = Actor(net, torch.nn.MSELoss())
    actor.progress = progress
    trainer = LTRTrainer(actor, [loader], optimizer, settings, scheduler)
    trainer.train(EPOCHS, load_latest=True, fail_safe=False)
