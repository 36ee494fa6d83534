"""The ``*_copy`` variants of view ops (PyTorch's functionalization names: the same values as
the view, in fresh memory), the unsafe_ split aliases, fill and constant_pad_nd."""
import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from . import shape as _shape


def _copy(view, doc):
    def op(input, *args, **kwargs):
        r = view(input, *args, **kwargs)
        if isinstance(r, (tuple, list)):
            return type(r)(t.clone() for t in r)
        return r.clone()
    op.__doc__ = doc
    return op


alias_copy = _copy(lambda x: x, "A copy of ``input``.")
as_strided_copy = _copy(_shape.as_strided, "``as_strided`` into new memory.")
diagonal_copy = _copy(_shape.diagonal, "``diagonal`` into new memory.")
expand_copy = _copy(lambda x, *size, implicit=False: x.expand(*size), "``expand`` materialised.")
narrow_copy = _copy(_shape.narrow, "``narrow`` into new memory.")
permute_copy = _copy(_shape.permute, "``permute`` into new memory.")
split_with_sizes_copy = _copy(lambda x, sizes, dim=0: _shape.split(x, list(sizes), dim),
                              "``split_with_sizes`` into new memory.")
squeeze_copy = _copy(_shape.squeeze, "``squeeze`` into new memory.")
t_copy = _copy(_shape.t, "``t`` into new memory.")
transpose_copy = _copy(_shape.transpose, "``transpose`` into new memory.")
unbind_copy = _copy(_shape.unbind, "``unbind`` into new memory.")
unfold_copy = _copy(_shape.unfold, "``Tensor.unfold`` into new memory.")
unsqueeze_copy = _copy(_shape.unsqueeze, "``unsqueeze`` into new memory.")
view_copy = _copy(lambda x, *shape: x.view(*shape) if not (len(shape) == 1 and not isinstance(
    shape[0], (tuple, list, int))) else x.view(shape[0]), "``view`` into new memory.")
unsafe_chunk = _shape.chunk
unsafe_split = _shape.split


def fill(input, value):
    """A tensor like ``input`` full of ``value`` (out-of-place ``fill_``); differentiable in a
    tensor ``value``."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        return value.to(input.dtype).expand(tuple(input.shape)).clone()
    return Fill.apply(input, value=value)


class Fill(Function):
    """``input``'s shape and dtype full of a number: a zero gradient for input, as PyTorch."""
    saved_inputs = ()

    def forward(ctx, x, value):
        return np.full(x.shape, value, dtype=x.dtype)

    def backward(ctx, g):
        return g * 0


def constant_pad_nd(input, pad, value=0):
    from ..nn.functional import pad as _pad
    return _pad(input, pad, "constant", value)
