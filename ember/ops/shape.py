"""Shape ops: view/reshape, permute/transpose, squeeze/unsqueeze, expand, cat/stack, split,
flip/roll, tril/triu, ...  Views share memory and the version counter with their base."""
import numpy as np

from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ._util import np_sum_to, shape_arg, sum_to


def _as_view(out, base):
    """Make ``out`` (whose array is a NumPy view of ``base``'s) a view in PyTorch's sense."""
    out._vbox = base._vbox
    out._base = base if base._base is None else base._base
    return out


def _infer_shape(shape, numel, op="view"):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        rest = 1
        for i, s in enumerate(shape):
            if i != neg[0]:
                rest *= s
        if rest == 0 or numel % rest:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // rest
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class Reshape(Function):
    saved_inputs = ()

    def forward(ctx, x, shape, view=False):
        ctx.in_shape = x.shape
        if view:
            r = x.view()
            try:
                r.shape = shape
            except AttributeError:
                raise RuntimeError("view size is not compatible with input tensor's size and stride "
                                   "(at least one dimension spans across two contiguous subspaces). "
                                   "Use .reshape(...) instead.") from None
            return r
        return x.reshape(shape)

    def backward(ctx, g):
        if not MODE.grad_enabled:
            return _wrap(g._data.reshape(ctx.in_shape))
        return g.reshape(ctx.in_shape)


def reshape(input, *shape):
    """A tensor with the same data in ``shape`` (a view when the strides allow)."""
    shape = _infer_shape(shape_arg(shape), input._data.size, "reshape")
    if shape == input._data.shape:
        return _as_view(Reshape.apply(input, shape=shape, view=True), input) if input.requires_grad \
            else _as_view(_wrap(input._data.view()), input)
    out = Reshape.apply(input, shape=shape)
    if np.may_share_memory(out._data, input._data):
        _as_view(out, input)
    return out


def view(input, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)) and shape[0] is not None \
            and not isinstance(shape[0], Tensor):
        return input.to(shape[0])  # view(dtype): reinterpretation is only allowed same-size
    shape = _infer_shape(shape_arg(shape), input._data.size)
    return _as_view(Reshape.apply(input, shape=shape, view=True), input)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


class Permute(Function):
    saved_inputs = ()

    def forward(ctx, x, perm):
        ctx.perm = perm
        return x.transpose(perm)

    def backward(ctx, g):
        inv = tuple(np.argsort(ctx.perm))
        if not MODE.grad_enabled:
            return _wrap(g._data.transpose(inv))
        return g.permute(inv)


def permute(input, *dims):
    nd = input._data.ndim
    d = shape_arg(dims) if dims and not isinstance(dims[0], int) else tuple(dims)
    if len(d) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {nd} is not equal to len(dims) = {len(d)}")
    d = tuple(_wrap_dim(i, nd, "permute") for i in d)
    if len(set(d)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(Permute.apply(input, perm=d), input)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    if nd == 0:
        return _as_view(_wrap(input._data.view()), input) if not input.requires_grad else input.view(())
    a, b = _wrap_dim(dim0, nd, "transpose"), _wrap_dim(dim1, nd, "transpose")
    perm = list(range(nd))
    perm[a], perm[b] = b, a
    return _as_view(Permute.apply(input, perm=tuple(perm)), input)


swapaxes = swapdims = transpose


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    if input._data.ndim < 2:
        return input
    return transpose(input, 0, 1)


def adjoint(input):
    from .complex import conj
    return conj(transpose(input, -2, -1))


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should "
                           f"contain the same number of dims as destination ({dst} dims)")
    src = [_wrap_dim(s, nd) for s in src]
    dst = [_wrap_dim(s, nd) for s in dst]
    for name, ds, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given) if not isinstance(given, int) else [given]})")
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order))


moveaxis = movedim


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        ds = {_wrap_dim(d, len(shape), "squeeze") for d in ds}
        new = tuple(s for i, s in enumerate(shape) if not (i in ds and s == 1))
    if new == shape:
        return _as_view(Reshape.apply(input, shape=shape, view=True), input)
    return _as_view(Reshape.apply(input, shape=new, view=True), input)


