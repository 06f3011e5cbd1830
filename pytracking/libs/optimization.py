"""Iterative optimizers for the online classifiers: conjugate gradient, Gauss-Newton, Newton, descent.

Problems are objects, optimizers hold a problem and a *variable*: a TensorList of leaf tensors that
the optimizer updates **in place** (the tracker keeps references to them). While an optimizer runs,
the variable's tensors temporarily require gradients; afterwards they are detached again
(``requires_grad`` is False).

* :class:`L2Problem` - residuals ``r(x)`` (a TensorList); the loss is ``ip_output(r, r)``.
* :class:`MinimizationProblem` - a scalar loss ``f(x)``.

Inner products (``ip_input``/``ip_output``) may return one scalar tensor, or a TensorList of scalar
tensors with one entry per variable element. In the latter case the conjugate-gradient step
lengths ``alpha`` and ``beta`` are computed per element (block-wise CG), which is exact when the
problem decouples over the elements (e.g. one filter per feature layer).

The Gauss-Newton products use the double-backward trick: with ``r0 = r(x)`` and a dummy vector
``g`` (``requires_grad``), ``h(g) = J^T g`` is built with ``create_graph=True``; then
``J v = d<h(g), v>/dg`` and ``J^T u = d<r0, u>/dx``, so ``J^T J v`` needs two backward passes and no
explicit Jacobian.

Histories: with ``debug=True`` the optimizers append to ``losses`` (a 1-D CPU tensor: the loss
before every linearization / iteration and once after each run) and ``residuals`` (CG residual
norms, or gradient norms for gradient descent). ``analyze=True`` additionally appends the loss
at every CG iterate. Both start as empty tensors and may be reassigned (the tracker transfers
them from its first-frame optimizer to the tracking one).
"""
from __future__ import annotations

import abc
import logging
from typing import Callable, List, Optional, Sequence, Tuple, Union

import torch

from pytracking.libs.tensorlist import TensorList

logger = logging.getLogger(__name__)

InnerProduct = Union[torch.Tensor, TensorList]


# ---------------------------------------------------------------------------------------- helpers
def total(value: Union[InnerProduct, Sequence[torch.Tensor]]) -> torch.Tensor:
    """Sum of a scalar tensor or of a TensorList/list of scalar tensors, as one scalar tensor."""
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            raise ValueError("total: cannot sum an empty list of inner products")
        out = value[0].reshape(())
        for v in value[1:]:
            out = out + v.reshape(())
        return out
    return value.reshape(-1).sum()


def tensorlist_dot(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]) -> torch.Tensor:
    """Euclidean inner product of two TensorLists: ``sum_i <a_i, b_i>`` as a scalar tensor."""
    if len(a) != len(b):
        raise ValueError(f"inner product of TensorLists of different lengths ({len(a)} and {len(b)})")
    return total([(ai * bi).sum() for ai, bi in zip(a, b)])


def _any_at_most(value: InnerProduct, eps: float) -> bool:
    if isinstance(value, (list, tuple)):
        return any(bool((v <= eps).any()) for v in value)
    return bool((value <= eps).any())


def _as_tensorlist(value: Union[TensorList, Sequence[torch.Tensor], torch.Tensor], what: str) -> TensorList:
    if isinstance(value, TensorList):
        return value
    if torch.is_tensor(value):
        return TensorList([value])
    if isinstance(value, (list, tuple)):
        return TensorList(value)
    raise TypeError(f"{what} must be a TensorList (or a tensor), got {type(value).__name__}")


