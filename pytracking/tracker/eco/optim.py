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

from typing import List, Tuple

import torch

from pytracking.libs.optimization import ConjugateGradientBase
from pytracking.libs.tensorlist import TensorList
from pytracking.tracker.eco.continuous import RegOperator, column_weights, crop_to, pad_to, weighted_ip


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


class FilterCG(ConjugateGradientBase):
    """Normal equations of the filter problem (see the module docstring)."""

    def __init__(self, y: torch.Tensor, reg: RegOperator, forget_factor: float) -> None:
        super().__init__(fletcher_reeves=False, standard_alpha=True,
                         direction_forget_factor=forget_factor)
        self.reg = reg
        self.k, self.kh = y.shape
        self.y_out = y
        self.samples: List[torch.Tensor] = []
        self.samples_conj: List[torch.Tensor] = []
        self.weights = torch.ones(1)
        self.diag_m: List[torch.Tensor] = []

    def set_problem(self, samples: List[torch.Tensor], weights: torch.Tensor,
                    diag_m: List[torch.Tensor]) -> None:
        """Samples (``N x C x K x Kh`` per block), their weights (N) and the preconditioner."""
        self.samples = samples
        self.samples_conj = [zb.conj().resolve_conj() for zb in samples]
        self.weights = weights
        self.diag_m = diag_m
        wy = self.weights.reshape(-1, 1, 1) * self.y_out
        self.b = TensorList(self._back_project(wy))

    def _back_project(self, s: torch.Tensor) -> List[torch.Tensor]:
        """``sum_j conj(z_jb) s_j`` per block for scores ``s`` (``N x K x Kh``, output grid)."""
        return [(zc * crop_to(s, zc.shape[-2], zc.shape[-1]).contiguous().unsqueeze(1)).sum(0)
                for zc in self.samples_conj]

    def A(self, x: TensorList) -> TensorList:
        s = scores(list(x), self.samples, self.k, self.kh) * self.weights.reshape(-1, 1, 1)
        return TensorList([d + self.reg(xb) for d, xb in zip(self._back_project(s), x)])

    def ip(self, a: TensorList, b: TensorList) -> torch.Tensor:
        return weighted_ip(a, b)

    def M1(self, x: TensorList) -> TensorList:
        return TensorList([v / m for v, m in zip(x, self.diag_m)])


class JointGaussNewton(ConjugateGradientBase):
    """Gauss-Newton on (filter, projection matrices) for one full-dimensional sample ``x``."""

    def __init__(self, x: List[torch.Tensor], y: torch.Tensor, reg: RegOperator,
                 projection_reg: float) -> None:
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
        self.diag_m: List[torch.Tensor] = []
        # Re(sum_kl w_l x_dkl g_ckl) = [w Re x, -w Im x] . [Re g, Im g] (w: the half-spectrum
        # column weights), for the projection-matrix part of J^T
        self.x_jt = []
        for xb in x:
            xr = torch.view_as_real(xb * column_weights(xb.shape[-1])).clone()
            xr[..., 1] = -xr[..., 1]
            self.x_jt.append(xr.reshape(xb.shape[0], -1))

    def _project(self, P: List[torch.Tensor]) -> List[torch.Tensor]:
        return [project(p, xb) for p, xb in zip(P, self.x)]

    def _jt(self, u: torch.Tensor) -> TensorList:
        """J^T of the data residual ``u`` (output grid half spectrum)."""
        df, dP = [], []
        for fb, zc, xj in zip(self.f, self.z_conj, self.x_jt):
            ub = crop_to(u, zc.shape[-2], zc.shape[-1]).contiguous()
            df.append(zc * ub)
            g = fb * ub.conj()                                     # C x K x Kh
            dP.append(xj @ torch.view_as_real(g).reshape(g.shape[0], -1).t())
        return TensorList(df + dP)

    def _jvp(self, v: TensorList) -> torch.Tensor:
        dfs, dPs = v[:self.nb], v[self.nb:]
        out = scores(list(dfs), self.z, self.k, self.kh)
        return out + scores(self.f, self._project(list(dPs)), self.k, self.kh)

    def A(self, v: TensorList) -> TensorList:
        jtj = self._jt(self._jvp(v))
        for i in range(self.nb):
            jtj[i] = jtj[i] + self.reg(v[i])
            jtj[self.nb + i] = jtj[self.nb + i] + self.lam * v[self.nb + i]
        return jtj

    def ip(self, a: TensorList, b: TensorList) -> torch.Tensor:
        return weighted_ip(a[:self.nb], b[:self.nb]) + sum((u * w).sum() for u, w in zip(a[self.nb:], b[self.nb:]))

    def M1(self, v: TensorList) -> TensorList:
        return TensorList([u / m for u, m in zip(v, self.diag_m)])

    def run(self, f: List[torch.Tensor], P: List[torch.Tensor], diag_m: List[torch.Tensor],
            gn_iter: int, cg_iter: int) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """``gn_iter`` Gauss-Newton steps of ``cg_iter`` CG iterations from (f, P)."""
        self.f, self.P, self.diag_m = list(f), list(P), diag_m
        for _ in range(gn_iter):
            self.z = self._project(self.P)
            self.z_conj = [zb.conj().resolve_conj() for zb in self.z]
            r = scores(self.f, self.z, self.k, self.kh) - self.y_out
            g = self._jt(r)
            for i in range(self.nb):
                g[i] = g[i] + self.reg(self.f[i])
                g[self.nb + i] = g[self.nb + i] + self.lam * self.P[i]
            self.b = -g
            self.reset_state()
            delta, _ = self.run_CG(cg_iter)
            if delta is None:
                break
            self.f = [fb + d for fb, d in zip(self.f, delta[:self.nb])]
            self.P = [p + d for p, d in zip(self.P, delta[self.nb:])]
        self.reset_state()
        return self.f, self.P
