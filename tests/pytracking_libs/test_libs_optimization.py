"""Optimizers against closed-form / independently computed minimisers."""
import math

import numpy as np
import pytest
import torch

from pytracking.libs import operation
from pytracking.libs.optimization import (ConjugateGradient, ConjugateGradientBase, GaussNewtonCG, GradientDescent,
                                          GradientDescentL2, L2Linearization, L2Problem, MinimizationProblem,
                                          NewtonCG)
from pytracking.libs.tensorlist import TensorList

DT = torch.float64


class LinearLS(L2Problem):
    """r(x) = A x - b, x a single vector."""

    def __init__(self, A, b):
        self.A, self.b = A, b

    def __call__(self, x):
        return TensorList([self.A @ x[0] - self.b])


class TwoBlockLS(L2Problem):
    """r = A1 x1 + A2 x2 - b (coupled blocks)."""

    def __init__(self, A1, A2, b):
        self.A1, self.A2, self.b = A1, A2, b

    def __call__(self, x):
        return TensorList([self.A1 @ x[0] + self.A2 @ x[1] - self.b])


class DecoupledLS(L2Problem):
    """Two independent problems; inner product per block (block-wise CG)."""

    def __init__(self, As, bs):
        self.As, self.bs = As, bs

    def __call__(self, x):
        return TensorList([A @ xi - b for A, xi, b in zip(self.As, x, self.bs)])

    def ip_input(self, a, b):
        return TensorList([(ai * bi).sum() for ai, bi in zip(a, b)])


class ExpFit(L2Problem):
    """r_i = a exp(b t_i) - y_i."""

    def __init__(self, t, y):
        self.t, self.y = t, y

    def __call__(self, x):
        a, b = x[0][0], x[0][1]
        return TensorList([a * torch.exp(b * self.t) - self.y])


class Rosenbrock(L2Problem):
    """r = (10 (x2 - x1^2), 1 - x1); minimiser (1, 1)."""

    def __call__(self, x):
        v = x[0]
        return TensorList([torch.stack((10 * (v[1] - v[0] ** 2), 1 - v[0]))])


class Quadratic(MinimizationProblem):
    """f(x) = 0.5 x^T Q x - c^T x; minimiser Q^-1 c."""

    def __init__(self, Q, c):
        self.Q, self.c = Q, c

    def __call__(self, x):
        v = x[0]
        return 0.5 * v @ self.Q @ v - self.c @ v


