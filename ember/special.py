"""torch.special: special functions on ember's differentiable ops, SciPy for the forward values.

Each function computes in float64 where SciPy would otherwise lose precision and rounds once to
the input's float dtype (integer and bool inputs become the default float dtype, as PyTorch's
do); gradients are written in ember ops so they differentiate again.
"""
import math

import numpy as _np

from .autograd.function import Function as _Function
from .ops.composite import logit, sinc  # noqa: F401
from .ops.pointwise import (erf, erfc, erfinv, digamma, lgamma as gammaln, expm1, exp2,  # noqa: F401
                            sigmoid as expit, xlogy, _make, _lazy, _sp)
from .ops.reduce import logsumexp  # noqa: F401
from .ops.softmax import softmax, log_softmax  # noqa: F401

psi = digamma


def _float(x):
    from .ops.arith import to_float
    return to_float(x)


def _promote_float(a, b):
    """Two operands (tensors or numbers) at their common dtype, made floating."""
    from . import _dtype
    from .ops.creation import tensor
    from ._tensor import Tensor
    ts = [x for x in (a, b) if isinstance(x, Tensor)]
    dt = _dtype.result_type([(t.dtype, t.ndim) for t in ts], [x for x in (a, b) if not isinstance(x, Tensor)])
    if not dt.is_floating_point:
        dt = _dtype.get_default_dtype()
    return tuple((x if isinstance(x, Tensor) else tensor(x)).to(dt) for x in (a, b))


def ndtr(input):
    """The standard normal CDF."""
    return (erf(_float(input) * 0.7071067811865476) + 1) * 0.5


class LogNdtr(_Function):
    """log of the normal CDF without underflow in the lower tail (SciPy's log_ndtr)."""

    def forward(ctx, x):
        from scipy import special
        if x.dtype == _np.float16:
            return special.log_ndtr(x.astype(_np.float32)).astype(_np.float16)
        return special.log_ndtr(x).astype(x.dtype, copy=False)

    def backward(ctx, g):
        # NOTE: d/dx log Phi(x) = phi(x) / Phi(x) = exp(-x^2/2 - log Phi(x)) / sqrt(2 pi).
        x = ctx.inputs[0]
        return g * (-(x * x) * 0.5 - log_ndtr(x)).exp() * 0.3989422804014327


def log_ndtr(input):
    return LogNdtr.apply(_float(input))


def log1p(input):
    return input.log1p()


def entr(input):
    from .ops.compare import where
    input = _float(input)
    return where(input > 0, -input * input.clamp(min=1e-38).log(), where(input == 0, 0.0, float("-inf")))


def _f64(name):
    """A SciPy function evaluated in float64 (SciPy's float32 loops are less accurate)."""
    def f(x):
        return getattr(_sp, name)(x.astype(_np.float64))
    return f


# Modified Bessel functions; NOTE: i1(x)/x -> 1/2 at 0, hence the where in their gradients.
def _i1_over_x(x):
    from .ops.compare import where
    return where(x == 0, 0.5, i1(x) / where(x == 0, 1.0, x))


def _i1e_over_x(x):
    from .ops.compare import where
    return where(x == 0, 0.5, i1e(x) / where(x == 0, 1.0, x))


I0, i0 = _make("i0", _f64("i0"), lambda g, x, y: g * i1(x))
I0e, i0e = _make("i0e", _f64("i0e"), lambda g, x, y: g * (i1e(x) - x.sign() * i0e(x)))
I1, i1 = _make("i1", _f64("i1"), lambda g, x, y: g * (i0(x) - _i1_over_x(x)))
I1e, i1e = _make("i1e", _f64("i1e"),
                 lambda g, x, y: g * (i0e(x) - x.sign() * i1e(x) - _i1e_over_x(x)))
Ndtri, ndtri = _make("ndtri", _f64("ndtri"),
                     lambda g, x, y: g * math.sqrt(2 * math.pi) * (ndtri(x) ** 2 * 0.5).exp())
Erfcx, erfcx = _make("erfcx", _f64("erfcx"),
                     lambda g, x, y: g * (2 * x * erfcx(x) - 2 / math.sqrt(math.pi)))
modified_bessel_i0, modified_bessel_i1 = i0, i1


