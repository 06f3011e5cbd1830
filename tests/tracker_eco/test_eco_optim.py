"""ECO's filter normal equations: the compiled data term against the torch version and a direct
numpy computation of its definition."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from pytracking.libs.cpu_kernels import load_kernel
from pytracking.tracker.eco.continuous import RegOperator
from pytracking.tracker.eco.optim import FilterCG

IMPLEMENTATIONS = [pytest.param(False, id="torch"),
                   pytest.param(True, id="kernel", marks=pytest.mark.skipif(
                       not hasattr(load_kernel(), "filter_data_term"), reason="compiled kernels not built"))]


def _complex(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.complex(torch.from_numpy(rng.standard_normal(shape).astype(np.float32)),
                         torch.from_numpy(rng.standard_normal(shape).astype(np.float32)))


def _direct(samples, filters, weights, k, kh):
    """sum_j w_j conj(z_jb) s_j, s_j = sum over blocks (centred in k rows) and channels of f z_j."""
    n = weights.shape[0]
    out = [np.zeros(f.shape, dtype=np.complex128) for f in filters]
    for j in range(n):
        s = np.zeros((k, kh), dtype=np.complex128)
        for z, f in zip(samples, filters):
            r0 = (k - z.shape[2]) // 2
            for c in range(z.shape[1]):
                for r in range(z.shape[2]):
                    for q in range(z.shape[3]):
                        s[r0 + r, q] += complex(f[c, r, q]) * complex(z[j, c, r, q])
        for b, z in enumerate(samples):
            r0 = (k - z.shape[2]) // 2
            for c in range(z.shape[1]):
                out[b][c] += float(weights[j]) * np.conj(z[j, c].numpy()) * s[r0:r0 + z.shape[2], :z.shape[3]]
    return out


@pytest.mark.parametrize("use_kernel", IMPLEMENTATIONS)
def test_filter_data_term_equals_its_definition(use_kernel):
    rng = np.random.default_rng(0)
    k, kh = 9, 5
    samples = [_complex(rng, 4, 3, 5, 3), _complex(rng, 4, 2, 9, 5)]
    filters = [_complex(rng, 3, 5, 3), _complex(rng, 2, 9, 5)]
    weights = torch.tensor([0.1, 0.5, 0.15, 0.25])
    cg = FilterCG(torch.ones(k, kh, dtype=torch.complex64), RegOperator(torch.ones(1, 1)), 0.0, use_kernel=use_kernel)
    cg.set_problem(samples, weights, [torch.ones(f.shape) for f in filters])
    got = cg.data_term(filters)
    want = _direct(samples, filters, weights, k, kh)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        assert np.allclose(g.numpy(), w, rtol=1e-4, atol=1e-4 * np.abs(w).max())


def test_filter_data_term_kernel_rejects_mismatched_blocks():
    kernel = load_kernel()
    if not hasattr(kernel, "filter_data_term"):
        pytest.skip("compiled kernels not built")
    z = torch.zeros(2, 3, 5, 3, dtype=torch.complex64)
    with pytest.raises(RuntimeError, match="filters\\[0\\]"):
        kernel.filter_data_term([z], [torch.zeros(3, 5, 4, dtype=torch.complex64)], torch.ones(2), 5, 3)
    with pytest.raises(RuntimeError, match="does not fit"):
        kernel.filter_data_term([z], [torch.zeros(3, 5, 3, dtype=torch.complex64)], torch.ones(2), 4, 3)


@pytest.mark.parametrize("zero_column", [0.0, 1.0])        # the original's J^T rows, the exact ones
def test_projection_rows_of_the_joint_gradient_weight_the_zero_column(zero_column):
    """The projection-matrix part of J^T u is Re(sum over the full spectrum of x_d conj(f_c u)),
    written here directly (column kx = 0 weighted by ``zero_column``, the others by 2)."""
    from pytracking.tracker.eco.optim import JointGaussNewton
    rng = np.random.default_rng(5)
    x = [_complex(rng, 4, 5, 3)]                       # D x K x Kh
    y = _complex(rng, 5, 3)
    f = [_complex(rng, 2, 5, 3)]                       # C x K x Kh
    gn = JointGaussNewton(x, y, RegOperator(torch.ones(1, 1)), 1e-7, zero_column)
    gn.f = f
    gn.z_conj = [torch.zeros(2, 5, 3, dtype=torch.complex64)]
    u = _complex(rng, 5, 3)
    dP = gn._jt(u)[1].numpy()
    xn, gn_ = x[0].numpy(), (f[0] * u.conj()).numpy()
    w = np.array([zero_column, 2.0, 2.0])
    want = np.einsum("dkl,ckl,l->dc", xn, gn_, w).real
    assert dP.shape == (4, 2)
    assert np.allclose(dP, want, atol=1e-4)
