"""Adamax: Adam with the infinity norm."""
import numpy as np

from ._rule import GRAD, LR, PARAM, STEP, Hyper, State, Update
from ._validate import check_adam_like
from .adam import _lerp_, _step_count
from .optimizer import Optimizer, _real, _to_scalar

__all__ = ["Adamax"]


def _adamax(p, g, m, u, step, lr, beta1, beta2, eps, weight_decay, maximize):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    _lerp_(m, g, 1 - beta1)
    u *= beta2
    a = np.abs(g)
    a += eps
    np.maximum(u, a, out=u)
    clr = lr / (1 - beta1 ** step)
    upd = (-clr) * m
    upd /= u
    p += upd


class Adamax(Optimizer):
    """Adamax: ``torch.optim.Adamax(params, lr=2e-3)``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None,
                 *, maximize=False, differentiable=False, capturable=False):
        check_adam_like(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        return Update(_adamax, p=PARAM, g=GRAD, m=State("exp_avg"), u=State("exp_inf"), step=STEP,
                      lr=LR, beta1=Hyper("betas", 0), beta2=Hyper("betas", 1),
                      eps=Hyper("eps"), weight_decay=Hyper("weight_decay"),
                      maximize=Hyper("maximize"))

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self._state_for(p, ("exp_avg", "exp_inf"))
                _adamax(_real(p), _real(p.grad), _real(st["exp_avg"]), _real(st["exp_inf"]),
                        _step_count(st), lr, beta1, beta2, group["eps"], group["weight_decay"],
                        group["maximize"])
                p._vbox[0] += 1
        return loss