def unsqueeze(input, dim):
    nd = input._data.ndim
    d = _wrap_dim(dim, nd + 1, "unsqueeze")
    shape = list(input._data.shape)
    shape.insert(d, 1)
    return _as_view(Reshape.apply(input, shape=tuple(shape), view=True), input)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s = _wrap_dim(start_dim, len(shape), "flatten")
    e = _wrap_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    n = 1
    for x in shape[s:e + 1]:
        n *= x
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input, dim, sizes):
    shape = list(input._data.shape)
    d = _wrap_dim(dim, len(shape), "unflatten")
    sizes = _infer_shape(tuple(sizes), shape[d], "unflatten")
    return reshape(input, tuple(shape[:d]) + sizes + tuple(shape[d + 1:]))


def ravel(input):
    return reshape(input, (-1,))


class Expand(Function):
    saved_inputs = ()

    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(ctx, g):
        if not MODE.grad_enabled:
            return _wrap(np_sum_to(g._data, ctx.in_shape))
        return sum_to(g, ctx.in_shape)


def expand(input, *sizes):
    sizes = shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    new = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"expand: the expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension")
            new.append(s)
        else:
            cur = shape[i - lead]
            if s == -1:
                new.append(cur)
            elif cur != 1 and s != cur:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                                   f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}."
                                   f"  Tensor sizes: {list(shape)}")
            else:
                new.append(s)
    new = tuple(new)
    if new == shape:
        return input
    return _as_view(Expand.apply(input, shape=new), input)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    from .._tensor import Size
    return Size(np.broadcast_shapes(*shapes))


class Cat(Function):
    saved_inputs = ()

    def forward(ctx, *xs, dim):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    def backward(ctx, g):
        return tuple(g.split(ctx.sizes, ctx.dim))


def cat(tensors, dim=0, *, out=None):
    """Concatenate along ``dim``; shapes must match elsewhere (1-d empty tensors are skipped)."""
    tensors = [t for t in tensors]
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element in argument 0, but got {type(t).__name__}")
    keep = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or tensors[:1]
    ref = keep[0]
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, nd, "cat")
    for i, t in enumerate(keep):
        if t._data.ndim != nd or any(a != b for k, (a, b) in enumerate(zip(t.shape, ref.shape)) if k != d):
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                               f"{_mismatch(ref, t, d)} for tensor number {i} in the list. "
                               f"(shapes {list(ref.shape)} and {list(t.shape)})")
    dt = keep[0].dtype
    for t in keep[1:]:
        if t.dtype is not dt:
            from .. import _dtype
            dt = _dtype.promote_types(dt, t.dtype)
    keep = [t.to(dt) for t in keep]
    r = Cat.apply(*keep, dim=d)
    if out is not None:
        out.copy_(r)
        return out
    return r


def _mismatch(ref, t, d):
    for k, (a, b) in enumerate(zip(ref.shape, t.shape)):
        if k != d and a != b:
            return f"{a} but got size {b} for dimension {k}"
    return f"{ref.ndim} dims but got {t.ndim}"


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Stack equally shaped tensors along a new dimension ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at "
                               f"entry 0 and {list(t.shape)} at entry {i}")
    d = _wrap_dim(dim, len(s0) + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d, out=out)


def hstack(tensors):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    return hstack([t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors])


def _each(fn):
    """atleast_Nd(t), atleast_Nd(t1, t2, ...) and atleast_Nd([t1, t2]) as PyTorch."""
    def op(*tensors):
        if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
            return fn(tensors[0])
        if len(tensors) == 1:
            tensors = tensors[0]
        return tuple(fn(t) for t in tensors)
    op.__name__ = fn.__name__
    op.__doc__ = fn.__doc__
    return op


@_each
def atleast_1d(t):
    return t.reshape(1) if t.ndim == 0 else t


@_each
def atleast_2d(t):
    return t.reshape(1, -1) if t.ndim < 2 else t


@_each
def atleast_3d(t):
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.reshape(1, -1, 1)
    if t.ndim == 2:
        return t.unsqueeze(-1)
    return t


