"""torch.masked: reductions and normalisations over the elements a boolean mask selects.

``mask`` broadcasts to the input (None keeps every element).  Masked-out elements are replaced
by the operation's identity (0 for sum, 1 for prod, -inf for amax/logsumexp/softmax, +inf for
amin/softmin, NaN for median) and the ordinary op runs on the result, as PyTorch defines it;
mean, var and std divide by the number of selected elements.
"""
import math

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..ops import reduce as _r
from ..ops.compare import where

__all__ = ["sum", "prod", "cumsum", "cumprod", "amax", "amin", "argmax", "argmin", "mean",
           "median", "logsumexp", "logaddexp", "norm", "var", "std", "softmax", "log_softmax",
           "softmin", "normalize"]


def _dims(dim, ndim):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = tuple(sorted(_wrap_dim(d, max(ndim, 1), "masked") % max(ndim, 1) for d in dims))
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim={dim} appears multiple times in the list of dims")
    return out if ndim else ()


def _mask(input, mask):
    if mask is None:
        return None
    if mask.ndim > input.ndim:
        raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality higher "
                         "than of the input)")
    return mask.to(_dtype.bool_).expand(tuple(input.shape))


def _identity(op, input):
    dt = input._data.dtype
    if op in ("sum", "cumsum", "norm"):
        return 0
    if op in ("prod", "cumprod"):
        return 1
    import numpy as np
    if op in ("amax", "argmax", "logsumexp", "logaddexp"):
        return -math.inf if dt.kind == "f" else (False if dt.kind == "b" else np.iinfo(dt).min)
    if op in ("amin", "argmin"):
        return math.inf if dt.kind == "f" else (True if dt.kind == "b" else np.iinfo(dt).max)
    raise ValueError(op)


