"""Reductions: sum, mean, prod, max/min, arg*, var/std, norm, logsumexp, cumsum, all/any, ..."""
import builtins
import collections
import math

import numpy as np

from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ._util import dims, refuse_complex, scalar_type_name


def _out(result, out):
    """Honour ``out=``: copy into the given tensor(s) (a (values, indices) pair for max/min)."""
    if out is None:
        return result
    from .arith import _out as _out1
    if isinstance(result, tuple):
        for r, o in zip(result, out):
            _out1(r, o)
        return type(result)(*out)
    return _out1(result, out)


def _rt(name, fields=("values", "indices")):
    cls = collections.namedtuple(name, fields)
    cls.__module__ = "torch.return_types"
    return cls


values_indices = {n: _rt(n) for n in ("max", "min", "median", "mode", "kthvalue", "sort", "topk",
                                       "cummax", "cummin", "aminmax", "nanmedian")}


def _axes(x, dim, op):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return dims(dim, x.ndim, op)


def _np_expand_back(g, shape, axes, keepdim):
    if axes is not None and not keepdim:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


def _expand_back(g, shape, axes, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not MODE.grad_enabled:
        return _wrap(_np_expand_back(g._data, shape, axes, keepdim))
    if axes is None:
        return g.reshape((1,) * len(shape)).expand(shape) if shape else g
    if not keepdim:
        ks = list(shape)
        for a in axes:
            ks[a] = 1
        g = g.reshape(tuple(ks))
    return g.expand(shape)


class Sum(Function):
    saved_inputs = ()

    def forward(ctx, x, axes=None, keepdim=False, dtype=None):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        if dtype is None:
            if x.dtype.kind in "biu":
                dtype = np.int64
            elif x.dtype.char == "e":
                # NOTE: PyTorch accumulates half precision in float32 and rounds once.
                return np.asarray(np.sum(x, axis=axes, keepdims=keepdim, dtype=np.float32)
                                  .astype(np.float16))
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdim, dtype=dtype))

    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints)."""
    axes = _axes(input, dim, "sum")
    if dtype is not None:
        input = input.to(dtype)
        return _out(Sum.apply(input, axes=axes, keepdim=keepdim, dtype=input._data.dtype), out)
    return _out(Sum.apply(input, axes=axes, keepdim=keepdim), out)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    from .compare import where
    if input.is_floating_point():
        input = where(input.isnan(), 0.0, input)
    return sum(input, dim, keepdim, dtype=dtype)


class Mean(Function):
    saved_inputs = ()

    def forward(ctx, x, axes=None, keepdim=False):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        ctx.n = n
        if x.dtype.char == "e" and n:     # half precision accumulates in float32
            return np.asarray(np.mean(x, axis=axes, keepdims=keepdim, dtype=np.float32)
                              .astype(np.float16))
        return np.mean(x, axis=axes, keepdims=keepdim) if n else \
            np.full(np.sum(x, axis=axes, keepdims=keepdim).shape, np.nan, x.dtype)

    def backward(ctx, g):
        if not MODE.grad_enabled:
            return _wrap(_np_expand_back(g._data / ctx.n, ctx.shape, ctx.axes, ctx.keepdim))
        return _expand_back(g / ctx.n, ctx.shape, ctx.axes, ctx.keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if dtype is not None:
        input = input.to(dtype)
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_tname(input)}")
    return _out(Mean.apply(input, axes=_axes(input, dim, "mean"), keepdim=keepdim), out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    keep = ~input.isnan()
    return nansum(input, dim, keepdim) / keep.sum(dim, keepdim)


_tname = scalar_type_name


def _exclusive_prods(x, d):
    """prod of x over dim d leaving out each position in turn, without dividing (zeros)."""
    from .creation import ones_like
    from .shape import cat
    n = x.shape[d]
    if n == 0:
        return x
    one = ones_like(x.narrow(d, 0, 1))
    left = cat([one, x.cumprod(d).narrow(d, 0, n - 1)], d)
    right = cat([one, x.flip(d).cumprod(d).narrow(d, 0, n - 1)], d).flip(d)
    return left * right


class Prod(Function):
    def forward(ctx, x, axis=None, keepdim=False, dtype=None):
        ctx.axis, ctx.keepdim, ctx.shape = axis, keepdim, x.shape
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64
        return np.asarray(np.prod(x, axis=axis, keepdims=keepdim, dtype=dtype))

    def backward(ctx, g):
        x = ctx.inputs[0]
        if ctx.axis is None:
            others = _exclusive_prods(x.reshape(-1), 0).reshape(ctx.shape)
            return _expand_back(g, ctx.shape, None, False) * others
        return _expand_back(g, ctx.shape, (ctx.axis,), ctx.keepdim) * _exclusive_prods(x, ctx.axis)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
        dtype = input._data.dtype
    axis = None if dim is None else _wrap_dim(dim, input.ndim, "prod")
    if input.ndim == 0:
        axis = None
    return Prod.apply(input, axis=axis, keepdim=keepdim, dtype=dtype)


# --- max / min ---------------------------------------------------------------------------------
class ExtremumAll(Function):
    """max()/min()/amax/amin over dims: the gradient is shared evenly among ties."""
    saves_output = True

    def forward(ctx, x, fn, axes=None, keepdim=False):
        if x.size == 0 and (axes is None or builtins.any(x.shape[a] == 0 for a in axes)):
            if axes is not None:
                raise IndexError(f"{fn.__name__}(): Expected reduction dim {axes[0]} to have "
                                 "non-zero size.")
            raise RuntimeError(f"{fn.__name__}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        y = fn(x, axis=axes, keepdims=keepdim)
        ctx.y = y
        return y

    def backward(ctx, g):
        x = ctx.inputs[0]
        y = _wrap(np.asarray(ctx.y))
        yb = _expand_back(y, ctx.shape, ctx.axes, ctx.keepdim)
        mask = (x == yb).to(g.dtype)
        count = mask.sum(ctx.axes, keepdim=True) if ctx.axes is not None else mask.sum()
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim) * mask / count


class ExtremumDim(Function):
    n_diff_outputs = 1
    saved_inputs = ()

    def forward(ctx, x, dim, keepdim, largest):
        if x.shape[dim] == 0:
            raise IndexError(f"{'max' if largest else 'min'}(): Expected reduction dim {dim} to have "
                             "non-zero size.")
        idx = (np.argmax if largest else np.argmin)(x, axis=dim)
        if x.dtype.kind == "f":
            # NOTE: NaN propagates in max/min, as in PyTorch: argmax of NaN is its position.
            nan = np.isnan(x)
            if nan.any():
                idx = np.where(nan.any(axis=dim), np.argmax(nan, axis=dim), idx)
        idx_k = np.expand_dims(idx, dim)
        vals = np.take_along_axis(x, idx_k, dim)
        ctx.dim, ctx.keepdim, ctx.shape, ctx.idx = dim, keepdim, x.shape, idx_k
        if not keepdim:
            vals = np.squeeze(vals, dim)
            return vals, idx.astype(np.int64)
        return vals, idx_k.astype(np.int64)

    def backward(ctx, g, gi):
        from .index import scatter_into_zeros
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        return scatter_into_zeros(g, ctx.dim, _wrap(ctx.idx), ctx.shape)


def _extremum(input, dim, keepdim, other, largest, name):
    if dim is None or isinstance(dim, Tensor):
        refuse_complex(input, f'"{name}_all" not implemented for \'{{dtype}}\'', NotImplementedError)
    else:
        refuse_complex(input, f"{name}(): does not support complex input")
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        from .arith import maximum, minimum
        return (maximum if largest else minimum)(input, other)
    if dim is None:
        return ExtremumAll.apply(input, fn=np.max if largest else np.min)
    d = _wrap_dim(dim, input.ndim, name)
    if input.ndim == 0:
        return values_indices[name](input.clone(), _wrap(np.array(0)))
    v, i = ExtremumDim.apply(input, dim=d, keepdim=keepdim, largest=largest)
    return values_indices[name](v, i)


def max(input, dim=None, keepdim=False, *, out=None, other=None):
    """``max(x)`` -> value; ``max(x, dim)`` -> (values, indices); ``max(x, y)`` -> maximum."""
    return _out(_extremum(input, dim, keepdim, other, True, "max"), out)


def min(input, dim=None, keepdim=False, *, out=None, other=None):
    return _out(_extremum(input, dim, keepdim, other, False, "min"), out)


def amax(input, dim=(), keepdim=False):
    refuse_complex(input, '"max_values_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    return ExtremumAll.apply(input, fn=np.max, axes=_axes(input, dim, "amax"), keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    refuse_complex(input, '"min_values_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    return ExtremumAll.apply(input, fn=np.min, axes=_axes(input, dim, "amin"), keepdim=keepdim)


def aminmax(input, *, dim=None, keepdim=False):
    return _rt("aminmax", ("min", "max"))(amin(input, dim if dim is not None else (), keepdim),
                                          amax(input, dim if dim is not None else (), keepdim))


def _arg(npfn, name):
    def op(input, dim=None, keepdim=False):
        refuse_complex(input, f"{name}(): does not support complex input")
        x = input._data
        if dim is None:
            if x.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            r = npfn(x.reshape(-1))
            if keepdim:
                return _wrap(np.full((1,) * x.ndim, r, np.int64))
            return _wrap(np.array(r, np.int64))
        d = _wrap_dim(dim, x.ndim, name)
        if x.ndim == 0:
            return _wrap(np.array(0, np.int64))
        r = npfn(x, axis=d)
        if keepdim:
            r = np.expand_dims(r, d)
        return _wrap(r.astype(np.int64))
    op.__name__ = name
    # a trace records the call as one op (ArrayFn), recomputed from each call's data
    from .nondiff import traceable
    return traceable(op)


argmax = _arg(np.argmax, "argmax")
argmin = _arg(np.argmin, "argmin")


# --- var / std ---------------------------------------------------------------------------------
def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _var_args(dim, unbiased):
    if isinstance(dim, bool):
        return None, dim
    return dim, unbiased


class Var(Function):
    def forward(ctx, x, axes, correction, keepdim):
        ctx.axes, ctx.c, ctx.keepdim, ctx.shape = axes, correction, keepdim, x.shape
        n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        ctx.n = n
        if x.dtype.char == "e":         # half precision accumulates in float32, as PyTorch
            return np.asarray(np.var(x, axis=axes, ddof=correction, keepdims=keepdim,
                                     dtype=np.float32)).astype(np.float16)
        return np.var(x, axis=axes, ddof=correction, keepdims=keepdim)

    def backward(ctx, g):
        x = ctx.inputs[0]
        m = x.mean(ctx.axes, keepdim=True) if ctx.axes is not None else x.mean()
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim) * (x - m) * (2.0 / (ctx.n - ctx.c))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance with Bessel's correction by default (``correction=1``)."""
    dim, unbiased = _var_args(dim, unbiased)
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return Var.apply(input, axes=_axes(input, dim, "var"), correction=_correction(unbiased, correction),
                     keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased = _var_args(dim, unbiased)
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased = _var_args(dim, unbiased)
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


# --- norms -------------------------------------------------------------------------------------
class Norm2(Function):
    saves_output = True

    def forward(ctx, x, axes=None, keepdim=False):
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        xf = x.astype(np.float32) if x.dtype.char == "e" else x
        y = np.sqrt(np.sum(xf * xf, axis=axes, keepdims=keepdim)).astype(x.dtype, copy=False)
        ctx.y = y
        return y

    def backward(ctx, g):
        x = ctx.inputs[0]
        y = vector_norm(x, 2, ctx.axes, ctx.keepdim) if MODE.grad_enabled else _wrap(np.asarray(ctx.y))
        yb = _expand_back(y, ctx.shape, ctx.axes, ctx.keepdim)
        gb = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        from .compare import where
        # NOTE: the subgradient at 0 is taken as 0, as PyTorch does.
        return where(yb == 0, 0.0, gb * x / yb)


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ``ord``-norm of the flattened input, or over ``dim``."""
    if dtype is not None:
        input = input.to(dtype)
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_tname(input)}")
    if input._data.dtype.kind == "c":
        input = input.abs()           # the norm of |z|: abs carries the complex gradient
    axes = _axes(input, dim, "norm")
    if ord == 2:
        return Norm2.apply(input, axes=axes, keepdim=keepdim)
    a = input.abs()
    if ord == math.inf:
        return a.amax(axes or (), keepdim)
    if ord == -math.inf:
        return a.amin(axes or (), keepdim)
    if ord == 0:
        return CountNonzero.apply(input, axes=axes, keepdim=keepdim)
    if ord == 1:
        return a.sum(axes, keepdim)
    return PNorm.apply(input, p=float(ord), axes=axes, keepdim=keepdim)


class PNorm(Function):
    """sum(|x|^p)^(1/p) for any other p; PyTorch's subgradient 0 where the norm is 0."""
    saves_output = True

    def forward(ctx, x, p, axes, keepdim):
        ctx.p, ctx.axes, ctx.keepdim, ctx.shape = p, axes, keepdim, x.shape
        ctx.y = np.asarray(np.sum(np.abs(x) ** p, axis=axes, keepdims=keepdim) ** (1.0 / p))
        return ctx.y

    def backward(ctx, g):
        from .compare import where
        x, p = ctx.inputs[0], ctx.p
        y = PNorm.apply(x, p=p, axes=ctx.axes, keepdim=ctx.keepdim) if MODE.grad_enabled \
            else _wrap(ctx.y)
        yb = _expand_back(y, ctx.shape, ctx.axes, ctx.keepdim)
        gb = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        r = gb * x * x.abs() ** (p - 2) / yb ** (p - 1)
        return where(yb == 0, 0.0, r)


class CountNonzero(Function):
    """The 0-"norm": a count, whose gradient is zero everywhere (as PyTorch's)."""
    saved_inputs = ()

    def forward(ctx, x, axes, keepdim):
        ctx.shape = x.shape
        return np.asarray(np.sum(x != 0, axis=axes, keepdims=keepdim), dtype=x.dtype)

    def backward(ctx, g):
        from .creation import zeros
        return zeros(ctx.shape, dtype=g.dtype)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: Frobenius/2-norm by default, any ``p`` over ``dim``."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        from ..linalg import matrix_norm
        return matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim)
    return _out(vector_norm(input, p, dim, keepdim, dtype=dtype), out)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) over ``dim``, computed stably."""
    axes = _axes(input, dim, "logsumexp")
    input = input if input.is_floating_point() or input.is_complex() else input.float()
    if input.numel() == 0:
        return input.exp().sum(axes, keepdim).log()
    # NOTE: a complex input shifts by the largest real part (|exp(z)| = exp(Re z)).
    m = (input.detach().real if input.is_complex() else input.detach()).amax(axes or (), keepdim=True)
    m = m.masked_fill(~m.isfinite(), 0.0)
    r = (input - m).exp().sum(axes, keepdim=True).log() + m
    if not keepdim:
        r = r.squeeze(axes) if axes is not None else r.reshape(())
    return r


# --- scans -------------------------------------------------------------------------------------
class Cumsum(Function):
    saved_inputs = ()

    def forward(ctx, x, dim):
        ctx.dim = dim
        if x.dtype.char == "e":
            return np.cumsum(x, axis=dim, dtype=np.float32).astype(np.float16)
        dt = np.int64 if x.dtype.kind in "biu" else None
        return np.cumsum(x, axis=dim, dtype=dt)

    def backward(ctx, g):
        return g.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim)


def cumsum(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = _wrap_dim(dim, input.ndim, "cumsum")
    if input.ndim == 0:
        return Cumsum.apply(input.reshape(1), dim=0).reshape(())
    return Cumsum.apply(input, dim=d)


class Cumprod(Function):
    saves_output = True

    def forward(ctx, x, dim):
        ctx.dim = dim
        y = np.cumprod(x, axis=dim, dtype=np.int64 if x.dtype.kind in "biu" else None)
        ctx.y = y
        return y

    def backward(ctx, g):
        from .compare import where
        from .creation import arange
        x, d = ctx.inputs[0], ctx.dim
        if x._data.size == 0:
            return g * 0
        y = x.cumprod(d) if MODE.grad_enabled else _wrap(ctx.y)
        # NOTE: sum_{j>=k} g_j y_j / x_k holds before the first zero z of each slice; at z the
        # product leaves x_z out (cumprod with x_z := 1); after z every term holds x_z = 0.
        shape = [1] * x.ndim
        shape[d] = x.shape[d]
        pos = arange(x.shape[d]).reshape(tuple(shape))
        zero = x == 0
        z = where(zero.any(d, keepdim=True), zero.to(np.int64).argmax(d, keepdim=True), x.shape[d])
        at_z = pos == z
        before = (g * y).flip(d).cumsum(d).flip(d) / where(pos < z, x, 1.0)
        y_skip = where(at_z, 1.0, x).cumprod(d)
        at = (g * y_skip).flip(d).cumsum(d).flip(d)
        return where(pos < z, before, where(at_z, at, 0.0))


def cumprod(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = _wrap_dim(dim, input.ndim, "cumprod")
    if input.ndim == 0:
        return Cumprod.apply(input.reshape(1), dim=0).reshape(())
    return Cumprod.apply(input, dim=d)


def _cum_ext(input, dim, fn, name):
    d = _wrap_dim(dim, input.ndim, name)
    if input.ndim == 0:
        v, i = _cum_ext(input.reshape(1), 0, fn, name)
        return values_indices[name](v.reshape(()), i.reshape(()))
    x = input._data
    v = fn.accumulate(x, axis=d)
    n = x.shape[d]
    ar = np.arange(n).reshape([-1 if i == d else 1 for i in range(x.ndim)])
    hit = np.where(x == v, ar, 0)
    idx = np.maximum.accumulate(hit, axis=d)
    from .index import gather
    vals = gather(input, d, _wrap(idx.astype(np.int64)))
    return values_indices[name](vals, _wrap(idx.astype(np.int64)))


def cummax(input, dim):
    return _cum_ext(input, dim, np.maximum, "cummax")


def cummin(input, dim):
    return _cum_ext(input, dim, np.minimum, "cummin")


# --- logical reductions, counting, order statistics --------------------------------------------
def all(input, dim=None, keepdim=False):
    axes = _axes(input, dim, "all")
    r = np.asarray(np.all(input._data, axis=axes, keepdims=keepdim))
    return _wrap(r.astype(np.uint8) if input._data.dtype == np.uint8 else r)   # uint8 stays uint8


def any(input, dim=None, keepdim=False):
    axes = _axes(input, dim, "any")
    r = np.asarray(np.any(input._data, axis=axes, keepdims=keepdim))
    return _wrap(r.astype(np.uint8) if input._data.dtype == np.uint8 else r)


def count_nonzero(input, dim=None):
    axes = _axes(input, dim, "count_nonzero")
    return _wrap(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def median(input, dim=None, keepdim=False):
    refuse_complex(input, '"median_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    """The lower of the two middle values (PyTorch's median, not the average)."""
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:
            return input.new_full((), float("nan"))
        k = (flat.numel() - 1) // 2
        s = flat.sort().values
        return s[k]
    d = _wrap_dim(dim, input.ndim, "median")
    if input.ndim == 0:
        v, i = median(input.reshape(1), 0)
        return values_indices["median"](v, i)
    n = input.shape[d]
    s, i = input.sort(dim=d)
    k = (n - 1) // 2
    v, idx = s.narrow(d, k, 1), i.narrow(d, k, 1)
    if not keepdim:
        v, idx = v.squeeze(d), idx.squeeze(d)
    return values_indices["median"](v, idx)


def nanmedian(input, dim=None, keepdim=False):
    """median ignoring NaN (the lower middle of each slice's non-NaN values; NaN if none)."""
    from .index import gather
    if not input.is_floating_point():
        return median(input, dim, keepdim)
    if dim is None:
        flat = input.reshape(-1)
        keep = ~np.isnan(flat._data)
        if not keep.any():
            return input.new_full((), float("nan"))
        vals = flat[_wrap(np.flatnonzero(keep))]
        return vals.sort().values[(vals.numel() - 1) // 2]
    d = _wrap_dim(dim, input.ndim, "nanmedian")
    if input.ndim == 0:
        v, i = nanmedian(input.reshape(1), 0)
        return values_indices["nanmedian"](v, i)
    if input.shape[d] == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {d} to have non-zero size.")
    s, i = input.sort(dim=d)                     # NaN sorts last
    cnt = (~np.isnan(input._data)).sum(axis=d, keepdims=True)
    k = _wrap(np.maximum(cnt - 1, 0) // 2)
    v, idx = gather(s, d, k), gather(i, d, k)
    if not keepdim:
        v, idx = v.squeeze(d), idx.squeeze(d)
    return values_indices["nanmedian"](v, idx)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles along ``dim`` (of all elements when None), differentiable: a sort,
    then interpolation between the two neighbouring order statistics."""
    from .compare import where
    if not input.is_floating_point():
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    qa = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64)
    if qa.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if qa.size and (qa.min() < 0 or qa.max() > 1):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, midpoint "
                           f"or nearest. Got {interpolation}")
    x, d = (input.reshape(-1), 0) if dim is None else (input, _wrap_dim(dim, input.ndim, "quantile"))
    if x.ndim == 0:
        x, d = x.reshape(1), 0
    n = x.shape[d]
    if n == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    srt = x.sort(d).values
    pos = qa.reshape(-1) * (n - 1)
    lo, hi = _bracket(pos, interpolation)
    v_lo, v_hi = srt.index_select(d, _wrap(lo)), srt.index_select(d, _wrap(hi))
    if interpolation == "midpoint":
        v = (v_lo + v_hi) * 0.5
    elif interpolation == "linear":
        shape = [1] * x.ndim
        shape[d] = -1
        if isinstance(q, Tensor) and q.requires_grad:     # differentiable in q too
            w = (q.reshape(-1).to(x.dtype) * (n - 1) - _wrap(lo.astype(x._data.dtype))).reshape(shape)
        else:
            w = _wrap((pos - lo).astype(x._data.dtype).reshape(shape))
        v = v_lo + (v_hi - v_lo) * w
    else:
        v = v_lo
    # NOTE: NaN sorts last; any NaN in a slice makes its quantiles NaN, as in PyTorch.
    v = where(srt.isnan().any(d, keepdim=True), float("nan"), v)
    v = v.movedim(d, 0)                         # (k, ...the other dims)
    if keepdim and input.ndim:
        v = v.unsqueeze(d + 1) if dim is not None else v.reshape((len(pos),) + (1,) * input.ndim)
    return v[0] if qa.ndim == 0 else v


def _bracket(pos, interpolation):
    """The sorted positions (lo, hi) a quantile at fractional position ``pos`` reads."""
    lo, hi = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
    if interpolation == "nearest":
        lo = hi = np.round(pos).astype(np.int64)
    elif interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    return lo, hi


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile ignoring NaN: each slice interpolates among its own non-NaN values (all-NaN
    slices give NaN)."""
    from .compare import where
    from .index import gather
    from .shape import stack
    if not input.is_floating_point():
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    qa = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64)
    if qa.ndim > 1 or (qa.size and (qa.min() < 0 or qa.max() > 1)):
        raise RuntimeError("quantile() q must be a scalar or 1D tensor with values in [0, 1]")
    x, d = (input.reshape(-1), 0) if dim is None else (input, _wrap_dim(dim, input.ndim, "quantile"))
    if x.ndim == 0:
        x, d = x.reshape(1), 0
    if x.shape[d] == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    srt = x.sort(d).values                       # NaN sorts last
    cnt = (~np.isnan(x._data)).sum(axis=d, keepdims=True)
    vals = []
    q_grad = isinstance(q, Tensor) and q.requires_grad
    for j, qq in enumerate(qa.reshape(-1)):
        pos = qq * np.maximum(cnt - 1, 0)
        lo, hi = _bracket(pos, interpolation)
        v_lo, v_hi = gather(srt, d, _wrap(lo)), gather(srt, d, _wrap(hi))
        if interpolation == "midpoint":
            v = (v_lo + v_hi) * 0.5
        elif interpolation == "linear":
            dt = x._data.dtype
            w = q.reshape(-1)[j].to(x.dtype) * _wrap(np.maximum(cnt - 1, 0).astype(dt)) - \
                _wrap(lo.astype(dt)) if q_grad else _wrap((pos - lo).astype(dt))
            v = v_lo + (v_hi - v_lo) * w
        else:
            v = v_lo
        vals.append(where(_wrap(cnt == 0), float("nan"), v))
    v = stack(vals, 0)                          # (k, ... with 1 at d + 1)
    if keepdim and not input.ndim:
        v = v.reshape((len(vals),))
    elif keepdim:
        if dim is None:
            v = v.reshape((len(vals),) + (1,) * input.ndim)
    else:
        v = v.squeeze(d + 1)
    return v[0] if qa.ndim == 0 else v


def mode(input, dim=-1, keepdim=False):
    refuse_complex(input, '"mode_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    d = _wrap_dim(dim, input.ndim, "mode")
    if input.ndim == 0:
        v, i = mode(input.reshape(1), 0)
        return values_indices["mode"](v, i)
    x = np.moveaxis(input._data, d, -1)
    flat = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    vals, idxs = [], []
    for row in flat:
        u, c = np.unique(row, return_counts=True)
        v = u[np.argmax(c)]
        vals.append(v)
        idxs.append(np.nonzero(row == v)[0][-1])
    shp = x.shape[:-1]
    i = np.expand_dims(np.array(idxs, dtype=np.int64).reshape(shp), d)
    from .index import gather
    v = gather(input, d, _wrap(i))
    if not keepdim:
        v, i = v.squeeze(d), np.squeeze(i, d)
    return values_indices["mode"](v, _wrap(i))
