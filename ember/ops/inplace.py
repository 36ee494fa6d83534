"""``CopyInto``: the write of an in-place op, as the compiler's graph records it.

Eager in-place ops (``x.add_(1)``, ``x[i] = v``, BatchNorm's running statistics) write into
the existing array directly; when a trace is active they also report the write, and the
graph gets a ``CopyInto(dst, src)`` node.  Replayed in the graph's order, the write lands in
the same array as in eager, so views of it see it too.
"""
import numpy as np

from ..autograd.function import Function
from ._util import sum_to


class CopyInto(Function):
    """``dst[...] = src`` (broadcast, cast as PyTorch's copy_); returns ``dst``."""
    impure = True          # a write: never removed, merged or reordered by the compiler
    writes = True
    saved_inputs = ()
    node_name = "CopyBackwards"

    def forward(ctx, dst, src):
        ctx.src_shape = np.shape(src)
        ctx.src_dtype = getattr(src, "dtype", None)
        np.copyto(dst, src, casting="unsafe")
        return dst

    def backward(ctx, g):
        # NOTE: the old value of dst is overwritten, so it gets no gradient; src gets all.
        gs = sum_to(g, ctx.src_shape)
        if ctx.src_dtype is not None and gs._data.dtype != ctx.src_dtype and ctx.src_dtype.kind in "fc":
            gs = gs.to(_dtype_of(ctx.src_dtype))
        return None, gs


def _dtype_of(np_dtype):
    from .. import _dtype
    return _dtype._FROM_NP[np_dtype]


class Snapshot(Function):
    """A copy of a value taken before an in-place op overwrites it (keeps its graph place)."""
    saved_inputs = ()
    node_name = "CloneBackward0"

    def forward(ctx, x):
        return x.copy()

    def backward(ctx, g):
        return g
