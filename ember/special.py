"""torch.special: the special functions scripts reach for, on ember's differentiable ops."""
from .ops.composite import logit, sinc  # noqa: F401
from .ops.pointwise import (erf, erfc, erfinv, digamma, lgamma as gammaln, expm1, exp2,  # noqa: F401
                            sigmoid as expit, xlogy)
from .ops.reduce import logsumexp  # noqa: F401
from .ops.softmax import softmax, log_softmax  # noqa: F401

psi = digamma


def ndtr(input):
    """The standard normal CDF."""
    return (erf(input * 0.7071067811865476) + 1) * 0.5


def log_ndtr(input):
    return ndtr(input).log()


def log1p(input):
    return input.log1p()


def entr(input):
    from .ops.compare import where
    return where(input > 0, -input * input.clamp(min=1e-38).log(), where(input == 0, 0.0, float("-inf")))
