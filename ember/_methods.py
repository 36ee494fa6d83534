"""Attach the ops to Tensor as methods, operators and in-place variants (``add_``, ``+=``)."""
import numpy as np

from . import _dtype
from . import _device as _device_mod
from ._device import check_device, device as _device_cls
from ._tensor import TRACERS, Tensor, _traced, _wrap_view
from .autograd.function import Function
from .autograd.grad_mode import MODE
from .autograd import hooks as _hooks
from .ops import (arith, compare, composite, creation, index, matmul, pointwise, random, reduce,
                  shape, softmax)
from .ops import copies as _copies
from .ops import complex as _complex
from .ops.index import _inplace_record


class Clone(Function):
    saved_inputs = ()

    def forward(ctx, x):
        return x.copy()

    def backward(ctx, g):
        return g


class Contiguous(Function):
    saved_inputs = ()

    def forward(ctx, x):
        return np.ascontiguousarray(x)

    def backward(ctx, g):
        return g


def clone(self, *, memory_format=None):
    return Clone.apply(self)


def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return Contiguous.apply(self)


def detach(self):
    """A tensor sharing data (and version counter) with ``self``, cut from the graph."""
    return _wrap_view(self._data, self)


def detach_(self):
    self.grad_fn = None
    self.requires_grad = False
    return self


def requires_grad_(self, requires_grad=True):
    if not requires_grad and self.grad_fn is not None:
        raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                           "use a computed variable in a subgraph that doesn't require differentiation "
                           "use var_no_grad = var.detach().")
    if requires_grad and self._data.dtype.kind not in "fc":
        raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
    self.requires_grad = requires_grad
    return self


def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
    from .autograd import backward as _backward
    _backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def register_hook(self, hook):
    return _hooks.register_tensor_hook(self, hook)


def retain_grad(self):
    _hooks.retain_grad(self)


@property
def retains_grad(self):
    return self._retains_grad


def _parse_to(args, kwargs):
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    for a in args:
        if isinstance(a, bool) or isinstance(a, _device_mod.memory_format):
            continue                    # positional non_blocking / copy / memory_format
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, _dtype.dtype) or a in (float, int, bool):
            dtype = a
        elif isinstance(a, (str, _device_cls)):
            dev = a
        elif a is None:
            continue
        else:
            dtype = a
    return dtype, dev


def to(self, *args, **kwargs):
    """``to(dtype)``, ``to(device)``, ``to(other)``; returns self when nothing changes."""
    dtype, dev = _parse_to(args, kwargs)
    check_device(dev)
    r = self if dtype is None else creation.cast(self, dtype)
    if kwargs.get("copy") and r is self:
        r = clone(self)
    return r


def _cast_method(dt):
    def m(self, memory_format=None):
        return creation.cast(self, dt)
    return m


def type_(self, dtype=None, non_blocking=False, **kw):
    if dtype is None:
        return _LEGACY_NAMES[self.dtype.name]
    if isinstance(dtype, str) and dtype in _LEGACY_TYPES:
        return creation.cast(self, _LEGACY_TYPES[dtype])
    return creation.cast(self, dtype)


_LEGACY_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
                 "float16": "torch.HalfTensor", "int64": "torch.LongTensor", "int32": "torch.IntTensor",
                 "int16": "torch.ShortTensor", "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
                 "bool": "torch.BoolTensor"}
_LEGACY_TYPES = {v: _dtype.to_dtype(k) for k, v in _LEGACY_NAMES.items()}


def cpu(self, memory_format=None):
    return self


def cuda(self, device=None, non_blocking=False, memory_format=None):
    check_device("cuda")


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return creation.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new(fn):
    def m(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return fn(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)
    return m


def new(self, *args, **kwargs):
    """Legacy ``x.new(2, 3)`` / ``x.new([1, 2])``: same dtype as ``x``."""
    if len(args) == 1 and not isinstance(args[0], int):
        return creation.tensor(args[0], dtype=self.dtype)
    return creation.zeros(*args, dtype=self.dtype)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, **kw):
    return creation.full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


