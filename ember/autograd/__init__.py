"""torch.autograd: backward, grad, grad modes, custom Functions, gradcheck."""
import numpy as np

from .._tensor import Tensor, _wrap
from .custom import Function, FunctionCtx, InplaceFunction, NestedIOFunction, once_differentiable
from .engine import run_backward
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .grad_mode import MODE
from .gradcheck import gradcheck, gradgradcheck
from . import graph  # noqa: F401  (torch.autograd.graph)
from . import functional  # noqa: F401  (torch.autograd.functional)

class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The old name the course teaches: ``Variable(t, requires_grad=True)`` is just ``t``
    (a Tensor) with requires_grad set; ``volatile=True`` is accepted and ignored, as in
    PyTorch since 0.4."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if data is None:
            from ..ops.creation import tensor
            data = tensor([])
        if requires_grad:
            data.requires_grad_()
        return data


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grad_outputs, create_graph):
    if not grad_outputs and len(outputs) == 1:
        out = outputs[0]
        d = out._data
        if d.ndim == 0 and out.requires_grad and d.dtype.kind == "f":
            return [_wrap(np.ones((), d.dtype))]
    from ..ops.creation import ones_like
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if g is None:
            if not out.requires_grad:
                raise RuntimeError("element %d of tensors does not require grad and does not have "
                                   "a grad_fn" % i)
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not out.is_floating_point():
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            g = ones_like(out)
        else:
            if not isinstance(g, Tensor):
                from ..ops.creation import tensor as _tensor
                g = _tensor(g, dtype=out.dtype)
            if tuple(g.shape) != tuple(out.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {out.shape}.")
            if not out.requires_grad:
                raise RuntimeError("element %d of tensors does not require grad and does not have "
                                   "a grad_fn" % i)
            if not create_graph:
                g = g.detach()
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves."""
    tensors = _as_tuple(tensors)
    grads = _make_grads(tensors, _as_tuple(grad_tensors), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_tuple(inputs)
        res = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
        from .engine import _accumulate
        for t, g in zip(inputs, res):
            if g is not None:
                _accumulate(t, g, create_graph) if t.grad_fn is None else setattr(
                    t, "grad", g if t.grad is None else t.grad + g)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` (nothing accumulates).

    >>> x = torch.tensor(2.0, requires_grad=True)
    >>> torch.autograd.grad(x ** 3, x)
    (tensor(12.),)
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, _as_tuple(grad_outputs), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
    if allow_unused is None:
        allow_unused = materialize_grads
    out = []
    for t, g in zip(inputs, res):
        if g is None:
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired behavior.")
        elif not create_graph:
            g = g.detach()
        out.append(g)
    return tuple(out)


class detect_anomaly:
    """Anomaly mode for the calling thread: backward checks every gradient for NaN and names
    the function that produced it, as PyTorch's ``detect_anomaly`` does."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = (MODE.anomaly, MODE.anomaly_check_nan)
        MODE.anomaly, MODE.anomaly_check_nan = True, self.check_nan
        return self

    def __exit__(self, *a):
        MODE.anomaly, MODE.anomaly_check_nan = self._prev
        return False


class set_detect_anomaly:
    """Turn anomaly mode on or off for this thread (also a context manager)."""

    def __init__(self, mode, check_nan=True):
        self._prev = (MODE.anomaly, MODE.anomaly_check_nan)
        MODE.anomaly, MODE.anomaly_check_nan = bool(mode), check_nan

    def __enter__(self):
        return self

    def __exit__(self, *a):
        MODE.anomaly, MODE.anomaly_check_nan = self._prev
        return False


def is_anomaly_enabled():
    return MODE.anomaly


def is_anomaly_check_nan_enabled():
    return MODE.anomaly and MODE.anomaly_check_nan
