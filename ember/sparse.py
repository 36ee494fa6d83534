"""Minimal sparse COO tensors: ``torch.sparse_coo_tensor``, ``Tensor.to_sparse``, ``coalesce``,
``to_dense``, ``indices``/``values`` and ``torch.sparse.mm`` (sparse @ dense, differentiable
in the values and the dense operand).

Limits: only COO; no hybrid tensors (``sparse_dim`` equals ``ndim``, values are 1-D); matmul is
2-D sparse @ 2-D dense (``s @ d``; dense @ sparse only through ``torch.sparse.mm``, since
``Tensor.__matmul__`` does not defer to sparse operands); arithmetic is limited to ``+`` of two sparse tensors
of one size, ``*``/``/`` by a scalar, negation and ``t()``.  Sparse tensors are not ``Tensor``
instances (``isinstance(s, torch.Tensor)`` is False) and cannot be saved with ``torch.save``.
"""
import numpy as np

from . import _dtype
from ._device import check_device, sparse_coo
from ._tensor import Size, Tensor, _wrap
from .autograd.function import Function

__all__ = ["SparseTensor", "sparse_coo_tensor", "mm", "addmm", "sum", "to_sparse"]


def _as_array(x, dtype=None):
    if isinstance(x, Tensor):
        return x._data
    a = np.asarray(x)
    return a.astype(dtype) if dtype is not None and a.dtype != dtype else a


class _ToDense(Function):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, vals, idx=None, size=None):
        ctx.idx = idx
        out = np.zeros(size, vals.dtype)
        np.add.at(out, tuple(idx), vals)
        return out

    @staticmethod
    def backward(ctx, g):
        return g[tuple(_wrap(i) for i in ctx.idx)]


class _SegmentSum(Function):
    """values sorted by ``order`` and summed over runs starting at ``starts`` (coalesce)."""
    saved_inputs = ()

    @staticmethod
    def forward(ctx, vals, order=None, starts=None, inverse=None):
        ctx.inverse = inverse
        return np.add.reduceat(vals[order], starts, axis=0) if len(order) else vals[:0]

    @staticmethod
    def backward(ctx, g):
        return g.index_select(0, _wrap(ctx.inverse))


class _SpMM(Function):
    """out[r] += v * dense[c] for each nonzero (r, c, v) of a coalesced 2-D sparse matrix."""

    @staticmethod
    def forward(ctx, vals, dense, rows=None, cols=None, m=None):
        ctx.rows, ctx.cols, ctx.m = rows, cols, m
        out = np.zeros((m,) + dense.shape[1:], np.result_type(vals.dtype, dense.dtype))
        if len(rows):
            prod = dense[cols] * vals.reshape((-1,) + (1,) * (dense.ndim - 1))
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            out[rows[starts]] = np.add.reduceat(prod, starts, axis=0)
        return out

    @staticmethod
    def backward(ctx, g):
        vals, dense = ctx.inputs
        gv = gd = None
        if ctx._edges[1] is not None:  # dense: S^T @ g
            order = np.lexsort((ctx.rows, ctx.cols))
            gd = _SpMM.apply(vals.index_select(0, _wrap(order)), g, rows=ctx.cols[order],
                             cols=ctx.rows[order], m=dense.shape[0])
        if ctx._edges[0] is not None:
            gr = g.index_select(0, _wrap(ctx.rows))
            dc = dense.index_select(0, _wrap(ctx.cols))
            gv = (gr * dc).reshape(len(ctx.rows), -1).sum(1)
        return gv, gd


