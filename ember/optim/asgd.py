"""ASGD: averaged stochastic gradient descent."""

from ._rule import GRAD, LR, PARAM, STEP, Hyper, State, Update
from ._validate import check_lr, check_nonneg
from .optimizer import Optimizer, _real, _to_scalar

__all__ = ["ASGD"]


def _asgd(p, g, ax, eta, mu, step, lr, lambd, alpha, t0, weight_decay, maximize):
    """``eta`` and ``mu`` are PyTorch's float32 0-d state arrays, updated in place."""
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    eta_value = float(eta)
    p *= 1 - lambd * eta_value
    p -= eta_value * g
    if float(mu) != 1:
        d = p - ax
        d *= mu
        ax += d
    else:
        ax[...] = p
    eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
    mu[...] = 1 / max(1, step - t0)


class ASGD(Optimizer):
    """ASGD: ``torch.optim.ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6)``."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg("weight_decay", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        return Update(_asgd, p=PARAM, g=GRAD, ax=State("ax"), eta=State("eta"), mu=State("mu"),
                      step=STEP, lr=LR, lambd=Hyper("lambd"), alpha=Hyper("alpha"),
                      t0=Hyper("t0"), weight_decay=Hyper("weight_decay"),
                      maximize=Hyper("maximize"))

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self._state_for(p, ("ax",), (("eta", lr), ("mu", 1.0)))
                s = st["step"]._data
                s += 1
                _asgd(_real(p), _real(p.grad), _real(st["ax"]), _real(st["eta"]), _real(st["mu"]),
                      float(s), lr, group["lambd"], group["alpha"], group["t0"],
                      group["weight_decay"], group["maximize"])
                p._vbox[0] += 1
        return loss
