"""Adadelta."""
import numpy as np

from ._rule import GRAD, LR, PARAM, Hyper, State, Update
from ._validate import check_lr, check_nonneg
from .optimizer import Optimizer, _real, _to_scalar

__all__ = ["Adadelta"]


def _adadelta(p, g, sq, acc, lr, rho, eps, weight_decay, maximize):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    sq *= rho
    sq += (1 - rho) * g * g
    std = sq + eps
    np.sqrt(std, out=std)
    delta = acc + eps
    np.sqrt(delta, out=delta)
    delta /= std
    delta *= g
    acc *= rho
    acc += (1 - rho) * delta * delta
    p -= lr * delta


class Adadelta(Optimizer):
    """Adadelta: ``torch.optim.Adadelta(params, lr=1.0, rho=0.9)``."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg("epsilon", eps)
        check_nonneg("weight_decay", weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        return Update(_adadelta, p=PARAM, g=GRAD, sq=State("square_avg"), acc=State("acc_delta"),
                      lr=LR, rho=Hyper("rho"), eps=Hyper("eps"),
                      weight_decay=Hyper("weight_decay"), maximize=Hyper("maximize"),
                      counts_steps=True)

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self._state_for(p, ("square_avg", "acc_delta"))
                st["step"]._data += 1
                _adadelta(_real(p), _real(p.grad), _real(st["square_avg"]), _real(st["acc_delta"]),
                          lr, group["rho"], group["eps"], group["weight_decay"], group["maximize"])
                p._vbox[0] += 1
        return loss
