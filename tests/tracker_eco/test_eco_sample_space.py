"""ECO's Gaussian-mixture sample model against direct computations."""
from __future__ import annotations

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
