"""softmax and log_softmax along a dim, each one Function with a closed-form gradient."""
import math

import numpy as np

from .._tensor import _wrap, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ._rowsum import trailing_sum


# Below this many elements per row, NumPy's max along the row costs more than the rest of
# softmax (~1 ns per element for rows of 64: one short inner loop per row).
_SHORT_ROW = 256
# A row whose sum of exp(x - shift) is at least this is exact to float32 round-off: its
# max is within 20 of the shift, so only entries below e^-67 (as probabilities) underflow.
_ROW_SUM_FLOOR = math.exp(-20.0)


def _exp_shifted(x, dim):
    """(exp(x - m), its sums along dim) for m the max of each row along dim.

    Short rows along the last axis take one shift for the whole array instead (its max: one
    vectorised pass) and redo, with their own max, the rows far below it; the result is the
    same softmax up to round-off."""
    if dim in (-1, x.ndim - 1) and x.shape[-1] <= _SHORT_ROW and x.size >= 4096 \
            and x.dtype.char in "fd":
        m = x.max()
        if np.isfinite(m):
            e = x - m
            np.exp(e, out=e)
            total = trailing_sum(e, dim)
            low = total < _ROW_SUM_FLOOR
            if low.any():
                n = x.shape[-1]
                rows = np.flatnonzero(low)
                xr = x.reshape(-1, n)[rows]
                er = xr - xr.max(axis=1, keepdims=True)
                np.exp(er, out=er)
                e.reshape(-1, n)[rows] = er
                total.reshape(-1)[rows] = trailing_sum(er, 1, keepdims=False)
            return e, total
    e = x - x.max(axis=dim, keepdims=True)
    np.exp(e, out=e)
    return e, trailing_sum(e, dim)


class Softmax(Function):
    saves_output = True
    saved_inputs = ()

    def forward(ctx, x, dim):
        ctx.dim = dim
        if not x.size:
            ctx.y = x.copy()
            return ctx.y
        e, total = _exp_shifted(x, dim)
        e /= total
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
