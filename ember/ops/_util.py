"""Helpers shared by the op families: argument normalisation and gradient reduction."""
import numpy as np

from .._tensor import Tensor, _wrap, _wrap_dim
from .. import _dtype

_SCALARS = (int, float, bool)


def as_tensor_like(x, ref=None):
    """A Tensor for ``x`` (scalars and arrays get the dtype PyTorch would give them)."""
    if isinstance(x, Tensor):
        return x
    if type(x) in _SCALARS:
        dt = _dtype.scalar_dtype(x) if ref is None else _dtype.result_type(((ref.dtype, ref.ndim),), (x,))
        return _wrap(np.array(x, dtype=dt.np))
    from .creation import tensor
    return tensor(x)


def scalar(x):
    """A Python number for a NumPy scalar (PyTorch treats those as weak Python scalars)."""
    t = type(x)
    if t is float or t is int or t is bool or t is complex:
        return x
    if isinstance(x, np.generic):
        return x.item()
    return x


def dims(dim, ndim, op="dim"):
    """Normalise ``dim`` (int, tuple, list or None) to a sorted tuple of non-negative axes."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        out = tuple(sorted(_wrap_dim(d, ndim, op) for d in dim))
        if len(set(out)) != len(out):
            raise RuntimeError(f"{op}: dim {list(dim)} appears multiple times in the list of dims")
    else:
        out = (_wrap_dim(dim, ndim, op),)
    # NOTE: a 0-d tensor accepts dim 0 / -1 (as if it were 1-d) and reduces over nothing.
    return out if ndim else ()


def sum_to(g, shape):
    """Reduce a broadcast gradient ``g`` back to ``shape`` (written in Tensor ops)."""
    gs = g._data.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and gs[i + lead] != 1)
    if axes:
        g = g.sum(axes, keepdim=True)
    if lead or g._data.shape != shape:
        g = g.reshape(shape)
    return g


def np_dtype(dtype):
    return None if dtype is None else _dtype.to_dtype(dtype).np


def shape_arg(size):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(torch.Size(...))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        elif not isinstance(s, (int, np.integer)):
            raise TypeError(f"expected a sequence of integers as the size, but got an element of "
                            f"type {type(s).__name__}")
        out.append(int(s))
    return tuple(out)


_SCALAR_TYPE = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def scalar_type_name(t):
    """PyTorch's ScalarType name of a tensor's dtype, as its error texts say it (Float, Long)."""
    return _SCALAR_TYPE[t.dtype.name]


def refuse_complex(t, message, error=RuntimeError):
    """Raise PyTorch's error for an op that has no complex kernel (ordering ops: NumPy would
    compare complex numbers lexicographically and return something)."""
    if isinstance(t, Tensor) and t._data.dtype.kind == "c":
        raise error(message.format(dtype=scalar_type_name(t)))


def fmt_shape(t):
    return str(list(t._data.shape))


def np_sum_to(a, shape):
    """NumPy twin of ``sum_to`` for the no-create_graph fast path of backward functions."""
    if a.shape == shape:
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and a.shape[i + lead] != 1)
    if axes:
        a = a.sum(axis=axes, keepdims=True)
    if lead or a.shape != shape:
        a = a.reshape(shape)
    return a
