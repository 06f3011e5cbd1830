"""ATOM's classifier problems: explicit Jacobian products against autograd and finite differences,
and the CG solver against a brute-force least-squares solution."""
import math

import pytest
import torch
import torch.nn.functional as F

from pytracking.libs.optimization import L2Linearization
from pytracking.libs.tensorlist import TensorList
from pytracking.tracker.atom.activations import Activation
from pytracking.tracker.atom.memory import SampleMemory
from pytracking.tracker.atom.problems import (ConvProblem, ExplicitGaussNewtonCG, FactorizedConvProblem,
                                              SameCorrelation)

DT = torch.float64


def _close(a, b, tol=1e-9):
    for x, y in zip(a, b):
        assert x.shape == y.shape
        assert torch.allclose(x, y, atol=tol, rtol=tol), (x - y).abs().max()


def _factorized(act1="none", act2=("mlu", 0.05), kernel=(4, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(5, 6, 7, 8, generator=g, dtype=DT)
    y = torch.rand(5, 1, 7, 8, generator=g, dtype=DT)
    w = torch.rand(5, generator=g, dtype=DT) + 0.1
    a1 = Activation(*act1) if isinstance(act1, tuple) else Activation(act1)
    a2 = Activation(*act2) if isinstance(act2, tuple) else Activation(act2)
    problem = FactorizedConvProblem(X, y, w, 0.1, 1e-2, a1, a2)
    x = TensorList([torch.randn(1, 3, *kernel, generator=g, dtype=DT) * 0.3,
                    torch.randn(3, 6, 1, 1, generator=g, dtype=DT) * 0.3])
    v = TensorList([torch.randn_like(t) for t in x])
    u = TensorList([torch.randn(5, 1, 7, 8, generator=g, dtype=DT), torch.randn_like(x[0]),
                    torch.randn_like(x[1])])
    return problem, x, v, u


def _conv(kernel=(4, 4), act2=("mlu", 0.05), seed=1):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(4, 3, 6, 5, generator=g, dtype=DT)
    y = torch.rand(4, 1, 6, 5, generator=g, dtype=DT)
    memory = SampleMemory(X, y, capacity=9, learning_rate=0.1, init_minimum_weight=0.25)
    memory.update(torch.randn(1, 3, 6, 5, generator=g, dtype=DT), torch.rand(1, 1, 6, 5, generator=g, dtype=DT))
    a2 = Activation(*act2) if isinstance(act2, tuple) else Activation(act2)
    problem = ConvProblem(memory, 0.2, a2)
    x = TensorList([torch.randn(1, 3, *kernel, generator=g, dtype=DT) * 0.3])
    v = TensorList([torch.randn_like(x[0])])
    u = TensorList([torch.randn(5, 1, 6, 5, generator=g, dtype=DT), torch.randn_like(x[0])])
    return problem, x, v, u


@pytest.mark.parametrize("kernel,size", [((4, 4), (6, 7)), ((3, 2), (6, 7)), ((1, 1), (6, 7)),
                                         ((5, 6), (2, 3)), ((4, 4), (1, 1))])
def test_same_correlation_matches_conv2d_and_its_adjoints(kernel, size):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(3, 4, *size, generator=g, dtype=DT, requires_grad=True)
    f = torch.randn(1, 4, *kernel, generator=g, dtype=DT, requires_grad=True)
    out_grad = torch.randn(3, 1, *size, generator=g, dtype=DT)
    # Reference: the 'same' convention of the issue: pad k//2 before and k//2-1 (even k) after.
    kh, kw = kernel
    ref = F.conv2d(F.pad(x, (kw // 2, kw - 1 - kw // 2, kh // 2, kh - 1 - kh // 2)), f)
    gx, gf = torch.autograd.grad(ref, (x, f), out_grad)
    corr = SameCorrelation(x.detach(), kernel)
    _close([corr.forward(f.detach())], [ref.detach()])
    # the adjoints reuse one buffer: a product with another map first must leave no trace
    corr.weight_grad(torch.randn(3, 1, *size, generator=g, dtype=DT))
    _close([corr.weight_grad(out_grad)], [gf])
    corr.input_grad(torch.randn(3, 1, *size, generator=g, dtype=DT), f.detach())
    _close([corr.input_grad(out_grad, f.detach())], [gx])


@pytest.mark.parametrize("act1,act2", [("none", ("mlu", 0.05)), ("relu", "none"), (("elu", 0.5), ("mlu", 0.3))])
def test_factorized_problem_products_match_autograd(act1, act2):
    problem, x, v, u = _factorized(act1, act2)
    lin = problem.linearize(x)
    ref = L2Linearization(problem, TensorList([t.clone() for t in x]))
    _close(lin.residuals, ref.residuals)
    _close(lin.jvp(v), ref.jvp(v))
    _close(lin.vjp(u), ref.vjp(u))
    _close(lin.gradient, ref.gradient)
    _close(lin.jtj(v), ref.jtj(v))
    ref.close()


def test_factorized_problem_jvp_matches_finite_differences():
    problem, x, v, _ = _factorized(act1="none", act2=("mlu", 0.5))
    lin = problem.linearize(x)
    eps = 1e-6
    plus = problem(TensorList([a + eps * b for a, b in zip(x, v)]))
    minus = problem(TensorList([a - eps * b for a, b in zip(x, v)]))
    fd = TensorList([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    _close(lin.jvp(v), fd, tol=1e-6)


def test_conv_problem_products_match_autograd_and_finite_differences():
    problem, x, v, u = _conv()
    lin = problem.linearize(x)
    ref = L2Linearization(problem, TensorList([x[0].clone()]))
    _close(lin.residuals, ref.residuals)
    _close(lin.jvp(v), ref.jvp(v))
    _close(lin.vjp(u), ref.vjp(u))
    _close(lin.jtj(v), ref.jtj(v))
    ref.close()
    eps = 1e-6
    fd = [(p - m) / (2 * eps) for p, m in zip(problem(TensorList([x[0] + eps * v[0]])),
                                             problem(TensorList([x[0] - eps * v[0]])))]
    _close(lin.jvp(v), fd, tol=1e-6)


def test_conv_problem_uses_only_filled_memory_slots():
    problem, x, _, _ = _conv()
    residuals = problem(x)
    assert residuals[0].shape[0] == 5      # 4 initial samples + 1 update, not the 9 slots


def test_mlu_activation_and_derivative():
    act = Activation("mlu", 0.05)
    t = torch.tensor([-1.0, -0.01, 0.0, 0.3], dtype=DT, requires_grad=True)
    # mlu(x) = x for x > 0, a (exp(x/a) - 1) otherwise
    expected = torch.tensor([0.05 * (math.exp(-20) - 1), 0.05 * (math.exp(-0.2) - 1), 0.0, 0.3], dtype=DT)
    assert torch.allclose(act(t), expected)
    (grad,) = torch.autograd.grad(act(t).sum(), t)
    assert torch.allclose(act.derivative(t.detach()), grad)
    with pytest.raises(ValueError, match="mlu"):
        Activation("mlu")
    with pytest.raises(ValueError, match="Unknown activation"):
        Activation("tanh")


def test_cg_solves_linear_filter_problem_to_least_squares_solution():
    problem, x, _, _ = _conv(kernel=(2, 2), act2="none")
    # Brute force: the residual is affine in the filter; build its Jacobian column by column.
    n_var = x[0].numel()
    zero = TensorList([torch.zeros_like(x[0])])
    r0 = torch.cat([r.reshape(-1) for r in problem(zero)])
    cols = []
    for i in range(n_var):
        e = torch.zeros(n_var, dtype=DT)
        e[i] = 1
        cols.append(torch.cat([r.reshape(-1) for r in problem(TensorList([e.reshape(x[0].shape)]))]) - r0)
    J = torch.stack(cols, dim=1)
    solution = torch.linalg.lstsq(J, -r0).solution
    solver = ExplicitGaussNewtonCG(problem, x, fletcher_reeves=False, debug=True)
    solver.run(n_var)                      # CG is exact after n steps in exact arithmetic
    assert torch.allclose(x[0].reshape(-1), solution, atol=1e-8)
    assert not x[0].requires_grad
    assert solver.losses.numel() == 2 and solver.losses[1] <= solver.losses[0]


def test_joint_gauss_newton_decreases_the_loss():
    problem, x, _, _ = _factorized(act1="none", act2=("mlu", 0.05))
    before = sum(float((r * r).sum()) for r in problem(x))
    solver = ExplicitGaussNewtonCG(problem, x, debug=True)
    solver.run(5, 3)
    after = sum(float((r * r).sum()) for r in problem(x))
    assert after < 0.5 * before
    assert torch.allclose(solver.losses[-1], torch.tensor(after, dtype=DT))
    assert solver.losses.numel() == 4      # before each of 3 linearizations, and at the end

