"""A fast standard normal CDF for float32 arrays (the hot part of exact GELU).

scipy.special.erf costs ~17 ns per float32 element; GELU of a transformer's MLP activations
spent half of a training step there.  For float32 we use the Chebyshev fit of erfc from
Press et al., Numerical Recipes (2nd ed., section 6.2): fractional error below 1.2e-7 for
every argument, i.e. float32 round-off, evaluated with in-place NumPy operations.  float64
keeps scipy's erf, which is exact to double precision.
"""
import math

import numpy as np

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
# erfc(z) = t * exp(-z^2 + P(t)),  t = 1 / (1 + z/2),  z >= 0
_P = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398,
      1.48851587, -0.82215223, 0.17087277)


def normal_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt(2))) / 2, elementwise, in x's dtype."""
    if x.dtype != np.float32:
        from scipy.special import ndtr
        return ndtr(x).astype(x.dtype, copy=False)
    z = np.abs(x)
    z *= np.float32(_INV_SQRT2)
    t = z * np.float32(0.5)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    p = t * np.float32(_P[-1])
    for c in _P[-2:0:-1]:
        p += np.float32(c)
        p *= t
    p += np.float32(_P[0])
    np.multiply(z, z, out=z)
    p -= z
    np.exp(p, out=p)
    p *= t                      # erfc(|x| / sqrt 2)
    p *= np.float32(0.5)        # Phi(-|x|)
    # Upper tail for x >= 0: p + [x >= 0] * (1 - 2p).  NOTE: arithmetic, not `where=`/np.where,
    # which run ~10x slower than a multiply on this machine's NumPy.
    np.multiply(p, np.float32(-2.0), out=z)
    z += np.float32(1.0)
    z *= x >= 0
    p += z
    return p
