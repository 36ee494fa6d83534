"""Pooling (max, average, adaptive, Lp), max_unpool, interpolate/upsample, pixel (un)shuffle.

Max and average pooling walk the kernel offsets (a handful of whole-array NumPy ops each) over
a strided window view; their backward Functions scatter back the same way and are the adjoints
of a gather/pooling op, so double backward works.  Adaptive average pooling and the linear /
cubic interpolations are separable linear maps: one small (out, in) matrix per spatial dim,
applied with matmul (ember ops, so their gradients come for free).
"""
import math

import numpy as np

from ..._tensor import TRACERS, _wrap
from ...autograd.function import Function
from ...autograd.grad_mode import MODE
from .conv import _crop, _ntuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d", "max_unpool1d",
           "max_unpool2d", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle", "adaptive_max_pool3d", "max_unpool3d",
           "channel_shuffle"]


# --- geometry ---------------------------------------------------------------------------------
def _geometry(name, x, K, stride, pad, dil, ceil_mode):
    """Output sizes and (lo, hi) pads covering every window (ceil mode may need extra hi)."""
    out, pads = [], []
    for s, k, st, p, d in zip(x.shape[2:], K, stride, pad, dil):
        eff = d * (k - 1) + 1
        num = s + 2 * p - eff
        o = (-(-num // st) if ceil_mode else num // st) + 1
        if ceil_mode and o > 0 and (o - 1) * st >= s + p:
            o -= 1
        out.append(o)
        pads.append((p, max((o - 1) * st + eff - s - p, 0)))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"{name}: Given input size: ({'x'.join(map(str, x.shape[1:]))}). "
                           f"Calculated output size: ({'x'.join(map(str, [x.shape[1]] + out))}). "
                           "Output size is too small")
    return tuple(out), tuple(pads)


def _offsets(K, stride, dil, out_sp):
    """For each kernel offset, the slices of the padded input its values come from."""
    return [tuple(slice(i * d, i * d + st * (o - 1) + 1, st)
                  for i, d, st, o in zip(idx, dil, stride, out_sp)) for idx in np.ndindex(*K)]


def _pad_fill(x, pads, value):
    if not any(lo or hi for lo, hi in pads):
        return x
    shape = x.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    xp = np.full(shape, value, x.dtype)
    xp[(slice(None),) * 2 + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pads))] = x
    return xp


_ALL2 = (slice(None), slice(None))


# --- max pooling --------------------------------------------------------------------------------
def _overlaps(K, stride, dil):
    return any(st < d * (k - 1) + 1 for k, st, d in zip(K, stride, dil))


def _scatter_arg(g, arg, cfg):
    """Adjoint of the window gather: g (N, C, *out) goes to the arg-selected window positions."""
    K, stride, dil, pads, sp = cfg
    out_sp = g.shape[2:]
    shape = g.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads))
    overlap = _overlaps(K, stride, dil)
    tiled = not overlap and all(st == k and d == 1 and s == st * o
                                for k, st, d, s, o in zip(K, stride, dil, shape[2:], out_sp))
    # NOTE: when the windows tile the input exactly, every position is written once below, so
    # the buffer needs no zero fill; one multiply by the 0/1 mask per kernel offset.
    gxp = np.empty(shape, g.dtype) if tiled else np.zeros(shape, g.dtype)
    for k, sl in enumerate(_offsets(K, stride, dil, out_sp)):
        m = arg == k
        if overlap:
            gxp[_ALL2 + sl] += np.where(m, g, 0)
        elif tiled:
            np.multiply(g, m, out=gxp[_ALL2 + sl])
        else:
            np.copyto(gxp[_ALL2 + sl], g, where=m)
    return _crop(gxp, pads, sp)


def _gather_arg(x, arg, cfg):
    K, stride, dil, pads, sp = cfg
    xp = _pad_fill(x, pads, 0)
    out = np.zeros(arg.shape, x.dtype)
    for k, sl in enumerate(_offsets(K, stride, dil, arg.shape[2:])):
        np.copyto(out, xp[_ALL2 + sl], where=arg == k)
    return out