class SparseTensor:
    """A sparse COO tensor: ``indices`` (sparse_dim x nnz int64) and ``values`` (nnz)."""
    is_sparse = True
    layout = sparse_coo
    is_cuda = False
    __array_priority__ = 1001

    def __init__(self, indices, values, size, coalesced=False):
        self._indices_arr = indices
        self._values_t = values
        self._size = Size(size)
        self._coalesced = coalesced

    # --- data model --------------------------------------------------------------------
    @property
    def shape(self):
        return self._size

    def size(self, dim=None):
        return self._size if dim is None else self._size[dim]

    @property
    def dtype(self):
        return self._values_t.dtype

    @property
    def device(self):
        return self._values_t.device

    @property
    def ndim(self):
        return len(self._size)

    def dim(self):
        return len(self._size)

    def sparse_dim(self):
        return self._indices_arr.shape[0]

    def dense_dim(self):
        return 0

    def _nnz(self):
        return self._indices_arr.shape[1]

    @property
    def requires_grad(self):
        return self._values_t.requires_grad

    def requires_grad_(self, requires_grad=True):
        self._values_t.requires_grad_(requires_grad)
        return self

    @property
    def grad(self):
        return self._values_t.grad

    def is_coalesced(self):
        return self._coalesced

    def _indices(self):
        return _wrap(self._indices_arr)

    def _values(self):
        return self._values_t

    def indices(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first")
        return _wrap(self._indices_arr)

    def values(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first")
        return self._values_t

    # --- conversions -------------------------------------------------------------------
    def coalesce(self):
        """Sort the indices and sum the values of duplicates."""
        if self._coalesced:
            return self
        idx = self._indices_arr
        if idx.shape[1] == 0:
            return SparseTensor(idx, self._values_t, self._size, True)
        lin = np.ravel_multi_index(tuple(idx), tuple(self._size))
        order = np.argsort(lin, kind="stable")
        ls = lin[order]
        first = np.r_[True, ls[1:] != ls[:-1]]
        starts = np.flatnonzero(first)
        inverse = np.empty(len(lin), np.int64)
        inverse[order] = np.cumsum(first) - 1
        vals = _SegmentSum.apply(self._values_t, order=order, starts=starts, inverse=inverse)
        new_idx = np.stack(np.unravel_index(ls[starts], tuple(self._size))).astype(np.int64)
        return SparseTensor(new_idx, vals, self._size, True)

    def to_dense(self, dtype=None, *, masked_grad=None):
        """The dense tensor (duplicates summed)."""
        t = _ToDense.apply(self._values_t, idx=self._indices_arr, size=tuple(self._size))
        return t if dtype is None else t.to(dtype)

    def to_sparse(self, *args, **kwargs):
        return self

    def to_sparse_coo(self):
        return self

    def to(self, *args, **kwargs):
        return SparseTensor(self._indices_arr, self._values_t.to(*args, **kwargs), self._size, self._coalesced)

    def detach(self):
        return SparseTensor(self._indices_arr, self._values_t.detach(), self._size, self._coalesced)

    def clone(self):
        return SparseTensor(self._indices_arr.copy(), self._values_t.clone(), self._size, self._coalesced)

    def numel(self):
        return self._size.numel()

    # --- a little arithmetic -----------------------------------------------------------
    def t(self):
        if self.ndim != 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, "
                               f"but self is {self.ndim}D")
        return SparseTensor(self._indices_arr[::-1].copy(), self._values_t,
                            (self._size[1], self._size[0]), False)

    def __neg__(self):
        return SparseTensor(self._indices_arr, -self._values_t, self._size, self._coalesced)

    def __mul__(self, other):
        if isinstance(other, (int, float, bool)) or (isinstance(other, Tensor) and other.ndim == 0):
            return SparseTensor(self._indices_arr, self._values_t * other, self._size, self._coalesced)
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, (int, float)) or (isinstance(other, Tensor) and other.ndim == 0):
            return SparseTensor(self._indices_arr, self._values_t / other, self._size, self._coalesced)
        return NotImplemented

    def __add__(self, other):
        if isinstance(other, SparseTensor):
            if other._size != self._size:
                raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self has "
                                   f"size {list(self._size)} while other has size {list(other._size)}")
            from .ops.shape import cat
            return SparseTensor(np.concatenate([self._indices_arr, other._indices_arr], 1),
                                cat([self._values_t, other._values_t]), self._size).coalesce()
        if isinstance(other, Tensor):
            return self.to_dense() + other
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        return self + (-other)

    def __matmul__(self, other):
        return mm(self, other)

    def __rmatmul__(self, other):
        return mm(other, self)

    def mm(self, other):
        return mm(self, other)

    matmul = mm

    def __repr__(self):
        ind = repr(_wrap(self._indices_arr)).replace("\n", "\n" + " " * 15)
        val = repr(self._values_t.detach() if self.requires_grad else self._values_t)
        extra = ", dtype=" + repr(self.dtype) if self.dtype not in (_dtype.float32, _dtype.int64) else ""
        grad = ", requires_grad=True" if self.requires_grad else ""
        return (f"tensor(indices={ind},\n       values={val},\n       size={tuple(self._size)}, "
                f"nnz={self._nnz()}{extra}, layout=torch.sparse_coo{grad})")


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """A sparse COO tensor from ``indices`` (ndim x nnz) and ``values`` (nnz).

    >>> s = torch.sparse_coo_tensor([[0, 1], [2, 0]], [3., 4.], (2, 3))
    >>> s.to_dense()
    tensor([[0., 0., 3.],
            [4., 0., 0.]])
    """
    check_device(device)
    idx = np.array(_as_array(indices), dtype=np.int64, copy=True)
    if idx.ndim == 1 and idx.size == 0:
        idx = idx.reshape(len(size) if size is not None else 1, 0)
    if idx.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    if isinstance(values, Tensor):
        vals = values if dtype is None else values.to(dtype)
    else:
        from .ops.creation import tensor
        vals = tensor(values, dtype=dtype)
    if vals.ndim != 1:
        raise NotImplementedError("ember's sparse tensors have 1-D values (no hybrid sparse tensors)")
    if idx.shape[1] != vals.shape[0]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{idx.shape[1]}, nnz from values: {vals.shape[0]}")
    if size is None:
        size = tuple(int(x) + 1 for x in idx.max(1)) if idx.shape[1] else (0,) * idx.shape[0]
    size = tuple(int(s) for s in size)
    if len(size) != idx.shape[0]:
        raise RuntimeError(f"number of dimensions must be sparse_dim ({idx.shape[0]}) + dense_dim (0), "
                           f"but got {len(size)}")
    if idx.shape[1]:
        if (idx < 0).any():
            raise RuntimeError("found negative index in sparse_coo_tensor indices")
        hi = idx.max(1)
        for d, (h, s) in enumerate(zip(hi, size)):
            if h >= s:
                raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is {s} but "
                                   f"found index {h}")
    if requires_grad:
        vals = vals.detach().requires_grad_()
    return SparseTensor(idx, vals, size, bool(is_coalesced) or idx.shape[1] <= 1)


