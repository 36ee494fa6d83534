"""Binary arithmetic: add, sub, mul, div, pow, remainder, ... with PyTorch's type promotion.

Tensor-tensor ops and tensor-scalar ops are separate Functions: a scalar never needs a
gradient, and a scalar op saves nothing, so ``y.mul_(2)`` keeps a graph valid.
"""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ._util import np_sum_to, refuse_complex, scalar, sum_to

_FROM_NP = _dtype._FROM_NP


# --- promotion helpers ----------------------------------------------------------------------
def promote2(a, b, op):
    """Cast two tensors to their PyTorch result dtype (differentiably)."""
    da, db = _FROM_NP[a._data.dtype], _FROM_NP[b._data.dtype]
    r = _dtype.result_type(((da, a._data.ndim), (db, b._data.ndim)))
    if r is not da:
        a = a.to(r)
    if r is not db:
        b = b.to(r)
    return a, b


def promote_scalar(a, s):
    """Cast tensor ``a`` up when the Python scalar ``s`` is of a higher category."""
    k = _dtype.scalar_kind(s)
    ak = _KIND[a._data.dtype.kind]
    if k > ak:
        return a.to(_dtype.result_type(((_FROM_NP[a._data.dtype], 1),), (s,)))
    return a


_KIND = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}   # PyTorch's promotion categories


def to_float(a):
    """Integer and bool tensors become the default float dtype (true division, exp, ...)."""
    if a._data.dtype.kind in "biu":
        return a.to(_dtype.get_default_dtype())
    return a


def check_shapes(op, a, b):
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(_bcast_msg(op, a.shape, b.shape)) from None


