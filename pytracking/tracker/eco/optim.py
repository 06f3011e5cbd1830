"""ECO's two optimization problems in the Fourier domain, on the framework's conjugate gradient
(:class:`pytracking.libs.optimization.ConjugateGradientBase`).

The label ``y`` is the half spectrum of the Gaussian on the output grid (all blocks' frequencies).

* :class:`FilterCG`: the filter ``f`` (one half spectrum ``C x K x Kh`` per feature block) for fixed
  projected samples ``z_j`` with weights ``w_j``: ``min sum_j w_j |sum_b sum_c f_bc z_jbc - y|^2 +
  sum_b |W * f_b|^2``, normal equations solved by preconditioned CG, warm started across updates.
* :class:`JointGaussNewton`: frame 1, filter and projection matrices ``P_b`` (``D_b x C_b``)
  together: ``|sum_b f_b (P_b^T x_b) - y|^2 + sum_b |W * f_b|^2 + lambda sum_b |P_b|^2`` by
  Gauss-Newton, each normal equation solved by CG (Danelljan et al., CVPR 2017, section 3).

The score of block ``b`` lives on its own frequencies; blocks are summed on the largest grid
(:func:`pytracking.tracker.eco.continuous.pad_to`).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import torch

from pytracking.libs.cpu_kernels import compiled_op
from pytracking.libs.optimization import ConjugateGradientBase
from pytracking.libs.tensorlist import TensorList
from pytracking.tracker.eco.continuous import (RegOperator, column_weights, crop_to, pad_to,
                                               symmetrize_zero_column)


def scores(f: List[torch.Tensor], z: List[torch.Tensor], k: int, kh: int) -> torch.Tensor:
    """The score spectrum ``sum_b sum_c f_bc z_bc`` on the output grid (``k x kh``); ``z`` blocks are ``(N x) C x K x Kh``."""
    out = None
    for fb, zb in zip(f, z):
        s = pad_to((fb * zb).sum(-3), k, kh)
        out = s if out is None else out + s
    return out


def project(P: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``P^T x`` over the channels: ``P`` (``D x C``, real) and the half spectra ``x``
    (``D x K x Kh``) -> ``C x K x Kh``, as one real matrix product on the real and imaginary parts."""
    d, k, kh = x.shape
    out = P.t().to(torch.float32) @ torch.view_as_real(x).reshape(d, -1)
    return torch.view_as_complex(out.reshape(-1, k, kh, 2))