class MaxPool(Function):
    saved_inputs = ()
    n_diff_outputs = 1

    def forward(ctx, x, *, K, stride, dil, pads, out_sp, want_idx):
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp = _pad_fill(x, pads, fill)
        best = arg = m = nan = None
        for k, sl in enumerate(_offsets(K, stride, dil, out_sp)):
            v = xp[_ALL2 + sl]
            if best is None:
                best = v.copy()
                arg = np.zeros(best.shape, np.int8 if len(K) and math.prod(K) < 127 else np.int64)
                m = np.empty(best.shape, bool)
                nan = np.empty(best.shape, bool) if x.dtype.kind == "f" else None
                continue
            np.greater(v, best, out=m)
            if nan is not None:  # NaN wins, as in PyTorch
                np.isnan(v, out=nan)
                m |= nan
            np.copyto(best, v, where=m)
            np.copyto(arg, k, where=m)
        ctx.arg = arg
        ctx.cfg = (K, stride, dil, pads, x.shape[2:])
        if want_idx:
            return best, _flat_index(arg, K, stride, dil, pads, x.shape[2:])
        return best

    def backward(ctx, g, *_):
        return MaxPoolBackward.apply(g, arg=ctx.arg, cfg=ctx.cfg)


def _tiled_scatter(x, best, g, K, out_sp):
    """The gradient of a tiled max pool without NaNs, straight into x's layout: for each kernel
    offset, g where that offset holds its window's first maximum (PyTorch's tie rule), else 0.
    No argmax array is built (the general path's masked stores cost ~3x more)."""
    exact = all(s == k * o for s, k, o in zip(x.shape[2:], K, out_sp))
    gx = np.empty(x.shape, g.dtype) if exact else np.zeros(x.shape, g.dtype)
    taken = hit = None
    for sl in _offsets(K, K, (1,) * len(K), out_sp):
        v = x[_ALL2 + sl]
        hit = np.equal(v, best, out=hit)
        if taken is None:
            taken = hit.copy()
        else:
            np.greater(hit, taken, out=hit)     # hit and not taken
            taken |= hit
        np.multiply(g, hit, out=gx[_ALL2 + sl])
    return gx


class TiledMaxPool(Function):
    """Max pooling whose windows tile the input (kernel == stride, no padding or dilation): the
    common ``MaxPool2d(2)``.  Forward is a running ``np.maximum`` over the kernel offsets (NaN
    propagates); which element won is worked out in backward, only when a gradient is needed."""
    saved_inputs = (0,)

    def forward(ctx, x, *, K, out_sp):
        ctx.K, ctx.out_sp = K, out_sp
        best = None
        for sl in _offsets(K, K, (1,) * len(K), out_sp):
            v = x[_ALL2 + sl]
            if best is None:
                best = v.copy()
            else:
                np.maximum(best, v, out=best)
        ctx.best = best
        return best

    def backward(ctx, g):
        x, best, K = ctx.inputs[0]._data, ctx.best, ctx.K
        nan = np.isnan(best) if best.dtype.kind == "f" else None
        has_nan = nan is not None and nan.any()
        if not MODE.grad_enabled and not has_nan:
            return _wrap(_tiled_scatter(x, best, g._data, K, ctx.out_sp))
        cfg = (K, K, (1,) * len(K), ((0, 0),) * len(K), x.shape[2:])
        arg = np.zeros(best.shape, np.int8 if math.prod(K) < 127 else np.int64)
        taken = np.zeros(best.shape, bool)
        hit = np.empty(best.shape, bool)
        # NOTE: as PyTorch's kernel: the first maximum in window order wins a tie, the last NaN
        # wins a window holding NaNs (NaN never equals the max, so those windows stay untaken).
        for k, sl in enumerate(_offsets(K, K, (1,) * len(K), ctx.out_sp)):
            v = x[_ALL2 + sl]
            np.equal(v, best, out=hit)
            hit &= ~taken
            taken |= hit
            if k:
                arg[hit] = k
            if has_nan:
                arg[np.isnan(v) & nan] = k
        return MaxPoolBackward.apply(g, arg=arg, cfg=cfg)