def _bcast_msg(op, sa, sb):
    na, nb = len(sa), len(sb)
    n = max(na, nb)
    for i in range(1, n + 1):
        x = sa[-i] if i <= na else 1
        y = sb[-i] if i <= nb else 1
        if x != y and x != 1 and y != 1:
            return (f"{op}: The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                    f"non-singleton dimension {n - i} (shapes {list(sa)} and {list(sb)})")
    return f"{op}: shapes {list(sa)} and {list(sb)} cannot be broadcast together"


def binary(cls, scls, rcls, a, b, op, float_result=False):
    """Dispatch ``a (op) b`` to the tensor-tensor, tensor-scalar or scalar-tensor Function."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            if a._data.dtype is not b._data.dtype:
                a, b = promote2(a, b, op)
            if float_result:
                a, b = to_float(a), to_float(b)
            try:
                return cls.apply(a, b)
            except ValueError as e:
                if "broadcast" in str(e):
                    raise RuntimeError(_bcast_msg(op, a.shape, b.shape)) from None
                raise
        b = scalar(b)
        if not isinstance(b, (int, float, bool, complex)):
            return binary(cls, scls, rcls, a, _as_tensor(b, a), op, float_result)
        a = to_float(a) if float_result else promote_scalar(a, b)
        return scls.apply(a, s=b)
    a = scalar(a)
    if not isinstance(a, (int, float, bool, complex)):
        return binary(cls, scls, rcls, _as_tensor(a, b), b, op, float_result)
    b = to_float(b) if float_result else promote_scalar(b, a)
    return rcls.apply(b, s=a)


def _as_tensor(x, like):
    from .creation import tensor
    if isinstance(x, np.ndarray):
        return _wrap(x)
    return tensor(x)


# --- add / sub -----------------------------------------------------------------------------
class Add(Function):
    saved_inputs = ()

    def forward(ctx, a, b):
        ctx.sa, ctx.sb = a.shape, b.shape
        return a + b

    def backward(ctx, g):
        if not MODE.grad_enabled:
            a = g._data
            return (None if ctx._edges[0] is None else _wrap(np_sum_to(a, ctx.sa)),
                    None if ctx._edges[1] is None else _wrap(np_sum_to(a, ctx.sb)))
        return sum_to(g, ctx.sa), sum_to(g, ctx.sb)


class AddScalar(Function):
    node_name = "Add"
    saved_inputs = ()

    def forward(ctx, a, s):
        return a + s

    def backward(ctx, g):
        return g


class Sub(Function):
    saved_inputs = ()

    def forward(ctx, a, b):
        ctx.sa, ctx.sb = a.shape, b.shape
        return a - b

    def backward(ctx, g):
        if not MODE.grad_enabled:
            a = g._data
            return (None if ctx._edges[0] is None else _wrap(np_sum_to(a, ctx.sa)),
                    None if ctx._edges[1] is None else _wrap(np_sum_to(-a, ctx.sb)))
        return sum_to(g, ctx.sa), sum_to(-g, ctx.sb)


class SubScalar(Function):
    node_name = "Sub"
    saved_inputs = ()

    def forward(ctx, a, s):
        return a - s

    def backward(ctx, g):
        return g


class RSubScalar(Function):
    node_name = "RsubBackward1"
    saved_inputs = ()

    def forward(ctx, a, s):
        return s - a

    def backward(ctx, g):
        return _wrap(-g._data) if not MODE.grad_enabled else -g


# --- mul / div -----------------------------------------------------------------------------
class Mul(Function):
    def forward(ctx, a, b):
        return a * b

    def backward(ctx, g):
        a, b = ctx.inputs
        ea, eb = ctx._edges
        if not MODE.grad_enabled:
            gd, ad, bd = g._data, a._data, b._data
            return (_wrap(np_sum_to(gd * bd, ad.shape)) if ea is not None else None,
                    _wrap(np_sum_to(gd * ad, bd.shape)) if eb is not None else None)
        return (sum_to(g * b, a._data.shape) if ea is not None else None,
                sum_to(g * a, b._data.shape) if eb is not None else None)


class MulScalar(Function):
    node_name = "Mul"
    saved_inputs = ()

    def forward(ctx, a, s):
        ctx.s = s
        return a * s

    def backward(ctx, g):
        return _wrap(g._data * ctx.s) if not MODE.grad_enabled else g * ctx.s


class Div(Function):
    def forward(ctx, a, b):
        return a / b

    def backward(ctx, g):
        a, b = ctx.inputs
        ea, eb = ctx._edges
        if not MODE.grad_enabled:
            gd, ad, bd = g._data, a._data, b._data
            return (_wrap(np_sum_to(gd / bd, ad.shape)) if ea is not None else None,
                    _wrap(np_sum_to(-gd * ad / (bd * bd), bd.shape)) if eb is not None else None)
        ga = sum_to(g / b, a._data.shape) if ea is not None else None
        gb = sum_to(-g * a / (b * b), b._data.shape) if eb is not None else None
        return ga, gb


class DivScalar(Function):
    node_name = "Div"
    saved_inputs = ()

    def forward(ctx, a, s):
        ctx.s = s
        return a / s

    def backward(ctx, g):
        return _wrap(g._data / ctx.s) if not MODE.grad_enabled else g / ctx.s


class RDivScalar(Function):
    node_name = "Div"
    def forward(ctx, a, s):
        ctx.s = s
        return s / a

    def backward(ctx, g):
        a = ctx.inputs[0]
        return g * (-ctx.s) / (a * a)


# --- pow -----------------------------------------------------------------------------------
class Pow(Function):
    node_name = "PowBackward1"
    def forward(ctx, a, b):
        if a.dtype.kind in "iu" and b.dtype.kind in "iu" and (b < 0).any():
            return _int_pow(a, b)
        return np.power(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        ea, eb = ctx._edges
        ga = gb = None
        if ea is not None:
            ga = sum_to(g * b * a ** (b - 1), a._data.shape)
        if eb is not None:
            # NOTE: d/db a**b = a**b * log(a); PyTorch defines it as 0 where a == 0 and b >= 0.
            from .compare import where
            # (a complex exponent counts when it is real and >= 0, as PyTorch's rule)
            b_nonneg = (b >= 0) if not b.is_complex() else (b.imag == 0) & (b.real >= 0)
            la = where((a == 0) & b_nonneg, 0.0, a.log())
            gb = sum_to(g * (a ** b) * la, b._data.shape)
        return ga, gb


def _int_pow(a, b):
    """Integer a ** b with negative exponents as PyTorch: 1 and -1 stay units, others give 0."""
    neg = b < 0
    r = np.power(a, np.where(neg, 0, b))
    unit = np.where(a == -1, np.where(b % 2 == 0, 1, -1), np.where(a == 1, 1, 0))
    return np.where(neg, unit, r).astype(r.dtype)


class PowScalar(Function):
    node_name = "Pow"
    def forward(ctx, a, s):
        ctx.s = s
        if s == 2:
            return a * a
        if a.dtype.kind in "iu" and s < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return np.power(a, s)

    def backward(ctx, g):
        a = ctx.inputs[0]
        s = ctx.s
        if s == 0:
            return g * 0
        if not MODE.grad_enabled:
            ad = a._data
            return _wrap(g._data * (ad * 2.0) if s == 2 else g._data * s * ad ** (s - 1))
        if s == 2:
            return g * (a * 2.0)
        return g * s * a ** (s - 1)


class RPowScalar(Function):
    node_name = "PowBackward2"
    saves_output = True

    def forward(ctx, a, s):
        ctx.s = s
        if a.dtype.kind in "iu":
            return np.trunc(np.power(float(s), a.astype(np.float64))).astype(a.dtype)
        y = np.power(np.asarray(s, dtype=a.dtype), a)
        ctx.y = y
        return y

    def backward(ctx, g):
        y = ctx.inputs[0].__rpow__(ctx.s) if MODE.grad_enabled else _wrap(ctx.y)
        return g * y * math.log(ctx.s) if ctx.s > 0 else g * 0


# --- integer-style division ----------------------------------------------------------------
class FloorDivide(Function):
    saved_inputs = ()

    def forward(ctx, a, b):
        ctx.sa, ctx.sb = a.shape, b.shape
        return np.floor_divide(a, b)

    def backward(ctx, g):
        return sum_to(g * 0, ctx.sa), sum_to(g * 0, ctx.sb)


class FloorDivideScalar(Function):
    node_name = "FloorDivide"
    saved_inputs = ()

    def forward(ctx, a, s):
        return np.floor_divide(a, s)

    def backward(ctx, g):
        return g * 0


class RFloorDivideScalar(Function):
    saved_inputs = ()

    def forward(ctx, a, s):
        return np.floor_divide(s, a)

    def backward(ctx, g):
        return g * 0


class Remainder(Function):
    def forward(ctx, a, b):
        return np.remainder(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        return sum_to(g, a._data.shape), sum_to(-g * (a / b).floor(), b._data.shape)


class RemainderScalar(Function):
    node_name = "Remainder"
    saved_inputs = ()

    def forward(ctx, a, s):
        return np.remainder(a, s)

    def backward(ctx, g):
        return g


class RRemainderScalar(Function):
    def forward(ctx, a, s):
        ctx.s = s
        return np.remainder(s, a)

    def backward(ctx, g):
        a = ctx.inputs[0]
        return -g * (ctx.s / a).floor()


class Fmod(Function):
    def forward(ctx, a, b):
        return np.fmod(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        return sum_to(g, a._data.shape), sum_to(-g * (a / b).trunc(), b._data.shape)


class FmodScalar(Function):
    node_name = "Fmod"
    saved_inputs = ()

    def forward(ctx, a, s):
        return np.fmod(a, s)

    def backward(ctx, g):
        return g


class RFmodScalar(Function):
    def forward(ctx, a, s):
        ctx.s = s
        return np.fmod(s, a)

    def backward(ctx, g):
        return -g * (ctx.s / ctx.inputs[0]).trunc()


def _trunc_div(a, b):
    if a.dtype.kind in "iu":
        q = np.floor_divide(a, b)
        fix = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
        return q + fix.astype(q.dtype)
    return np.trunc(a / b)


class TruncDivide(Function):
    node_name = "Div"
    saved_inputs = ()

    def forward(ctx, a, b):
        ctx.sa, ctx.sb = a.shape, b.shape
        return _trunc_div(a, b)

    def backward(ctx, g):
        return sum_to(g * 0, ctx.sa), sum_to(g * 0, ctx.sb)


class TruncDivideScalar(Function):
    node_name = "Div"
    saved_inputs = ()

    def forward(ctx, a, s):
        return _trunc_div(a, np.asarray(s, dtype=a.dtype))

    def backward(ctx, g):
        return g * 0


class RTruncDivideScalar(Function):
    saved_inputs = ()

    def forward(ctx, a, s):
        return _trunc_div(np.asarray(s, dtype=a.dtype), a)

    def backward(ctx, g):
        return g * 0


# --- maximum / minimum / atan2 -------------------------------------------------------------
def _tie_split(g, a, b, sel_a):
    """Gradient of max/min: to the winner; split in half on ties (as PyTorch does)."""
    eq = (a == b)
    ga = g * (sel_a.to(g.dtype) + eq.to(g.dtype) * -0.5)
    gb = g * ((~sel_a).to(g.dtype) - eq.to(g.dtype) * 0.5)
    return ga, gb


class Maximum(Function):
    def forward(ctx, a, b):
        return np.maximum(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        ga, gb = _tie_split(g, a, b, a >= b)
        return sum_to(ga, a._data.shape), sum_to(gb, b._data.shape)


class Minimum(Function):
    def forward(ctx, a, b):
        return np.minimum(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        ga, gb = _tie_split(g, a, b, a <= b)
        return sum_to(ga, a._data.shape), sum_to(gb, b._data.shape)


class Atan2(Function):
    def forward(ctx, a, b):
        return np.arctan2(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        d = a * a + b * b
        return sum_to(g * b / d, a._data.shape), sum_to(-g * a / d, b._data.shape)


class Lerp(Function):
    def forward(ctx, a, b, w):
        return a + w * (b - a)

    def backward(ctx, g):
        a, b, w = ctx.inputs
        return (sum_to(g * (1 - w), a._data.shape), sum_to(g * w, b._data.shape),
                sum_to(g * (b - a), w._data.shape))


# --- public functions ------------------------------------------------------------------------
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    return _out(binary(Add, AddScalar, AddScalar, input, other, "add"), out)


def sub(input, other, *, alpha=1, out=None):
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    return _out(binary(Sub, SubScalar, RSubScalar, input, other, "sub"), out)


subtract = sub


def _is_bool(x):
    return x is True or x is False or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


def rsub(input, other, *, alpha=1):
    if not isinstance(input, Tensor):
        raise TypeError(f"rsub() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected (Tensor "
                        "input, Tensor other, *, Number alpha)")
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None):
    return _out(binary(Mul, MulScalar, MulScalar, input, other, "mul"), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """True division (int/int gives float), or ``rounding_mode='trunc'|'floor'``."""
    if rounding_mode is None:
        r = binary(Div, DivScalar, RDivScalar, input, other, "div", float_result=True)
    elif rounding_mode == "floor":
        r = floor_divide(input, other)
    elif rounding_mode == "trunc":
        r = binary(TruncDivide, TruncDivideScalar, RTruncDivideScalar, input, other, "div")
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return _out(r, out)


divide = true_divide = div


def floor_divide(input, other, *, out=None):
    refuse_complex(input, '"div_floor_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    return _out(binary(FloorDivide, FloorDivideScalar, RFloorDivideScalar, input, other,
                       "floor_divide"), out)


def remainder(input, other, *, out=None):
    refuse_complex(input, '"remainder_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    return _out(binary(Remainder, RemainderScalar, RRemainderScalar, input, other, "remainder"), out)


def fmod(input, other, *, out=None):
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected (Tensor "
                        "input, Tensor other) or (Tensor input, Number other)")
    refuse_complex(input, '"fmod_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    return _out(binary(Fmod, FmodScalar, RFmodScalar, input, other, "fmod"), out)


def pow(input, exponent, *, out=None):
    """``input ** exponent`` (either may be a Python number)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("pow() expects at least one Tensor argument")
    return _out(binary(Pow, PowScalar, RPowScalar, input, exponent, "pow"), out)


def float_power(input, exponent, *, out=None):
    """``pow`` in double precision: float64 (complex128 if either is complex)."""
    from .creation import cast
    cplx = any((isinstance(x, Tensor) and x.is_complex()) or isinstance(x, complex)
               for x in (input, exponent))
    f64 = _dtype.complex128 if cplx else _dtype.float64
    num = complex if cplx else float
    input = cast(input, f64) if isinstance(input, Tensor) else num(input)
    exponent = cast(exponent, f64) if isinstance(exponent, Tensor) else num(exponent)
    return pow(input, exponent, out=out)


def maximum(input, other, *, out=None):
    a, b = promote2(input, other, "maximum")
    refuse_complex(a, "maximum not implemented for complex tensors.")
    return _out(Maximum.apply(a, b), out)


def minimum(input, other, *, out=None):
    a, b = promote2(input, other, "minimum")
    refuse_complex(a, "minimum not implemented for complex tensors.")
    return _out(Minimum.apply(a, b), out)


def fmax(input, other, *, out=None):
    return maximum(input, other, out=out)


def fmin(input, other, *, out=None):
    return minimum(input, other, out=out)


def atan2(input, other, *, out=None):
    a, b = promote2(to_float(input), to_float(other), "atan2")
    return _out(Atan2.apply(a, b), out)


arctan2 = atan2


def lerp(input, end, weight, *, out=None):
    from ._util import as_tensor_like
    w = as_tensor_like(weight, input)
    return _out(Lerp.apply(input, end, w.to(input.dtype)), out)


def _out(result, out):
    if out is None:
        return result
    out.copy_(result) if out.shape == result.shape else out.resize_as_(result).copy_(result)
    return out
