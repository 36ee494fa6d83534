"""Ops composed from other ember ops (so their gradients come for free): diff, dist, hypot,
logaddexp, logcumsumexp, logit, sinc, isin, cov/corrcoef, block_diag, trapezoid, ...; and
finfo/iinfo, which describe dtypes."""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap, _wrap_dim


class finfo:
    """Machine limits of a floating dtype: ``torch.finfo(torch.float32).eps``."""

    def __init__(self, type=None):
        d = _dtype.get_default_dtype() if type is None else _dtype.to_dtype(type)
        if not d.is_floating_point:
            raise TypeError(f"torch.finfo() requires a floating point input type, got {d}")
        fi = np.finfo(d.np)
        self.bits, self.eps, self.max, self.min = fi.bits, float(fi.eps), float(fi.max), float(fi.min)
        self.tiny = self.smallest_normal = float(fi.tiny)
        self.resolution = float(fi.resolution)
        self.dtype = d.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:e}, max={self.max:e}, "
                f"eps={self.eps:e}, smallest_normal={self.tiny:e}, tiny={self.tiny:e}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype: ``torch.iinfo(torch.int64).max``."""

    def __init__(self, type):
        d = _dtype.to_dtype(type)
        if d.is_floating_point:
            raise TypeError(f"torch.iinfo() requires an integer input type, got {d}")
        ii = np.iinfo(d.np) if d.np.kind != "b" else None
        self.bits = d.itemsize * 8
        self.max, self.min = (1, 0) if ii is None else (int(ii.max), int(ii.min))
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def diff(input, n=1, dim=-1, prepend=None, append=None):
    from .shape import cat
    d = _wrap_dim(dim, input.ndim, "diff")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    if n == 0:
        return input
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, input, append) if p is not None]
        input = cat([p if p.ndim else p.expand(input.shape[:d] + (1,) + input.shape[d + 1:])
                     for p in parts], d)
    for _ in range(n):
        k = input.shape[d]
        hi, lo = input.narrow(d, 1, max(k - 1, 0)), input.narrow(d, 0, max(k - 1, 0))
        input = hi != lo if input._data.dtype.kind == "b" else hi - lo
    return input


def dist(input, other, p=2):
    from .reduce import vector_norm
    return vector_norm(input - other, p)


def hypot(input, other):
    for k, (name, t) in enumerate((("input", input), ("other", other))):
        if not isinstance(t, Tensor):
            raise TypeError(f"hypot(): argument '{name}' (position {k + 1}) must be Tensor, not "
                            f"{type(t).__name__}")
    return (input * input + other * other).sqrt()


def logaddexp(input, other):
    from .arith import maximum
    if (isinstance(input, Tensor) and input.is_complex()) or (isinstance(other, Tensor) and other.is_complex()):
        # as PyTorch: the one with the larger real part plus log1p(exp(other - it)), so the
        # imaginary part is not wrapped into (-pi, pi]
        from .compare import where
        first = input.real >= other.real
        hi, lo = where(first, input, other), where(first, other, input)
        return hi + (lo - hi).exp().log1p()
    m = maximum(input, other).detach()
    m = m.masked_fill(~m.isfinite(), 0.0)
    return m + ((input - m).exp() + (other - m).exp()).log()


def logaddexp2(input, other):
    return logaddexp(input * math.log(2.0), other * math.log(2.0)) / math.log(2.0)


def logcumsumexp(input, dim):
    d = _wrap_dim(dim, input.ndim, "logcumsumexp")
    m = (input.detach().real if input.is_complex() else input.detach()).amax(d, keepdim=True)
    m = m.masked_fill(~m.isfinite(), 0.0)
    return (input - m).exp().cumsum(d).log() + m


def logit(input, eps=None):
    from .arith import to_float
    input = to_float(input)
    if eps is not None:
        input = input.clamp(eps, 1 - eps)
    return (input / (1 - input)).log()


def sinc(input):
    from .compare import where
    px = input * math.pi
    safe = where(input == 0, 1.0, px)
    return where(input == 0, 1.0, safe.sin() / safe)


def deg2rad(input):
    return input * (math.pi / 180.0)


def rad2deg(input):
    return input * (180.0 / math.pi)


def heaviside(input, values):
    from .compare import where
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    return where(input == 0, values, (input > 0).to(input.dtype))