class MaxPoolBackward(Function):
    saved_inputs = ()

    def forward(ctx, g, *, arg, cfg):
        ctx.arg, ctx.cfg = arg, cfg
        return _scatter_arg(g, arg, cfg)

    def backward(ctx, h):
        return WindowGather.apply(h, arg=ctx.arg, cfg=ctx.cfg)


class WindowGather(Function):
    saved_inputs = ()

    def forward(ctx, x, *, arg, cfg):
        ctx.arg, ctx.cfg = arg, cfg
        return _gather_arg(x, arg, cfg)

    def backward(ctx, g):
        return MaxPoolBackward.apply(g, arg=ctx.arg, cfg=ctx.cfg)


def _flat_index(arg, K, stride, dil, pads, sp):
    """PyTorch's max-pool indices: flat positions in the (unpadded) input's spatial dims."""
    nd = len(K)
    flat = np.zeros(arg.shape, np.int64)
    rem = arg.astype(np.int64)
    inner = math.prod(K)
    for i in range(nd):
        inner //= K[i]
        ki = rem // inner
        rem = rem - ki * inner
        o = np.arange(arg.shape[2 + i]).reshape((-1,) + (1,) * (nd - 1 - i))
        pos = o * stride[i] - pads[i][0] + ki * dil[i]
        flat = flat * sp[i] + pos
    return flat


def _pool_args(name, nd, input, kernel_size, stride, padding, dilation=1):
    if input.ndim not in (nd + 1, nd + 2):
        dims = "2D or 3D" if nd == 1 else ("3D or 4D" if nd == 2 else "4D or 5D")
        raise RuntimeError(f"{name}: Expected {dims} (batch mode) tensor for input, but got "
                           f"input of size: {list(input.shape)}")
    K = _ntuple(kernel_size, nd, "kernel_size")
    st = K if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _ntuple(stride, nd, "stride")
    p = _ntuple(padding, nd, "padding")
    d = _ntuple(dilation, nd, "dilation")
    if any(k <= 0 for k in K):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got {list(K)}")
    if any(s <= 0 for s in st):
        raise RuntimeError(f"{name}: stride must be greater than zero, but got {list(st)}")
    if any(i <= 0 for i in d):
        raise RuntimeError(f"{name}: dilation must be greater than zero, but got {list(d)}")
    for pp, k, dd in zip(p, K, d):
        if pp < 0 or pp > (dd * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={k} and dilation={dd}")
    x = input if input.ndim == nd + 2 else input.unsqueeze(0)
    if any(s == 0 for s in x.shape[1:]):
        raise RuntimeError(f"{name}: Expected input's non-batch dimensions to have positive length, "
                           f"but input has a shape of {list(input.shape)}")
    return x, K, st, p, d, input.ndim == nd + 1


def _max_pool(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, K, st, p, d, unb = _pool_args(name, nd, input, kernel_size, stride, padding, dilation)
    out_sp, pads = _geometry(name, x, K, st, p, d, ceil_mode)
    if (not return_indices and all(p == (0, 0) for p in pads) and all(v == 1 for v in d)
            and tuple(K) == tuple(st)):
        r = TiledMaxPool.apply(x, K=K, out_sp=out_sp)
    else:
        r = MaxPool.apply(x, K=K, stride=st, dil=d, pads=pads, out_sp=out_sp, want_idx=return_indices)
    if return_indices:
        out, idx = r
        return (out.squeeze(0), idx.squeeze(0)) if unb else (out, idx)
    return r.squeeze(0) if unb else r


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, L), e.g. ``F.max_pool1d(x, 3, stride=2)``."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over sliding windows of (N, C, H, W), e.g. ``F.max_pool2d(x, 2)``."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# --- average pooling ------------------------------------------------------------------------------
def _inv_divisor(sp, K, stride, pad, out_sp, count_include_pad, divisor_override, dtype):
    if divisor_override:
        return dtype.type(1.0 / divisor_override)
    div = np.ones((), np.float64)
    for s, k, st, p, o in zip(sp, K, stride, pad, out_sp):
        start = np.arange(o) * st - p
        end = np.minimum(start + k, s + p)
        if count_include_pad:
            n = end - start
        else:
            n = np.minimum(end, s) - np.maximum(start, 0)
        div = np.multiply.outer(div, n)
    return (1.0 / np.maximum(div, 1)).astype(dtype)


class AvgPool(Function):
    saved_inputs = ()

    def forward(ctx, x, *, cfg, inv):
        K, stride, dil, pads, sp = cfg
        ctx.cfg, ctx.inv = cfg, inv
        xp = _pad_fill(x, pads, 0)
        out_sp = tuple((s + lo + hi - k) // st + 1 for s, (lo, hi), k, st in zip(sp, pads, K, stride))
        out = None
        for sl in _offsets(K, stride, dil, out_sp):
            if out is None:
                out = xp[_ALL2 + sl].copy()
            else:
                out += xp[_ALL2 + sl]
        out *= inv
        return out

    def backward(ctx, g):
        return AvgPoolBackward.apply(g, cfg=ctx.cfg, inv=ctx.inv)


class AvgPoolBackward(Function):
    saved_inputs = ()

    def forward(ctx, g, *, cfg, inv):
        K, stride, dil, pads, sp = cfg
        ctx.cfg, ctx.inv = cfg, inv
        gs = g * inv
        gxp = np.zeros(g.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads)), g.dtype)
        for sl in _offsets(K, stride, dil, g.shape[2:]):
            gxp[_ALL2 + sl] += gs
        return _crop(gxp, pads, sp)

    def backward(ctx, h):
        return AvgPool.apply(h, cfg=ctx.cfg, inv=ctx.inv)


