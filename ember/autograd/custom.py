"""``torch.autograd.Function``: user-defined ops with static forward/backward on Tensors."""
import functools

from .._tensor import Tensor, _wrap_view
from . import function as _function
from .grad_mode import MODE


class FunctionCtx:
    """The methods PyTorch's ``ctx`` offers inside a custom Function."""

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_vers = [(t._vbox, t._vbox[0], t) for t in tensors if isinstance(t, Tensor)]

    def save_for_forward(self, *tensors):
        self._saved_fwd = tensors

    @property
    def saved_tensors(self):
        if self._released:
            _function._freed_error()
        for box, v, t in self.__dict__.get("_saved_vers", ()):
            if box[0] != v:
                _function._modified_error(t, box[0], v, self)
        return self.__dict__.get("_saved", ())

    def mark_non_differentiable(self, *outputs):
        self._non_diff = {id(o) for o in outputs}

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self._materialize = value


class Function(FunctionCtx, _function.Function):
    """Subclass with ``@staticmethod forward(ctx, *args)`` and ``backward(ctx, *grads)``,
    then call ``MyFn.apply(x)``.

    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * g * x ** 2
    """
    _is_custom = True   # a user's Function: forward on Tensors (a compiled graph breaks here)
    saved_inputs = ()
    _materialize = True

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls.__new__(cls)
        ctx._edges = [((a.grad_fn, a._output_nr) if a.grad_fn is not None else (a, -1))
                      if isinstance(a, Tensor) and a.requires_grad else None for a in args]
        record = MODE.grad_enabled and any(e is not None for e in ctx._edges)
        new_style = cls.setup_context is not Function.setup_context
        prev = MODE.grad_enabled
        MODE.grad_enabled = False
        try:
            if new_style:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            MODE.grad_enabled = prev
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if record:
            ctx.inputs = args
            ctx._seq = _function._next_seq()
            non_diff = ctx.__dict__.get("_non_diff", ())
            ctx._out_meta = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), None)
                             for o in outs]
            fixed = []
            for i, o in enumerate(outs):
                if isinstance(o, Tensor) and id(o) not in non_diff and (o.dtype.is_floating_point or o.dtype.is_complex):
                    if any(o is a for a in args) or o.grad_fn is not None or o.requires_grad:
                        o = _wrap_view(o._data, o)  # returning an input: the output is a new node
                    o.requires_grad = True
                    o.grad_fn = ctx
                    o._output_nr = i
                fixed.append(o)
            outs = tuple(fixed)
        if _function.TRACERS:
            _function.notify_tracers(cls, args, kwargs, outs)
        return outs[0] if single else outs

    @classmethod
    def _call_backward(cls, ctx, grads):
        return cls.backward(ctx, *grads)

    def _release(self):
        self._released = True
        self.inputs = None
        self.__dict__.pop("_saved", None)


def once_differentiable(fn):
    """Mark a backward as not differentiable twice: it runs with grad mode off."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = MODE.grad_enabled
        MODE.grad_enabled = False
        try:
            return fn(ctx, *args)
        finally:
            MODE.grad_enabled = prev
    return wrapper


class InplaceFunction(Function):
    pass


class NestedIOFunction(Function):
    pass
