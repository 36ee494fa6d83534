"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/arange/linspace/eye, *_like."""
import numpy as np

from .. import _dtype
from .._device import check_device
from .._tensor import Tensor, _wrap
from ..autograd.function import Function
from ._util import np_dtype, shape_arg


def _infer_np(data):
    """NumPy array for nested Python data with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        return data.copy()
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat_iter(data)):
        data = _tensors_to_lists(data)
    arr = np.array(data)
    k = arr.dtype.kind
    if k == "f":
        if isinstance(data, np.generic):
            return arr
        return arr.astype(_dtype.get_default_dtype().np)
    if k in "iu":
        if isinstance(data, np.generic):
            return arr
        return arr.astype(np.int64)
    if k == "b":
        return arr
    if k == "c":
        if isinstance(data, np.generic):
            return arr
        return arr.astype(_dtype.default_complex().np)
    if k == "O" or k in "US":
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'" if k in "US" else
                        "could not convert the data to a tensor: ragged nested sequences "
                        "(each row must have the same length)")
    return arr


def _flat_iter(x):
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from _flat_iter(y)
    else:
        yield x


def _tensors_to_lists(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return [_tensors_to_lists(y) for y in x]
    return x


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Copy ``data`` (nested lists, numbers, arrays, tensors) into a new tensor.

    >>> torch.tensor([[1, 2], [3, 4]]).dtype
    torch.int64
    """
    check_device(device)
    try:
        if dtype is not None and not isinstance(data, (Tensor, np.ndarray)):
            # Convert straight to the requested dtype: going through float32 would lose digits.
            arr = np.array(_tensors_to_lists(data), dtype=np_dtype(dtype))
        else:
            arr = _infer_np(data)
            if dtype is not None:
                arr = arr.astype(np_dtype(dtype), copy=False)
    except ValueError as e:
        raise ValueError(f"could not convert the data to a tensor: {e}") from None
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_()
    return t


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a tensor or array when the dtype allows."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is _dtype.to_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor that shares memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_np(ndarray.dtype)
    return _wrap(ndarray)


def legacy_tensor_data(*args, dtype=None, device=None):
    """Data for ``torch.Tensor(...)``: a list gives float32 values, ints give a shape."""
    check_device(device)
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        a = args[0]
        if isinstance(a, Tensor):
            return a._data
        if isinstance(a, np.ndarray):
            return a.astype(np.float32)
        return np.array(_tensors_to_lists(a) if isinstance(a, (list, tuple)) else a, dtype=np.float32)
    shape = shape_arg(args)
    return np.zeros(shape, dtype=np.float32)


def _dt(dtype, default=None):
    if dtype is None:
        return (default or _dtype.get_default_dtype()).np
    return _dtype.to_dtype(dtype).np


def _finish(arr, requires_grad, device=None, out=None):
    check_device(device)
    if out is not None:  # ``torch.zeros(3, out=t)`` fills and returns t (resized as PyTorch does)
        if tuple(out.shape) != arr.shape:
            out.resize_(arr.shape)
        np.copyto(out._data, arr, casting="unsafe")
        out._vbox[0] += 1
        return out
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_()
    return t


def zeros(*size_, size=None, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    return _finish(np.zeros(shape_arg(size_ if size is None else (size,)), _dt(dtype)), requires_grad, device, out=out)


def ones(*size_, size=None, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    return _finish(np.ones(shape_arg(size_ if size is None else (size,)), _dt(dtype)), requires_grad, device, out=out)


def empty(*size_, size=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False, memory_format=None):
    return _finish(np.zeros(shape_arg(size_ if size is None else (size,)), _dt(dtype)), requires_grad, device, out=out)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _finish(np.full(shape_arg((size,)), fill_value, _dt(dtype)), requires_grad, device, out=out)


def _like(t, dtype):
    return t._data.dtype if dtype is None else _dtype.to_dtype(dtype).np


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return _finish(np.ones(input._data.shape, _like(input, dtype)), requires_grad, device)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), requires_grad, device)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    return _finish(np.full(input._data.shape, fill_value, _like(input, dtype)), requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """Values in ``[start, end)`` by ``step``; int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None and out is not None:
        dtype = out.dtype
    if dtype is None:
        dtype = _dtype.get_default_dtype() if any(isinstance(v, float) for v in vals) else _dtype.int64
    start, end, step = vals
    if not _dtype.to_dtype(dtype).is_floating_point:
        # NOTE: PyTorch casts start, end and step to the integer dtype before sizing.
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise RuntimeError("step must be nonzero")
    n = int(np.ceil((end - start) / step))
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = max(n, 0)
    arr = (start + np.arange(n, dtype=np.float64) * step) if isinstance(start + step, float) else \
        np.arange(start, start + n * step, step, dtype=np.int64)[:n]
    return _finish(arr.astype(_dt(dtype)), requires_grad, device, out=out)


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False):
    return arange(start, end + (step if step > 0 else -1) * 0.5 * abs(step), step,
                  dtype=dtype or _dtype.get_default_dtype(), requires_grad=requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dt = _dt(dtype)
    if np.dtype(dt).kind in "biu":
        start, end = int(start), int(end)    # as PyTorch: the ends in the integer dtype first
    arr = np.linspace(start, end, steps)
    if steps > 1:
        # NOTE: PyTorch fills the second half backwards from ``end`` (symmetric rounding).
        step = (end - start) / (steps - 1)
        i = np.arange(steps)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - i - 1))
    return _finish(arr.astype(dt), requires_grad, device, out=out)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False, out=None):
    for name, v in (("start", start), ("end", end)):
        if isinstance(v, Tensor):
            if v.ndim:
                raise RuntimeError(f"logspace only supports 0-dimensional start and end tensors, but "
                                   f"got {name} with {v.ndim} dimension(s)")
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    return _finish(np.logspace(start, end, steps, base=base).astype(_dt(dtype)), requires_grad, device, out=out)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    return _finish(np.eye(n, m, dtype=_dt(dtype)), requires_grad, device, out=out)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    # NOTE: a value outside an integer dtype wraps around, as a C cast does in PyTorch.
    return _finish(np.array(s).astype(_dt(dtype)), requires_grad, device)


def complex_not_supported(*a, **k):
    raise TypeError("complex tensors are not supported by ember")


class ToDtype(Function):
    """A differentiable dtype cast: the gradient is cast back to the input's dtype."""
    saved_inputs = ()

    def forward(ctx, x, dtype):
        ctx.src = x.dtype
        return x.astype(dtype)

    def backward(ctx, g):
        if ctx.src.kind not in "fc":
            return None
        if ctx.src.kind == "f" and g._data.dtype.kind == "c":
            g = g.real           # a real input's gradient is the real part, as PyTorch's
        return g.to(_dtype.from_np(ctx.src))


def cast(t, dtype):
    """``t`` as ``dtype`` (the same tensor when it already is)."""
    d = _dtype.to_dtype(dtype)
    if t._data.dtype == d.np:
        return t
    if t.requires_grad and not (d.is_floating_point or d.is_complex):
        return _wrap(t._data.astype(d.np))
    return ToDtype.apply(t, dtype=d.np)