def _avg_pool(name, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    x, K, st, p, d, unb = _pool_args(name, nd, input, kernel_size, stride, padding)
    if input._data.dtype.kind == "b":
        raise RuntimeError(f'"{name}" not implemented for \'{input.dtype.name.capitalize()}\'')
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out_sp, pads = _geometry(name, x, K, st, p, d, ceil_mode)
    integer = x._data.dtype.kind in "iu"
    xf = x.double() if integer else x
    inv = _inv_divisor(x.shape[2:], K, st, p, out_sp, count_include_pad, divisor_override,
                       xf._data.dtype)
    r = AvgPool.apply(xf, cfg=(K, st, d, pads, x.shape[2:]), inv=inv)
    if integer:
        # NOTE: PyTorch divides the integer window sum by the divisor, truncating toward 0.
        sums = np.rint(r._data / inv).astype(np.int64)
        div = np.rint(1.0 / np.asarray(inv, np.float64)).astype(np.int64)
        q = np.sign(sums) * np.sign(div) * (np.abs(sums) // np.abs(div))
        r = _wrap(q.astype(x._data.dtype))
    return r.squeeze(0) if unb else r


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over sliding windows of (N, C, L)."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over sliding windows of (N, C, H, W), e.g. ``F.avg_pool2d(x, 2)``."""
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kh, kw = _ntuple(kernel_size, 2, "kernel_size")
    out = avg_pool2d(input.pow(norm_type), (kh, kw), stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kh * kw).pow(1.0 / norm_type)


# --- adaptive pooling -----------------------------------------------------------------------------
def _adaptive_bounds(s, o):
    i = np.arange(o)
    return (i * s) // o, -((-(i + 1) * s) // o)


def _avg_matrix(s, o, dtype):
    start, end = _adaptive_bounds(s, o)
    j = np.arange(s)
    m = ((j >= start[:, None]) & (j < end[:, None])) / (end - start)[:, None]
    return m.astype(dtype)


def _apply_dim(x, m, i, nd):
    """Contract spatial dim i of x (N, C, *S) with the (out, in) matrix m (a Tensor)."""
    shape = tuple(x.shape)
    if i == nd - 1:
        return x.matmul(m.t())
    pre = shape[:2 + i]
    rest = math.prod(shape[3 + i:])
    y = m.matmul(x.reshape(math.prod(pre), shape[2 + i], rest))
    return y.reshape(pre + (m.shape[0],) + shape[3 + i:])


def _out_size_arg(output_size, sp, nd):
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) == 1 and nd > 1:
        output_size = output_size * nd
    if len(output_size) != nd:
        raise RuntimeError(f"adaptive pool: output_size must be {nd}, but got {len(output_size)}")
    if any(o is not None and o < 0 for o in output_size):
        raise RuntimeError(f"adaptive_avg_pool{max(nd, 2)}d: elements of output_size must be greater "
                           f"than or equal to 0 but received {{{', '.join(map(str, output_size))}}}")
    return tuple(s if o is None else int(o) for o, s in zip(output_size, sp))


def _adaptive_avg(name, nd, input, output_size):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    sp = tuple(input.shape[-nd:])
    osz = _out_size_arg(output_size, sp, nd)
    if any(s == 0 for s in input.shape[-nd - 1 if input.ndim == nd + 2 else 0:][1:]):
        raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {list(input.shape)} with dimension "
                           "having size 0")
    x = input if input.ndim == nd + 2 else input.unsqueeze(0)
    if all(o == 1 for o in osz):
        out = x.mean(tuple(range(2, nd + 2)), keepdim=True)
    else:
        out = x
        for i, (s, o) in enumerate(zip(sp, osz)):
            if s != o:
                out = _apply_dim(out, _const(_avg_matrix(s, o, x._data.dtype)), i, nd)
    return out if input.ndim == nd + 2 else out.squeeze(0)


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size, e.g. ``F.adaptive_avg_pool2d(x, (1, 1))``."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