def random_ls(m=12, n=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(m, n, generator=g, dtype=DT), torch.randn(m, generator=g, dtype=DT)


def lstsq(A, b):
    return torch.from_numpy(np.linalg.lstsq(A.numpy(), b.numpy(), rcond=None)[0])


@pytest.mark.parametrize("fletcher_reeves", [True, False])
@pytest.mark.parametrize("standard_alpha", [True, False])
def test_cg_reaches_normal_equations_solution(fletcher_reeves, standard_alpha):
    A, b = random_ls()
    x = TensorList([torch.zeros(5, dtype=DT)])
    opt = ConjugateGradient(LinearLS(A, b), x, fletcher_reeves=fletcher_reeves, standard_alpha=standard_alpha)
    opt.run(5)
    torch.testing.assert_close(x[0], lstsq(A, b), atol=1e-9, rtol=1e-9)


def test_cg_updates_variable_in_place_and_detaches():
    A, b = random_ls(seed=1)
    t = torch.zeros(5, dtype=DT)
    x = TensorList([t])
    ConjugateGradient(LinearLS(A, b), x).run(5)
    assert x[0] is t and not t.requires_grad
    torch.testing.assert_close(t, lstsq(A, b))


def test_cg_two_coupled_variables():
    g = torch.Generator().manual_seed(2)
    A1, A2 = torch.randn(10, 3, generator=g, dtype=DT), torch.randn(10, 2, generator=g, dtype=DT)
    b = torch.randn(10, generator=g, dtype=DT)
    x = TensorList([torch.zeros(3, dtype=DT), torch.zeros(2, dtype=DT)])
    ConjugateGradient(TwoBlockLS(A1, A2, b), x).run(5)
    sol = lstsq(torch.cat((A1, A2), 1), b)
    torch.testing.assert_close(torch.cat(list(x)), sol)


def test_blockwise_inner_product_solves_decoupled_problems():
    A1, b1 = random_ls(8, 3, seed=3)
    A2, b2 = random_ls(9, 4, seed=4)
    x = TensorList([torch.zeros(3, dtype=DT), torch.zeros(4, dtype=DT)])
    problem = DecoupledLS([A1, A2], [b1, b2])
    ConjugateGradient(problem, x).run(3)   # block 1 is exact after 3 steps
    torch.testing.assert_close(x[0], lstsq(A1, b1))
    ConjugateGradient(problem, x).run(4)
    torch.testing.assert_close(x[1], lstsq(A2, b2))


def test_warm_started_direction_continues_cg_across_runs():
    A, b = random_ls(seed=5)
    sol = lstsq(A, b)
    x_keep = TensorList([torch.zeros(5, dtype=DT)])
    keep = ConjugateGradient(LinearLS(A, b), x_keep, direction_forget_factor=1.0)
    x_reset = TensorList([torch.zeros(5, dtype=DT)])
    reset = ConjugateGradient(LinearLS(A, b), x_reset, direction_forget_factor=0.0)
    for _ in range(5):
        keep.run(1)
        reset.run(1)
    # One step per run with the direction kept is plain CG: exact after n = 5 steps.
    torch.testing.assert_close(x_keep[0], sol, atol=1e-8, rtol=1e-8)
    # Restarting every run is steepest descent, which is not exact after 5 steps here.
    assert (x_reset[0] - sol).norm() > 1e-4


def test_cg_eps_stops_early_and_debug_records_histories():
    A, b = random_ls(seed=6)
    x = TensorList([torch.zeros(5, dtype=DT)])
    opt = ConjugateGradient(LinearLS(A, b), x, cg_eps=1e6, debug=True)
    opt.run(5)
    assert opt.residuals.numel() == 2          # initial norm + one iteration
    assert opt.losses.numel() == 2             # before and after
    x2 = TensorList([torch.zeros(5, dtype=DT)])
    opt2 = ConjugateGradient(LinearLS(A, b), x2, debug=True)
    opt2.run(5)
    r0 = float(b @ b)
    assert opt2.losses[0].item() == pytest.approx(r0)
    sol = lstsq(A, b)
    assert opt2.losses[-1].item() == pytest.approx(float(((A @ sol - b) ** 2).sum()))
    # Normal-equation residual norms: the first is |A^T b|, the last ~ 0.
    assert opt2.residuals[0].item() == pytest.approx(float((A.T @ b).norm()))
    assert opt2.residuals[-1].item() < 1e-9


def test_gauss_newton_exponential_fit_recovers_parameters():
    t = torch.linspace(0, 1, 8, dtype=DT)
    y = 2.0 * torch.exp(-1.5 * t)
    x = TensorList([torch.tensor([1.0, -1.0], dtype=DT)])
    for fr in (True, False):
        x = TensorList([torch.tensor([1.0, -1.0], dtype=DT)])
        opt = GaussNewtonCG(ExpFit(t, y), x, fletcher_reeves=fr, debug=True)
        opt.run(2, 12)
        torch.testing.assert_close(x[0], torch.tensor([2.0, -1.5], dtype=DT), atol=1e-8, rtol=0)
        assert opt.losses.numel() == 13 and opt.losses[-1] < 1e-20


def test_gauss_newton_rosenbrock_two_steps_hand_computed():
    # GN on the square Rosenbrock residual system is Newton root finding:
    # step 1 -> (1, 2 x1 - x1^2), step 2 -> (1, 1).
    x = TensorList([torch.tensor([-1.2, 1.0], dtype=DT)])
    opt = GaussNewtonCG(Rosenbrock(), x)
    opt.run(2, 1)
    torch.testing.assert_close(x[0], torch.tensor([1.0, 2 * -1.2 - 1.44], dtype=DT))
    opt.run([2])
    torch.testing.assert_close(x[0], torch.tensor([1.0, 1.0], dtype=DT))


def test_gauss_newton_schedule_validation():
    x = TensorList([torch.zeros(2, dtype=DT)])
    opt = GaussNewtonCG(Rosenbrock(), x)
    with pytest.raises(ValueError, match="num_gn_iter"):
        opt.run(3)
    with pytest.raises(ValueError, match="negative"):
        opt.run([1, -1])
    with pytest.raises(TypeError, match="L2Problem"):
        GaussNewtonCG(Quadratic(torch.eye(2), torch.ones(2)), x)


def test_gradient_descent_l2_converges_to_lstsq():
    A, b = random_ls(seed=7)
    x = TensorList([torch.zeros(5, dtype=DT)])
    # loss = |Ax - b|^2, gradient 2 A^T (Ax - b); step below 1 / lambda_max(A^T A).
    step = 0.9 / torch.linalg.eigvalsh(A.T @ A).max().item()
    opt = GradientDescentL2(LinearLS(A, b), x, step_length=step, momentum=0.5, debug=True)
    opt.run(400)
    torch.testing.assert_close(x[0], lstsq(A, b), atol=1e-7, rtol=1e-7)
    assert opt.losses.numel() == 401 and opt.residuals.numel() == 400
    assert opt.losses[-1] <= opt.losses[0]


def test_gradient_descent_quadratic_closed_form():
    Q = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=DT)
    c = torch.tensor([1.0, -1.0], dtype=DT)
    x = TensorList([torch.zeros(2, dtype=DT)])
    GradientDescent(Quadratic(Q, c), x, step_length=0.3).run(200)
    # Q^-1 c = [[2, -1], [-1, 3]] / 5 @ [1, -1] = [3/5, -4/5]
    torch.testing.assert_close(x[0], torch.tensor([0.6, -0.8], dtype=DT))


