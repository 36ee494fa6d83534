"""RAdam: Adam with a rectified adaptive learning rate."""
import numpy as np

from ._rule import GRAD, LR, PARAM, STEP, Hyper, State, Update
from ._validate import check_adam_like
from .adam import _decayed_grad, _step_count, _update_moments
from .optimizer import Optimizer, _real, _to_scalar

__all__ = ["RAdam"]


def _radam(p, g, m, v, step, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
    g = _decayed_grad(p, g, lr, weight_decay, maximize, decoupled)
    _update_moments(m, v, g, beta1, beta2)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    upd = m / bias_correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    # NOTE: the product order is PyTorch's: ((m_hat * lr) * adaptive_lr) * rect.
    upd *= lr
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        s = np.sqrt(v)
        s += eps
        adaptive = bias_correction2 ** 0.5 / s
        upd *= adaptive
        upd *= rect
    p -= upd


class RAdam(Optimizer):
    """RAdam: ``torch.optim.RAdam(params, lr=1e-3)``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_adam_like(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable)
        super().__init__(params, defaults)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        return Update(_radam, p=PARAM, g=GRAD, m=State("exp_avg"), v=State("exp_avg_sq"), step=STEP,
                      lr=LR, beta1=Hyper("betas", 0), beta2=Hyper("betas", 1),
                      eps=Hyper("eps"), weight_decay=Hyper("weight_decay"),
                      decoupled=Hyper("decoupled_weight_decay"), maximize=Hyper("maximize"))

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self._state_for(p, ("exp_avg", "exp_avg_sq"))
                _radam(_real(p), _real(p.grad), _real(st["exp_avg"]), _real(st["exp_avg_sq"]),
                       _step_count(st), lr, beta1, beta2, group["eps"], group["weight_decay"],
                       group["decoupled_weight_decay"], group["maximize"])
                p._vbox[0] += 1
        return loss
