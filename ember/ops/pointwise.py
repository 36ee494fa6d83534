"""Unary pointwise math: exp, log, sin, tanh, sigmoid, abs, floor, clamp, ...

Each op is one row: its NumPy forward and its gradient in Tensor ops.  Ops whose gradient
reads the output (exp, tanh, sigmoid, sqrt) keep the output array; under create_graph they
recompute it from the input so the gradient stays differentiable.
"""
import math

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from .arith import to_float, _out


def _make(name, fwd, grad, uses_output=False, float_only=True, zero_grad=False, npgrad=None):
    """Build a Function class and its public wrapper for one unary op.

    ``grad(g, x, y)`` is the gradient in Tensor ops (differentiable); ``npgrad`` the same on
    arrays, used when backward runs without create_graph (the common, fast case)."""
    attrs = {}
    if float_only and not isinstance(fwd, np.ufunc):
        raw = fwd

        def fwd(x):
            # NOTE: PyTorch computes half-precision math in float32 and rounds once; SciPy
            # may also hand back another float type than it was given.  (NumPy's own ufuncs
            # already do both, so they skip this wrapper.)
            if x.dtype.char == "e":
                return raw(x.astype(np.float32)).astype(np.float16)
            y = raw(x)
            return y if y.dtype is x.dtype else y.astype(x.dtype)
    if uses_output:
        def forward(ctx, x):
            y = fwd(x)
            ctx.y = y
            return y

        def backward(ctx, g):
            if npgrad is not None and not MODE.grad_enabled:
                return _wrap(npgrad(g._data, None, ctx.y))
            x = ctx.inputs[0] if MODE.grad_enabled else None
            y = getattr(x, name)() if x is not None else _wrap(ctx.y)
            return grad(g, x, y)
        attrs.update(saves_output=True, saved_inputs=())
    else:
        def forward(ctx, x):
            return fwd(x)

        def backward(ctx, g):
            if npgrad is not None and not MODE.grad_enabled:
                return _wrap(npgrad(g._data, None if zero_grad else ctx.inputs[0]._data, None))
            return grad(g, ctx.inputs[0] if not zero_grad else None, None)
        if zero_grad:
            attrs["saved_inputs"] = ()
    attrs.update(forward=forward, backward=backward)
    cls = type(name.capitalize(), (Function,), attrs)

    if float_only:
        def op(input, *, out=None):
            return _out(cls.apply(to_float(input)), out)
    else:
        def op(input, *, out=None):
            return _out(cls.apply(input), out)
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}``; e.g. ``torch.{name}(torch.tensor([0.5]))``."
    return cls, op


class _LazySpecial:
    """scipy.special, imported on first use: it costs ~0.2 s, more than all of ember."""

    def __getattr__(self, name):
        from scipy import special
        return getattr(special, name)


_sp = _LazySpecial()


def _lazy(name):
    return lambda *a: getattr(_sp, name)(*a)


def _expit(x):
    # NOTE: sigmoid(x) = (1 + tanh(x/2)) / 2 never overflows and is one transcendental call.
    y = np.tanh(x * 0.5)
    y *= 0.5
    y += 0.5
    return y


def _zero(g, x, y):
    return g * 0


_ln2, _ln10 = math.log(2.0), math.log(10.0)
_2_sqrt_pi = 2.0 / math.sqrt(math.pi)

Exp, exp = _make("exp", np.exp, lambda g, x, y: g * y, uses_output=True, npgrad=lambda g, x, y: g * y)
Exp2, exp2 = _make("exp2", np.exp2, lambda g, x, y: g * y * _ln2, uses_output=True)
Expm1, expm1 = _make("expm1", np.expm1, lambda g, x, y: g * (y + 1), uses_output=True)
Log, log = _make("log", np.log, lambda g, x, y: g / x, npgrad=lambda g, x, y: g / x)
Log1p, log1p = _make("log1p", np.log1p, lambda g, x, y: g / (x + 1))
Log2, log2 = _make("log2", np.log2, lambda g, x, y: g / (x * _ln2))
Log10, log10 = _make("log10", np.log10, lambda g, x, y: g / (x * _ln10))
Sqrt, sqrt = _make("sqrt", np.sqrt, lambda g, x, y: g / (y * 2), uses_output=True,
                   npgrad=lambda g, x, y: g / (y * 2))
Rsqrt, rsqrt = _make("rsqrt", lambda x: 1 / np.sqrt(x), lambda g, x, y: g * (y ** 3) * -0.5,
                     uses_output=True)
Sin, sin = _make("sin", np.sin, lambda g, x, y: g * x.cos(), npgrad=lambda g, x, y: g * np.cos(x))
Cos, cos = _make("cos", np.cos, lambda g, x, y: -g * x.sin(), npgrad=lambda g, x, y: -g * np.sin(x))
Tan, tan = _make("tan", np.tan, lambda g, x, y: g * (y * y + 1), uses_output=True)
Asin, asin = _make("asin", np.arcsin, lambda g, x, y: g * (1 - x * x).rsqrt())
Acos, acos = _make("acos", np.arccos, lambda g, x, y: -g * (1 - x * x).rsqrt())
Atan, atan = _make("atan", np.arctan, lambda g, x, y: g / (x * x + 1))
Sinh, sinh = _make("sinh", np.sinh, lambda g, x, y: g * x.cosh())
Cosh, cosh = _make("cosh", np.cosh, lambda g, x, y: g * x.sinh())
Tanh, tanh = _make("tanh", np.tanh, lambda g, x, y: g * (1 - y * y), uses_output=True,
                   npgrad=lambda g, x, y: g * (1 - y * y))
