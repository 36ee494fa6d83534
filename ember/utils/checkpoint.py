"""torch.utils.checkpoint: trade compute for memory.

``checkpoint(fn, *args)`` runs ``fn`` without recording its graph (its activations are freed at
once) and keeps only the inputs; backward runs ``fn`` again with grad enabled and
backpropagates through that fresh graph, as PyTorch's reentrant checkpoint does. The random
state is saved and restored around the recomputation, so dropout draws the same mask.
"""
from ..autograd import backward as _backward
from ..autograd.custom import Function
from ..autograd.grad_mode import MODE, enable_grad, no_grad
from .._tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]


class _Recompute(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, kwargs, *args):
        from ..ops.random import default_generator
        ctx.run_function, ctx.kwargs = run_function, kwargs
        ctx.rng_state = default_generator.get_state() if preserve_rng_state else None
        ctx.tensor_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.others = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[args[i] for i in ctx.tensor_idx])
        with no_grad():
            return run_function(*args, **kwargs)

    @staticmethod
    def backward(ctx, *grads):
        from ..ops.random import default_generator
        args = list(ctx.others)
        for i, t in zip(ctx.tensor_idx, ctx.saved_tensors):
            d = t.detach()
            d.requires_grad = t.requires_grad
            args[i] = d
        saved_rng = None
        if ctx.rng_state is not None:
            saved_rng = default_generator.get_state()
            default_generator.set_state(ctx.rng_state)
        try:
            with enable_grad():
                outs = ctx.run_function(*args, **ctx.kwargs)
        finally:
            if saved_rng is not None:
                default_generator.set_state(saved_rng)
        outs = (outs,) if isinstance(outs, Tensor) else tuple(outs)
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if pairs:
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, None) + tuple(a.grad if isinstance(a, Tensor) and a.requires_grad
                                          else None for a in args)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)`` whose activations are recomputed in backward.

    >>> y = checkpoint(block, x, use_reentrant=False)
    """
    if not MODE.grad_enabled or not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        # NOTE: with no input requiring grad the recomputed graph would never be reached, and
        # parameters inside ``function`` would get no gradient: run it plainly (PyTorch's
        # non-reentrant variant also gets these gradients right).
        return function(*args, **kwargs)
    return _Recompute.apply(function, preserve_rng_state, kwargs, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or a list of modules) on ``input`` in ``segments`` checkpointed chunks."""
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)
    size = max(1, -(-len(functions) // max(1, segments)))

    def run(chunk):
        def f(x):
            for fn in chunk:
                x = fn(x)
            return x
        return f
    for start in range(0, len(functions), size):
        chunk = functions[start:start + size]
        last = start + size >= len(functions)
        input = run(chunk)(input) if last else checkpoint(run(chunk), input, **kwargs)
    return input