class FlatLayout:
    """The variables of a CG problem (complex half spectra and real matrices) as one real vector,
    so that every vector operation of CG is one tensor operation. Complex entries are stored as
    (real, imaginary) pairs; :attr:`ip_weights` makes the dot product the inner product over full
    spectra (a half spectrum's ``kx = 0`` column once, the others twice; real matrices once)."""

    def __init__(self, shapes: List[Tuple[int, ...]], is_complex: List[bool]) -> None:
        self.shapes = [tuple(int(v) for v in sh) for sh in shapes]
        self.is_complex = list(is_complex)
        self.bounds = []
        weights = []
        start = 0
        for sh, cplx in zip(self.shapes, self.is_complex):
            n = 1
            for v in sh:
                n *= v
            n *= 2 if cplx else 1
            self.bounds.append((start, start + n))
            start += n
            if cplx:
                w = column_weights(sh[-1]).reshape(1, -1, 1).expand(n // (2 * sh[-1]), sh[-1], 2)
                weights.append(w.reshape(-1))
            else:
                weights.append(torch.ones(n))
        self.ip_weights = torch.cat(weights)

    def pack(self, xs: List[torch.Tensor]) -> torch.Tensor:
        return torch.cat([(torch.view_as_real(x.resolve_conj()) if c else x).reshape(-1)
                          for x, c in zip(xs, self.is_complex)])

    def pack_real(self, xs: List[torch.Tensor]) -> torch.Tensor:
        """Real per-entry values (e.g. a diagonal preconditioner), the same for both parts of a complex entry."""
        return torch.cat([(x.unsqueeze(-1).expand(*x.shape, 2) if c else x).reshape(-1)
                          for x, c in zip(xs, self.is_complex)])

    def unpack(self, v: torch.Tensor) -> List[torch.Tensor]:
        """Views of ``v`` in the variables' shapes."""
        return [torch.view_as_complex(v[a:b].view(*sh, 2)) if c else v[a:b].view(sh)
                for (a, b), sh, c in zip(self.bounds, self.shapes, self.is_complex)]

    def ip(self, a: TensorList, b: TensorList) -> torch.Tensor:
        return torch.dot(a[0], b[0] * self.ip_weights)


class FilterCG(ConjugateGradientBase):
    """Normal equations of the filter problem (see the module docstring). The data term runs in the
    compiled ``filter_data_term`` (:mod:`pytracking.libs.cpu_kernels`; one pass over each sample
    instead of two with temporaries) when it is built; ``use_kernel`` as in
    :func:`pytracking.libs.cpu_kernels.compiled_op`."""

    def __init__(self, y: torch.Tensor, reg: RegOperator, forget_factor: float,
                 use_kernel: Optional[bool] = None) -> None:
        super().__init__(fletcher_reeves=False, standard_alpha=True,
                         direction_forget_factor=forget_factor)
        self._data_op = compiled_op("filter_data_term", use_kernel)
        self.reg = reg
        self.k, self.kh = y.shape
        self.y_out = y
        self.samples: List[torch.Tensor] = []
        self.samples_conj: List[torch.Tensor] = []
        self.weights = torch.ones(1)
        self.layout: Optional[FlatLayout] = None
        self.diag_m = torch.ones(1)

    def set_problem(self, samples: List[torch.Tensor], weights: torch.Tensor,
                    diag_m: List[torch.Tensor]) -> None:
        """Samples (``N x C x K x Kh`` per block), their weights (N) and the preconditioner."""
        self.samples = samples
        self.samples_conj = [zb.conj().resolve_conj() for zb in samples]
        self.weights = weights
        if self.layout is None:
            self.layout = FlatLayout([zb.shape[1:] for zb in samples], [True] * len(samples))
        self.diag_m = self.layout.pack_real(diag_m)
        wy = self.weights.reshape(-1, 1, 1) * self.y_out
        self.b = TensorList([self.layout.pack(self._back_project(wy))])

    def solve(self, f: List[torch.Tensor], num_iter: int) -> List[torch.Tensor]:
        """``num_iter`` CG iterations from ``f`` (warm started; see the module docstring)."""
        x, _ = self.run_CG(num_iter, TensorList([self.layout.pack(f)]))
        return f if x is None else self.layout.unpack(x[0])

    def _back_project(self, s: torch.Tensor) -> List[torch.Tensor]:
        """``sum_j conj(z_jb) s_j`` per block for scores ``s`` (``N x K x Kh``, output grid)."""
        return [(zc * crop_to(s, zc.shape[-2], zc.shape[-1]).contiguous().unsqueeze(1)).sum(0)
                for zc in self.samples_conj]

    def data_term(self, f: List[torch.Tensor]) -> List[torch.Tensor]:
        """``sum_j w_j conj(z_j) (sum_b sum_c f_bc z_jbc)`` per block."""
        if self._data_op is not None and f[0].device.type == "cpu":
            return self._data_op(self.samples, f, self.weights, self.k, self.kh)
        return self._back_project(scores(f, self.samples, self.k, self.kh) * self.weights.reshape(-1, 1, 1))

    def A(self, x: TensorList) -> TensorList:
        f = self.layout.unpack(x[0])
        return TensorList([self.layout.pack([d + r for d, r in zip(self.data_term(f), self.reg.apply(f))])])

    def ip(self, a: TensorList, b: TensorList) -> torch.Tensor:
        return self.layout.ip(a, b)

    def M1(self, x: TensorList) -> TensorList:
        return TensorList([x[0] / self.diag_m])


class JointGaussNewton(ConjugateGradientBase):
    """Gauss-Newton on (filter, projection matrices) for one full-dimensional sample ``x``."""

    def __init__(self, x: List[torch.Tensor], y: torch.Tensor, reg: RegOperator,
                 projection_reg: float, zero_column_weight: float = 0.0) -> None:
        super().__init__(fletcher_reeves=True, standard_alpha=True, direction_forget_factor=0.0)
        self.x = x                                   # D x K x Kh per block
        self.reg = reg
        self.k, self.kh = y.shape
        self.lam = projection_reg
        self.nb = len(x)
        self.y_out = y
        self.f: List[torch.Tensor] = []
        self.P: List[torch.Tensor] = []
        self.z: List[torch.Tensor] = []
        self.z_conj: List[torch.Tensor] = []
        self.layout: Optional[FlatLayout] = None
        self.diag_m = torch.ones(1)
        # Re(sum_kl w_l x_dkl g_ckl) = [w Re x, -w Im x] . [Re g, Im g] (w: the half-spectrum
        # column weights), for the projection-matrix part of J^T. The original leaves the kx = 0
        # column out of these rows (``zero_column_weight`` 0; 1 is the exact transpose).
        self.x_jt = []
        for xb in x:
            xr = torch.view_as_real(xb * column_weights(xb.shape[-1], zero_column_weight)).clone()
            xr[..., 1] = -xr[..., 1]
            self.x_jt.append(xr.reshape(xb.shape[0], -1))

    def _project(self, P: List[torch.Tensor]) -> List[torch.Tensor]:
        return [project(p, xb) for p, xb in zip(P, self.x)]

    def _jt(self, u: torch.Tensor) -> List[torch.Tensor]:
        """J^T of the data residual ``u`` (output grid half spectrum)."""
        df, dP = [], []
        for fb, zc, xj in zip(self.f, self.z_conj, self.x_jt):
            ub = crop_to(u, zc.shape[-2], zc.shape[-1]).contiguous()
            df.append(zc * ub)
            g = fb * ub.conj()                                     # C x K x Kh
            dP.append(xj @ torch.view_as_real(g).reshape(g.shape[0], -1).t())
        return df + dP

    def _jvp(self, v: List[torch.Tensor]) -> torch.Tensor:
        # sum_b (df_b z_b + f_b (dP_b^T x_b)) over the channels, blocks summed on the output grid
        out = None
        for df, zb, fb, dp, xb in zip(v[:self.nb], self.z, self.f, v[self.nb:], self.x):
            s = pad_to((df * zb + fb * project(dp, xb)).sum(-3), self.k, self.kh)
            out = s if out is None else out + s
        return out

    def A(self, v: TensorList) -> TensorList:
        parts = self.layout.unpack(v[0])
        jtj = self._jt(self._jvp(parts))
        reg = self.reg.apply(parts[:self.nb])
        for i in range(self.nb):
            jtj[i] = jtj[i] + reg[i]
            jtj[self.nb + i] = jtj[self.nb + i] + self.lam * parts[self.nb + i]
        return TensorList([self.layout.pack(jtj)])

    def ip(self, a: TensorList, b: TensorList) -> torch.Tensor:
        return self.layout.ip(a, b)

    def M1(self, v: TensorList) -> TensorList:
        return TensorList([v[0] / self.diag_m])

    def run(self, f: List[torch.Tensor], P: List[torch.Tensor], diag_m: List[torch.Tensor],
            gn_iter: int, cg_iter: int) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """``gn_iter`` Gauss-Newton steps of ``cg_iter`` CG iterations from (f, P); the filter's
        ``kx = 0`` column is made Hermitian after each step (:func:`symmetrize_zero_column`)."""
        self.f, self.P = list(f), list(P)
        self.layout = FlatLayout([fb.shape for fb in f] + [p.shape for p in P], [True] * self.nb + [False] * self.nb)
        self.diag_m = self.layout.pack_real(diag_m)
        for _ in range(gn_iter):
            self.z = self._project(self.P)
            self.z_conj = [zb.conj().resolve_conj() for zb in self.z]
            r = scores(self.f, self.z, self.k, self.kh) - self.y_out
            g = self._jt(r)
            reg = self.reg.apply(self.f)
            for i in range(self.nb):
                g[i] = g[i] + reg[i]
                g[self.nb + i] = g[self.nb + i] + self.lam * self.P[i]
            self.b = TensorList([-self.layout.pack(g)])
            self.reset_state()
            delta, _ = self.run_CG(cg_iter)
            if delta is None:
                break
            delta = self.layout.unpack(delta[0])
            # the original re-imposes the kx = 0 column's Hermitian symmetry (lost to rounding) here
            self.f = [symmetrize_zero_column(fb + d) for fb, d in zip(self.f, delta[:self.nb])]
            self.P = [p + d for p, d in zip(self.P, delta[self.nb:])]
        self.reset_state()
        return self.f, self.P
