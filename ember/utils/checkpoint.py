"""torch.utils.checkpoint: the API, without the memory saving.

``checkpoint(fn, *args)`` runs ``fn(*args)`` and keeps its graph, so gradients are exactly those
of the plain call; ember does not yet free and recompute the activations (a documented limit).
"""
__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """Call ``function(*args, **kwargs)``; gradients flow as without checkpointing.

    >>> y = checkpoint(block, x, use_reentrant=False)
    """
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a Sequential (or a list of modules) on ``input``, segment by segment."""
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    for f in functions:
        input = f(input)
    return input
