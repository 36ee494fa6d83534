"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, lazy properties."""
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor


def broadcast_all(*values):
    """Tensors and numbers to Tensors of one broadcast shape (numbers take the tensors' dtype)."""
    from ..ops.creation import tensor
    from ..ops.shape import broadcast_tensors
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor "
                         "or objects implementing __torch_function__.")
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), _dtype.get_default_dtype())
    values = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    return broadcast_tensors(*values)


def clamp_probs(probs):
    eps = float(np.finfo(probs._data.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    p = clamp_probs(probs)
    return (p.log() - (-p).log1p()) if is_binary else p.log()


def logits_to_probs(logits, is_binary=False):
    from ..ops.softmax import softmax
    return logits.sigmoid() if is_binary else softmax(logits, -1)


class lazy_property:
    """Computed on first access, then cached on the instance (``probs`` from ``logits``...)."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = self.fn(obj)
        obj.__dict__[self.fn.__name__] = value
        return value
