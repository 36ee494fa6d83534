"""Rprop: resilient backpropagation (sign-based steps with adaptive per-element sizes)."""
import numpy as np

from ._rule import GRAD, PARAM, Hyper, State, Update
from ._validate import check_lr
from .optimizer import Optimizer, _real, _scalar_state, _to_scalar, _wrap

__all__ = ["Rprop"]


def _rprop(p, g, prev, step_size, etaminus, etaplus, step_size_min, step_size_max, maximize):
    if maximize:
        g = -g
    sign = np.sign(g * prev)
    factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0)).astype(p.dtype)
    step_size *= factor
    np.clip(step_size, step_size_min, step_size_max, out=step_size)
    g = np.where(sign < 0, 0, g).astype(p.dtype)
    upd = np.sign(g)
    upd *= step_size
    p -= upd
    prev[...] = g


class Rprop(Optimizer):
    """Rprop: ``torch.optim.Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))``."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        return Update(_rprop, p=PARAM, g=GRAD, prev=State("prev"), step_size=State("step_size"),
                      etaminus=Hyper("etas", 0), etaplus=Hyper("etas", 1),
                      step_size_min=Hyper("step_sizes", 0),
                      step_size_max=Hyper("step_sizes", 1), maximize=Hyper("maximize"),
                      counts_steps=True)

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            smin, smax = group["step_sizes"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_state(0.0)
                    st["prev"] = _wrap(np.zeros_like(p._data))
                    lr = _to_scalar(group["lr"])   # complex: both parts step, as PyTorch's
                    st["step_size"] = _wrap(np.full_like(p._data, complex(lr, lr) if p.is_complex()
                                                         else lr))
                st["step"]._data += 1
                _rprop(_real(p), _real(p.grad), _real(st["prev"]), _real(st["step_size"]), etaminus,
                       etaplus, smin, smax, group["maximize"])
                p._vbox[0] += 1
        return loss