class Split(Function):
    saved_inputs = ()

    def forward(ctx, x, sizes, dim):
        ctx.dim, ctx.shape = dim, x.shape
        idx = np.cumsum(sizes)[:-1]
        return tuple(np.split(x, idx, axis=dim))

    def backward(ctx, *gs):
        return cat(list(gs), ctx.dim)


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of ``split_size`` (the last may be smaller) or of the listed sizes."""
    nd = tensor._data.ndim
    d = _wrap_dim(dim, nd, "split")
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    else:
        s = int(split_size_or_sections)
        if s <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s else [0]
        if not sizes:
            sizes = [0]
    outs = Split.apply(tensor, sizes=sizes, dim=d)
    for o in outs:
        _as_view(o, tensor)
    return outs


def tensor_split(input, indices_or_sections, dim=0):
    d = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor "
                           "with 0 dims")
    n = input.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype.kind not in "iu":
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have integer "
                               f"dtype, but got {ios.dtype}")
        if ios.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional "
                               f"or one-dimensional tensor, but got a tensor with {ios.ndim} dims")
        indices_or_sections = int(ios.item()) if ios.ndim == 0 else [int(v) for v in ios._data]
    if isinstance(indices_or_sections, int):
        if indices_or_sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {indices_or_sections}")
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        idx = [0] + list(indices_or_sections) + [n]
        sizes = [max(min(b, n) - min(a, n), 0) for a, b in zip(idx[:-1], idx[1:])]
    return split(input, sizes, d)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: %d" % chunks)
    d = _wrap_dim(dim, input._data.ndim, "chunk")
    n = input._data.shape[d]
    size = -(-n // chunks) if n else 1
    return split(input, size, d)


def unbind(input, dim=0):
    d = _wrap_dim(dim, input._data.ndim, "unbind")
    n = input._data.shape[d]
    if n == 0:
        return ()
    return tuple(squeeze(p, d) for p in split(input, 1, d))


def narrow(input, dim, start, length):
    d = _wrap_dim(dim, input._data.ndim, "narrow")
    if isinstance(start, Tensor):
        start = int(start.item())
    n = input._data.shape[d]
    if start < 0:
        start += n
    if not (0 <= start <= n and start + length <= n and length >= 0):
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return input[idx]


def select(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim, "select")
    return input[(slice(None),) * d + (index,)]


class Flip(Function):
    saved_inputs = ()

    def forward(ctx, x, axes):
        ctx.axes = axes
        return np.flip(x, axes).copy()

    def backward(ctx, g):
        return g.flip(ctx.axes)


def flip(input, dims):
    if isinstance(dims, int):
        dims = (dims,)
    axes = tuple(_wrap_dim(d, input._data.ndim, "flip") for d in dims)
    return Flip.apply(input, axes=axes)


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


class Roll(Function):
    saved_inputs = ()

    def forward(ctx, x, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return np.roll(x, shifts, axes)

    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return g.roll(neg, ctx.axes)


def roll(input, shifts, dims=None):
    if isinstance(shifts, (list, tuple)):
        shifts = tuple(shifts)
        if not shifts:
            raise RuntimeError("`shifts` required")
    if isinstance(dims, list):
        dims = tuple(dims)
    ns = len(shifts) if isinstance(shifts, tuple) else 1
    nd = len(dims) if isinstance(dims, tuple) else (0 if dims is None else 1)
    if (dims is None and ns != 1) or (dims is not None and ns != nd):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {ns}, dims:{nd}")
    if dims is None:
        return Roll.apply(input.flatten(), shifts=shifts, axes=None).view(input.shape)
    return Roll.apply(input, shifts=shifts, axes=dims)


class Rot90(Function):
    saved_inputs = ()

    def forward(ctx, x, k, axes):
        ctx.k, ctx.axes = k, axes
        return np.rot90(x, k, axes).copy()

    def backward(ctx, g):
        return g.rot90(-ctx.k, ctx.axes)


def rot90(input, k=1, dims=(0, 1)):
    return Rot90.apply(input, k=k, axes=tuple(dims))


class Repeat(Function):
    saved_inputs = ()

    def forward(ctx, x, reps):
        ctx.in_shape = x.shape
        ctx.reps = reps
        x = x.reshape((1,) * (len(reps) - x.ndim) + x.shape)
        return np.tile(x, reps)

    def backward(ctx, g):
        shape = (1,) * (len(ctx.reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        split_shape = []
        for r, s in zip(ctx.reps, shape):
            split_shape += [r, s]
        g = g.reshape(tuple(split_shape)).sum(tuple(range(0, 2 * len(shape), 2)))
        return g.reshape(ctx.in_shape)


def repeat(input, *sizes):
    reps = shape_arg(sizes)
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    return Repeat.apply(input, reps=reps)


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int or a tensor of counts)."""
    if repeats is None:
        r = input._data
        return _wrap(np.repeat(np.arange(r.size), r).astype(np.int64))
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = _wrap_dim(dim, input.ndim, "repeat_interleave")
    rep = repeats._data if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(input.shape[d]), rep)
    from .index import index_select
    return index_select(input, d, _wrap(idx.astype(np.int64)))