def copysign(input, other):
    from .arith import to_float
    o = other._data if isinstance(other, Tensor) else other
    x = to_float(input)
    if isinstance(other, Tensor) and other.is_floating_point() and not input.is_floating_point():
        x = input.to(other.dtype)
    sign = np.where(np.signbit(np.asarray(o)), -1.0, 1.0).astype(x._data.dtype)
    return x.abs() * _wrap(sign)


def positive(input):
    return input


def gcd(input, other):
    return _wrap(np.gcd(input._data, other._data))


def lcm(input, other):
    return _wrap(np.lcm(input._data, other._data))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.isin(e, t, invert=invert))


def cov(input, *, correction=1, fweights=None, aweights=None):
    from .arith import to_float
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input "
                           f"with {input.ndim} dimensions")
    nobs = input.shape[-1] if input.ndim else 1
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        if w is None:
            continue
        if w.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                               f"{name} with {w.ndim} dimensions")
        if w.numel() != nobs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                               f"observations in the input but got {w.numel()} != {nobs}")
        if name == "fweights" and w.is_floating_point():
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights "
                               f"with {w.dtype} dtype")
        if name == "aweights" and not w.is_floating_point():
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {w.dtype} dtype")
        if w.numel() and bool((w < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
    x = to_float(input if input.ndim == 2 else input.reshape(1, -1))
    if fweights is not None or aweights is not None:
        w = (fweights if fweights is not None else 1) * (aweights if aweights is not None else 1)
        if w.is_floating_point() and w.dtype.itemsize > x.dtype.itemsize:
            x = x.to(w.dtype)
        w = w.to(x.dtype)
        wsum = w.sum()
        mean = (x * w).sum(1, keepdim=True) / wsum
        xc = x - mean
        norm = wsum - correction * ((w * aweights).sum() / wsum if aweights is not None else 1)
        c = (xc * w) @ xc.t().conj() / norm
    else:
        xc = x - x.mean(1, keepdim=True)
        c = xc @ xc.t().conj() / (x.shape[1] - correction)
    return c.reshape(()) if input.ndim < 2 or x.shape[0] == 1 else c


def corrcoef(input):
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal().real.sqrt()
    r = c / d.unsqueeze(1) / d.unsqueeze(0)
    if r.is_complex():   # as PyTorch: the real and imaginary parts are clipped separately
        from .complex import complex as _complex
        return _complex(r.real.clamp(-1, 1), r.imag.clamp(-1, 1))
    return r.clamp(-1, 1)


def block_diag(*tensors):
    from .shape import cat
    mats = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    cols = sum(m.shape[1] for m in mats)
    rows, c0 = [], 0
    for m in mats:
        left = m.new_zeros((m.shape[0], c0))
        right = m.new_zeros((m.shape[0], cols - c0 - m.shape[1]))
        rows.append(cat([left, m, right], 1))
        c0 += m.shape[1]
    return cat(rows, 0)


def diagflat(input, offset=0):
    return input.reshape(-1).diag(offset)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    d = _wrap_dim(dim, y.ndim, "trapezoid")
    n = y.shape[d]
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is not None:
        dxs = diff(x, dim=dim if x.ndim > 1 else 0)
        return (mid * dxs).sum(d)
    return mid.sum(d) * (1.0 if dx is None else dx)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid-rule integral of y along ``dim`` (one element shorter)."""
    from .arith import to_float
    y = to_float(y) if not (x is not None and x.is_floating_point()) else y
    d = _wrap_dim(dim, y.ndim, "cumulative_trapezoid")
    n = y.shape[d]
    if n == 0:
        return y.narrow(d, 0, 0)
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is not None:
        xd = x if x.ndim > 1 else x.reshape((-1,) + (1,) * (y.ndim - 1 - d))
        step = diff(xd, dim=d if x.ndim > 1 else 0)
        return (mid * step).cumsum(d)
    return mid.cumsum(d) * (1.0 if dx is None else dx)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Central differences inside, one-sided ones (first or second order) at the edges, on a
    uniform grid (``spacing`` a number or one per dim) or given coordinates (1-d tensors)."""
    from .shape import cat
    dims = list(range(input.ndim)) if dim is None else \
        [_wrap_dim(d, input.ndim, "gradient") for d in ((dim,) if isinstance(dim, int) else dim)]
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if spacing is None:
        spacing = 1
    if isinstance(spacing, Tensor) and spacing.ndim == 0:
        spacing = spacing.item()
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's "
                               f"spacing and dim arguments to have the same length, but got a "
                               f"spacing argument of length {len(spacing)} and a dim argument of "
                               f"length {len(dims)}.")
        sp = list(spacing)
    else:
        sp = [spacing] * len(dims)
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    out = []
    for d, h in zip(dims, sp):
        n = input.shape[d]
        if n < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
        f = input if input.is_floating_point() else input.to(_dflt())
        if isinstance(h, Tensor) and h.ndim:
            xs = h._data.astype(np.float64)
        else:
            xs = np.arange(n, dtype=np.float64) * float(h.item() if isinstance(h, Tensor) else h)
        hs = np.diff(xs)

        def coef(a):
            shape = [1] * f.ndim
            shape[d] = -1
            return _wrap(np.asarray(a, dtype=f._data.dtype).reshape(shape))

        def at(lo, k):
            return f.narrow(d, lo, k)
        hl, hr = hs[:-1], hs[1:]
        a = -hr / (hl * (hl + hr))
        b = (hr - hl) / (hl * hr)
        c = hl / (hr * (hl + hr))
        inner = coef(a) * at(0, n - 2) + coef(b) * at(1, n - 2) + coef(c) * at(2, n - 2)
        if edge_order == 1:
            first = (at(1, 1) - at(0, 1)) / float(hs[0])
            last = (at(n - 1, 1) - at(n - 2, 1)) / float(hs[-1])
        else:
            h1, h2 = hs[0], hs[1]
            first = at(0, 1) * (-(2 * h1 + h2) / (h1 * (h1 + h2))) + at(1, 1) * ((h1 + h2) / (h1 * h2)) \
                + at(2, 1) * (-h1 / (h2 * (h1 + h2)))
            h1, h2 = hs[-1], hs[-2]
            last = at(n - 3, 1) * (h1 / (h2 * (h1 + h2))) + at(n - 2, 1) * (-(h1 + h2) / (h1 * h2)) \
                + at(n - 1, 1) * ((2 * h1 + h2) / (h1 * (h1 + h2)))
        out.append(cat([first, inner, last], d))
    return tuple(out)


def _dflt():
    from .. import _dtype
    return _dtype.get_default_dtype()


def combinations(input, r=2, with_replacement=False):
    import itertools
    n = input.shape[0]
    it = itertools.combinations_with_replacement(range(n), r) if with_replacement else \
        itertools.combinations(range(n), r)
    idx = np.array(list(it), dtype=np.int64).reshape(-1, r)
    return input[_wrap(idx)]


def vander(x, N=None, increasing=False):
    from .shape import stack
    N = x.shape[0] if N is None else N
    powers = [x ** k for k in range(N)] if N else []
    if not increasing:
        powers = powers[::-1]
    return stack(powers, 1) if powers else x.new_zeros((x.shape[0], 0))


def pdist(input, p=2):
    from .matmul import cdist
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    return cdist(input, input, p)[_wrap(i), _wrap(j)]


def renorm(input, p, dim, maxnorm):
    if input.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _wrap_dim(dim, input.ndim, "renorm")
    axes = tuple(k for k in range(input.ndim) if k != d)
    from .reduce import vector_norm
    from .compare import where
    norms = vector_norm(input, p, axes, keepdim=True)
    return input * where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)


def split_with_sizes(input, split_sizes, dim=0):
    return input.split(list(split_sizes), dim)


def _hvd_split(input, sections, dim):
    from .shape import tensor_split
    return tensor_split(input, sections, dim)


def hsplit(input, sections):
    return _hvd_split(input, sections, 1 if input.ndim > 1 else 0)


def vsplit(input, sections):
    return _hvd_split(input, sections, 0)


def dsplit(input, sections):
    return _hvd_split(input, sections, 2)


def sum_to_size(input, *size):
    from ._util import shape_arg, sum_to
    shape = shape_arg(size)
    if shape == () and input._data.dtype.kind in "biu":
        return input.sum()
    return sum_to(input, shape)


def fill_diagonal_(input, fill_value, wrap=False):
    a = input._data
    if a.ndim == 2 and wrap:
        np.fill_diagonal(a, fill_value, wrap=True)
    else:
        n = min(a.shape)
        a[(np.arange(n),) * a.ndim] = fill_value
    input._vbox[0] += 1
    return input


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    from .matmul import addr as _addr
    return _addr(input, vec1, vec2, beta=beta, alpha=alpha)