# --- in-place machinery -------------------------------------------------------------------------
def _inplace(fn):
    """``x.op_(...)``: compute out of place, write back, bump the version counter."""
    def m(self, *args, **kwargs):
        if MODE.grad_enabled and (self.requires_grad or any(
                isinstance(a, Tensor) and a.requires_grad for a in args)):
            return _inplace_record(self, lambda old: fn(old, *args, **kwargs))
        r = fn(self, *args, **kwargs)
        rd = r._data
        sd = self._data
        if rd.dtype is not sd.dtype and not np.can_cast(rd.dtype, sd.dtype, "same_kind"):
            raise RuntimeError(f"result type {_dtype.from_np(rd.dtype).name.capitalize()} can't be cast to "
                               f"the desired output type {self.dtype.name.capitalize()}")
        if rd.shape != sd.shape:
            try:
                np.broadcast_to(rd, sd.shape)
            except ValueError:
                raise RuntimeError(f"output with shape {list(sd.shape)} doesn't match the broadcast "
                                   f"shape {list(rd.shape)}") from None
        if TRACERS:
            _traced("inplace", self, r)
        np.copyto(sd, rd, casting="unsafe")
        self._vbox[0] += 1
        return self
    m.__name__ = fn.__name__ + "_"
    return m


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        src = creation.tensor(src)
    if MODE.grad_enabled and (self.requires_grad or src.requires_grad):
        return _inplace_record(self, lambda old: src.to(self.dtype).expand(self.shape) + old * 0)
    try:
        b = np.broadcast_to(src._data, self._data.shape)
        if TRACERS:
            _traced("inplace", self, src)
        np.copyto(self._data, b, casting="unsafe")
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self.shape[-1] if self.ndim else 1}) must match the "
                           f"size of tensor b ({src.shape[-1] if src.ndim else 1}) (copy_: destination "
                           f"{list(self.shape)}, source {list(src.shape)})") from None
    self._vbox[0] += 1
    return self


def fill_(self, value):
    if isinstance(value, Tensor):
        value = value.item()
    if MODE.grad_enabled and self.requires_grad:
        return _inplace_record(self, lambda old: old * 0 + value)
    if TRACERS:
        _traced("inplace", self, value)
    self._data.fill(value)
    self._vbox[0] += 1
    return self


def zero_(self):
    if MODE.grad_enabled and self.requires_grad:
        return _inplace_record(self, lambda old: old * 0)
    if TRACERS:
        _traced("inplace", self, 0)
    self._data.fill(0)
    self._vbox[0] += 1
    return self


def set_(self, source):
    self._data = source._data
    self._vbox = source._vbox
    return self


def resize_(self, *size):
    from .ops._util import shape_arg
    shape = shape_arg(size)
    n = int(np.prod(shape))
    flat = np.zeros(n, self._data.dtype)
    m = min(n, self._data.size)
    flat[:m] = self._data.reshape(-1)[:m]
    self._data = flat.reshape(shape)
    return self


def resize_as_(self, other):
    return resize_(self, other.shape)


def share_memory_(self):
    return self


def is_shared(self):
    return False


def pin_memory(self):
    return self


def is_pinned(self):
    return False


def apply_(self, fn):
    flat = self._data.reshape(-1)
    for i in range(flat.size):
        flat[i] = fn(flat[i].item())
    return self


def map_(self, other, fn):
    a, b = self._data.reshape(-1), np.broadcast_to(other._data, self.shape).reshape(-1)
    for i in range(a.size):
        a[i] = fn(a[i].item(), b[i].item())
    return self


def _swap(fn):
    return lambda self, other: fn(other, self)


def _defer(fn):
    """An operator that returns NotImplemented for foreign tensor types (sparse tensors), so
    Python asks their reflected method, as PyTorch's operators do."""
    def m(self, other):
        if isinstance(other, Tensor) or type(other) in _NUMBERS:
            return fn(self, other)
        if hasattr(other, "to_dense") and not isinstance(other, np.ndarray):
            return NotImplemented
        return fn(self, other)
    m.__name__ = fn.__name__
    return m


_NUMBERS = (int, float, bool)


def _getitem(self, idx):
    return index._getitem(self, idx)


def _setitem(self, idx, value):
    index._setitem(self, idx, value)


def _eq(self, other):
    if other is None:
        return False
    return compare.eq(self, other)


def _ne(self, other):
    if other is None:
        return True
    return compare.ne(self, other)


def _pos(self):
    return self


