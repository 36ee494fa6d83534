"""Indexing: getitem/setitem, gather/scatter, index_select/index_add, masked ops, take,
nonzero, sort/topk/unique, bincount, searchsorted, one_hot."""
import numpy as np

from .. import _dtype
from .._tensor import TRACERS, Tensor, _traced, _wrap, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from .reduce import values_indices


# --- index conversion ----------------------------------------------------------------------
def _conv_index(idx):
    """Turn a PyTorch index into a NumPy one; report whether it is basic (gives a view)."""
    if type(idx) is not tuple:
        idx = (idx,)
    out = []
    basic = True
    for i in idx:
        if isinstance(i, Tensor):
            a = i._data
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if a.dtype == np.uint8:
                a = a.astype(bool)
            out.append(a)
            basic = False
        elif isinstance(i, (list, np.ndarray)):
            a = np.asarray([x.item() if isinstance(x, Tensor) else x for x in i]) if isinstance(i, list) \
                else i
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a)
            basic = False
        elif isinstance(i, (bool, np.bool_)):
            out.append(np.asarray(i))
            basic = False
        else:
            out.append(i)
    return tuple(out), basic


def _index_error(e, shape):
    msg = str(e).replace("axis", "dimension")
    return IndexError(f"{msg} (indexing a tensor of shape {list(shape)})")


class GetItem(Function):
    saved_inputs = ()

    def forward(ctx, x, idx, basic):
        ctx.idx, ctx.basic, ctx.shape, ctx.dt = idx, basic, x.shape, x.dtype
        return x[idx]

    def backward(ctx, g):
        return IndexBackward.apply(g, idx=ctx.idx, basic=ctx.basic, shape=ctx.shape)


class IndexBackward(Function):
    """Scatter-add a gradient into zeros of the source shape (its own backward is getitem)."""
    saved_inputs = ()

    def forward(ctx, g, idx, basic, shape):
        ctx.idx, ctx.basic = idx, basic
        z = np.zeros(shape, g.dtype)
        if basic:
            z[idx] = g
        else:
            np.add.at(z, idx, g)
        return z

    def backward(ctx, gg):
        return GetItem.apply(gg, idx=ctx.idx, basic=ctx.basic)


def _getitem(self, idx):
    if self._data.ndim == 0 and idx is not None and idx is not Ellipsis and type(idx) is not tuple \
            and not isinstance(idx, (Tensor, list, np.ndarray, bool, slice)):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    nidx, basic = _conv_index(idx)
    try:
        out = GetItem.apply(self, idx=nidx, basic=basic)
    except IndexError as e:
        raise _index_error(e, self.shape) from None
    if basic:
        out._vbox = self._vbox
        out._base = self if self._base is None else self._base
    return out


class IndexPut(Function):
    saved_inputs = ()

    def forward(ctx, x, v, idx, accumulate=False):
        ctx.idx, ctx.vshape, ctx.acc = idx, v.shape, accumulate
        r = x.copy()
        if accumulate:
            np.add.at(r, idx, v)
        else:
            r[idx] = v
        return r

    def backward(ctx, g):
        from ._util import sum_to
        gx = g if ctx.acc else IndexPutZero.apply(g, idx=ctx.idx)
        gv = GetItem.apply(g, idx=ctx.idx, basic=False)
        if gv._data.shape != ctx.vshape:
            gv = sum_to(gv, ctx.vshape)
        return gx, gv


class IndexPutZero(Function):
    saved_inputs = ()

    def forward(ctx, g, idx):
        ctx.idx = idx
        r = g.copy()
        r[idx] = 0
        return r

    def backward(ctx, gg):
        return IndexPutZero.apply(gg, idx=ctx.idx)


def _value_tensor(self, value):
    if isinstance(value, Tensor):
        return value.to(self.dtype) if value.dtype is not self.dtype else value
    return _wrap(np.asarray(value, dtype=self._data.dtype))


