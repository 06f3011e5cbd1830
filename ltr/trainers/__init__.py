"""Trainers: the epoch loop, statistics and checkpoints."""
from ltr.trainers.base_trainer import BaseTrainer
from ltr.trainers.ltr_trainer import LTRTrainer

__all__ = ["BaseTrainer", "LTRTrainer"]