def _and(self, other):
    return compare.bitwise_and(self, other) if self.dtype is not _dtype.bool_ or not isinstance(
        other, Tensor) or other.dtype is not _dtype.bool_ else compare.logical_and(self, other)


def _or(self, other):
    return compare.bitwise_or(self, other) if self.dtype is not _dtype.bool_ or not isinstance(
        other, Tensor) or other.dtype is not _dtype.bool_ else compare.logical_or(self, other)


def _xor(self, other):
    return compare.bitwise_xor(self, other) if self.dtype is not _dtype.bool_ or not isinstance(
        other, Tensor) or other.dtype is not _dtype.bool_ else compare.logical_xor(self, other)


def _invert(self):
    return compare.logical_not(self) if self.dtype is _dtype.bool_ else compare.bitwise_not(self)


def _size_method(self, dim=None):
    return Tensor.size(self, dim)


@property
def T(self):
    return shape.permute(self, tuple(range(self.ndim - 1, -1, -1))) if self.ndim > 1 else self


@property
def mT(self):
    return shape.transpose(self, -2, -1)




@property
def real(self):
    return _complex.real(self)


@property
def imag(self):
    return _complex.imag(self)


@property
def mH(self):
    return _complex.adjoint(self)


@property
def H(self):
    return _complex.conj(T.fget(self))


def _spectral(name):
    """ops.spectral's ``name``, loaded on first use; it then replaces this stand-in method
    (so its warnings point at the caller's line from the next call on)."""
    from .ops import spectral
    fn = getattr(spectral, name)
    setattr(Tensor, name, fn)
    return fn


def _linalg():
    from . import linalg
    return linalg


def _rdiv(self, other):
    """Python 2's reflected division, kept by PyTorch as Tensor.__rdiv__."""
    if not isinstance(self, Tensor):
        raise TypeError(f"descriptor '__rdiv__' for 'Tensor' objects doesn't apply to a "
                        f"'{type(self).__name__}' object")
    return arith.div(other, self)


def _special():
    from . import special
    return special


def _svd(self, some):
    u, s, vh = _linalg().svd(self, full_matrices=not some)
    return u, s, vh.mT


@property
def is_cpu(self):
    return True


@property
def output_nr(self):
    return self._output_nr