class FlatScatter(Function):
    """Add g (N, C, *) into zeros (N, C, size) at flat spatial positions idx."""
    saved_inputs = ()

    def forward(ctx, g, *, idx, size):
        ctx.idx = idx
        N, C = g.shape[:2]
        base = (np.arange(N * C) * size).reshape(N, C, *([1] * (idx.ndim - 2)))
        out = np.bincount((idx + base).ravel(), weights=g.ravel(), minlength=N * C * size)
        return out.astype(g.dtype).reshape(N, C, size)

    def backward(ctx, h):
        return FlatGather.apply(h, idx=ctx.idx)


class FlatAssign(Function):
    """max_unpool: put x (N, C, *) at flat spatial positions idx of zeros (N, C, size); where
    idx repeats a position the last value wins, as in PyTorch's CPU kernel."""
    saved_inputs = ()

    def forward(ctx, x, *, idx, size):
        ctx.idx = idx
        N, C = x.shape[:2]
        out = np.zeros((N, C, size), x.dtype)
        rows = np.arange(N * C).reshape(N, C, *([1] * (idx.ndim - 2)))
        flat = out.reshape(N * C, size)
        flat[np.broadcast_to(rows, idx.shape).ravel(), idx.ravel()] = x.ravel()
        return out

    def backward(ctx, h):
        return FlatGather.apply(h, idx=ctx.idx)


class FlatGather(Function):
    saved_inputs = ()

    def forward(ctx, x, *, idx):
        ctx.idx, ctx.size = idx, x.shape[2]
        N, C = x.shape[:2]
        return np.take_along_axis(x, idx.reshape(N, C, -1), 2).reshape(idx.shape)

    def backward(ctx, g):
        return FlatScatter.apply(g, idx=ctx.idx, size=ctx.size)


