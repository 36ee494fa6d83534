"""torch.special: the special functions scripts reach for, on ember's differentiable ops."""
from .ops.composite import logit, sinc  # noqa: F401
from .ops.pointwise import (erf, erfc, erfinv, digamma, lgamma as gammaln, expm1, exp2,  # noqa: F401
                            sigmoid as expit, xlogy)
from .ops.reduce import logsumexp  # noqa: F401
from .ops.softmax import softmax, log_softmax  # noqa: F401

import numpy as _np  # noqa: E402

from .autograd.function import Function as _Function  # noqa: E402

psi = digamma


def ndtr(input):
    """The standard normal CDF."""
    return (erf(input * 0.7071067811865476) + 1) * 0.5


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
    from .ops.arith import to_float
    return LogNdtr.apply(to_float(input))


def log1p(input):
    return input.log1p()


def entr(input):
    from .ops.arith import to_float
    from .ops.compare import where
    input = to_float(input)
    return where(input > 0, -input * input.clamp(min=1e-38).log(), where(input == 0, 0.0, float("-inf")))