def _forward_only(name, fn):
    def f(x):
        return fn(x.astype(_np.float64))
    return _make(name, f, lambda g, x, y: g * 0)[1]


bessel_j0 = _forward_only("bessel_j0", _lazy("j0"))
bessel_j1 = _forward_only("bessel_j1", _lazy("j1"))
bessel_y0 = _forward_only("bessel_y0", _lazy("y0"))
bessel_y1 = _forward_only("bessel_y1", _lazy("y1"))
modified_bessel_k0 = _forward_only("modified_bessel_k0", _lazy("k0"))
modified_bessel_k1 = _forward_only("modified_bessel_k1", _lazy("k1"))
scaled_modified_bessel_k0 = _forward_only("scaled_modified_bessel_k0", _lazy("k0e"))
scaled_modified_bessel_k1 = _forward_only("scaled_modified_bessel_k1", _lazy("k1e"))
airy_ai = _forward_only("airy_ai", lambda x: _sp.airy(x)[0])
spherical_bessel_j0 = _forward_only("spherical_bessel_j0", lambda x: _np.sinc(x / _np.pi))


class _Binary(_Function):
    """f(x, y) on arrays (float64 inside), forward only."""

    def forward(ctx, x, y, fn, native=False):
        if native:          # the recurrence in the input's precision, as PyTorch's kernel runs it
            return _np.asarray(fn(x, y)).astype(x.dtype)
        return _np.asarray(fn(x.astype(_np.float64), y.astype(_np.float64))).astype(x.dtype)

    def backward(ctx, g):
        raise RuntimeError(f"the derivative of {ctx.fn.__name__} is not implemented in ember "
                           "(nor in PyTorch)")


def _binary(fn, a, b, both=False, native=False):
    from ._tensor import Tensor
    name = getattr(fn, "__name__", "op")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(a).__name__}, {type(b).__name__}), but expected a Tensor")
    if both:
        for k, (nm, t) in enumerate((("input", a), ("other", b))):
            if not isinstance(t, Tensor):
                raise TypeError(f"{name}(): argument '{nm}' (position {k + 1}) must be Tensor, "
                                f"not {type(t).__name__}")
    x, y = _promote_float(a, b)
    return _Binary.apply(x, y, fn=fn, native=native)


def zeta(input, other):
    """Hurwitz zeta(x, q)."""
    return _binary(_lazy("zeta"), input, other)


def igamma(input, other):
    """Regularised lower incomplete gamma P(a, x)."""
    return _binary(_named(_lazy("gammainc"), "igamma"), input, other, both=True)


def igammac(input, other):
    return _binary(_named(_lazy("gammaincc"), "igammac"), input, other, both=True)


def _named(f, name):
    f.__name__ = name
    return f


gammainc, gammaincc = igamma, igammac


def xlog1py(input, other):
    """x * log1p(y), 0 where x == 0 (even if y is NaN... as PyTorch: only where x == 0)."""
    from .ops.compare import where
    from ._tensor import Tensor
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("special_xlog1py() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__})")
    x, y = _promote_float(input, other)
    return where(x == 0, 0.0, x * y.log1p())


def polygamma(n, input):
    """The n-th derivative of digamma."""
    if n == 0:
        return digamma(_float(input))
    return Polygamma.apply(_float(input), n=int(n))


def _trigamma_f32(x):
    """PyTorch's single-precision trigamma, step for step: reflection below 1/2, six
    recurrence steps, then the asymptotic series (SciPy's double value differs in the last
    bits near the poles)."""
    f = _np.float32
    x = x.astype(f)
    pi = f(_np.pi)
    neg = x < f(0.5)
    s = _np.sin(pi * x)
    result = _np.where(neg, -(pi * pi) / (s * s), f(0)).astype(f)
    x = _np.where(neg, f(1) - x, x)
    for _ in range(6):
        result = result + f(1) / (x * x)
        x = x + f(1)
    ixx = f(1) / (x * x)
    result = result + (f(1) + f(1) / (f(2) * x) + ixx * (f(1 / 6) - ixx * (f(1 / 30) - ixx * f(1 / 42)))) / x
    return _np.where(neg, -result, result).astype(f)


