"""RMSprop, with ``centered``, momentum and weight decay."""
import numpy as np

from ._rule import GRAD, LR, PARAM, Hyper, State, Update
from ._validate import check_lr, check_nonneg
from .adam import _lerp_
from .optimizer import Optimizer, _real, _to_scalar

__all__ = ["RMSprop"]


def _rmsprop(p, g, sq, gavg, buf, lr, alpha, eps, weight_decay, momentum, maximize):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    sq *= alpha
    sq += (1 - alpha) * g * g
    if gavg is not None:
        _lerp_(gavg, g, 1 - alpha)
        avg = gavg * -1
        avg *= gavg
        avg += sq
        np.sqrt(avg, out=avg)
    else:
        avg = np.sqrt(sq)
    avg += eps
    if buf is not None:
        buf *= momentum
        buf += g / avg
        p -= lr * buf
    else:
        upd = (-lr) * g
        upd /= avg
        p += upd


class RMSprop(Optimizer):
    """RMSprop: ``torch.optim.RMSprop(params, lr=1e-2, alpha=0.99)``."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_lr(lr)
        check_nonneg("epsilon", eps)
        check_nonneg("momentum", momentum)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("alpha", alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        gavg = State("grad_avg") if group["centered"] else None
        buf = State("momentum_buffer") if group["momentum"] > 0 else None
        return Update(_rmsprop, p=PARAM, g=GRAD, sq=State("square_avg"), gavg=gavg, buf=buf, lr=LR,
                      alpha=Hyper("alpha"), eps=Hyper("eps"),
                      weight_decay=Hyper("weight_decay"), momentum=Hyper("momentum"),
                      maximize=Hyper("maximize"),
                      counts_steps=True)

    def step(self, closure=None):
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            momentum, centered = group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self._state_for(p, ("square_avg",) + (("momentum_buffer",) if momentum > 0 else ())
                                     + (("grad_avg",) if centered else ()))
                st["step"]._data += 1
                _rmsprop(_real(p), _real(p.grad), _real(st["square_avg"]),
                         _real(st["grad_avg"]) if centered else None,
                         _real(st["momentum_buffer"]) if momentum > 0 else None, lr,
                         group["alpha"], group["eps"], group["weight_decay"], momentum,
                         group["maximize"])
                p._vbox[0] += 1
        return loss