def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """``Tensor.to_sparse()``: the nonzero entries of a dense tensor, in COO form."""
    if sparse_dim is not None and sparse_dim != self.ndim:
        raise NotImplementedError("ember's to_sparse supports only sparse_dim == ndim (no hybrid tensors)")
    if layout is not None and layout is not sparse_coo:
        raise NotImplementedError(f"ember supports only the sparse_coo layout, not {layout}")
    a = self._data
    idx = np.stack(np.nonzero(a)).astype(np.int64) if a.ndim else np.zeros((0, int(a != 0)), np.int64)
    vals = self[tuple(_wrap(i) for i in idx)] if a.ndim else self.reshape(-1)[:idx.shape[1]]
    return SparseTensor(idx, vals, a.shape, True)


def mm(mat1, mat2):
    """sparse @ dense (or dense @ sparse); differentiable in the sparse values and the dense side.

    >>> torch.sparse.mm(s, torch.ones(3, 2))
    """
    if isinstance(mat1, SparseTensor):
        if isinstance(mat2, SparseTensor):
            return mm(mat1, mat2.to_dense()).to_sparse()
        if mat1.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"sparse.mm: expected 2-D matrices, got {mat1.ndim}-D and {mat2.ndim}-D")
        if mat1.shape[1] != mat2.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} "
                               f"and {mat2.shape[0]}x{mat2.shape[1]})")
        s = mat1.coalesce()
        vals, dense = s._values_t, mat2
        if vals.dtype is not dense.dtype:
            raise RuntimeError(f"expected mat1 and mat2 to have the same dtype, but got: {vals.dtype} != {dense.dtype}")
        return _SpMM.apply(vals, dense, rows=s._indices_arr[0], cols=s._indices_arr[1], m=s.shape[0])
    if isinstance(mat2, SparseTensor):  # dense @ sparse = (sparse^T @ dense^T)^T
        return mm(mat2.t(), mat1.t()).t()
    return mat1.mm(mat2)


def addmm(input, mat1, mat2, *, beta=1.0, alpha=1.0):
    return input * beta + mm(mat1, mat2) * alpha


def sum(input, dim=None, dtype=None):
    """Sum of a sparse tensor's entries (all of them, or over ``dim`` giving a dense tensor)."""
    if not isinstance(input, SparseTensor):
        return input.sum() if dim is None else input.sum(dim)
    if dim is None:
        return input._values_t.sum()
    return input.to_dense().sum(dim)


def _dense_to_dense(self, dtype=None, *, masked_grad=None):
    return self if dtype is None else self.to(dtype)


Tensor.to_sparse = to_sparse
Tensor.to_sparse_coo = lambda self: to_sparse(self)
if not hasattr(Tensor, "to_dense"):
    Tensor.to_dense = _dense_to_dense
