"""Non-differentiable ops (comparisons, predicates) as one graph op while a trace runs.

Eager, these ops compute on arrays and wrap the result directly (no graph node, nothing to
pay).  While a trace runs, ``traceable`` sends the same call through ``ArrayFn.apply``, so
the compiler sees an op whose inputs are the call's tensors and replays the call itself:
the result is recomputed from each call's data, never baked in from the first.
"""
import functools

from .._tensor import TRACERS, Tensor
from ..autograd.function import Function


class ArrayFn(Function):
    """``call(*arrays)``: a non-differentiable op given as the original Python call."""
    saved_inputs = ()
    node_name = "ArrayFn"

    def forward(ctx, *arrays, call):
        return call(arrays)

    def backward(ctx, *grads):
        return (None,) * len(ctx._edges)


class _Call:
    """The op's call with its tensor arguments as slots, filled from arrays at each replay."""

    def __init__(self, fn, args, kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.__name__ = fn.__name__

    def __call__(self, arrays):
        from .._tensor import _wrap
        it = iter(arrays)
        args = [_wrap(next(it)) if isinstance(a, Tensor) else a for a in self.args]
        kwargs = {k: (_wrap(next(it)) if isinstance(v, Tensor) else v)
                  for k, v in self.kwargs.items()}
        return self.fn(*args, **kwargs)._data

    def __repr__(self):
        return f"<{self.__name__}>"


def traceable(fn):
    """Decorate a non-differentiable op so that traces record it (see module docstring)."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        if not TRACERS or kwargs.get("out") is not None:
            return fn(*args, **kwargs)
        tensors = [a for a in args if isinstance(a, Tensor)]
        tensors += [v for v in kwargs.values() if isinstance(v, Tensor)]
        return ArrayFn.apply(*tensors, call=_Call(fn, args, kwargs))
    return op
