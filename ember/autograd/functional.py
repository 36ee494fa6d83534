"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp built on autograd.grad
(jvp through ember.func's double-vjp)."""
from .._tensor import Tensor


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    from . import grad
    single = isinstance(inputs, Tensor)
    ins = tuple(i.detach().requires_grad_() for i in _tuple(inputs))
    out = func(*ins)
    gs = grad(out, ins, v, create_graph=create_graph, allow_unused=True)
    gs = tuple(g if g is not None else i.new_zeros(i.shape) for g, i in zip(gs, ins))
    return (out if create_graph else out.detach()), (gs[0] if single else gs)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs`` by one reverse pass per output element."""
    from . import grad
    from ..ops.shape import stack
    single = isinstance(inputs, Tensor)
    ins = tuple(i.detach().requires_grad_() for i in _tuple(inputs))
    out = func(*ins)
    single_out = isinstance(out, Tensor)
    outs = _tuple(out)
    result = []
    for o in outs:
        flat = o.reshape(-1)
        rows = [[] for _ in ins]
        for k in range(flat.numel()):
            gs = grad(flat[k], ins, retain_graph=True, create_graph=create_graph, allow_unused=True)
            for j, (g, i) in enumerate(zip(gs, ins)):
                rows[j].append(g if g is not None else i.new_zeros(i.shape))
        per_in = []
        for j, i in enumerate(ins):
            if rows[j]:
                per_in.append(stack(rows[j]).reshape(tuple(o.shape) + tuple(i.shape)))
            else:
                per_in.append(i.new_zeros(tuple(o.shape) + tuple(i.shape)))
        result.append(per_in[0] if single else tuple(per_in))
    return result[0] if single_out else tuple(result)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    from . import grad
    single = isinstance(inputs, Tensor)

    def grad_fn(*xs):
        out = func(*xs)
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        return gs[0] if single else gs
    return jacobian(grad_fn, inputs, create_graph=create_graph)


def hvp(func, inputs, v, create_graph=False, strict=False):
    from . import grad
    single = isinstance(inputs, Tensor)
    ins = tuple(i.detach().requires_grad_() for i in _tuple(inputs))
    out = func(*ins)
    gs = grad(out, ins, create_graph=True)
    vs = _tuple(v)
    dot = sum((g * vv).sum() for g, vv in zip(gs, vs))
    hv = grad(dot, ins, create_graph=create_graph)
    return out.detach(), (hv[0] if single else hv)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v) by the double-vjp trick of ember.func.jvp."""
    from ..func import jvp as _jvp
    from ..ops.creation import ones_like
    ins = _tuple(inputs)
    vs = tuple(ones_like(i) for i in ins) if v is None else _tuple(v)
    return _jvp(func, tuple(i.detach() for i in ins), tuple(vs))


def vhp(func, inputs, v, create_graph=False, strict=False):
    """(func(inputs), v^T H): the Hessian is symmetric, so this is hvp's product."""
    return hvp(func, inputs, v, create_graph, strict)
