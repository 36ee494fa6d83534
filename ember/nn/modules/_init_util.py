"""Parameter creation and default initialisation shared by the conv/norm layers.

Uses ``ember.nn.init`` when it provides the function, else the same formula drawn with
ember's RNG (so ``manual_seed`` governs both)."""
import math

import numpy as np

from ... import _dtype
from ..._tensor import _wrap
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter


def _np_dtype(dtype):
    if dtype is None:
        dtype = _dtype.get_default_dtype()
    return _dtype.to_dtype(dtype).np


def empty_param(shape, device=None, dtype=None, fill=0.0):
    return Parameter(_wrap(np.full(shape, fill, _np_dtype(dtype))))


def buffer(shape, fill, dtype=None):
    return _wrap(np.full(shape, fill, _np_dtype(dtype)))


def uniform_(t, a, b):
    from .. import init
    fn = getattr(init, "uniform_", None)
    if fn is not None:
        return fn(t, a, b)
    from ...ops.random import uniform_ as u
    with no_grad():
        return u(t, a, b)


def kaiming_uniform_(t, a=0.0):
    from .. import init
    fn = getattr(init, "kaiming_uniform_", None)
    if fn is not None:
        return fn(t, a=a)
    fan_in = t.shape[1] * math.prod(t.shape[2:]) if t.ndim > 1 else t.shape[0]
    gain = math.sqrt(2.0 / (1 + a * a))
    bound = math.sqrt(3.0) * gain / math.sqrt(fan_in) if fan_in else 0.0
    return uniform_(t, -bound, bound)