METHODS = dict(
    # arithmetic
    add=arith.add, sub=arith.sub, subtract=arith.sub, mul=arith.mul, multiply=arith.mul,
    div=arith.div, divide=arith.div, true_divide=arith.div, floor_divide=arith.floor_divide,
    remainder=arith.remainder, fmod=arith.fmod, pow=arith.pow, float_power=arith.pow,
    maximum=arith.maximum, minimum=arith.minimum, fmax=arith.fmax, fmin=arith.fmin,
    atan2=arith.atan2, arctan2=arith.atan2, lerp=arith.lerp, rsub=arith.rsub,
    addcmul=matmul.addcmul, addcdiv=matmul.addcdiv,
    # pointwise
    clamp=pointwise.clamp, clip=pointwise.clamp, clamp_min=pointwise.clamp_min,
    clamp_max=pointwise.clamp_max, round=pointwise.round, nan_to_num=pointwise.nan_to_num,
    xlogy=pointwise.xlogy,
    # compare
    eq=compare.eq, ne=compare.ne, lt=compare.lt, le=compare.le, gt=compare.gt, ge=compare.ge,
    greater=compare.gt, greater_equal=compare.ge, less=compare.lt, less_equal=compare.le,
    not_equal=compare.ne,
    logical_and=compare.logical_and, logical_or=compare.logical_or, logical_xor=compare.logical_xor,
    logical_not=compare.logical_not, bitwise_and=compare.bitwise_and, bitwise_or=compare.bitwise_or,
    bitwise_xor=compare.bitwise_xor, bitwise_not=compare.bitwise_not,
    isnan=compare.isnan, isinf=compare.isinf, isfinite=compare.isfinite, isposinf=compare.isposinf,
    isneginf=compare.isneginf, signbit=compare.signbit, isclose=compare.isclose,
    allclose=compare.allclose, equal=compare.equal, where=lambda self, cond, other: compare.where(cond, self, other),
    # reductions
    sum=reduce.sum, nansum=reduce.nansum, mean=reduce.mean, nanmean=reduce.nanmean, prod=reduce.prod,
    max=reduce.max, min=reduce.min, amax=reduce.amax, amin=reduce.amin, aminmax=reduce.aminmax,
    argmax=reduce.argmax, argmin=reduce.argmin, var=reduce.var, std=reduce.std, norm=reduce.norm,
    logsumexp=reduce.logsumexp, cumsum=reduce.cumsum, cumprod=reduce.cumprod, cummax=reduce.cummax,
    cummin=reduce.cummin, all=reduce.all, any=reduce.any, count_nonzero=reduce.count_nonzero,
    median=reduce.median, nanmedian=reduce.nanmedian, mode=reduce.mode, quantile=reduce.quantile,
    # products
    matmul=matmul.matmul, mm=matmul.mm, bmm=matmul.bmm, mv=matmul.mv, dot=matmul.dot,
    inner=matmul.inner, outer=matmul.outer, ger=matmul.outer, kron=matmul.kron, trace=matmul.trace,
    addmm=matmul.addmm, baddbmm=matmul.baddbmm, addmv=matmul.addmv, cross=matmul.cross,
    # shape
    view=shape.view, reshape=shape.reshape, view_as=shape.view_as, reshape_as=shape.reshape_as,
    permute=shape.permute, transpose=shape.transpose, swapaxes=shape.transpose,
    swapdims=shape.transpose, t=shape.t, adjoint=shape.adjoint, movedim=shape.movedim,
    moveaxis=shape.movedim, squeeze=shape.squeeze, unsqueeze=shape.unsqueeze, flatten=shape.flatten,
    unflatten=shape.unflatten, ravel=shape.ravel, expand=shape.expand, expand_as=shape.expand_as,
    broadcast_to=shape.broadcast_to, repeat=shape.repeat, tile=shape.tile,
    repeat_interleave=shape.repeat_interleave, split=shape.split, tensor_split=shape.tensor_split,
    chunk=shape.chunk, unbind=shape.unbind, narrow=shape.narrow, select=shape.select,
    flip=shape.flip, fliplr=shape.fliplr, flipud=shape.flipud, roll=shape.roll, rot90=shape.rot90,
    tril=shape.tril, triu=shape.triu, diag=shape.diag, diagonal=shape.diagonal,
    diag_embed=shape.diag_embed, unfold=shape.unfold, as_strided=shape.as_strided,
    # indexing
    gather=index.gather, scatter=index.scatter, scatter_add=index.scatter_add,
    scatter_reduce=index.scatter_reduce, index_select=index.index_select, index_add=index.index_add,
    index_copy=index.index_copy, index_fill=index.index_fill, index_put=index.index_put,
    masked_fill=index.masked_fill, masked_select=index.masked_select,
    masked_scatter=index.masked_scatter, take=index.take, take_along_dim=index.take_along_dim,
    put=index.put, nonzero=index.nonzero, argwhere=index.argwhere, sort=index.sort,
    argsort=index.argsort, msort=index.msort, topk=index.topk, kthvalue=index.kthvalue,
    unique=index.unique, unique_consecutive=index.unique_consecutive, bincount=index.bincount,
    histc=index.histc,
    # softmax
    softmax=softmax.softmax, log_softmax=softmax.log_softmax,
    # composites and linear algebra
    diff=composite.diff, dist=composite.dist, hypot=composite.hypot, logaddexp=composite.logaddexp,
    logaddexp2=composite.logaddexp2, logcumsumexp=composite.logcumsumexp, logit=composite.logit,
    sinc=composite.sinc, deg2rad=composite.deg2rad, rad2deg=composite.rad2deg,
    heaviside=composite.heaviside, copysign=composite.copysign, positive=composite.positive,
    gcd=composite.gcd, lcm=composite.lcm, cov=composite.cov, corrcoef=composite.corrcoef,
    diagflat=composite.diagflat, renorm=composite.renorm, split_with_sizes=composite.split_with_sizes,
    hsplit=composite.hsplit, vsplit=composite.vsplit, dsplit=composite.dsplit,
    sum_to_size=composite.sum_to_size, fill_diagonal_=composite.fill_diagonal_, addr=composite.addr,
    addbmm=matmul.addbmm, vdot=matmul.vdot,
    det=lambda self: _linalg().det(self), inverse=lambda self: _linalg().inv(self),
    logdet=lambda self: _linalg().logdet(self), slogdet=lambda self: _linalg().slogdet(self),
    pinverse=lambda self, rcond=1e-15: _linalg().pinv(self, rcond=rcond),
    matrix_power=lambda self, n: _linalg().matrix_power(self, n),
    matrix_exp=lambda self: _linalg().matrix_exp(self),
    i0=lambda self: _special().i0(self), polygamma=lambda self, n: _special().polygamma(n, self),
    mvlgamma=lambda self, p: _special().mvlgamma(self, p),
    igamma=lambda self, other: _special().igamma(self, other),
    igammac=lambda self, other: _special().igammac(self, other),
    frexp=pointwise.frexp, ldexp=pointwise.ldexp, nextafter=pointwise.nextafter,
    conj=_complex.conj, conj_physical=_complex.conj_physical, resolve_conj=_complex.resolve_conj,
    resolve_neg=_complex.resolve_neg, angle=_complex.angle, is_conj=_complex.is_conj,
    is_neg=_complex.is_neg, unsafe_chunk=_copies.unsafe_chunk,
    unsafe_split=_copies.unsafe_split, index_reduce=index.index_reduce,
    nanquantile=reduce.nanquantile,
    stft=lambda self, *a, **k: _spectral("stft")(self, *a, **k),
    istft=lambda self, *a, **k: _spectral("istft")(self, *a, **k),
    slice_scatter=index.slice_scatter, select_scatter=index.select_scatter,
    diagonal_scatter=index.diagonal_scatter,
    cholesky=lambda self, upper=False: _linalg().cholesky(self, upper=upper),
    qr=lambda self, some=True: _linalg().qr(self, "reduced" if some else "complete"),
    svd=lambda self, some=True, compute_uv=True: _svd(self, some),
    is_nonzero=lambda self: bool(self), is_same_size=lambda self, other: self.shape == other.shape,
    register_post_accumulate_grad_hook=lambda self, hook: _hooks.register_post_accumulate_hook(self, hook),
    # conversions and autograd
    clone=clone, contiguous=contiguous, detach=detach, detach_=detach_, requires_grad_=requires_grad_,
    backward=backward, register_hook=register_hook, retain_grad=retain_grad, to=to, type=type_,
    cpu=cpu, cuda=cuda, float=_cast_method(_dtype.float32), double=_cast_method(_dtype.float64),
    half=_cast_method(_dtype.float16), bfloat16=_cast_method(_dtype.bfloat16),
    long=_cast_method(_dtype.int64), int=_cast_method(_dtype.int32), short=_cast_method(_dtype.int16),
    cfloat=_cast_method(_dtype.complex64), cdouble=_cast_method(_dtype.complex128),
    char=_cast_method(_dtype.int8), byte=_cast_method(_dtype.uint8), bool=_cast_method(_dtype.bool_),
    type_as=lambda self, other: creation.cast(self, other.dtype),
    new_tensor=new_tensor, new_zeros=_new(creation.zeros), new_ones=_new(creation.ones),
    new_empty=_new(creation.empty), new_full=new_full, new=new,
    new_empty_strided=lambda self, size, stride, *, dtype=None, device=None, requires_grad=False,
    layout=None, pin_memory=False: creation.empty(tuple(size), dtype=dtype or self.dtype,
                                                  requires_grad=requires_grad),
    nonzero_static=lambda self, *, size, fill_value=-1: index.nonzero_static(
        self, size=size, fill_value=fill_value),
    copy_=copy_, fill_=fill_, zero_=zero_, set_=set_, resize_=resize_, resize_as_=resize_as_,
    share_memory_=share_memory_, is_shared=is_shared, pin_memory=pin_memory, is_pinned=is_pinned,
    apply_=apply_, map_=map_,
    uniform_=random.uniform_, normal_=random.normal_, bernoulli_=random.bernoulli_,
    random_=random.random_, exponential_=random.exponential_, geometric_=random.geometric_,
    log_normal_=random.log_normal_, cauchy_=random.cauchy_,
    bernoulli=random.bernoulli, multinomial=random.multinomial,
    __getitem__=_getitem, __setitem__=_setitem,
    __add__=_defer(arith.add), __radd__=_defer(arith.add), __sub__=_defer(arith.sub),
    __rsub__=_defer(_swap(arith.sub)), __mul__=_defer(arith.mul), __rmul__=_defer(arith.mul),
    __truediv__=_defer(arith.div), __rtruediv__=_defer(_swap(arith.div)),
    __rdiv__=lambda self, other: _rdiv(self, other),
    __floordiv__=arith.floor_divide, __rfloordiv__=_swap(arith.floor_divide),
    __mod__=arith.remainder, __rmod__=_swap(arith.remainder), __pow__=arith.pow,
    __rpow__=_swap(arith.pow), __matmul__=_defer(matmul.matmul),
    __rmatmul__=_defer(_swap(matmul.matmul)),
    __neg__=pointwise.neg, __abs__=pointwise.abs, __pos__=_pos,
    __eq__=_eq, __ne__=_ne, __lt__=compare.lt, __le__=compare.le, __gt__=compare.gt, __ge__=compare.ge,
    __and__=_and, __rand__=_and, __or__=_or, __ror__=_or, __xor__=_xor, __rxor__=_xor,
    __invert__=_invert,
    T=T, mT=mT, mH=mH, H=H, real=real, imag=imag, retains_grad=retains_grad, is_cpu=is_cpu, output_nr=output_nr,
)

