"""softmax and log_softmax along a dim, each one Function with a closed-form gradient."""
import numpy as np

from .._tensor import _wrap, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ._rowsum import trailing_sum


class Softmax(Function):
    saves_output = True
    saved_inputs = ()

    def forward(ctx, x, dim):
        ctx.dim = dim
        if not x.size:
            ctx.y = x.copy()
            return ctx.y
        e = x - x.max(axis=dim, keepdims=True)
        np.exp(e, out=e)
        e /= trailing_sum(e, dim)
        ctx.y = e
        return e

    def backward(ctx, g):
        if not MODE.grad_enabled:
            y, gd = ctx.y, g._data
            return _wrap(y * (gd - trailing_sum(gd * y, ctx.dim)))
        y = _wrap(ctx.y) if not MODE.grad_enabled else softmax(ctx.inputs[0], ctx.dim) \
            if ctx.inputs is not None else _wrap(ctx.y)
        return y * (g - (g * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Function):
    saves_output = True
    saved_inputs = ()

    def forward(ctx, x, dim):
        ctx.dim = dim
        if not x.size:
            ctx.y = x.copy()
            return ctx.y
        s = x - x.max(axis=dim, keepdims=True)
        lse = np.exp(s)
        lse = np.log(trailing_sum(lse, dim))
        s -= lse
        y = s
        ctx.y = y
        return y

    def backward(ctx, g):
        if not MODE.grad_enabled:
            gd = g._data
            return _wrap(gd - np.exp(ctx.y) * trailing_sum(gd, ctx.dim))
        y = _wrap(ctx.y) if not MODE.grad_enabled else log_softmax(ctx.inputs[0], ctx.dim) \
            if ctx.inputs is not None else _wrap(ctx.y)
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)


def _dim(input, dim, name):
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1  # PyTorch's legacy implicit choice
    return _wrap_dim(dim, input.ndim, name)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise RuntimeError(f'"softmax_lastdim_kernel_impl" not implemented for '
                           f'\'{input.dtype.name.capitalize()}\'')
    if input.ndim == 0:
        return Softmax.apply(input.reshape(1), dim=0).reshape(())
    return Softmax.apply(input, dim=_dim(input, dim, "softmax"))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if not input.is_floating_point():
        raise RuntimeError(f'"log_softmax_lastdim_kernel_impl" not implemented for '
                           f'\'{input.dtype.name.capitalize()}\'')
    if input.ndim == 0:
        return LogSoftmax.apply(input.reshape(1), dim=0).reshape(())
    return LogSoftmax.apply(input, dim=_dim(input, dim, "log_softmax"))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return softmax(-input, dim, dtype=dtype)