def _setitem(self, idx, value):
    nidx, basic = _conv_index(idx)
    v = _value_tensor(self, value)
    if MODE.grad_enabled and (self.requires_grad or v.requires_grad):
        _inplace_record(self, lambda old: IndexPut.apply(old, v, idx=nidx))
        return
    if TRACERS:
        _traced("setitem", self, nidx, v)
    try:
        self._data[nidx] = v._data
    except IndexError as e:
        raise _index_error(e, self.shape) from None
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be "
                           f"broadcast to indexing result ({e})") from None
    self._vbox[0] += 1


def _snapshot(t):
    """A copy of ``t``'s values that keeps its place in the graph."""
    old = _wrap(t._data.copy())
    if TRACERS:
        _traced("snapshot", old, t)
    old.requires_grad, old.grad_fn = t.requires_grad, t.grad_fn
    if t._output_nr:
        old._output_nr = t._output_nr
    return old


def _inplace_record(self, compute):
    """In-place op under autograd: compute out of place from a snapshot of ``self``, then
    write the values back and make ``self`` the output of the new node (PyTorch's rebase).
    On a view, the base's history is rewritten too (PyTorch's CopySlices)."""
    if self.grad_fn is None and self.requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if base is not None and base.grad_fn is None and base.requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    r = compute(_snapshot(self))
    if r._data.dtype != self._data.dtype and not np.can_cast(r._data.dtype, self._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {_dtype.from_np(r._data.dtype).name} can't be cast to the "
                           f"desired output type {self.dtype.name}")
    if base is not None and r.requires_grad:
        if TRACERS:
            _traced("side_effect", "in-place op on a view of a tensor that requires grad")
        return _rebase_view(self, base, r)
    if TRACERS:
        _traced("inplace", self, r)
    np.copyto(self._data, r._data, casting="unsafe")
    self._vbox[0] += 1
    self.requires_grad = r.requires_grad
    self.grad_fn = r.grad_fn
    self._output_nr = r._output_nr
    return self


def _positions_in_base(view, base):
    """Flat (C-order) positions in ``base`` of every element of ``view`` (they share memory)."""
    def addresses(a):
        ptr = a.__array_interface__["data"][0]
        idx = np.indices(a.shape, sparse=True) if a.ndim else ()
        addr = np.full(a.shape, ptr, dtype=np.int64)
        for i, st in zip(idx, a.strides):
            addr = addr + i * st
        return addr
    ab = addresses(base).reshape(-1)
    order = np.argsort(ab, kind="stable")
    found = np.searchsorted(ab[order], addresses(view))
    return order[found]


def _rebase_view(view, base, r):
    """Write ``r`` into ``view`` and record it on ``base``'s graph as an index_put."""
    pos = _wrap(_positions_in_base(view._data, base._data).reshape(-1))
    new_flat = _snapshot(base).reshape(-1).index_put((pos,), r.to(view.dtype).reshape(-1))
    nb = new_flat.reshape(base.shape)
    np.copyto(base._data, nb._data, casting="unsafe")
    base._vbox[0] += 1
    base.requires_grad, base.grad_fn = True, nb.grad_fn
    nv = new_flat[pos].reshape(view.shape)
    view.requires_grad, view.grad_fn = True, nv.grad_fn
    view._output_nr = nv._output_nr
    return view


def index_put(input, indices, values, accumulate=False):
    nidx, _ = _conv_index(tuple(indices))
    return IndexPut.apply(input, _value_tensor(input, values), idx=nidx, accumulate=accumulate)


def index_put_(input, indices, values, accumulate=False):
    r = index_put(input, indices, values, accumulate)
    return _assign(input, r)


def _assign(self, r):
    """Write out-of-place result ``r`` into ``self`` (rebasing the graph when recording)."""
    if r.requires_grad and MODE.grad_enabled:
        return _inplace_record(self, lambda old: r)
    np.copyto(self._data, r._data, casting="unsafe")
    self._vbox[0] += 1
    return self


