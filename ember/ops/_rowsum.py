"""Sums over the trailing axes as one matrix-vector product (softmax, log_softmax, the norms).

NumPy's ``add.reduce`` over the last axis runs one short inner loop per row: for rows of
64-1000 floats (attention scores, a LayerNorm's features, a classifier's logits) it is 4-6x
slower than ``rows @ ones``, which BLAS runs vectorised across the whole matrix.  BLAS sums a
row in a few SIMD lanes rather than pairwise, so its float32 error grows with the row length;
beyond ``_MAX_ROW`` elements the pairwise sum is kept.
"""
import numpy as np

_MAX_ROW = 4096
_ONES = {}


def _ones(n, dtype):
    v = _ONES.get((n, dtype))
    if v is None:
        v = np.ones(n, dtype)
        v.flags.writeable = False
        if len(_ONES) < 64:
            _ONES[(n, dtype)] = v
    return v


def _row_length(a, axes):
    """The number of elements summed per row when ``axes`` are a's last axes and the GEMV
    applies (float32/float64, rows of 8 to _MAX_ROW); else None.  (Kept cheap: small arrays
    come through here too.)"""
    if a.dtype.char not in "fd" or not a.size:
        return None
    nd = a.ndim
    if type(axes) is int:
        if nd == 0 or (axes != -1 and axes != nd - 1):
            return None
        n = a.shape[-1]
    else:
        k = len(axes)
        if not 0 < k <= nd or sorted(ax % nd for ax in axes) != list(range(nd - k, nd)):
            return None
        n = 1
        for s in a.shape[nd - k:]:
            n *= s
    return n if 8 <= n <= _MAX_ROW else None


def _gemv_sum(a, n, axes, keepdims):
    k = 1 if type(axes) is int else len(axes)
    r = (a if a.ndim == 2 and k == 1 else a.reshape(-1, n)) @ _ones(n, a.dtype)
    lead = a.shape[:a.ndim - k]
    return r.reshape(lead + (1,) * k if keepdims else lead)


def trailing_sum(a, axes, keepdims=True):
    """``np.sum(a, axes, keepdims=keepdims)``; a GEMV when ``axes`` are a's last axes."""
    n = _row_length(a, axes)
    if n is None:
        return a.sum(axes, keepdims=keepdims)
    return _gemv_sum(a, n, axes, keepdims)


def trailing_mean(a, axes):
    """``np.mean(a, axes, keepdims=True)``: the same sum divided by the count (np.mean's own
    float16 handling where the GEMV does not apply)."""
    n = _row_length(a, axes)
    if n is None:
        return np.mean(a, axes, keepdims=True)
    s = _gemv_sum(a, n, axes, True)
    s /= n
    return s