def _adaptive_max(name, nd, input, output_size, return_indices):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    x = input if input.ndim == nd + 2 else input.unsqueeze(0)
    sp = tuple(x.shape[2:])
    osz = _out_size_arg(output_size, sp, nd)
    if all(s % o == 0 for s, o in zip(sp, osz)):
        K = tuple(s // o for s, o in zip(sp, osz))
        pool = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}[nd]
        out, idx = pool(x, K, K, return_indices=True)
    else:
        a = x._data
        bounds = [_adaptive_bounds(s, o) for s, o in zip(sp, osz)]
        N, C = a.shape[:2]
        flat = np.empty((N, C) + osz, np.int64)
        for cell in np.ndindex(*osz):
            sl = tuple(slice(b[0][c], b[1][c]) for b, c in zip(bounds, cell))
            win = a[_ALL2 + sl]
            w = win.reshape(N, C, -1)
            am = np.argmax(np.where(np.isnan(w), np.inf, w), axis=2) if w.dtype.kind == "f" \
                else np.argmax(w, axis=2)
            loc = np.unravel_index(am, win.shape[2:])
            f = np.zeros((N, C), np.int64)
            for i in range(nd):
                f = f * sp[i] + loc[i] + bounds[i][0][cell[i]]
            flat[(slice(None), slice(None)) + cell] = f
        xf = x.reshape(N, C, -1)
        out = FlatGather.apply(xf, idx=flat)
        idx = _wrap(flat)
    if input.ndim == nd + 1:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    K = _ntuple(kernel_size, nd, "kernel_size")
    st = K if stride is None else _ntuple(stride, nd, "stride")
    p = _ntuple(padding, nd, "padding")
    x = input if input.ndim == nd + 2 else input.unsqueeze(0)
    idx = indices if indices.ndim == nd + 2 else indices.unsqueeze(0)
    if output_size is None:
        osz = tuple((s - 1) * t - 2 * q + k for s, t, q, k in zip(x.shape[2:], st, p, K))
    else:
        osz = tuple(int(o) for o in output_size)[-nd:]
    size = math.prod(osz)
    ia = idx._data
    if ia.size and (ia.min() < 0 or ia.max() >= size):
        raise RuntimeError(f"Found an invalid max index: {int(ia.max())} (output volumes are of "
                           f"size {'x'.join(map(str, osz))}")
    out = FlatAssign.apply(x, idx=ia, size=size).reshape(tuple(x.shape[:2]) + osz)
    return out if input.ndim == nd + 2 else out.squeeze(0)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of max_pool2d: values go back to their argmax positions, zeros elsewhere."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# --- interpolate ------------------------------------------------------------------------------------
_MODES_ND = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _src_scale(s, o, align_corners, sf):
    if align_corners:
        return (s - 1) / (o - 1) if o > 1 else 0.0
    return 1.0 / sf if sf is not None and sf > 0 else s / o


def _linear_matrix(s, o, align_corners, sf):
    scale = _src_scale(s, o, align_corners, sf)
    dst = np.arange(o, dtype=np.float64)
    src = dst * scale if align_corners else np.maximum(scale * (dst + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), s - 1)
    i1 = np.minimum(i0 + 1, s - 1)
    l1 = src - i0
    m = np.zeros((o, s))
    np.add.at(m, (np.arange(o), i0), 1.0 - l1)
    np.add.at(m, (np.arange(o), i1), l1)
    return m


def _cubic_matrix(s, o, align_corners, sf):
    A = -0.75
    scale = _src_scale(s, o, align_corners, sf)
    dst = np.arange(o, dtype=np.float64)
    src = dst * scale if align_corners else scale * (dst + 0.5) - 0.5
    i = np.floor(src).astype(np.int64)
    t = src - i

    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    ws = (c2(t + 1), c1(t), c1(1 - t), c2(2 - t))
    m = np.zeros((o, s))
    for k, w in enumerate(ws):
        np.add.at(m, (np.arange(o), np.clip(i - 1 + k, 0, s - 1)), w)
    return m


