"""NAdam: Adam with Nesterov momentum (momentum decay schedule, optional decoupled decay)."""
import numpy as np

from ._rule import GRAD, LR, PARAM, STEP, Hyper, State, Update
from ._validate import check_adam_like, check_nonneg
from .adam import _decayed_grad, _step_count, _update_moments
from .optimizer import Optimizer, _real, _scalar_state, _to_scalar

__all__ = ["NAdam"]


def _nadam(p, g, m, v, mu_product, step, lr, beta1, beta2, eps, weight_decay, momentum_decay,
           decoupled, maximize):
    """``mu_product`` is the float32 0-d array PyTorch keeps (its rounding matters)."""
    bias_correction2 = 1 - beta2 ** step
    g = _decayed_grad(p, g, lr, weight_decay, maximize, decoupled)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= mu
    mp = float(mu_product)
    _update_moments(m, v, g, beta1, beta2)
    denom = v / bias_correction2
    np.sqrt(denom, out=denom)
    denom += eps
    upd = (-lr * (1.0 - mu) / (1.0 - mp)) * g
    upd /= denom
    p += upd
    upd = ((-lr * mu_next) / (1.0 - mp * mu_next)) * m
    upd /= denom
    p += upd


class NAdam(Optimizer):
    """NAdam: ``torch.optim.NAdam(params, lr=2e-3, momentum_decay=4e-3)``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_adam_like(lr, betas, eps, weight_decay)
        check_nonneg("momentum_decay", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for st in self.state.values():
            if "mu_product" in st and not hasattr(st["mu_product"], "_data"):
                st["mu_product"] = _scalar_state(st["mu_product"])

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        return Update(_nadam, p=PARAM, g=GRAD, m=State("exp_avg"), v=State("exp_avg_sq"),
                      mu_product=State("mu_product"), step=STEP, lr=LR,
                      beta1=Hyper("betas", 0), beta2=Hyper("betas", 1), eps=Hyper("eps"),
                      weight_decay=Hyper("weight_decay"),
                      momentum_decay=Hyper("momentum_decay"),
                      decoupled=Hyper("decoupled_weight_decay"), maximize=Hyper("maximize"))

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self._state_for(p, ("exp_avg", "exp_avg_sq"), (("mu_product", 1.0),))
                _nadam(_real(p), _real(p.grad), _real(st["exp_avg"]), _real(st["exp_avg_sq"]),
                       _real(st["mu_product"]), _step_count(st), lr, beta1, beta2, group["eps"],
                       group["weight_decay"], group["momentum_decay"],
                       group["decoupled_weight_decay"], group["maximize"])
                p._vbox[0] += 1
        return loss
