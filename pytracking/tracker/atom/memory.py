"""ATOM's training-sample memory: a fixed number of slots with weights that decay geometrically.

Weight rule (per new sample, learning rate ``lr``): the slot to fill is the one with the lowest
weight among the non-initial slots (all slots if there is no minimum initial weight). On the first
update every weight is divided by ``1 - lr`` and the new slot gets ``lr``; afterwards the new slot
gets ``w[previous slot] / (1 - lr)``. Then the weights are normalised to sum 1. If the initial
samples together weigh less than ``m = init_samples_minimum_weight``, all weights are divided by
``m + (weight of the other samples)`` and the initial samples get ``m`` in equal parts (the
original rule; the total is then close to, not exactly, 1).
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch


def update_sample_weights(weights: torch.Tensor, previous_index: Optional[int], num_stored: int,
                          num_init: int, learning_rate: float,
                          init_minimum_weight: Optional[float]) -> int:
    """Update ``weights`` (1-D, in place) for a new sample; return the slot index it replaces."""
    if init_minimum_weight == 0:
        init_minimum_weight = None
    start = 0 if init_minimum_weight is None else num_init
    if num_stored == 0 or learning_rate == 1:
        weights.zero_()
        weights[0] = 1
        index = 0
    else:
        if start >= weights.numel():
            raise ValueError(f"Sample memory of {weights.numel()} slots has no room beside its "
                             f"{num_init} initial samples; increase sample_memory_size")
        index = int(torch.argmin(weights[start:]).item()) + start
        if previous_index is None:
            weights /= 1 - learning_rate
            weights[index] = learning_rate
        else:
            weights[index] = weights[previous_index] / (1 - learning_rate)
    weights /= weights.sum()
    if init_minimum_weight is not None and weights[:num_init].sum() < init_minimum_weight:
        weights /= init_minimum_weight + weights[num_init:].sum()
        weights[:num_init] = init_minimum_weight / num_init
    return index


class SampleMemory:
    """Training samples ``capacity x D x H x W`` with Gaussian labels and weights."""

    def __init__(self, init_samples: torch.Tensor, init_labels: torch.Tensor, capacity: int,
                 learning_rate: float, init_minimum_weight: Optional[float]) -> None:
        num_init = init_samples.shape[0]
        if capacity <= num_init:
            raise ValueError(f"sample_memory_size={capacity} must exceed the {num_init} initial samples")
        self.capacity = capacity
        self.learning_rate = learning_rate
        self.init_minimum_weight = init_minimum_weight
        self.num_init = num_init
        self.samples = init_samples.new_zeros(capacity, *init_samples.shape[1:])
        self.labels = init_labels.new_zeros(capacity, *init_labels.shape[1:])
        self.weights = init_samples.new_zeros(capacity)
        self.samples[:num_init] = init_samples
        self.labels[:num_init] = init_labels
        self.weights[:num_init] = 1.0 / num_init
        self.num_stored = num_init
        self.previous_index: Optional[int] = None

    def update(self, sample: torch.Tensor, label: torch.Tensor,
               learning_rate: Optional[float] = None) -> int:
        """Store one sample (``1 x D x H x W``) with its label; return the slot used."""
        lr = self.learning_rate if learning_rate is None else learning_rate
        index = update_sample_weights(self.weights, self.previous_index, self.num_stored,
                                      self.num_init, lr, self.init_minimum_weight)
        self.previous_index = index
        self.samples[index:index + 1] = sample
        self.labels[index:index + 1] = label
        self.num_stored += 1
        return index

    def active(self) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Views (samples, labels, weights) of the slots filled so far (the others weigh 0)."""
        n = min(self.num_stored, self.capacity)
        return self.samples[:n], self.labels[:n], self.weights[:n]
