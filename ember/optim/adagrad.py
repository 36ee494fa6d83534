"""Adagrad, with ``lr_decay`` and ``initial_accumulator_value``."""
import numpy as np

from ._rule import GRAD, LR, PARAM, STEP, Hyper, State, Update
from ._validate import check_lr, check_nonneg
from .optimizer import Optimizer, _real, _scalar_state, _to_scalar, _wrap

__all__ = ["Adagrad"]


def _adagrad(p, g, acc, step, lr, lr_decay, eps, weight_decay, maximize):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    clr = lr / (1 + (step - 1) * lr_decay)
    acc += g * g
    std = np.sqrt(acc)
    std += eps
    upd = (-clr) * g
    upd /= std
    p += upd


class Adagrad(Optimizer):
    """Adagrad: ``torch.optim.Adagrad(params, lr=1e-2, lr_decay=0)``."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg("lr_decay", lr_decay)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("initial_accumulator_value", initial_accumulator_value)
        check_nonneg("epsilon", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # NOTE: as PyTorch, Adagrad fills its state at construction (it shows in state_dict).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        st = self.state[p]
        st["step"] = _scalar_state(0.0)
        v = self.defaults["initial_accumulator_value"]
        # a complex parameter accumulates both parts from v, as PyTorch's
        st["sum"] = _wrap(np.full_like(p._data, complex(v, v) if p.is_complex() else v))
        return st

    def share_memory(self):
        pass

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        return Update(_adagrad, p=PARAM, g=GRAD, acc=State("sum"), step=STEP, lr=LR,
                      lr_decay=Hyper("lr_decay"), eps=Hyper("eps"),
                      weight_decay=Hyper("weight_decay"), maximize=Hyper("maximize"))

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st = self._init_state(p)
                s = st["step"]._data
                s += 1
                _adagrad(_real(p), _real(p.grad), _real(st["sum"]), float(s), lr, group["lr_decay"],
                         group["eps"], group["weight_decay"], group["maximize"])
                p._vbox[0] += 1
        return loss