def test_newton_cg_solves_quadratic_in_one_step():
    Q = torch.tensor([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]], dtype=DT)
    c = torch.tensor([1.0, 2.0, 3.0], dtype=DT)
    x = TensorList([torch.tensor([5.0, -3.0, 2.0], dtype=DT)])
    opt = NewtonCG(Quadratic(Q, c), x, debug=True)
    opt.run(3)
    torch.testing.assert_close(x[0], torch.from_numpy(np.linalg.solve(Q.numpy(), c.numpy())))
    assert opt.losses.numel() == 2


def test_newton_cg_hessian_regularisation_is_damping():
    # With reg * I added, one Newton step solves (Q + reg I) dx = -(Q x0 - c).
    Q = torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=DT)
    c = torch.tensor([2.0, 1.0], dtype=DT)
    x = TensorList([torch.zeros(2, dtype=DT)])
    NewtonCG(Quadratic(Q, c), x, init_hessian_reg=1.0).run(2)
    torch.testing.assert_close(x[0], torch.tensor([2.0 / 3.0, 0.5], dtype=DT))


def test_optimizers_work_inside_no_grad():
    A, b = random_ls(seed=8)
    x = TensorList([torch.zeros(5, dtype=DT)])
    with torch.no_grad():
        ConjugateGradient(LinearLS(A, b), x).run(5)
    torch.testing.assert_close(x[0], lstsq(A, b))


def test_non_leaf_variable_is_rejected():
    base = torch.zeros(5, dtype=DT, requires_grad=True)
    x = TensorList([base * 2])
    A, b = random_ls()
    with pytest.raises(ValueError, match="leaf"):
        ConjugateGradient(LinearLS(A, b), x).run(1)


# ------------------------------------------------------------------ factorized-conv shaped problem
class FactorizedConvLike(L2Problem):
    """r = sqrt(w) (f * (P x) - y) per layer, plus sqrt(lam) f and sqrt(lam_p) P; variables [f..., P...]."""

    def __init__(self, xs, ys, weights, lam, lam_p):
        self.xs, self.ys, self.w, self.lam, self.lam_p = xs, ys, weights, lam, lam_p

    def __call__(self, v):
        n = len(v) // 2
        filters, projections = v[:n], v[n:]
        compressed = operation.conv1x1(self.xs, projections)
        scores = operation.conv2d(compressed, filters, mode="same")
        res = TensorList([self.w.sqrt().view(-1, 1, 1, 1) * (s - y) for s, y in zip(scores, self.ys)])
        res.extend(math.sqrt(self.lam) * f for f in filters)
        res.extend(math.sqrt(self.lam_p) * p for p in projections)
        return res