class Tri(Function):
    saved_inputs = ()

    def forward(ctx, x, k, upper):
        ctx.k, ctx.upper = k, upper
        return np.triu(x, k) if upper else np.tril(x, k)

    def backward(ctx, g):
        return g.triu(ctx.k) if ctx.upper else g.tril(ctx.k)


def tril(input, diagonal=0):
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tri.apply(input, k=diagonal, upper=False)


def triu(input, diagonal=0):
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Tri.apply(input, k=diagonal, upper=True)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    from ._util import np_dtype
    return _wrap(np.stack(np.tril_indices(row, offset, col)).astype(np_dtype(dtype) or np.int64))


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    from ._util import np_dtype
    return _wrap(np.stack(np.triu_indices(row, offset, col)).astype(np_dtype(dtype) or np.int64))


class Diag(Function):
    saved_inputs = ()

    def forward(ctx, x, k):
        ctx.k, ctx.nd, ctx.shape = k, x.ndim, x.shape
        return np.diag(x, k).copy()

    def backward(ctx, g):
        if ctx.nd == 1:
            return g.diag(ctx.k)
        k, n = ctx.k, g.shape[0]
        rows = _wrap(np.arange(n) + max(-k, 0))
        cols = _wrap(np.arange(n) + max(k, 0))
        return g.new_zeros(ctx.shape).index_put((rows, cols), g)


def diag(input, diagonal=0):
    if input.ndim not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got %dD" % input.ndim)
    return Diag.apply(input, k=diagonal)


def diagonal(input, offset=0, dim1=0, dim2=1):
    x = input
    if (dim1, dim2) != (0, 1):
        x = movedim(x, (dim1, dim2), (0, 1))
    if x.ndim == 2:
        return diag(x, offset)
    n = min(x.shape[0] - max(-offset, 0), x.shape[1] - max(offset, 0))
    n = max(n, 0)
    i = np.arange(n)
    from .index import _getitem
    return _getitem(x, (_wrap(i + max(-offset, 0)), _wrap(i + max(offset, 0)))).movedim(0, -1)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Put the last dim of ``input`` on the ``offset`` diagonal of new dims ``dim1``, ``dim2``."""
    from .matmul import einsum
    nd = input.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd, "diag_embed"), _wrap_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = input.shape[-1]
    n = m + abs(offset)
    place = np.zeros((m, n, n), dtype=input._data.dtype)
    k = np.arange(m)
    place[k, k + max(-offset, 0), k + max(offset, 0)] = 1
    out = einsum("...k,kij->...ij", input, _wrap(place))
    return out.movedim((nd - 2, nd - 1), (d1, d2))


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = tuple(t.numel() for t in tensors)
    if indexing == "xy" and len(tensors) >= 2:
        shape = (shape[1], shape[0]) + shape[2:]
    out = []
    for i, t in enumerate(tensors):
        view_shape = [1] * len(tensors)
        pos = i
        if indexing == "xy" and len(tensors) >= 2 and i < 2:
            pos = 1 - i
        view_shape[pos] = -1
        out.append(t.reshape(tuple(view_shape)).expand(shape))
    return tuple(out)


def cartesian_prod(*tensors):
    if len(tensors) == 1:
        return tensors[0].reshape(-1).clone()
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def _gather_by_positions(input, positions):
    """Read ``input`` at flat ``positions`` (an int array of any shape): differentiable, and
    the gradient accumulates where windows overlap."""
    return input.reshape(-1)[_wrap(positions)]


def unfold(input, dimension, size, step):
    """All windows of ``size`` along ``dimension`` every ``step``; the window is a new last dim."""
    d = _wrap_dim(dimension, max(input.ndim, 1), "unfold")
    n = input.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if input.ndim == 0:
        return input.reshape(1)
    pos = np.arange(input.numel()).reshape(input.shape)
    win = np.lib.stride_tricks.sliding_window_view(pos, size, axis=d)
    win = win[(slice(None),) * d + (slice(None, None, step),)]
    return _gather_by_positions(input, np.ascontiguousarray(win))


def as_strided(input, size, stride, storage_offset=0):
    """A strided window over ``input``'s elements (in its contiguous order), as PyTorch's."""
    pos = np.arange(input.numel())
    isz = pos.itemsize
    view = np.lib.stride_tricks.as_strided(pos[storage_offset:], tuple(size), tuple(s * isz for s in stride))
    return _gather_by_positions(input.contiguous(), np.ascontiguousarray(view))
