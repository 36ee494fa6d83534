"""Comparisons, logical and bitwise ops, predicates (isnan, isclose) and ``where``.

Comparisons produce bool tensors and never join the graph; ``where`` is differentiable.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd.function import Function
from .arith import _bcast_msg, _out, promote2
from ._util import refuse_complex, scalar, sum_to
from .nondiff import traceable


def _not_tensor(name, input, other):
    raise TypeError(f"{name}() received an invalid combination of arguments - got "
                    f"({type(input).__name__}, {type(other).__name__}), but expected one of: "
                    "(Tensor input, Tensor other) or (Tensor input, Number other)")


def _cmp(npfn, name):
    ordered = name in ("lt", "le", "gt", "ge")

    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            _not_tensor(name, input, other)
        a = input._data
        if ordered and (a.dtype.kind == "c" or isinstance(other, Tensor) and other.is_complex()):
            refuse_complex(input if a.dtype.kind == "c" else other,
                           f'"{name}_cpu" not implemented for \'{{dtype}}\'', NotImplementedError)
        if isinstance(other, Tensor):
            b = other._data
            if a.dtype is not b.dtype:
                dt = _dtype.result_type(((input.dtype, input.ndim), (other.dtype, other.ndim)))
                a, b = a.astype(dt.np, copy=False), b.astype(dt.np, copy=False)
        else:
            b = scalar(other)
            if not isinstance(b, (int, float, bool)):
                b = np.asarray(b)
        try:
            r = npfn(a, b)
        except ValueError:
            raise RuntimeError(_bcast_msg(name, np.shape(a), np.shape(b))) from None
        return _out(_wrap(r), out)
    op.__name__ = name
    return traceable(op)


eq = _cmp(np.equal, "eq")
ne = _cmp(np.not_equal, "ne")
lt = _cmp(np.less, "lt")
le = _cmp(np.less_equal, "le")
gt = _cmp(np.greater, "gt")
ge = _cmp(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _arr(x):
    return x._data if isinstance(x, Tensor) else scalar(x)


def _logical(npfn, name):
    def op(input, other=None, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        if other is not None and not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        r = npfn(_arr(input)) if other is None else npfn(_arr(input), _arr(other))
        return _out(_wrap(np.asarray(r)), out)
    op.__name__ = name
    return traceable(op)


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")
logical_not = _logical(np.logical_not, "logical_not")


def _bitwise(npfn, name):
    def op(input, other=None, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            _not_tensor(name, input, other)
        if isinstance(input, Tensor) and input.is_floating_point():
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{input.dtype.name.capitalize()}'")
        if other is None:
            return _out(_wrap(npfn(input._data)), out)
        a, b = _arr(input), _arr(other)
        if isinstance(input, Tensor) and isinstance(other, Tensor) and a.dtype is not b.dtype:
            input, other = promote2(input, other, name)
            a, b = input._data, other._data
        return _out(_wrap(np.asarray(npfn(a, b))), out)
    op.__name__ = name
    return traceable(op)


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_not = _bitwise(np.invert, "bitwise_not")
bitwise_left_shift = _bitwise(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _bitwise(np.right_shift, "bitwise_right_shift")


@traceable
def isnan(input):
    return _wrap(np.isnan(input._data))


@traceable
def isinf(input):
    return _wrap(np.isinf(input._data))


@traceable
def isposinf(input):
    return _wrap(np.isposinf(input._data))


@traceable
def isneginf(input):
    return _wrap(np.isneginf(input._data))


@traceable
def isfinite(input):
    return _wrap(np.isfinite(input._data))


@traceable
def isreal(input):
    """True where the imaginary part is 0 (everywhere, for a real tensor)."""
    a = input._data
    return _wrap(a.imag == 0 if a.dtype.kind == "c" else np.ones(a.shape, bool))


@traceable
def signbit(input):
    return _wrap(np.signbit(input._data))


@traceable
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    return _wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


class Where(Function):
    saved_inputs = ()

    def forward(ctx, cond, a, b):
        ctx.cond = cond
        ctx.sa, ctx.sb = a.shape, b.shape
        return np.where(cond, a, b)

    def backward(ctx, g):
        c = _wrap(ctx.cond)
        z = g.new_zeros(())
        return None, sum_to(where(c, g, z), ctx.sa), sum_to(where(c, z, g), ctx.sb)


def where(condition, input=None, other=None, *, out=None):
    """``where(cond, x, y)`` picks from x where cond is true, else y; ``where(cond)`` is
    ``nonzero(cond, as_tuple=True)``.  x and y may be Python numbers."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if condition.dtype is not _dtype.bool_:
        if condition.dtype is _dtype.uint8:
            condition = condition.bool()
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {condition.dtype.name.capitalize()}")
    items, scalars = [], []
    for v in (input, other):
        if isinstance(v, Tensor):
            items.append((v.dtype, v.ndim))
        else:
            scalars.append(scalar(v))
    dt = _dtype.result_type(items, scalars)
    input, other = (v.to(dt) if isinstance(v, Tensor) else _wrap(np.array(scalar(v), dt.np))
                    for v in (input, other))
    try:
        return _out(Where.apply(condition, input, other), out)
    except ValueError:
        raise RuntimeError(_bcast_msg("where", condition.shape, input.shape)) from None
