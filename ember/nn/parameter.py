"""nn.Parameter, nn.Buffer and nn.UninitializedParameter.

A Parameter is a leaf Tensor that a Module registers as learnable.  ``Parameter(t)`` shares
``t``'s array and version counter (as PyTorch's ``t.detach()`` does), it never copies.
"""
import numpy as np

from .._tensor import Tensor, _wrap

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


def _as_tensor(data):
    if data is None:
        return _wrap(np.empty((0,), dtype=np.float32))
    if isinstance(data, Tensor):
        return data
    from ..ops.creation import tensor
    return tensor(data)


class Parameter(Tensor):
    """A Tensor that is a module parameter: ``nn.Parameter(torch.zeros(3))``."""

    def __new__(cls, data=None, requires_grad=True):
        src = _as_tensor(data)
        t = _wrap(src._data, cls)
        t._vbox = src._vbox
        t.requires_grad = bool(requires_grad)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return Tensor.__repr__(self)

    def __reduce_ex__(self, proto):
        from .._tensor import _rebuild
        return (_rebuild, (self._data, self.requires_grad, type(self)))


class Buffer:
    """Marks a tensor as a buffer when assigned to a Module: ``self.b = nn.Buffer(t)``.

    ``Buffer(t)`` returns a plain Tensor flagged so that ``Module.__setattr__`` registers it
    (``persistent`` says whether it goes into ``state_dict``).
    """

    def __new__(cls, data=None, *, persistent=True):
        t = _as_tensor(data)
        if type(t) is not Tensor:
            t = _wrap(t._data)
        t._is_buffer = True
        t._buffer_persistent = persistent
        return t


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (lazy modules); ``materialize(shape)`` fills it."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        t = Parameter.__new__(cls, None, requires_grad)
        return t

    def materialize(self, shape, device=None, dtype=None):
        from .. import _dtype
        dt = (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np
        if isinstance(shape, int):
            shape = (shape,)
        self._data = np.empty(tuple(shape), dtype=dt)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedParameter>"

    def _uninit_error(self, *a, **k):
        raise ValueError("Can't access the shape of an uninitialized parameter or buffer. "
                         "This error usually happens in `load_state_dict` when trying to load an "
                         "uninitialized parameter into an initialized one. Call `forward` to "
                         "initialize the parameters before accessing their attributes.")


class UninitializedBuffer(Tensor):
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        t = _wrap(np.empty((0,), dtype=np.float32), cls)
        t.requires_grad = requires_grad
        return t

    def materialize(self, shape, device=None, dtype=None):
        from .. import _dtype
        dt = (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np
        self._data = np.empty(tuple(shape) if not isinstance(shape, int) else (shape,), dtype=dt)
        self.__class__ = self.cls_to_become


def is_lazy(param):
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
