"""ECO's compact generative sample model: a Gaussian mixture of the training samples.

At most ``num_samples`` components are kept. A new sample becomes a new component while there is
room; when the model is full, the component with the lowest prior weight is replaced if its weight
fell below ``minimum_weight``, else the two closest of {new sample, components} are merged (weighted
mean), as in Danelljan et al., CVPR 2017, section 4.2. Distances are Euclidean in the space of
(projected) Fourier coefficients; the Gram matrix is kept up to date exactly from the inner
products of each new sample with the components. As in the original, those inner products over
half spectra count the ``kx = 0`` column twice (``zero_column_weight``; 1 is the exact
full-spectrum product).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import torch

from pytracking.tracker.eco.continuous import column_weights


def _ip_many(samples: List[torch.Tensor], x: List[torch.Tensor], n: int,
             zero_column_weight: float) -> Tuple[np.ndarray, float]:
    """Real inner products over full spectra of the first ``n`` stored samples (``N x ...`` per
    block) with ``x`` (``...`` per block), an ``n`` vector, and the squared norm of ``x`` (float64).
    ``Re(conj(s) v)`` is the dot product of the real views; the ``kx = 0`` column counts
    ``zero_column_weight`` times, the others twice."""
    out = np.zeros(n, dtype=np.float64)
    norm = 0.0
    for s, v in zip(samples, x):
        w = torch.view_as_real(v * column_weights(v.shape[-1], zero_column_weight)).reshape(-1)
        norm += float(torch.dot(torch.view_as_real(v).reshape(-1), w))
        if n:
            out += (torch.view_as_real(s[:n]).reshape(n, -1) @ w).double().numpy()
    return out, norm


class SampleSpace:
    """The mixture components (``samples``: one ``num_samples x ...`` complex tensor per feature
    block) and their prior ``weights`` (summing to 1 over the used components; updated by the
    original's formulas, which keep the sum at 1 without renormalising, so that an unmerged
    component's weight falls below ``minimum_weight`` after as many updates as in the original)."""

    def __init__(self, num_samples: int, learning_rate: float, zero_column_weight: float = 2.0) -> None:
        self.num_samples = num_samples
        self.learning_rate = learning_rate
        self.zero_column_weight = zero_column_weight
        self.minimum_weight = learning_rate * (1 - learning_rate) ** (2 * num_samples)
        self.samples: List[torch.Tensor] = []
        # the bookkeeping of a few dozen numbers is in numpy: far less overhead per operation
        self.weights = np.zeros(num_samples, dtype=np.float64)
        self.gram = np.zeros((num_samples, num_samples), dtype=np.float64)
        self.num_used = 0

    def _write(self, idx: int, x: List[torch.Tensor]) -> None:
        for s, v in zip(self.samples, x):
            s[idx] = v

    def _set_row(self, idx: int, row: np.ndarray, diag: float) -> None:
        self.gram[idx, :] = row
        self.gram[:, idx] = row
        self.gram[idx, idx] = diag

    def insert(self, x: List[torch.Tensor]) -> Tuple[Optional[int], Optional[int]]:
        """Add a sample; returns (merged component index or None, new component index or None).
        The Gram matrix is updated from one set of inner products of ``x`` with the components."""
        lr = self.learning_rate
        if not self.samples:
            self.samples = [torch.zeros((self.num_samples,) + tuple(v.shape), dtype=v.dtype) for v in x]
        g = np.zeros(self.num_samples, dtype=np.float64)            # zero for unused components
        g[:self.num_used], norm = _ip_many(self.samples, x, self.num_used, self.zero_column_weight)
        if self.num_used < self.num_samples:
            idx = self.num_used
            self.num_used += 1
            if idx == 0:
                self.weights[0] = 1.0
            else:
                self.weights *= 1 - lr
                self.weights[idx] = lr
            self._write(idx, x)
            self._set_row(idx, g, norm)
            return None, idx

        min_id = int(np.argmin(self.weights))
        if self.weights[min_id] < self.minimum_weight:
            idx = min_id
            self.weights[idx] = 0
            self.weights *= (1 - lr) / self.weights.sum()
            self.weights[idx] = lr
            self._write(idx, x)
            self._set_row(idx, g, norm)
            return None, idx

        diag = self.gram.diagonal()
        dist = np.maximum(norm + diag - 2 * g, 0)
        closest = int(np.argmin(dist))
        n = self.num_samples
        pair = np.maximum(diag.reshape(-1, 1) + diag.reshape(1, -1) - 2 * self.gram, 0)
        np.fill_diagonal(pair, np.inf)
        flat = int(np.argmin(pair))
        self.weights *= 1 - lr
        if dist[closest] < pair.flat[flat]:
            # merge the new sample into its closest component
            idx = closest
            w1, w2 = float(self.weights[idx]), lr
            a, b = w1 / (w1 + w2), w2 / (w1 + w2)
            self._write(idx, [a * s[idx] + b * v for s, v in zip(self.samples, x)])
            d = a * a * float(self.gram[idx, idx]) + 2 * a * b * float(g[idx]) + b * b * norm
            self._set_row(idx, a * self.gram[idx] + b * g, d)
            self.weights[idx] += lr
            return idx, None
        # merge the two closest components; the new sample takes the freed place. (i, j) as MATLAB's
        # ind2sub of the first minimum in column-major order: on equal weights the pair is merged into
        # the larger index
        i, j = flat % n, flat // n
        if float(self.weights[j]) > float(self.weights[i]):
            i, j = j, i
        w1, w2 = float(self.weights[i]), float(self.weights[j])
        a, b = w1 / (w1 + w2), w2 / (w1 + w2)
        self._write(i, [a * s[i] + b * s[j] for s in self.samples])
        self._write(j, x)
        d = a * a * float(self.gram[i, i]) + 2 * a * b * float(self.gram[i, j]) + b * b * float(self.gram[j, j])
        row_i = a * self.gram[i] + b * self.gram[j]
        row_i[j] = a * float(g[i]) + b * float(g[j])
        self._set_row(i, row_i, d)
        row_j = g.copy()
        row_j[i] = row_i[j]
        self._set_row(j, row_j, norm)
        self.weights[i] += w2
        self.weights[j] = lr
        return i, j

    def used(self) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """(the used components per block, their weights)."""
        k = self.num_used
        return [s[:k] for s in self.samples], torch.from_numpy(self.weights[:k]).float()
