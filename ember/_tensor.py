"""Tensor: a slim wrapper over a NumPy array, with autograd bookkeeping.

Only the data model lives here (attributes, properties, conversions).  The ops are
attached as methods by ``ember/_methods.py`` so that each op family stays in its own file.
"""
import numpy as np

from . import _dtype
from ._device import cpu_device

_ndarray = np.ndarray
_FROM_NP = _dtype._FROM_NP
_new = object.__new__

# Active tracers of every thread, as (thread ident, tracer); see autograd/function.py.  It
# lives here so that conversions which read values (item, bool, tolist, numpy, printing) can
# tell a trace that the program's control flow now depends on data (a graph break), and so
# that tensors made outside the dispatch point are seen.  Empty in eager mode: one truth test.
TRACERS = []


def _traced(event, *args):
    """Tell the calling thread's innermost tracer about ``event`` (trace time only)."""
    from threading import get_ident
    me = get_ident()
    for thread, tr in reversed(TRACERS):
        if thread == me:
            handler = getattr(tr, event, None)
            if handler is not None:
                handler(*args)
            return


def traced_call(run, obj, args, kwargs):
    """``run(obj, args, kwargs)`` while a trace runs: the trace records the call itself (a
    compiled training step makes the same call at the same place), not the work inside it:
    optimizer steps, schedulers, gradient clipping."""
    _traced("pycall_begin", run, obj, args, kwargs)
    result = None
    try:
        result = run(obj, args, kwargs)
        return result
    finally:
        _traced("pycall_end", obj, result)


class Tensor:
    """A multi-dimensional array with autograd support, e.g. ``torch.tensor([2.], requires_grad=True)``."""
    __slots__ = ("_data", "requires_grad", "grad_fn", "_vbox", "__dict__", "__weakref__")
    # NOTE: rarely written attributes are class-level defaults (instances write them into
    # __dict__ only when needed), so wrapping an array sets just four slots.
    grad = None
    _output_nr = 0
    _base = None
    _hooks = None
    _retains_grad = False

    # The legacy constructor ``torch.Tensor([0])`` / ``torch.Tensor(2, 3)`` makes float32 data.
    def __new__(cls, *args, **kwargs):
        from .ops.creation import legacy_tensor_data
        return _wrap(legacy_tensor_data(*args, **kwargs), cls)

    def __init__(self, *args, **kwargs):
        pass

    # --- data model ----------------------------------------------------------------------
    @property
    def data(self):
        # NOTE: as in PyTorch, ``.data`` shares values but not the version counter: in-place
        # updates through it (old optimizer code) do not invalidate saved tensors.
        return _wrap(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data
        self._vbox = value._vbox

    @property
    def dtype(self):
        return _FROM_NP[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def device(self):
        return cpu_device

    @property
    def is_cuda(self):
        return False

    is_xpu = is_mps = is_meta = is_quantized = is_nested = is_mkldnn = is_cuda

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def _is_view(self):
        """True for a view of another tensor (``_base``), as PyTorch's."""
        return self._base is not None

    @property
    def is_sparse(self):
        return False

    @property
    def layout(self):
        from ._device import strided
        return strided

    @property
    def _version(self):
        return self._vbox[0]

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def element_size(self):
        return self._data.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    def stride(self, dim=None):
        s = self._data.strides
        isz = self._data.itemsize
        st = tuple(x // isz for x in s)
        # NumPy reports any stride for size-1 dims; PyTorch's contiguous strides are products.
        if dim is None:
            return st
        return st[_wrap_dim(dim, self._data.ndim, "stride")]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def storage_offset(self):
        base = self._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return (self.data_ptr() - base.__array_interface__["data"][0]) // self._data.itemsize

    def untyped_storage(self):
        return _Storage(self)

    def get_device(self):
        return -1

    # --- conversions ---------------------------------------------------------------------
    def numpy(self, force=False):
        if TRACERS:
            _traced("data_dependent", "Tensor.numpy()")
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if TRACERS:
            _traced("data_dependent", "conversion of a Tensor to a NumPy array")
        a = self._data
        return a if dtype is None else a.astype(dtype)

    def item(self):
        if TRACERS:
            _traced("data_dependent", "Tensor.item()")
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        if TRACERS:
            _traced("data_dependent", "Tensor.tolist()")
        return self._data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if TRACERS:
            _traced("data_dependent", "bool() of a Tensor (data-dependent control flow)")
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __complex__(self):
        return complex(self.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        if TRACERS:
            _traced("data_dependent", "printing a Tensor")
        from ._printing import tensor_repr
        return tensor_repr(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto):
        # Plain pickling (multiprocessing, deepcopy): rebuild from the array.
        return (_rebuild, (self._data, self.requires_grad, type(self)))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        r = _wrap(self._data.copy(), type(self))
        r.requires_grad = self.requires_grad
        if self.grad is not None:
            r.grad = _wrap(self.grad._data.copy())
        extra = {k: v for k, v in self.__dict__.items()
                 if k not in ("grad", "_base", "_hooks", "_retains_grad", "_output_nr")}
        if extra:
            import copy
            r.__dict__.update(copy.deepcopy(extra, memo))
        memo[id(self)] = r
        return r

    __array_priority__ = 1000


def _rebuild(arr, requires_grad, cls=Tensor):
    t = _wrap(arr, cls)
    t.requires_grad = requires_grad
    return t


def _wrap(arr, cls=Tensor):
    """Wrap an array (or a NumPy scalar) in a fresh Tensor that requires no grad."""
    if type(arr) is not _ndarray:
        arr = np.asarray(arr)
    t = _new(cls)
    t._data = arr
    t.requires_grad = False
    t.grad_fn = None
    t._vbox = [0]
    if TRACERS:
        _traced("wrapped", t)
    return t


def _wrap_view(arr, base):
    """A Tensor over ``arr`` that shares ``base``'s version counter (a view of it)."""
    t = _wrap(arr)
    t._vbox = base._vbox
    t._base = base if base._base is None else base._base
    return t


def _wrap_dim(dim, ndim, op="dim"):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


class Size(tuple):
    """``torch.Size``: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class _Storage:
    """Just enough of an untyped storage for ``data_ptr`` and ``nbytes`` comparisons."""

    def __init__(self, t):
        base = t._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        self._base = base

    def data_ptr(self):
        return self._base.__array_interface__["data"][0]

    def nbytes(self):
        return self._base.nbytes

    def size(self):
        return self._base.nbytes