def _fill(op, input, mask, value=None):
    m = _mask(input, mask)
    if m is None:
        return input
    v = _identity(op, input) if value is None else value
    return where(m, input, v).to(input.dtype)


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    x = _fill("sum", input, mask)
    return _r.sum(x, _dims(dim, input.ndim), keepdim, dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    x = _fill("prod", input, mask)
    if dtype is not None:
        x = x.to(dtype)
    dims = _dims(dim, input.ndim)
    if not input.ndim:
        return _r.prod(x)
    for d in reversed(dims):
        x = _r.prod(x, d, keepdim=True)
    return x if keepdim else x.squeeze(dims)


def cumsum(input, dim, *, dtype=None, mask=None):
    # NOTE: as PyTorch: the result comes back in ``dtype``, by default the input's.
    return _r.cumsum(_fill("cumsum", input, mask), dim, dtype=dtype).to(dtype or input.dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    return _r.cumprod(_fill("cumprod", input, mask), dim, dtype=dtype).to(dtype or input.dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    r = _r.amax(_fill("amax", input, mask), _dims(dim, input.ndim), keepdim)
    return r if dtype is None else r.to(dtype)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    r = _r.amin(_fill("amin", input, mask), _dims(dim, input.ndim), keepdim)
    return r if dtype is None else r.to(dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    # NOTE: as PyTorch's, the indices come back in ``dtype``, by default the input's.
    r = _r.argmax(_fill("argmax", input, mask), dim, keepdim)
    return r.to(input.dtype if dtype is None else dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    r = _r.argmin(_fill("argmin", input, mask), dim, keepdim)
    return r.to(input.dtype if dtype is None else dtype)


def _count(input, mask, dim, keepdim):
    m = _mask(input, mask)
    if m is None:
        from ..ops.creation import ones
        m = ones(tuple(input.shape), dtype=_dtype.int64)
    return _r.sum(m, _dims(dim, input.ndim), keepdim)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dt = input.dtype if dtype is None else _dtype.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise ValueError(f"mean(): Could not infer output dtype. Input dtype must be either a "
                         f"floating point or complex dtype. Got: {dt}")
    total = sum(input, dim, keepdim=keepdim, dtype=dt, mask=mask)
    return total / _count(input, mask, dim, keepdim)


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    x = input if input.is_floating_point() else input.float()
    m = _mask(x, mask)
    if m is not None:
        x = where(m, x, math.nan).to(x.dtype)
    d = _dims(dim, input.ndim)
    r = _r.nanmedian(x, d[0] if d else 0, keepdim).values
    return r if dtype is None else r.to(dtype)


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    r = _r.logsumexp(_fill("logsumexp", input, mask), _dims(dim, input.ndim), keepdim)
    return r.to(input.dtype if dtype is None else dtype)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    from ..ops.composite import logaddexp as _lae
    r = _lae(_fill("logaddexp", input, input_mask), _fill("logaddexp", other, other_mask))
    return r if dtype is None else r.to(dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    fillv = math.inf if ord == -math.inf else 0
    x = _fill("norm", input, mask, fillv)
    return _r.vector_norm(x, ord, _dims(dim, input.ndim), keepdim, dtype=dtype)


def _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, take_sqrt):
    c = 1.0 if unbiased is None else (1.0 if unbiased else 0.0)
    if correction is not None:
        c = float(correction)
    dt = input.dtype if dtype is None else _dtype.to_dtype(dtype)
    if not dt.is_floating_point:
        dt = _dtype.float32
    x = input.to(dt)
    count = _count(input, mask, dim, True)
    m = sum(x, dim, keepdim=True, mask=mask) / count
    xc = x - m
    total = sum(xc * xc, dim, keepdim=keepdim, mask=mask)
    if not keepdim:
        count = count.reshape(tuple(total.shape))
    if c != 0:
        count = count.to(dt) - c
        count = count.clamp(min=0)
    r = total / count
    return r.sqrt() if take_sqrt else r


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, False)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, True)


def _softmax_like(fn, op):
    def f(input, dim, *, dtype=None, mask=None):
        d = _dims(dim, input.ndim)
        x = _fill(op, input, mask)
        return fn(x, d[0] if d else 0, dtype=dtype)
    return f


def _sm():
    from ..ops import softmax as s
    return s


def softmax(input, dim, *, dtype=None, mask=None):
    return _softmax_like(_sm().softmax, "amax")(input, dim, dtype=dtype, mask=mask)


def log_softmax(input, dim, *, dtype=None, mask=None):
    return _softmax_like(_sm().log_softmax, "amax")(input, dim, dtype=dtype, mask=mask)


def softmin(input, dim, *, dtype=None, mask=None):
    def smin(x, d, dtype=None):
        return _sm().softmax(-x, d, dtype=dtype)
    return _softmax_like(smin, "amin")(input, dim, dtype=dtype, mask=mask)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    x = input if dtype is None else input.to(dtype)
    nrm = norm(x, ord, dim, keepdim=True, mask=mask)
    denom = nrm.clamp(min=eps)
    fillv = 0
    return _fill("norm", x, mask, fillv) / denom


_REDUCTIONS = {"sum", "prod", "amax", "amin", "argmax", "argmin", "mean", "median", "norm", "var",
               "std", "logsumexp"}
_NORMALIZATIONS = {"softmax", "log_softmax", "softmin", "normalize", "cumsum", "cumprod"}


def _input_mask(input, *args, **kwargs):
    """The mask broadcast to input's shape, as bool (PyTorch's helper of the same name)."""
    mask = kwargs.get("mask")
    if mask is None:
        raise ValueError("_input_mask requires explicit mask")
    return _mask(input, mask)


def _output_mask(op, input, *args, **kwargs):
    """Which outputs of a masked op see at least one selected element."""
    name = getattr(op, "__name__", "")
    if name in _REDUCTIONS:
        if name == "norm" and args:
            args = args[1:]
        dim = args[0] if args else kwargs.get("dim")
        m = _input_mask(input, *args, **kwargs)
        return _r.any(m, None, False) if not _dims(dim, input.ndim) and input.ndim else \
            _any(m, _dims(dim, input.ndim), bool(kwargs.get("keepdim", False)))
    if name in _NORMALIZATIONS:
        return _input_mask(input, *args, **kwargs)
    raise ValueError(f"_output_mask expected masked operation (got {name})")


def _any(m, dims, keepdim):
    for d in reversed(dims):
        m = _r.any(m, d, True)
    return m if keepdim or not dims else m.squeeze(dims)


del Tensor