def _factorized_instance():
    g = torch.Generator().manual_seed(11)
    xs = TensorList([torch.randn(3, 4, 5, 5, generator=g, dtype=DT), torch.randn(3, 3, 4, 4, generator=g, dtype=DT)])
    ys = TensorList([torch.randn(3, 1, 5, 5, generator=g, dtype=DT), torch.randn(3, 1, 4, 4, generator=g, dtype=DT)])
    w = torch.tensor([0.5, 0.3, 0.2], dtype=DT)
    f = TensorList([torch.randn(1, 2, 3, 3, generator=g, dtype=DT), torch.randn(1, 2, 2, 2, generator=g, dtype=DT)])
    P = TensorList([torch.randn(2, 4, 1, 1, generator=g, dtype=DT), torch.randn(2, 3, 1, 1, generator=g, dtype=DT)])
    return FactorizedConvLike(xs, ys, w, 0.1, 0.01), TensorList(list(f) + list(P))


def _flat_fn(problem, shapes):
    sizes = [int(np.prod(s)) for s in shapes]

    def fn(flat):
        parts = torch.split(flat, sizes)
        v = TensorList([p.reshape(s) for p, s in zip(parts, shapes)])
        return torch.cat([r.reshape(-1) for r in problem(v)])
    return fn


def test_factorized_problem_jtj_matches_autograd_jacobian():
    problem, var = _factorized_instance()
    shapes = [v.shape for v in var]
    flat0 = torch.cat([v.reshape(-1) for v in var])
    J = torch.autograd.functional.jacobian(_flat_fn(problem, shapes), flat0)
    g = torch.Generator().manual_seed(12)
    d = TensorList([torch.randn(s, generator=g, dtype=DT) for s in shapes])
    d_flat = torch.cat([e.reshape(-1) for e in d])
    lin = L2Linearization(problem, var)
    try:
        jtj = torch.cat([e.reshape(-1) for e in lin.jtj(d)])
        jv = torch.cat([e.reshape(-1) for e in lin.jvp(d)])
        grad = torch.cat([e.reshape(-1) for e in lin.gradient])
        r0 = torch.cat([e.reshape(-1) for e in lin.residuals])
    finally:
        lin.close()
    torch.testing.assert_close(jtj, J.T @ (J @ d_flat))
    torch.testing.assert_close(jv, J @ d_flat)
    torch.testing.assert_close(grad, J.T @ r0)
    assert not any(v.requires_grad for v in var)


def test_jacobian_vector_product_matches_finite_differences():
    problem, var = _factorized_instance()
    g = torch.Generator().manual_seed(13)
    d = TensorList([torch.randn(v.shape, generator=g, dtype=DT) for v in var])
    h = 1e-6
    plus = problem(TensorList([v + h * e for v, e in zip(var, d)]))
    minus = problem(TensorList([v - h * e for v, e in zip(var, d)]))
    fd = torch.cat([((p - m) / (2 * h)).reshape(-1) for p, m in zip(plus, minus)])
    lin = L2Linearization(problem, var)
    jv = torch.cat([e.reshape(-1) for e in lin.jvp(d)])
    lin.close()
    torch.testing.assert_close(jv, fd, atol=1e-6, rtol=1e-6)


def test_gauss_newton_step_on_factorized_problem_equals_explicit_normal_equations():
    problem, var = _factorized_instance()
    shapes = [v.shape for v in var]
    flat0 = torch.cat([v.reshape(-1) for v in var])
    fn = _flat_fn(problem, shapes)
    J = torch.autograd.functional.jacobian(fn, flat0)
    r0 = fn(flat0)
    expected = flat0 + torch.from_numpy(np.linalg.solve((J.T @ J).numpy(), -(J.T @ r0).numpy()))
    opt = GaussNewtonCG(problem, var, debug=True)
    # CG terminates after n steps only in exact arithmetic; with cond(J^T J) ~ 1e4 it needs a few n.
    opt.run(4 * flat0.numel(), 1)
    torch.testing.assert_close(torch.cat([v.reshape(-1) for v in var]), expected, atol=1e-6, rtol=1e-6)
    assert opt.losses.numel() == 2 and opt.losses[1] < opt.losses[0]


class FactorizedConvLayerwiseIP(FactorizedConvLike):
    """The tracker's pattern: inner product per layer (filter + projection), duplicated for [f..., P...]."""

    def ip_input(self, a, b):
        n = len(a) // 2
        per_layer = TensorList([(a[i] * b[i]).sum() + (a[n + i] * b[n + i]).sum() for i in range(n)])
        return per_layer.cat(per_layer.clone())