def _const(arr):
    """Index maps and averaging matrices depend on sizes only; while a trace runs they are made
    by a creation function, so the graph keeps them as constants (a bare ``_wrap`` would be an
    opaque tensor and break the graph)."""
    if TRACERS:
        from ...ops.creation import tensor
        return tensor(arr)
    return _wrap(arr)


def _nearest_index(s, o, sf, exact):
    scale = 1.0 / sf if sf is not None and sf > 0 else s / o
    dst = np.arange(o, dtype=np.float64)
    src = np.floor((dst + 0.5) * scale if exact else dst * scale).astype(np.int64)
    return np.minimum(src, s - 1)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, *S) by ``size`` or ``scale_factor``: nearest, nearest-exact, (bi/tri)linear,
    bicubic or area.  Example: ``F.interpolate(x, scale_factor=2, mode="bilinear")``."""
    nd = input.ndim - 2
    if nd < 1 or nd > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.ndim}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif mode in _MODES_ND:
        if _MODES_ND[mode] != nd:
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                      f"{_MODES_ND[mode] + 2}D input")
        align_corners = bool(align_corners)
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.ndim}D) for the modes: nearest | linear | bilinear | "
                                  f"bicubic | trilinear | area | nearest-exact (got {mode})")
    sp = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        osz = _ntuple(size, nd, "size") if not isinstance(size, (list, tuple)) or len(size) != 1 \
            or nd == 1 else _ntuple(size, nd, "size")
        if isinstance(size, (list, tuple)) and len(size) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, "
                             f"but got input with spatial dimensions of {list(sp)} and output "
                             f"size of {list(size)}. Please provide input tensor in (N, C, d1, "
                             "d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
        sfs = (None,) * nd
    elif scale_factor is not None:
        sfs = tuple(float(scale_factor) for _ in range(nd)) \
            if not isinstance(scale_factor, (list, tuple)) else tuple(float(f) for f in scale_factor)
        if len(sfs) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of {list(sp)} "
                             f"and scale_factor of shape {list(scale_factor)}. Please provide "
                             "input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                             "(s1, s2, ...,sK) format.")
        osz = tuple(int(math.floor(s * f)) for s, f in zip(sp, sfs))
        if recompute_scale_factor:
            sfs = (None,) * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if any(o <= 0 for o in osz):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, sp))}) and output ({', '.join(map(str, osz))})")
    if mode == "area":
        return _adaptive_avg("adaptive_avg_pool%dd" % nd, nd, input, osz)
    if not input.is_floating_point() and mode != "nearest":
        raise RuntimeError(f'"upsample_{mode}" not implemented for '
                           f'\'{input.dtype.name.capitalize()}\'')
    out = input
    for i, (s, o, sf) in enumerate(zip(sp, osz, sfs)):
        if mode in ("nearest", "nearest-exact"):
            if s != o or sf is not None:
                idx = _nearest_index(s, o, sf, mode == "nearest-exact")
                if not (o == s and np.array_equal(idx, np.arange(s))):
                    out = out.index_select(2 + i, _const(idx))
        else:
            mk = _cubic_matrix if mode == "bicubic" else _linear_matrix
            m = mk(s, o, align_corners, sf)
            if not (o == s and np.array_equal(m, np.eye(s))):
                out = _apply_dim(out, _const(m.astype(input._data.dtype)), i, nd)
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# --- pixel shuffle ------------------------------------------------------------------------------------
def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={c} is not "
                           f"divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}" if h % r else
                           f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)



def channel_shuffle(input, groups):
    """(N, g*k, *) -> channels regrouped as (k, g): ShuffleNet's channel shuffle."""
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with sizes {list(input.shape)}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and "
                           f"{groups} groups.")
    n, rest = input.shape[0], tuple(input.shape[2:])
    x = input.reshape((n, groups, c // groups) + rest).transpose(1, 2)
    return x.reshape((n, c) + rest)