for _name in ("exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "sin", "cos",
              "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
              "sigmoid", "erf", "erfc", "erfinv", "lgamma", "digamma", "reciprocal", "neg", "negative",
              "abs", "absolute", "sign", "sgn", "floor", "ceil", "trunc", "fix", "frac", "square", "relu",
              "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh"):
    METHODS[_name] = getattr(pointwise, _name)

_INPLACE = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
            "floor_divide", "remainder", "fmod", "pow", "clamp", "clip", "clamp_min", "clamp_max",
            "round", "nan_to_num", "lerp", "addcmul", "addcdiv", "masked_fill", "scatter",
            "scatter_add", "scatter_reduce", "index_add", "index_copy", "index_fill", "index_put",
            "masked_scatter", "put", "tril", "triu", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
            "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
            "bitwise_not", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt",
            "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
            "atanh", "sigmoid", "erf", "erfc", "erfinv", "lgamma", "digamma", "reciprocal", "neg",
            "negative", "abs", "absolute", "sign", "sgn", "floor", "ceil", "trunc", "fix", "frac",
            "square", "relu", "maximum", "minimum", "atan2", "xlogy", "cumsum", "cumprod", "softmax",
            "hypot", "logit", "sinc", "deg2rad", "rad2deg", "copysign", "renorm", "addmm", "addbmm",
            "baddbmm", "addmv", "addr", "heaviside", "gcd", "lcm", "float_power", "greater", "greater_equal",
            "less", "less_equal", "not_equal", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
            "arctan2",
            "log_softmax", "t", "squeeze", "unsqueeze", "transpose", "swapaxes", "swapdims", "fmax", "fmin")


def _install():
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    for name in _INPLACE:
        setattr(Tensor, name + "_", _inplace(METHODS[name]))
    Tensor.__iadd__ = Tensor.add_
    Tensor.__isub__ = Tensor.sub_
    Tensor.__imul__ = Tensor.mul_
    Tensor.__itruediv__ = Tensor.div_
    Tensor.__ifloordiv__ = Tensor.floor_divide_
    Tensor.__imod__ = Tensor.remainder_
    Tensor.__ipow__ = Tensor.pow_
    Tensor.__iand__ = _inplace(_and)
    Tensor.__ior__ = _inplace(_or)
    Tensor.__ixor__ = _inplace(_xor)
    Tensor.__imatmul__ = _inplace(matmul.matmul)
    # view-changing in-place ops replace the array rather than copying into it
    for name in ("t", "squeeze", "unsqueeze", "transpose", "swapaxes", "swapdims"):
        setattr(Tensor, name + "_", _reshape_inplace(METHODS[name]))


def _reshape_inplace(fn):
    def m(self, *args, **kwargs):
        r = fn(self, *args, **kwargs)
        self._data = r._data
        if r.grad_fn is not None:
            self.grad_fn, self._output_nr = r.grad_fn, r._output_nr
        return self
    return m


_install()
