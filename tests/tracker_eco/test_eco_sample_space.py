"""ECO's Gaussian-mixture sample model against direct computations."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from pytracking.tracker.eco.sample_space import SampleSpace


def full_ip(a: torch.Tensor, b: torch.Tensor, zero_column: float = 1.0) -> float:
    """Inner product over the full spectrum of two half spectra (column kx = 0 counted once; the
    original ECO's sample model counts it ``zero_column`` = 2 times)."""
    p = (a.conj() * b).real
    return float(2 * p.sum() - (2 - zero_column) * p[..., 0].sum())


def random_sample(gen: torch.Generator, scale: float = 1.0) -> list:
    return [torch.complex(torch.randn(2, 5, 3, generator=gen), torch.randn(2, 5, 3, generator=gen)) * scale,
            torch.complex(torch.randn(1, 7, 4, generator=gen), torch.randn(1, 7, 4, generator=gen)) * scale]


@pytest.mark.parametrize("zero_column", [2.0, 1.0])      # the original's products, the exact ones
def test_gram_matrix_and_weights_stay_exact_through_merges_and_replacements(zero_column):
    gen = torch.Generator().manual_seed(0)
    space = SampleSpace(num_samples=5, learning_rate=0.2, zero_column_weight=zero_column)
    for i in range(40):
        space.insert(random_sample(gen, 1.0 + (i % 3)))
        n = space.num_used
        samples, weights = space.used()
        assert abs(float(weights.sum()) - 1) < 1e-5
        assert (weights > 0).all()
        for a in range(n):
            for b in range(n):
                direct = sum(full_ip(s[a], s[b], zero_column) for s in samples)
                assert abs(float(space.gram[a, b]) - direct) < 1e-3 * max(1.0, abs(direct)), (i, a, b)
    assert space.num_used == 5


def test_first_samples_get_the_learning_rate_weights():
    gen = torch.Generator().manual_seed(1)
    space = SampleSpace(num_samples=4, learning_rate=0.1)
    for _ in range(3):
        space.insert(random_sample(gen))
    _, w = space.used()
    # 1 -> (0.9, 0.1) -> (0.81, 0.09, 0.1)
    assert torch.allclose(w, torch.tensor([0.81, 0.09, 0.1]), atol=1e-6)


def test_a_sample_equal_to_a_component_is_merged_into_it():
    gen = torch.Generator().manual_seed(2)
    space = SampleSpace(num_samples=3, learning_rate=0.1)
    base = [random_sample(gen, 10.0) for _ in range(3)]
    for s in base:
        space.insert(s)
    before = [t.clone() for t in space.samples]
    merged, new = space.insert([t.clone() for t in base[1]])
    assert merged == 1 and new is None
    for b, a in zip(before, space.samples):
        assert torch.allclose(a, b, atol=1e-4)            # merging x into x leaves x
    _, w = space.used()
    # (0.81, 0.09, 0.1) * 0.9 + 0.1 on component 1
    assert torch.allclose(w, torch.tensor([0.729, 0.181, 0.09]), atol=1e-6)


def _matlab_age_of_replacement(lr: float, num_samples: int, dtype) -> int:
    """Updates after its insertion at which the original replaces a never-merged component: its
    weight lr (1 - lr)^k, multiplied in ``dtype`` as update_sample_space_model.m does (no
    renormalisation), first below minimum_sample_weight = lr (1 - lr)^(2 nSamples)."""
    w, keep = dtype(lr), dtype(1 - lr)
    threshold = lr * (1 - lr) ** (2 * num_samples)
    age = 0
    while not w < threshold:
        w, age = dtype(w * keep), age + 1
    return age


def test_a_never_merged_component_is_replaced_when_the_original_replaces_it():
    """Exactly at lr (1 - lr)^(2 N) the decision is rounding: the original's products reach it one
    update earlier than exact arithmetic (renormalising the weights, as this code did, delays it)."""
    lr, n = 0.009, 30
    expected = _matlab_age_of_replacement(lr, n, np.float64)
    assert expected == _matlab_age_of_replacement(lr, n, np.float32) == 2 * n  # single precision alike
    gen = torch.Generator().manual_seed(4)
    hub = random_sample(gen)
    space = SampleSpace(num_samples=n, learning_rate=lr)
    space.insert(hub)
    space.insert(random_sample(gen, 5.0))               # component 1: weight lr, never merged
    for _ in range(n - 2):
        space.insert(random_sample(gen, 5.0))
    age = n - 2
    while True:
        merged, new = space.insert([t.clone() for t in hub])   # merged into component 0
        age += 1
        if new is not None:
            break
        assert merged == 0
    # the check before the age-th update sees the weight after age - 1 updates
    assert new == 1 and age - 1 == expected


def test_closest_pair_of_equal_weight_is_merged_into_the_larger_index():
    """MATLAB's ind2sub of the first minimum of the (symmetric) distance matrix, column-major, gives
    the larger index first; equal weights leave it there."""
    gen = torch.Generator().manual_seed(5)
    space = SampleSpace(num_samples=4, learning_rate=0.1)
    near = random_sample(gen, 10.0)
    for s in (random_sample(gen, 10.0), near, [t + 0.01 for t in near], random_sample(gen, 10.0)):
        space.insert(s)
    space.weights[:] = [0.3, 0.2, 0.2, 0.3]
    merged, new = space.insert(random_sample(gen, 30.0))   # far from all: components 1 and 2 merge
    assert (merged, new) == (2, 1)