class Polygamma(_Function):
    def forward(ctx, x, n):
        ctx.n = n
        if n == 1 and x.dtype == _np.float32:
            return _trigamma_f32(x)
        return _sp.polygamma(n, x.astype(_np.float64)).astype(x.dtype)

    def backward(ctx, g):
        return g * Polygamma.apply(ctx.inputs[0], n=ctx.n + 1)


def multigammaln(input, p):
    """log of the multivariate gamma function of dimension p (``torch.mvlgamma``)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _float(input)
    if x.numel() and bool((x <= (p - 1) / 2).any()):
        raise RuntimeError(f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    r = gammaln(x) if p == 1 else sum(gammaln(x - j / 2) for j in range(p))
    return r + p * (p - 1) / 4 * math.log(math.pi)


mvlgamma = multigammaln


# --- orthogonal polynomials of integer degree n (a tensor or a number; n < 0 gives 0) ---------
def _recurrence(p0, p1, step):
    """P_n for each element by the three-term recurrence P_{k+1} = step(k, x, P_k, P_{k-1})."""
    def f(x, n):
        n = _np.trunc(n).astype(_np.int64)
        x, n = _np.broadcast_arrays(x, n)
        out = _np.zeros(x.shape, x.dtype)
        a, b = p0(x), p1(x)
        out = _np.where(n == 0, a, out)
        out = _np.where(n == 1, b, out)
        for k in range(1, int(n.max(initial=1))):
            a, b = b, step(k, x, b, a)
            out = _np.where(n == k + 1, b, out)
        return out
    return f


def _poly(fn, name):
    fn.__name__ = "special_" + name

    def op(input, n):
        return _binary(fn, input, n, native=True)
    op.__name__ = name
    return op


_one = _np.ones_like
chebyshev_polynomial_t = _poly(_recurrence(_one, lambda x: x, lambda k, x, b, a: 2 * x * b - a),
                               "chebyshev_polynomial_t")
chebyshev_polynomial_u = _poly(_recurrence(_one, lambda x: 2 * x, lambda k, x, b, a: 2 * x * b - a),
                               "chebyshev_polynomial_u")
chebyshev_polynomial_v = _poly(_recurrence(_one, lambda x: 2 * x - 1,
                                           lambda k, x, b, a: 2 * x * b - a), "chebyshev_polynomial_v")
chebyshev_polynomial_w = _poly(_recurrence(_one, lambda x: 2 * x + 1,
                                           lambda k, x, b, a: 2 * x * b - a), "chebyshev_polynomial_w")
hermite_polynomial_h = _poly(_recurrence(_one, lambda x: 2 * x, lambda k, x, b, a: 2 * x * b - 2 * k * a),
                             "hermite_polynomial_h")
# NOTE: PyTorch's CPU kernel for He_n compiles x * q - k * p to one fused multiply-add.
hermite_polynomial_he = _poly(_recurrence(_one, lambda x: x, lambda k, x, b, a: (
    x.astype(_np.float64) * b - (k * a).astype(_np.float64)).astype(x.dtype)), "hermite_polynomial_he")
laguerre_polynomial_l = _poly(_recurrence(_one, lambda x: 1 - x,
                                          lambda k, x, b, a: ((2 * k + 1 - x) * b - k * a) / (k + 1)),
                              "laguerre_polynomial_l")
legendre_polynomial_p = _poly(_recurrence(_one, lambda x: x,
                                          lambda k, x, b, a: ((2 * k + 1) * x * b - k * a) / (k + 1)),
                              "legendre_polynomial_p")


def _shifted(op, name):
    def f(input, n):
        from ._tensor import Tensor
        if not isinstance(input, Tensor) and not isinstance(n, Tensor):
            raise TypeError(f"special_{name}() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(n).__name__})")
        x, m = _promote_float(input, n)
        return op(2 * x - 1, m)
    f.__name__ = name
    return f


shifted_chebyshev_polynomial_t = _shifted(chebyshev_polynomial_t, "shifted_chebyshev_polynomial_t")
shifted_chebyshev_polynomial_u = _shifted(chebyshev_polynomial_u, "shifted_chebyshev_polynomial_u")
shifted_chebyshev_polynomial_v = _shifted(chebyshev_polynomial_v, "shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _shifted(chebyshev_polynomial_w, "shifted_chebyshev_polynomial_w")
