"""Adam (and, with ``decoupled_weight_decay=True``, AdamW), with AMSGrad and ``maximize``."""
import numpy as np

from ._rule import GRAD, LR, PARAM, STEP, Hyper, State, Update
from ._validate import check_adam_like
from .optimizer import Optimizer, _real, _to_scalar

__all__ = ["Adam"]


def _lerp_(a, b, w):
    """``a.lerp_(b, w)`` with PyTorch's two-sided formula (exact at w=0 and w=1)."""
    d = b - a
    if w < 0.5:
        d *= w
        a += d
    else:
        d *= 1 - w
        np.subtract(b, d, out=a)


def _decayed_grad(p, g, lr, weight_decay, maximize, decoupled):
    """The gradient after ``maximize`` and L2 decay; decoupled (AdamW-style) decay scales ``p``."""
    if maximize:
        g = -g
    if weight_decay != 0:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    return g


def _update_moments(m, v, g, beta1, beta2):
    """Adam's running moments in place: m <- lerp(m, g, 1 - beta1), v <- beta2 v + (1 - beta2) g^2."""
    _lerp_(m, g, 1 - beta1)
    v *= beta2
    v += (1 - beta2) * g * g


def _adam(p, g, m, v, vmax, step, lr, beta1, beta2, eps, weight_decay, maximize, decoupled):
    """One Adam update in place on ``p``, ``m`` (exp_avg), ``v`` (exp_avg_sq), ``vmax``."""
    g = _decayed_grad(p, g, lr, weight_decay, maximize, decoupled)
    _update_moments(m, v, g, beta1, beta2)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
        v = vmax
    denom = np.sqrt(v)
    denom /= bias_correction2_sqrt
    denom += eps
    upd = (-(lr / bias_correction1)) * m
    upd /= denom
    p += upd


def _step_count(st):
    """Increment the 0-d float32 ``step`` tensor in place and return its value."""
    s = st["step"]._data
    s += 1
    return float(s)


class Adam(Optimizer):
    """Adam: ``torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_adam_like(lr, betas, eps, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (hasattr(betas[0], "numel") and hasattr(betas[1], "numel"))):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = tuple(map(_to_scalar, betas))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        vmax = State("max_exp_avg_sq") if group["amsgrad"] else None
        return Update(_adam, p=PARAM, g=GRAD, m=State("exp_avg"), v=State("exp_avg_sq"), vmax=vmax,
                      step=STEP, lr=LR, beta1=Hyper("betas", 0), beta2=Hyper("betas", 1),
                      eps=Hyper("eps"), weight_decay=Hyper("weight_decay"),
                      maximize=Hyper("maximize"),
                      decoupled=Hyper("decoupled_weight_decay"))

    def step(self, closure=None):
        """Perform one Adam step on every parameter that has a gradient."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            amsgrad = group["amsgrad"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = self._state_for(p, ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ()))
                _adam(_real(p), _real(g), _real(st["exp_avg"]), _real(st["exp_avg_sq"]),
                      _real(st["max_exp_avg_sq"]) if amsgrad else None, _step_count(st), lr,
                      beta1, beta2, group["eps"], group["weight_decay"], group["maximize"],
                      group["decoupled_weight_decay"])
                p._vbox[0] += 1
        return loss