# --- gather / scatter ------------------------------------------------------------------------
def _full_index(index, dim):
    """Index tuple addressing ``out[i0, .., index[i], .., in]`` for every position of index."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _check_index(name, input, dim, index):
    dt = index._data.dtype
    if (dt.kind not in "iu" or dt == np.uint8) and index._data.size:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if index.ndim != input.ndim and index.numel() and input.ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor "
                           f"({name}: input {list(input.shape)}, index {list(index.shape)})")


class Gather(Function):
    saved_inputs = ()

    def forward(ctx, x, index, dim):
        ctx.shape, ctx.dim = x.shape, dim
        fi = _full_index(index, dim)
        ctx.fi = fi
        try:
            return x[fi]
        except IndexError as e:
            raise RuntimeError(f"gather(): index out of bounds: {e} (input {list(x.shape)})") from None

    def backward(ctx, g):
        return ScatterAddZeros.apply(g, fi=ctx.fi, shape=ctx.shape), None


class ScatterAddZeros(Function):
    saved_inputs = ()

    def forward(ctx, g, fi, shape):
        ctx.fi = fi
        z = np.zeros(shape, g.dtype)
        np.add.at(z, fi, g)
        return z

    def backward(ctx, gg):
        return GetItem.apply(gg, idx=ctx.fi, basic=False)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (dim=1 shown)."""
    d = _wrap_dim(dim, input.ndim, "gather")
    _check_index("gather", input, d, index)
    if out is not None and out._data.dtype != input._data.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {input.dtype}, but got {out.dtype} "
                           "instead")
    if index._data.size == 0:
        r = input.reshape(-1)[:0].reshape(index.shape)
        return r if out is None else out.copy_(r)
    if input.ndim == 0 or index.ndim == 0:     # 0-d behaves as 1-d of size 1
        r = gather(input.reshape(-1), 0, index.reshape(-1)).reshape(index.shape)
        return r if out is None else out.copy_(r)
    r = Gather.apply(input, index, dim=d)
    if out is not None:
        from .arith import _out
        return _out(r, out)
    return r


def take_along_dim(input, indices, dim=None):
    """gather along ``dim`` with the other dims of input and indices broadcast together."""
    if dim is None:
        return input.reshape(-1)[indices.reshape(-1)]
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {input.ndim} dimensions for input, and {indices.ndim} "
                           "dimensions for indices")
    d = _wrap_dim(dim, input.ndim, "take_along_dim")
    si, sx = list(indices.shape), list(input.shape)
    si[d] = sx[d] = 1
    b = np.broadcast_shapes(tuple(si), tuple(sx))
    ti, tx = list(b), list(b)
    ti[d], tx[d] = indices.shape[d], input.shape[d]
    return gather(input.expand(tuple(tx)), d, indices.expand(tuple(ti)))


def scatter_into_zeros(g, dim, index, shape):
    """Gradient helper for max/min/sort along a dim: put ``g`` at ``index``, zeros elsewhere."""
    return ScatterAddZeros.apply(g, fi=_full_index(index._data, dim), shape=shape)


class Scatter(Function):
    saved_inputs = ()

    def forward(ctx, x, src, index, dim, reduce=None):
        fi = _full_index(index, dim)
        ctx.fi = fi
        r = x.copy()
        s = src if src.ndim == 0 else src[tuple(slice(0, n) for n in index.shape)]
        if reduce is None:
            r[fi] = s
        elif reduce in ("add", "sum"):
            np.add.at(r, fi, s)
        elif reduce in ("multiply", "prod"):
            np.multiply.at(r, fi, s)
        elif reduce == "amax":
            np.maximum.at(r, fi, s)
        elif reduce == "amin":
            np.minimum.at(r, fi, s)
        else:
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
        ctx.reduce, ctx.src_shape, ctx.idx_shape = reduce, src.shape, index.shape
        return r

    def backward(ctx, g):
        if ctx.reduce in (None,):
            gx = IndexPutZero.apply(g, idx=ctx.fi)
        else:
            gx = g
        gs = GetItem.apply(g, idx=ctx.fi, basic=False)
        if ctx.src_shape == ():
            gs = None
        elif gs.shape != ctx.src_shape:
            from ..nn.functional import pad
            p = []
            for a, b in zip(reversed(ctx.src_shape), reversed(gs.shape)):
                p += [0, a - b]
            gs = pad(gs, tuple(p))
        return gx, gs, None


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    d = _wrap_dim(dim, input.ndim, "scatter")
    if src is None:
        src = value
    _check_index("scatter", input, d, index)
    if input.ndim == 0 or index.ndim == 0:     # 0-d behaves as 1-d of size 1
        s = src.reshape(-1) if isinstance(src, Tensor) else src
        return scatter(input.reshape(-1), 0, index.reshape(-1), s, reduce=reduce).reshape(input.shape)
    if not isinstance(src, Tensor):
        src = _wrap(np.asarray(src, input._data.dtype))
    elif src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return Scatter.apply(input, src, index, dim=d, reduce=reduce)