def test_layerwise_inner_product_gives_the_same_exact_gauss_newton_step():
    problem, var = _factorized_instance()
    problem = FactorizedConvLayerwiseIP(problem.xs, problem.ys, problem.w, problem.lam, problem.lam_p)
    shapes = [v.shape for v in var]
    flat0 = torch.cat([v.reshape(-1) for v in var])
    fn = _flat_fn(problem, shapes)
    J = torch.autograd.functional.jacobian(fn, flat0)
    expected = flat0 + torch.from_numpy(np.linalg.solve((J.T @ J).numpy(), -(J.T @ fn(flat0)).numpy()))
    GaussNewtonCG(problem, var).run(4 * flat0.numel(), 1)
    torch.testing.assert_close(torch.cat([v.reshape(-1) for v in var]), expected, atol=1e-6, rtol=1e-6)


def test_analyze_records_loss_at_every_cg_iterate():
    t = torch.linspace(0, 1, 8, dtype=DT)
    y = 2.0 * torch.exp(-1.5 * t)
    x = TensorList([torch.tensor([1.0, -1.0], dtype=DT)])
    opt = GaussNewtonCG(ExpFit(t, y), x, analyze=True)
    opt.run(2, 3)
    # per GN iteration: loss before + one per CG iterate; plus the final loss
    assert opt.losses.numel() == 3 * (1 + 2) + 1
    # the loss at the last CG iterate of a GN step is the loss before the next step
    torch.testing.assert_close(opt.losses[2], opt.losses[3])
    assert opt.residuals.numel() == 3 * 3


class Failing(L2Problem):
    def __call__(self, x):
        raise RuntimeError("broken residuals")


def test_variable_is_detached_again_when_the_problem_raises():
    x = TensorList([torch.zeros(3, dtype=DT)])
    with pytest.raises(RuntimeError, match="broken residuals"):
        GaussNewtonCG(Failing(), x).run(2, 1)
    assert not x[0].requires_grad


def _reference_warm_cg(A, b, num_iter, state, dff, clamp=True):
    """Polak-Ribiere CG in numpy with the search direction kept between calls (second implementation)."""
    if state.get("p") is not None:
        state["rho"] = state["rho"] / dff
    x, r = np.zeros_like(b), b.copy()
    for _ in range(num_iter):
        rho_prev, state["rho"] = state.get("rho"), r @ r
        if state.get("p") is None:
            state["p"] = r.copy()
        else:
            beta = (state["rho"] - state["r_prev"] @ r) / rho_prev
            state.setdefault("betas", []).append(beta)
            state["p"] = r + (max(beta, 0.0) if clamp else beta) * state["p"]
        q = A @ state["p"]
        alpha = state["rho"] / (state["p"] @ q)
        state["r_prev"] = r.copy()
        x, r = x + alpha * state["p"], r - alpha * q
    return x


def test_polak_ribiere_beta_is_clamped_at_zero_with_a_kept_direction():
    """Warm-started CG (direction_forget_factor > 0) on a new right-hand side: the old residual is
    not orthogonal to the new ones, Polak-Ribiere's beta turns negative (-0.118 here) and must be
    clamped to 0; the unclamped result differs by more than 0.1."""

    class MatrixCG(ConjugateGradientBase):
        def __init__(self, matrix):
            super().__init__(fletcher_reeves=False, direction_forget_factor=0.5)
            self.matrix = matrix

        def A(self, x):
            return TensorList([self.matrix @ x[0]])

        def ip(self, a, b):
            return (a[0] * b[0]).sum()

    rng = np.random.default_rng(0)
    m = rng.normal(size=(4, 4))
    A = m @ m.T + 0.5 * np.eye(4)
    b1, b2 = rng.normal(size=4), rng.normal(size=4)
    cg = MatrixCG(torch.from_numpy(A))
    cg.b = TensorList([torch.from_numpy(b1)])
    cg.run_CG(2)
    cg.b = TensorList([torch.from_numpy(b2)])
    x, _ = cg.run_CG(2)

    clamped, unclamped = {}, {}
    _reference_warm_cg(A, b1, 2, clamped, 0.5)
    expected = _reference_warm_cg(A, b2, 2, clamped, 0.5)
    _reference_warm_cg(A, b1, 2, unclamped, 0.5, clamp=False)
    other = _reference_warm_cg(A, b2, 2, unclamped, 0.5, clamp=False)
    assert min(clamped["betas"]) < -0.1 and np.abs(expected - other).max() > 0.1
    np.testing.assert_allclose(x[0].numpy(), expected, rtol=1e-10, atol=1e-12)