Asinh, asinh = _make("asinh", np.arcsinh, lambda g, x, y: g * (x * x + 1).rsqrt())
Acosh, acosh = _make("acosh", np.arccosh, lambda g, x, y: g * (x * x - 1).rsqrt())
Atanh, atanh = _make("atanh", np.arctanh, lambda g, x, y: g / (1 - x * x))
Sigmoid, sigmoid = _make("sigmoid", _expit, lambda g, x, y: g * y * (1 - y), uses_output=True,
                         npgrad=lambda g, x, y: g * y * (1 - y))
Erf, erf = _make("erf", _lazy("erf"), lambda g, x, y: g * _2_sqrt_pi * (-(x * x)).exp())
Erfc, erfc = _make("erfc", _lazy("erfc"), lambda g, x, y: -g * _2_sqrt_pi * (-(x * x)).exp())
Erfinv, erfinv = _make("erfinv", _lazy("erfinv"),
                       lambda g, x, y: g * (math.sqrt(math.pi) / 2) * (y * y).exp(), uses_output=True)
Lgamma, lgamma = _make("lgamma", _lazy("gammaln"), lambda g, x, y: g * x.digamma())
def _trigamma(x):
    from ..special import polygamma    # differentiable: second derivatives flow through it
    return polygamma(1, x)


Digamma, digamma = _make("digamma", _lazy("psi"), lambda g, x, y: g * _trigamma(x))
Reciprocal, reciprocal = _make("reciprocal", lambda x: 1 / x, lambda g, x, y: -g * y * y,
                               uses_output=True)
Neg, neg = _make("neg", np.negative, lambda g, x, y: -g, float_only=False, zero_grad=True,
                 npgrad=lambda g, x, y: -g)
# NOTE: np.sign of a complex z is z/|z|, the gradient of |z| (PyTorch's sgn).
Abs, abs = _make("abs", np.abs, lambda g, x, y: g * x.sgn(), float_only=False,
                 npgrad=lambda g, x, y: g * np.sign(x))
Abs.complex_rule = True   # the real |z| of a complex z: the rule above is the complex one
Sign, _sign = _make("sign", lambda x: x.copy() if x.dtype.kind == "b" else np.sign(x), _zero,
                    float_only=False, zero_grad=True)


def sign(input, *, out=None):
    """-1, 0 or 1; complex tensors have ``sgn`` instead, as in PyTorch."""
    if input._data.dtype.kind == "c":
        raise RuntimeError("Unlike NumPy, torch.sign is not intended to support complex numbers. "
                           "Please use torch.sgn instead.")
    return _sign(input, out=out)
Floor, floor = _make("floor", np.floor, _zero, float_only=False, zero_grad=True)
Ceil, ceil = _make("ceil", np.ceil, _zero, float_only=False, zero_grad=True)
Trunc, trunc = _make("trunc", np.trunc, _zero, float_only=False, zero_grad=True)
Frac, frac = _make("frac", lambda x: x - np.trunc(x), lambda g, x, y: g, float_only=False,
                   zero_grad=True)
Square, _square = _make("square", np.square, lambda g, x, y: g * (x * 2), float_only=False,
                        npgrad=lambda g, x, y: g * (x * 2))


def square(input, *, out=None):
    """``input * input``; bool squares to int64, as ``pow(x, 2)`` does in PyTorch."""
    if input._data.dtype.kind == "b":
        input = input.long()
    return _square(input, out=out)
Relu, relu = _make("relu", lambda x: np.maximum(x, 0), lambda g, x, y: g * (y > 0),
                   uses_output=True, float_only=False, npgrad=lambda g, x, y: g * (y > 0))
negative, absolute, fix = neg, abs, trunc
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
Sgn = Sign


def sgn(input, *, out=None):
    """z / |z| for complex tensors (0 at 0), the sign for real ones."""
    from .complex import sgn as _sgn
    return _sgn(input, out=out)


def _round_fwd(x, decimals=0):
    return np.round(x, decimals)


class Round(Function):
    saved_inputs = ()

    def forward(ctx, x, decimals=0):
        return np.round(x, decimals) if x.dtype.kind == "f" else x.copy()

    def backward(ctx, g):
        return g * 0


def round(input, *, decimals=0, out=None):
    """Round half to even, as PyTorch does; ``decimals`` as ``np.round``."""
    return _out(Round.apply(input, decimals=decimals), out)