def _grad(outputs: Sequence[torch.Tensor], inputs: Sequence[torch.Tensor],
          grad_outputs: Sequence[torch.Tensor], create_graph: bool = False,
          retain_graph: bool = True) -> TensorList:
    """``sum_i <grad_outputs_i, d outputs_i / d inputs>`` for every input; unused inputs give zeros."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return TensorList(torch.zeros_like(x) for x in inputs)
    grads = torch.autograd.grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                                create_graph=create_graph, retain_graph=retain_graph, allow_unused=True)
    return TensorList(torch.zeros_like(x) if gr is None else gr for x, gr in zip(inputs, grads))


def _require_grad(variable: TensorList, owner: str) -> None:
    for i, v in enumerate(variable):
        if not torch.is_tensor(v):
            raise TypeError(f"{owner}: variable element {i} is a {type(v).__name__}, not a tensor")
        if not v.is_leaf:
            raise ValueError(f"{owner}: variable element {i} is not a leaf tensor; pass tensors created "
                             f"directly (e.g. with .detach().clone()) so they can be updated in place")
        v.requires_grad_(True)


def _detach(variable: TensorList) -> None:
    for v in variable:
        v.detach_()


def _append(history: torch.Tensor, values: Union[torch.Tensor, float, Sequence[float]]) -> torch.Tensor:
    values = torch.as_tensor(values).detach().to("cpu", torch.float64).reshape(-1)
    return torch.cat((history.to(torch.float64), values))


# ---------------------------------------------------------------------------------------- problems
class L2Problem(abc.ABC):
    """A least-squares problem: minimise ``ip_output(r(x), r(x))`` over the TensorList ``x``."""

    @abc.abstractmethod
    def __call__(self, x: TensorList) -> TensorList:
        """Residuals at ``x`` (a TensorList of tensors of any shapes)."""

    def ip_input(self, a: TensorList, b: TensorList) -> InnerProduct:
        """Inner product in the variable space (default: Euclidean, one scalar)."""
        return tensorlist_dot(a, b)

    def ip_output(self, a: TensorList, b: TensorList) -> InnerProduct:
        """Inner product in the residual space (default: Euclidean, one scalar)."""
        return tensorlist_dot(a, b)

    def M1(self, x: TensorList) -> TensorList:
        """First preconditioner factor applied to the CG residual (default: identity)."""
        return x

    def M2(self, x: TensorList) -> TensorList:
        """Second preconditioner factor applied to the CG residual (default: identity)."""
        return x


class MinimizationProblem(abc.ABC):
    """A general problem: minimise the scalar ``f(x)`` over the TensorList ``x``."""

    @abc.abstractmethod
    def __call__(self, x: TensorList) -> torch.Tensor:
        """The scalar loss at ``x``."""

    def ip_input(self, a: TensorList, b: TensorList) -> InnerProduct:
        """Inner product in the variable space (default: Euclidean, one scalar)."""
        return tensorlist_dot(a, b)

    def M1(self, x: TensorList) -> TensorList:
        """First preconditioner factor (default: identity)."""
        return x

    def M2(self, x: TensorList) -> TensorList:
        """Second preconditioner factor (default: identity)."""
        return x


class L2Linearization:
    """Jacobian products of an :class:`L2Problem` at the current variable (double-backward trick).

    Creating it sets ``requires_grad`` on the variable's tensors and evaluates the residuals with a
    graph; call :meth:`close` to detach the variable again.
    """

    def __init__(self, problem: L2Problem, variable: TensorList) -> None:
        self.problem = problem
        self.x = _as_tensorlist(variable, "L2Linearization variable")
        _require_grad(self.x, type(self).__name__)
        try:
            with torch.enable_grad():
                self.r0 = _as_tensorlist(problem(self.x), f"{type(problem).__name__}.__call__ result")
                self.g = TensorList(r.detach().clone().requires_grad_(True) for r in self.r0)
                # h(g) = J^T g; its value at g = r0 is the gradient J^T r (half the gradient of the loss).
                self._jt_g = _grad(self.r0, self.x, self.g, create_graph=True)
        except Exception:
            _detach(self.x)
            raise
        self.residuals = TensorList(r.detach() for r in self.r0)
        self.gradient = TensorList(v.detach() for v in self._jt_g)

    def loss(self) -> torch.Tensor:
        """``ip_output(r, r)`` at the linearization point (scalar)."""
        return total(self.problem.ip_output(self.residuals, self.residuals)).detach()

    def jvp(self, v: TensorList) -> TensorList:
        """``J v`` (residual space)."""
        return _grad(self._jt_g, self.g, v)

    def vjp(self, u: TensorList) -> TensorList:
        """``J^T u`` (variable space)."""
        return _grad(self.r0, self.x, u)

    def jtj(self, v: TensorList) -> TensorList:
        """``J^T J v``: the Gauss-Newton approximation of the Hessian (of loss/2) applied to ``v``."""
        return self.vjp(self.jvp(v))

    def close(self) -> None:
        """Free the graph and detach the variable."""
        self.r0 = self.g = self._jt_g = None
        _detach(self.x)


# ---------------------------------------------------------------------------------------- CG core
class ConjugateGradientBase(abc.ABC):
    """Preconditioned linear conjugate gradient for ``A x = b`` (``A`` symmetric positive definite).

    Subclasses define :meth:`A`, :meth:`ip`, :meth:`M1`, :meth:`M2` and set ``self.b``.

    * ``fletcher_reeves``: ``beta = rho_k / rho_{k-1}`` (True) or the Polak-Ribiere form
      ``beta = max(0, (rho_k - <r_{k-1}, z_k>) / rho_{k-1})`` (False), with ``rho_k = <r_k, z_k>``
      and ``z = M2(M1(r))``.
    * ``standard_alpha``: ``alpha = rho / <p, A p>`` (True) or the exact line search
      ``alpha = <p, r> / <p, A p>`` (False); equal in exact arithmetic.
    * ``direction_forget_factor``: 0 restarts CG at every :meth:`run_CG` call. A value ``c > 0``
      keeps the last search direction between calls (warm start across frames) and scales its
      weight in the first new step by ``c``: ``beta = c * rho_new / rho_old``.
    """

    def __init__(self, fletcher_reeves: bool = True, standard_alpha: bool = True,
                 direction_forget_factor: float = 0.0, debug: bool = False) -> None:
        if direction_forget_factor < 0:
            raise ValueError(f"direction_forget_factor must be >= 0, got {direction_forget_factor}")
        self.fletcher_reeves = fletcher_reeves
        self.standard_alpha = standard_alpha
        self.direction_forget_factor = direction_forget_factor
        self.debug = debug
        self.b: Optional[TensorList] = None
        self.p: Optional[TensorList] = None
        self.rho: Optional[InnerProduct] = None
        self.r_prev: Optional[TensorList] = None

    @abc.abstractmethod
    def A(self, x: TensorList) -> TensorList:
        """The linear operator of the system."""

    @abc.abstractmethod
    def ip(self, a: TensorList, b: TensorList) -> InnerProduct:
        """Inner product of the variable space."""

    def M1(self, x: TensorList) -> TensorList:
        return x

    def M2(self, x: TensorList) -> TensorList:
        return x

    def evaluate_CG_iteration(self, x: TensorList) -> None:
        """Hook called with the current iterate after every CG step (when ``debug`` is on)."""

    def reset_state(self) -> None:
        """Forget the search direction kept between runs."""
        self.p = None
        self.rho = None
        self.r_prev = None

    def check_zero(self, s: InnerProduct, eps: float = 0.0) -> bool:
        """True when any entry of the inner product ``s`` has magnitude at most ``eps``."""
        if isinstance(s, (list, tuple)):
            return any(bool((v.abs() <= eps).any()) for v in s)
        return bool((s.abs() <= eps).any())

    def residual_norm(self, r: TensorList) -> torch.Tensor:
        """``sqrt(sum ip(r, r))``."""
        return total(self.ip(r, r)).sqrt()

    def check_stop(self, norm_r: torch.Tensor, eps: float) -> bool:
        """Stop criterion: residual norm at most ``eps`` (only used when ``eps > 0``)."""
        return eps > 0 and bool(norm_r <= eps)

    def run_CG(self, num_iter: int, x: Optional[TensorList] = None,
               eps: float = 0.0) -> Tuple[Optional[TensorList], Optional[torch.Tensor]]:
        """Run at most ``num_iter`` CG iterations from ``x`` (None = zero; ``x`` is not modified).

        Returns the solution estimate (None if no step was taken) and, when ``debug`` is on, the
        residual norms (initial one first), else None.
        """
        if self.b is None:
            raise RuntimeError(f"{type(self).__name__}.run_CG: the right-hand side self.b is not set")
        if self.direction_forget_factor == 0 or self.p is None:
            self.reset_state()
        else:
            self.rho = self.rho / self.direction_forget_factor

        r = self.b.clone() if x is None else self.b - self.A(x)
        norms: List[torch.Tensor] = []
        if self.debug:
            norms.append(self.residual_norm(r).detach())

        for it in range(num_iter):
            z = self.M2(self.M1(r))
            rho_prev = self.rho
            self.rho = self.ip(r, z)
            if self.check_zero(self.rho):
                logger.debug("CG stopped at iteration %d: zero residual", it)
                self.reset_state()
                break
            if self.p is None:
                self.p = z.clone()
            else:
                if self.fletcher_reeves:
                    beta = self.rho / rho_prev
                else:
                    beta = (self.rho - self.ip(self.r_prev, z)) / rho_prev
                    beta = beta.clamp(min=0)
                self.p = z + self.p * beta
            q = self.A(self.p)
            pq = self.ip(self.p, q)
            if _any_at_most(pq, 0.0):
                logger.debug("CG stopped at iteration %d: non-positive curvature <p, Ap>", it)
                self.reset_state()
                break
            alpha = self.rho / pq if self.standard_alpha else self.ip(self.p, r) / pq
            if not self.fletcher_reeves:
                self.r_prev = r.clone()
            x = self.p * alpha if x is None else x + self.p * alpha
            r -= q * alpha
            if self.debug or eps > 0:
                norm_r = self.residual_norm(r).detach()
                if self.debug:
                    norms.append(norm_r)
                    self.evaluate_CG_iteration(x)
                if self.check_stop(norm_r, eps):
                    logger.debug("CG stopped at iteration %d: residual norm %.3g <= eps", it, float(norm_r))
                    break
        resvec = torch.stack(norms).cpu() if self.debug else None
        return x, resvec


class ProblemConjugateGradient(ConjugateGradientBase):
    """Conjugate gradient in the variable space of ``self.problem``: the problem's inner product
    ``ip_input`` and preconditioners ``M1``, ``M2`` (subclasses set ``problem`` and define
    :meth:`A`)."""

    problem: Union[L2Problem, MinimizationProblem]

    def ip(self, a: TensorList, b: TensorList) -> InnerProduct:
        return self.problem.ip_input(a, b)

    def M1(self, x: TensorList) -> TensorList:
        return self.problem.M1(x)

    def M2(self, x: TensorList) -> TensorList:
        return self.problem.M2(x)


# ---------------------------------------------------------------------------------------- L2 solvers
class _L2CGSolver(ProblemConjugateGradient):
    """Shared machinery: linearize an L2Problem, solve J^T J dx = -J^T r by CG, update in place."""

    def __init__(self, problem: L2Problem, variable: TensorList, cg_eps: float = 0.0,
                 fletcher_reeves: bool = True, standard_alpha: bool = True,
                 direction_forget_factor: float = 0.0, debug: bool = False, analyze: bool = False) -> None:
        super().__init__(fletcher_reeves, standard_alpha, direction_forget_factor, debug or analyze)
        if not isinstance(problem, L2Problem):
            raise TypeError(f"{type(self).__name__} needs an L2Problem, got {type(problem).__name__}")
        self.problem = problem
        self.x = _as_tensorlist(variable, f"{type(self).__name__} variable")
        self.cg_eps = cg_eps
        self.analyze = analyze
        self.losses = torch.zeros(0, dtype=torch.float64)
        self.residuals = torch.zeros(0, dtype=torch.float64)
        self._lin: Optional[L2Linearization] = None

    def A(self, x: TensorList) -> TensorList:
        return self._lin.jtj(x)

    def current_loss(self, x: Optional[TensorList] = None) -> torch.Tensor:
        """Loss ``ip_output(r, r)`` at ``x`` (default: the variable), without a graph."""
        with torch.no_grad():
            r = _as_tensorlist(self.problem(self.x if x is None else x), "residuals")
            return total(self.problem.ip_output(r, r))

    def evaluate_CG_iteration(self, delta_x: TensorList) -> None:
        if self.analyze:
            with torch.no_grad():
                trial = TensorList(v.detach() + d.detach() for v, d in zip(self.x, delta_x))
            self.losses = _append(self.losses, self.current_loss(trial))

    def _gauss_newton_step(self, num_cg_iter: int) -> None:
        with torch.enable_grad():
            self._lin = L2Linearization(self.problem, self.x)
            try:
                if self.debug:
                    self.losses = _append(self.losses, self._lin.loss())
                self.b = -self._lin.gradient
                delta_x, resvec = self.run_CG(num_cg_iter, eps=self.cg_eps)
            finally:
                self._lin.close()
                self._lin = None
        if delta_x is not None:
            with torch.no_grad():
                self.x += delta_x
        if resvec is not None:
            self.residuals = _append(self.residuals, resvec)


class ConjugateGradient(_L2CGSolver):
    """CG on the normal equations of an L2Problem linearized at the variable (one Gauss-Newton step).

    For a problem whose residuals are affine in the variable (the tracker's filter problem) one
    :meth:`run` with enough iterations reaches the least-squares solution.
    """

    def run(self, num_cg_iter: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Do ``num_cg_iter`` CG iterations and add the step to the variable (in place)."""
        if num_cg_iter < 0:
            raise ValueError(f"num_cg_iter must be >= 0, got {num_cg_iter}")
        if num_cg_iter == 0:
            return self.losses, self.residuals
        self._gauss_newton_step(num_cg_iter)
        if self.debug:
            self.losses = _append(self.losses, self.current_loss())
        return self.losses, self.residuals


class GaussNewtonCG(_L2CGSolver):
    """Gauss-Newton for an L2Problem; every outer iteration solves its normal equations by CG."""

    def run(self, num_cg_iter: Union[int, Sequence[int]],
            num_gn_iter: Optional[int] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Run ``num_gn_iter`` linearizations with ``num_cg_iter`` CG steps each.

        ``num_cg_iter`` may instead be a list giving the CG steps of every GN iteration (then
        ``num_gn_iter`` is its length and may be omitted).
        """
        if isinstance(num_cg_iter, int):
            if num_gn_iter is None:
                raise ValueError("GaussNewtonCG.run: give num_gn_iter when num_cg_iter is an int")
            schedule = [num_cg_iter] * num_gn_iter
        else:
            schedule = [int(n) for n in num_cg_iter]
            if num_gn_iter is not None and num_gn_iter != len(schedule):
                raise ValueError(f"GaussNewtonCG.run: num_gn_iter={num_gn_iter} but {len(schedule)} "
                                 f"CG iteration counts were given")
        if any(n < 0 for n in schedule):
            raise ValueError(f"GaussNewtonCG.run: negative CG iteration count in {schedule}")
        if not schedule:
            return self.losses, self.residuals
        for n in schedule:
            self._gauss_newton_step(n)
        if self.debug:
            self.losses = _append(self.losses, self.current_loss())
        return self.losses, self.residuals


class _GradientDescentBase(abc.ABC):
    """Shared state of the gradient-descent optimizers; subclasses define the loss."""

    problem_type: type = object

    def __init__(self, problem, variable: TensorList, step_length: float,
                 momentum: float = 0.0, debug: bool = False) -> None:
        name = type(self).__name__
        if not isinstance(problem, self.problem_type):
            raise TypeError(f"{name} needs a problem of type {self.problem_type.__name__}, got "
                            f"{type(problem).__name__}")
        self.problem = problem
        self.x = _as_tensorlist(variable, f"{name} variable")
        self.step_length = step_length
        self.momentum = momentum
        self.debug = debug
        self.losses = torch.zeros(0, dtype=torch.float64)
        self.residuals = torch.zeros(0, dtype=torch.float64)

    @abc.abstractmethod
    def _loss(self) -> torch.Tensor:
        """The loss at the current variable."""

    def run(self, num_iter: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Do ``num_iter`` descent steps on the variable (in place)."""
        return _descend(self, self._loss, num_iter)


class GradientDescentL2(_GradientDescentBase):
    """Gradient descent with momentum on the loss ``ip_output(r, r)`` of an L2Problem.

    The loss has no factor 1/2, so its gradient is ``2 J^T r``. Update: ``d = grad + momentum * d_prev``; ``x -= step_length * d``. The momentum direction is
    reset at the start of every :meth:`run`.
    """

    problem_type = L2Problem

    def _loss(self) -> torch.Tensor:
        r = _as_tensorlist(self.problem(self.x), "residuals")
        return total(self.problem.ip_output(r, r))


class GradientDescent(_GradientDescentBase):
    """Gradient descent with momentum on a MinimizationProblem (same update as GradientDescentL2)."""

    problem_type = MinimizationProblem

    def _loss(self) -> torch.Tensor:
        return total(self.problem(self.x))


def _descend(opt: _GradientDescentBase, loss_fn: Callable[[], torch.Tensor],
             num_iter: int) -> Tuple[torch.Tensor, torch.Tensor]:
    if num_iter < 0:
        raise ValueError(f"num_iter must be >= 0, got {num_iter}")
    direction: Optional[TensorList] = None
    for _ in range(num_iter):
        with torch.enable_grad():
            _require_grad(opt.x, type(opt).__name__)
            try:
                loss = loss_fn()
                grad = _grad([loss], opt.x, [torch.ones_like(loss)], retain_graph=False)
            finally:
                _detach(opt.x)
        direction = grad if direction is None else grad + direction * opt.momentum
        with torch.no_grad():
            opt.x -= direction * opt.step_length
        if opt.debug:
            opt.losses = _append(opt.losses, loss)
            opt.residuals = _append(opt.residuals, total([(g * g).sum() for g in grad]).sqrt())
    if opt.debug and num_iter > 0:
        with torch.no_grad():
            opt.losses = _append(opt.losses, loss_fn())
    return opt.losses, opt.residuals


class NewtonCG(ProblemConjugateGradient):
    """Newton's method for a MinimizationProblem; every Newton system is solved by CG.

    The Hessian-vector products come from double backward. ``init_hessian_reg`` adds
    ``reg * I`` to the Hessian (damping); ``reg`` is multiplied by ``hessian_reg_factor`` after
    every Newton iteration.
    """

    def __init__(self, problem: MinimizationProblem, variable: TensorList, init_hessian_reg: float = 0.0,
                 hessian_reg_factor: float = 1.0, cg_eps: float = 0.0, fletcher_reeves: bool = True,
                 standard_alpha: bool = True, direction_forget_factor: float = 0.0,
                 debug: bool = False, analyze: bool = False) -> None:
        super().__init__(fletcher_reeves, standard_alpha, direction_forget_factor, debug or analyze)
        if not isinstance(problem, MinimizationProblem):
            raise TypeError(f"NewtonCG needs a MinimizationProblem, got {type(problem).__name__}")
        self.problem = problem
        self.x = _as_tensorlist(variable, "NewtonCG variable")
        self.hessian_reg = init_hessian_reg
        self.hessian_reg_factor = hessian_reg_factor
        self.cg_eps = cg_eps
        self.analyze = analyze
        self.losses = torch.zeros(0, dtype=torch.float64)
        self.residuals = torch.zeros(0, dtype=torch.float64)
        self._g: Optional[TensorList] = None

    def A(self, x: TensorList) -> TensorList:
        return _grad(self._g, self.x, x) + x * self.hessian_reg

    def current_loss(self, x: Optional[TensorList] = None) -> torch.Tensor:
        with torch.no_grad():
            return total(self.problem(self.x if x is None else x))

    def evaluate_CG_iteration(self, delta_x: TensorList) -> None:
        if self.analyze:
            trial = TensorList(v.detach() + d.detach() for v, d in zip(self.x, delta_x))
            self.losses = _append(self.losses, self.current_loss(trial))

    def run(self, num_cg_iter: Union[int, Sequence[int]],
            num_newton_iter: Optional[int] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Run ``num_newton_iter`` Newton iterations with ``num_cg_iter`` CG steps each (or a list)."""
        if isinstance(num_cg_iter, int):
            schedule = [num_cg_iter] * (1 if num_newton_iter is None else num_newton_iter)
        else:
            schedule = [int(n) for n in num_cg_iter]
        for n in schedule:
            self._newton_step(n)
        if self.debug and schedule:
            self.losses = _append(self.losses, self.current_loss())
        return self.losses, self.residuals

    def _newton_step(self, num_cg_iter: int) -> None:
        with torch.enable_grad():
            _require_grad(self.x, "NewtonCG")
            try:
                f0 = total(self.problem(self.x))
                if self.debug:
                    self.losses = _append(self.losses, f0)
                self._g = _grad([f0], self.x, [torch.ones_like(f0)], create_graph=True)
                self.b = -TensorList(g.detach() for g in self._g)
                delta_x, resvec = self.run_CG(num_cg_iter, eps=self.cg_eps)
            finally:
                self._g = None
                _detach(self.x)
        if delta_x is not None:
            with torch.no_grad():
                self.x += delta_x
        if resvec is not None:
            self.residuals = _append(self.residuals, resvec)
        self.hessian_reg *= self.hessian_reg_factor