def scatter_add(input, dim, index, src):
    return scatter(input, dim, index, src, reduce="add")


_REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum,
             "mean": np.add}


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    lim = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype) if dtype.kind in "iu" else None
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce == "amin"
    return lim.min if reduce == "amax" else lim.max


class ScatterReduce(Function):
    """scatter_reduce: sum/prod/mean/amax/amin of src into self at index (self included or not)."""

    def forward(ctx, x, src, index, dim, reduce, include_self):
        fi = _full_index(index, dim)
        s = src[tuple(slice(0, n) for n in index.shape)]
        r = x.copy()
        hit = np.zeros(x.shape, bool)
        hit[fi] = True
        if not include_self:
            r[hit] = _identity(reduce, x.dtype)
        _REDUCERS[reduce].at(r, fi, s)
        cnt = None
        if reduce == "mean":
            cnt = np.zeros(x.shape, np.int64)
            np.add.at(cnt, fi, 1)
            cnt = cnt + (1 if include_self else 0)
            cnt = np.maximum(cnt, 1)
            r = (r // cnt).astype(x.dtype) if x.dtype.kind in "iu" else (r / cnt).astype(x.dtype)
        ctx.fi, ctx.hit, ctx.cnt, ctx.s_shape, ctx.i_shape = fi, hit, cnt, src.shape, index.shape
        ctx.reduce, ctx.include_self, ctx.r = reduce, include_self, r
        return r

    def backward(ctx, g):
        x, src = ctx.inputs[0], ctx.inputs[1]
        fi, reduce = ctx.fi, ctx.reduce
        keep_self = _wrap(~ctx.hit | ctx.include_self)
        if reduce == "mean":
            g = g / _wrap(ctx.cnt.astype(g._data.dtype))
        if reduce in ("sum", "mean"):
            gx, gs = g * keep_self, GetItem.apply(g, idx=fi, basic=False)
        elif reduce == "prod":
            r = _wrap(ctx.r)
            s = src[tuple(slice(0, n) for n in ctx.i_shape)] if src.ndim else src
            gx = g * keep_self * r / x
            gs = GetItem.apply(g * r, idx=fi, basic=False) / s
        else:
            # NOTE: amax/amin share the gradient evenly among every value equal to the result.
            r = _wrap(ctx.r)
            s = src[tuple(slice(0, n) for n in ctx.i_shape)] if src.ndim else src
            on_x = (x == r) & keep_self
            on_s = s == GetItem.apply(r, idx=fi, basic=False)
            n = on_x.to(g.dtype) + ScatterAddZeros.apply(on_s.to(g.dtype), fi=fi, shape=x.shape)
            share = g / n
            gx = share * on_x
            gs = GetItem.apply(share, idx=fi, basic=False) * on_s
        if tuple(gs.shape) != ctx.s_shape:
            from ..nn.functional import pad
            p = []
            for a, b in zip(reversed(ctx.s_shape), reversed(gs.shape)):
                p += [0, a - b]
            gs = pad(gs, tuple(p))
        return gx, gs, None


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into ``input`` at ``index`` along ``dim``: 'sum', 'prod', 'mean', 'amax',
    'amin'; ``include_self=False`` leaves the old values of the written positions out."""
    if reduce not in _REDUCERS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    d = _wrap_dim(dim, input.ndim, "scatter_reduce")
    _check_index("scatter_reduce", input, d, index)
    if input.ndim == 0 or index.ndim == 0:
        return scatter_reduce(input.reshape(-1), 0, index.reshape(-1), src.reshape(-1), reduce,
                              include_self=include_self).reshape(input.shape)
    return ScatterReduce.apply(input, src.to(input.dtype), index, dim=d, reduce=reduce,
                               include_self=include_self)


class IndexSelect(Function):
    saved_inputs = ()

    def forward(ctx, x, index, dim):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        try:
            return np.take(x, index, axis=dim)
        except IndexError as e:
            raise IndexError(f"index_select(): {e}".replace("axis", "dimension")) from None

    def backward(ctx, g):
        idx = (slice(None),) * ctx.dim + (ctx.index,)
        return IndexBackward.apply(g, idx=idx, basic=False, shape=ctx.shape), None


def index_select(input, dim, index):
    d = _wrap_dim(dim, input.ndim, "index_select")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype.is_floating_point:
        raise IndexError("index_select(): Expected dtype int32/int64 for index")
    if input.ndim == 0:
        return input.clone()
    return IndexSelect.apply(input, index.reshape(-1), dim=d)


def _as_1d(fn):
    """index_add/copy/fill treat a 0-d input (and 0-d source) as 1-d of size 1."""
    def op(input, dim, index, source, **kw):
        if input.ndim == 0:
            _wrap_dim(dim, 0, fn.__name__)
            src = source.reshape(-1) if isinstance(source, Tensor) and source.ndim == 0 else source
            return fn(input.reshape(1), 0, index.reshape(-1), src, **kw).reshape(())
        if isinstance(source, Tensor) and source.ndim == 0 and fn.__name__ != "index_fill":
            source = source.reshape(1)
        return fn(input, dim, index.reshape(-1) if index.ndim == 0 else index, source, **kw)
    op.__name__ = fn.__name__
    return op


@_as_1d
def index_add(input, dim, index, source, *, alpha=1):
    d = _wrap_dim(dim, input.ndim, "index_add")
    want = tuple(input.shape[:d]) + (index.numel(),) + tuple(input.shape[d + 1:])
    if source.ndim and tuple(source.shape) != want:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")
    if alpha != 1:
        source = source * alpha
    idx = (slice(None),) * d + (index._data,)
    return IndexPut.apply(input, source.to(input.dtype), idx=idx, accumulate=True)


@_as_1d
def index_copy(input, dim, index, source):
    d = _wrap_dim(dim, input.ndim, "index_copy")
    idx = (slice(None),) * d + (index._data,)
    return IndexPut.apply(input, source.to(input.dtype), idx=idx)


@_as_1d
def index_fill(input, dim, index, value):
    d = _wrap_dim(dim, input.ndim, "index_fill")
    idx = (slice(None),) * d + (np.unique(index._data),)
    return IndexPut.apply(input, _value_tensor(input, value), idx=idx)


class MaskedFill(Function):
    saved_inputs = ()

    def forward(ctx, x, mask, value):
        ctx.mask = mask
        ctx.shape = x.shape
        shape = x.shape if mask.shape == x.shape else np.broadcast_shapes(x.shape, mask.shape)
        # NOTE: copy + copyto(where=) is ~3x faster than np.where for an attention mask.
        out = np.array(np.broadcast_to(x, shape), copy=True)
        np.copyto(out, np.asarray(value, x.dtype), where=mask, casting="unsafe")
        return out

    def backward(ctx, g):
        from ._util import sum_to
        from .compare import where
        return sum_to(where(_wrap(ctx.mask), 0.0, g), ctx.shape), None


def masked_fill(input, mask, value):
    """Fill ``value`` where the bool ``mask`` (broadcastable) is true."""
    if mask.dtype is not _dtype.bool_:
        if mask.dtype is _dtype.uint8:
            mask = mask.bool()
        else:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{mask.dtype.name}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        if value.requires_grad and MODE.grad_enabled:
            from .compare import where
            shape = np.broadcast_shapes(input.shape, mask.shape)
            return where(mask, value.to(input.dtype), input).expand(shape)
        value = value.item()
    try:
        np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({input.shape[-1] if input.ndim else 1}) must match "
                           f"the size of tensor b ({mask.shape[-1] if mask.ndim else 1}) (masked_fill: "
                           f"input {list(input.shape)}, mask {list(mask.shape)})") from None
    return MaskedFill.apply(input, mask, value=value)


def masked_select(input, mask):
    shape = np.broadcast_shapes(input.shape, mask.shape)
    return input.expand(shape)[mask.expand(shape)]


def masked_scatter(input, mask, source):
    shape = np.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    input = input.expand(shape) if tuple(input.shape) != shape else input
    m = mask.expand(shape)
    n = int(m.sum().item())
    return IndexPut.apply(input, source.reshape(-1)[:n], idx=(m._data,))


def take(input, index):
    return input.reshape(-1)[index]


def put(input, index, source, accumulate=False):
    flat = input.reshape(-1)
    return index_put(flat, (index.reshape(-1),), source.reshape(-1), accumulate).view(input.shape)


# --- selection and ordering ----------------------------------------------------------------------
def nonzero(input, *, as_tuple=False):
    a = input._data
    if as_tuple:
        if a.ndim == 0:
            return (_wrap(np.nonzero(np.atleast_1d(a))[0].astype(np.int64)),)
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(a))
    return _wrap(np.argwhere(a).astype(np.int64))


def argwhere(input):
    return nonzero(input)


def sort(input, dim=-1, descending=False, stable=False):
    from ._util import refuse_complex
    refuse_complex(input, "Sort does not support complex dtypes on CPU")
    """(values, indices) sorted along ``dim``."""
    if isinstance(dim, bool):
        dim, descending = -1, dim
    if input.ndim == 0:
        return values_indices["sort"](input.clone(), _wrap(np.array(0)))
    d = _wrap_dim(dim, input.ndim, "sort")
    a = input._data
    if descending:
        # NOTE: a stable ascending sort of the reversed array, reversed back, is a stable
        # descending sort for every dtype (bool, unsigned, INT_MIN) with NaN first, as PyTorch.
        n = a.shape[d]
        idx = np.flip(n - 1 - np.argsort(np.flip(a, d), axis=d, kind="stable"), d)
    else:
        idx = np.argsort(a, axis=d, kind="stable")
    idx_t = _wrap(idx.astype(np.int64))
    return values_indices["sort"](gather(input, d, idx_t), idx_t)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable).indices


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    from ._util import refuse_complex
    refuse_complex(input, "topk does not support complex dtypes on CPU")
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    d = _wrap_dim(dim, input.ndim, "topk")
    n = input.shape[d] if input.ndim else 1
    if k > n or k < 0:
        raise RuntimeError(f"selected index k out of range (k={k}, dimension {d} has size {n})")
    s = sort(input, d, descending=largest)
    v = s.values.narrow(d, 0, k) if input.ndim else s.values
    i = s.indices.narrow(d, 0, k) if input.ndim else s.indices
    return values_indices["topk"](v, i)


def kthvalue(input, k, dim=-1, keepdim=False):
    from ._util import refuse_complex
    refuse_complex(input, '"kthvalue_cpu" not implemented for \'{dtype}\'', NotImplementedError)
    d = _wrap_dim(dim, input.ndim, "kthvalue")
    if input.ndim == 0:
        v, i = kthvalue(input.reshape(1), k, 0)
        return values_indices["kthvalue"](v, i)
    s = sort(input, d)
    v, i = s.values.narrow(d, k - 1, 1), s.indices.narrow(d, k - 1, 1)
    if not keepdim:
        v, i = v.squeeze(d), i.squeeze(d)
    return values_indices["kthvalue"](v, i)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    a = input._data
    res = np.unique(a, return_inverse=return_inverse, return_counts=return_counts, axis=dim)
    if not (return_inverse or return_counts):
        return _wrap(res)
    out = [_wrap(res[0])]
    k = 1
    if return_inverse:
        inv = res[k].reshape(a.shape if dim is None else -1).astype(np.int64)
        out.append(_wrap(inv))
        k += 1
    if return_counts:
        out.append(_wrap(res[k].astype(np.int64)))
    return tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal elements (of equal slices along ``dim``)."""
    if dim is None:
        a = input._data.reshape(-1)
        rows = a.reshape(-1, 1)
    else:
        d = _wrap_dim(dim, input.ndim, "unique_consecutive")
        a = np.moveaxis(input._data, d, 0)
        rows = a.reshape(a.shape[0], -1)
    n = rows.shape[0]
    keep = np.ones(n, bool)
    if n > 1:
        keep[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
    vals = a[keep] if dim is None else np.moveaxis(a[keep], 0, d)
    out = [_wrap(np.ascontiguousarray(vals))]
    if return_inverse:
        inv = (np.cumsum(keep) - 1).astype(np.int64)
        out.append(_wrap(inv.reshape(input.shape) if dim is None else inv))
    if return_counts:
        pos = np.flatnonzero(keep)
        out.append(_wrap(np.diff(np.append(pos, n)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    if input.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if input.numel() and input._data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None if weights is None else weights._data
    r = np.bincount(input._data, w, minlength)
    if w is None:
        return _wrap(r.astype(np.int64))
    return _wrap(r.astype(np.float64 if w.dtype.kind != "f" else w.dtype))


def histc(input, bins=100, min=0, max=0):
    a = input._data
    lo, hi = (a.min(), a.max()) if min == 0 and max == 0 else (min, max)
    h, _ = np.histogram(a, bins=bins, range=(lo, hi))
    return _wrap(h.astype(a.dtype))


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or weights) per bin, the last bin closed, as np.histogram."""
    import collections
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same "
                           f"dtype, but got input {input.dtype} and bins {input.dtype}")
    b = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._data
    h, edges = np.histogram(a, bins=b, range=range, weights=w, density=density)
    cls = collections.namedtuple("histogram", ("hist", "bin_edges"))
    return cls(_wrap(h.astype(a.dtype)), _wrap(np.asarray(edges, a.dtype)))


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    import collections
    a = input._data
    pts = a.reshape(-1, a.shape[-1])
    if isinstance(bins, Tensor):        # bin counts given as a tensor of ints
        bins = bins._data.tolist()
    b = [x._data for x in bins] if isinstance(bins, (list, tuple)) and bins and \
        isinstance(bins[0], Tensor) else bins
    rng = None if range is None else [(range[2 * i], range[2 * i + 1]) for i in builtins_range(len(range) // 2)]
    w = None if weight is None else weight._data.reshape(-1)
    cls = collections.namedtuple("histogramdd", ("hist", "bin_edges"))
    if isinstance(b, list) and b and isinstance(b[0], np.ndarray) and \
            any(e.size > 1 and e[0] > e[-1] for e in b):
        # NOTE: edges that run backwards hold no point in PyTorch (its counts are all zero,
        # NaN for a density); NumPy refuses them.
        h = np.full(tuple(e.size - 1 for e in b), np.nan if density else 0.0)
        return cls(_wrap(h.astype(a.dtype)), [_wrap(np.asarray(e, a.dtype)) for e in b])
    h, edges = np.histogramdd(pts, bins=b, range=rng, weights=w, density=density)
    return cls(_wrap(h.astype(a.dtype)), [_wrap(np.asarray(e, a.dtype)) for e in edges])


builtins_range = range


def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in an array of ``shape``: a tuple of int64 tensors."""
    if isinstance(indices, Tensor):
        if indices._data.dtype.kind not in "iu":
            raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
        idx = indices._data
    else:
        idx = np.asarray(indices)
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise RuntimeError("'shape' cannot have negative values, but got " + str(shape))
    n = int(np.prod(shape))
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise RuntimeError("'indices' must be in range [-prod(shape), prod(shape) - 1]")
    idx = np.where(idx < 0, idx + n, idx)
    return tuple(_wrap(np.asarray(c, np.int64)) for c in np.unravel_index(idx, shape))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    side = side or ("right" if right else "left")
    s = sorted_sequence._data
    if sorter is not None:          # the sequence is sorted once permuted by sorter
        s = np.take_along_axis(s, sorter._data.astype(np.int64), -1)
    v = input._data if isinstance(input, Tensor) else np.asarray(input)
    if s.ndim == 1:
        r = np.searchsorted(s, v, side=side)
    else:
        r = np.stack([np.searchsorted(s[i], v[i], side=side) for i in np.ndindex(s.shape[:-1])])
        r = r.reshape(v.shape)
    return _wrap(np.asarray(r).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=not right if False else right)


def one_hot(tensor, num_classes=-1):
    """Integer class indices -> one-hot int64 tensor with a trailing class dim."""
    if tensor.dtype is not _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    if num_classes == -1:
        num_classes = int(a.max()) + 1 if a.size else 0
    if a.size and (a.min() < 0 or a.max() >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes." if a.size and a.max() >= num_classes
                           else "Class values must be non-negative.")
    return _wrap(np.eye(num_classes, dtype=np.int64)[a])


def nonzero_static(input, *, size, fill_value=-1):
    """nonzero's (n, ndim) indices cut or padded with ``fill_value`` to exactly ``size`` rows."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, got {size}")
    nz = np.argwhere(input._data)[:size].astype(np.int64)
    out = np.full((size, input.ndim), fill_value, np.int64)
    out[:len(nz)] = nz
    return _wrap(out)


# --- writing one tensor into a slice, a selection or a diagonal of a copy of another --------------
def _scatter_into(input, src, idx):
    r = input.clone()
    r[idx] = src.to(input.dtype)
    return r


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of input with ``input[..., start:end:step, ...] = src`` along ``dim``."""
    d = _wrap_dim(dim, input.ndim, "slice_scatter")
    return _scatter_into(input, src, (slice(None),) * d + (slice(start, end, step),))


def select_scatter(input, src, dim, index):
    d = _wrap_dim(dim, input.ndim, "select_scatter")
    return _scatter_into(input, src, (slice(None),) * d + (index,))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input with its ``offset`` diagonal over (dim1, dim2) replaced by src."""
    d1, d2 = _wrap_dim(dim1, input.ndim, "diagonal_scatter"), _wrap_dim(dim2, input.ndim, "diagonal_scatter")
    x = input.movedim((d1, d2), (-2, -1))
    m, n = x.shape[-2:]
    k = max(0, min(m + min(offset, 0), n - max(offset, 0)))
    rows = np.arange(k) + max(-offset, 0)
    cols = np.arange(k) + max(offset, 0)
    r = _scatter_into(x, src, (Ellipsis, rows, cols))
    return r.movedim((-2, -1), (d1, d2))


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduce rows of ``source`` into ``input`` at ``index`` along ``dim`` ('prod', 'mean',
    'amax', 'amin')."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin "
                           f"but got {reduce}.")
    d = _wrap_dim(dim, input.ndim, "index_reduce")
    if index.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if input.ndim == 0:
        return index_reduce(input.reshape(1), 0, index.reshape(-1), source.reshape(-1), reduce,
                            include_self=include_self).reshape(())
    src = source.reshape(1) if source.ndim == 0 else source
    shape = [1] * src.ndim
    shape[d] = -1
    full = index.reshape(-1).reshape(tuple(shape)).expand(tuple(src.shape))
    return scatter_reduce(input, d, full, src, reduce, include_self=include_self)