class Clamp(Function):
    def forward(ctx, x, lo=None, hi=None):
        ctx.lo, ctx.hi = lo, hi   # NOTE: backward reads them; a compiled replay has no wrapper
        if lo is not None and hi is not None and lo > hi:
            return np.full_like(x, hi)
        return np.clip(x, lo, hi)

    def backward(ctx, g):
        x = ctx.inputs[0]
        lo, hi = ctx.lo, ctx.hi
        m = None
        if lo is not None:
            m = x >= lo
        if hi is not None:
            m = (x <= hi) if m is None else m & (x <= hi)
        return g if m is None else g * m


class ClampTensor(Function):
    """clamp with tensor bounds; a missing bound is None (no input, no gradient)."""

    def forward(ctx, x, *bounds, has_lo, has_hi):
        ctx.has_lo, ctx.has_hi = has_lo, has_hi
        lo = bounds[0] if has_lo else None
        hi = bounds[-1] if has_hi else None
        y = x
        if lo is not None:
            y = np.maximum(y, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        return np.array(y, dtype=x.dtype) if y is x else y

    def backward(ctx, g):
        from ._util import sum_to
        x, *bounds = ctx.inputs
        lo = bounds[0] if ctx.has_lo else None
        hi = bounds[-1] if ctx.has_hi else None
        # NOTE: PyTorch's rule: x gets g inside [lo, hi]; lo where x < lo < hi; hi where
        # x > hi or hi < lo (the upper bound wins when the bounds cross).
        zero = g * 0
        from .compare import where
        keep = None
        grads = []
        if lo is not None:
            keep = x >= lo
        if hi is not None:
            keep = (x <= hi) if keep is None else keep & (x <= hi)
        grads.append(sum_to(where(keep, g, zero), x._data.shape))
        if lo is not None:
            m = x < lo if hi is None else (x < lo) & (lo < hi)
            grads.append(sum_to(where(m, g, zero), lo._data.shape))
        if hi is not None:
            m = x > hi if lo is None else (x > hi) | (hi < lo)
            grads.append(sum_to(where(m, g, zero), hi._data.shape))
        return tuple(grads)


def _clamp_tensor(input, min, max):
    from .creation import tensor
    from .. import _dtype
    given = [b for b in (min, max) if b is not None]
    dt = _dtype.result_type([(t.dtype, t.ndim) for t in [input] + given if isinstance(t, Tensor)],
                            [b for b in given if not isinstance(b, Tensor)])
    bounds = [(b if isinstance(b, Tensor) else tensor(b)).to(dt) for b in given]
    return ClampTensor.apply(input.to(dt), *bounds, has_lo=min is not None, has_hi=max is not None)


def clamp(input, min=None, max=None, *, out=None):
    """Clamp into ``[min, max]``; either bound may be None or a tensor."""
    if input._data.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor) or input._data.dtype.kind == "b":
        return _out(_clamp_tensor(input, min, max), out)
    from ._util import scalar
    lo, hi = scalar(min), scalar(max)
    if not input.is_floating_point() and (isinstance(lo, float) or isinstance(hi, float)):
        input = to_float(input)
    ctx_cls = Clamp
    r = ctx_cls.apply(input, lo=lo, hi=hi)
    if r.grad_fn is not None:
        r.grad_fn.lo, r.grad_fn.hi = lo, hi
    return _out(r, out)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


class NanToNum(Function):
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(ctx, g):
        return g * ctx.inputs[0].isfinite()


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    return _out(NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf), out)


def xlogy(input, other):
    from .compare import where
    r = input * other.log() if isinstance(other, Tensor) else input * math.log(other)
    return where(input == 0, 0.0, r)


_abs_any = abs


def abs(input, *, out=None):  # noqa: F811
    """Absolute value (bool tensors are refused, as in PyTorch)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("abs is not supported for bool tensors.")
    return _abs_any(input, out=out)


absolute = abs


# --- floating-point decomposition ----------------------------------------------------------
def frexp(input):
    """(mantissa, exponent) with input = mantissa * 2**exponent, 0.5 <= |mantissa| < 1."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    import collections
    m, e = np.frexp(input._data)
    scale = _wrap(np.ldexp(np.ones((), input._data.dtype), -e).astype(input._data.dtype))
    return collections.namedtuple("frexp", ("mantissa", "exponent"))(input * scale,
                                                                     _wrap(e.astype(np.int32)))


def ldexp(input, other):
    """input * 2**other (the result is floating)."""
    from .arith import pow as _pow
    x = to_float(input)
    if isinstance(other, Tensor) and other.is_floating_point() and not x.is_floating_point():
        x = x.to(other.dtype)
    return x * _pow(2.0, other if isinstance(other, Tensor) else float(other))


class NextAfter(Function):
    saved_inputs = ()

    def forward(ctx, x, y):
        return np.nextafter(x, y)

    def backward(ctx, g):
        from ._util import sum_to
        x, y = ctx.inputs
        # NOTE: as PyTorch: the step to the next float counts as the identity for input.
        return sum_to(g, x._data.shape), sum_to(g * 0, y._data.shape)


def nextafter(input, other):
    from .arith import promote2
    a, b = promote2(input, other, "nextafter")
    return NextAfter.apply(a, b)
