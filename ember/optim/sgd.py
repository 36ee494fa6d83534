"""SGD with momentum, dampening, Nesterov momentum, weight decay and ``maximize``."""
from ._rule import GRAD, LR, PARAM, Hyper, State, Update
from .optimizer import Optimizer, _real, _to_scalar, _wrap, required  # noqa: F401

__all__ = ["SGD"]


def _sgd(p, g, buf, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """One SGD update of the array ``p`` in place; returns the (new) momentum buffer."""
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        if buf is None:
            buf = g.copy()
        else:
            buf *= momentum
            if dampening == 0:
                buf += g
            else:
                buf += (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    p -= lr * g
    return buf


class SGD(Optimizer):
    """Stochastic gradient descent: ``torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)``."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _compiled_update(self, group):
        """The rule a compiled step pastes in for each parameter, and its arguments (_rule.py)."""
        buf = State("momentum_buffer") if group["momentum"] != 0 else None
        return Update(_sgd, p=PARAM, g=GRAD, buf=buf, lr=LR, weight_decay=Hyper("weight_decay"),
                      momentum=Hyper("momentum"), dampening=Hyper("dampening"),
                      nesterov=Hyper("nesterov"), maximize=Hyper("maximize"))

    def step(self, closure=None):
        """Perform one SGD step on every parameter that has a gradient."""
        loss = None if closure is None else self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            momentum = group["momentum"]
            wd, damp, nest, maxi = (group["weight_decay"], group["dampening"], group["nesterov"],
                                    group["maximize"])
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if momentum != 0:
                    st = state[p]
                    buf = st.get("momentum_buffer")
                    new = _sgd(_real(p), _real(g), None if buf is None else _real(buf), lr, wd,
                               momentum, damp, nest, maxi)
                    if buf is None:
                        st["momentum_buffer"] = _wrap(new.view(p._data.dtype))
                else:
                    _sgd(_real(p), _real(g), None, lr, wd, 0, damp, nest, maxi)
                p._vbox[0] += 1
        return loss
