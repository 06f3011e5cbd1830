"""ATOM's sample-memory weights and replacement rule on hand-worked sequences."""
import pytest
import torch

from pytracking.tracker.atom.memory import SampleMemory, update_sample_weights


def _run(weights, num_init, lr, minimum, steps):
    w = torch.tensor(weights, dtype=torch.float64)
    prev, stored, used = None, num_init, []
    for _ in range(steps):
        prev = update_sample_weights(w, prev, stored, num_init, lr, minimum)
        stored += 1
        used.append(prev)
    return w, used


def test_weights_decay_geometrically_and_lowest_is_replaced():
    # 5 slots, 2 initial samples of weight 1/2, lr = 0.1, minimum initial weight 0.25 (inactive).
    # 1: slot 2; w/0.9 -> [5/9, 5/9], w[2] = 1/10; normalised [50, 50, 9]/109
    # 2: slot 3 (first empty); w[3] = w[2]/0.9 = 10/109; normalised [50, 50, 9, 10]/119
    # 3: slot 4; w[4] = (10/119)/0.9; normalised [450, 450, 81, 90, 100]/1171
    # 4: full: lowest non-initial is slot 2 (81); w[2] = w[4]/0.9 = 1000/10539;
    #    normalised [4050, 4050, 1000, 810, 900]/10810
    expected_steps = [
        ([50, 50, 9, 0, 0], 109), ([50, 50, 9, 10, 0], 119), ([450, 450, 81, 90, 100], 1171),
        ([4050, 4050, 1000, 810, 900], 10810)]
    for steps, ((num, den), slot) in enumerate(zip(expected_steps, [2, 3, 4, 2]), start=1):
        w, used = _run([0.5, 0.5, 0, 0, 0], 2, 0.1, 0.25, steps)
        assert used[-1] == slot
        assert torch.allclose(w, torch.tensor(num, dtype=torch.float64) / den)


def test_initial_samples_keep_their_minimum_weight():
    # 4 slots, 1 initial sample, lr = 0.5, minimum 0.4.
    # 1: slot 1, [2, 0.5]/2.5 = [0.8, 0.2]; 2: slot 2, w[2] = 0.4 -> [0.8, 0.2, 0.4]/1.4 = [4, 1, 2]/7
    # 3: slot 3, w[3] = (2/7)/0.5 = 4/7 -> [4, 1, 2, 4]/11; initial 4/11 < 0.4, so divide by
    #    0.4 + 7/11 = 11.4/11 -> others [1, 2, 4]/11.4, initial set to 0.4
    # 4: lowest non-initial is slot 1; w[1] = (4/11.4)/0.5 = 8/11.4; sum = 0.4 + 14/11.4 = 18.56/11.4;
    #    normalised initial 4.56/18.56 < 0.4: divide by 0.4 + 14/18.56 -> others [8, 2, 4]/21.424
    w, used = _run([1, 0, 0, 0], 1, 0.5, 0.4, 3)
    assert used == [1, 2, 3]
    assert torch.allclose(w, torch.tensor([0.4, 1 / 11.4, 2 / 11.4, 4 / 11.4], dtype=torch.float64))
    w, used = _run([1, 0, 0, 0], 1, 0.5, 0.4, 4)
    assert used == [1, 2, 3, 1]
    assert torch.allclose(w, torch.tensor([0.4, 8 / 21.424, 2 / 21.424, 4 / 21.424], dtype=torch.float64))


def test_learning_rate_one_keeps_only_the_newest_sample():
    w, used = _run([0.5, 0.5, 0, 0], 2, 1.0, None, 1)
    assert used == [0] and w.tolist() == [1, 0, 0, 0]


def test_sample_memory_stores_samples_labels_and_views_filled_part():
    init = torch.arange(2.0).reshape(2, 1, 1, 1).expand(2, 3, 2, 2).clone()
    memory = SampleMemory(init, torch.zeros(2, 1, 2, 2), capacity=4, learning_rate=0.1, init_minimum_weight=0.25)
    samples, labels, weights = memory.active()
    assert samples.shape[0] == 2 and torch.allclose(weights, torch.tensor([0.5, 0.5]))
    slot = memory.update(torch.full((1, 3, 2, 2), 7.0), torch.ones(1, 1, 2, 2))
    samples, labels, weights = memory.active()
    assert slot == 2 and samples.shape[0] == 3 and float(samples[2].mean()) == 7 and float(labels[2].mean()) == 1
    assert torch.allclose(weights, torch.tensor([50, 50, 9]) / 109.0)
    with pytest.raises(ValueError, match="sample_memory_size"):
        SampleMemory(init, torch.zeros(2, 1, 2, 2), capacity=2, learning_rate=0.1, init_minimum_weight=0.25)
