"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_."""
import math

import numpy as np

from ..._tensor import TRACERS, Tensor, _wrap, traced_call

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _as_list(x):
    return [x] if isinstance(x, Tensor) else list(x)


def _norm(a, p):
    a = a.astype(np.float64, copy=False).reshape(-1)
    if p == math.inf:
        return np.abs(a).max() if a.size else 0.0
    if p == -math.inf:
        return np.abs(a).min() if a.size else math.inf
    if p == 0:
        return float(np.count_nonzero(a))
    if p == 2:
        return math.sqrt(float(np.dot(a, a)))
    if p == 1:
        return float(np.abs(a).sum())
    return float((np.abs(a) ** p).sum() ** (1.0 / p))


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all given tensors together (as if concatenated)."""
    tensors = [t for t in _as_list(tensors) if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return _wrap(np.asarray(0.0, dtype=np.float32))
    norms = np.array([_norm(t._data, norm_type) for t in tensors])
    total = _norm(norms, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
            "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`")
    return _wrap(np.asarray(total, dtype=tensors[0]._data.dtype))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale gradients in place by ``max_norm / (total_norm + 1e-6)`` when that is below 1."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    tn = float(total_norm) if isinstance(total_norm, Tensor) else float(total_norm)
    coef = min(float(max_norm) / (tn + 1e-6), 1.0)
    for g in grads:
        d = g._data
        np.multiply(d, d.dtype.type(coef), out=d, casting="unsafe")
        g._vbox[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients' total norm to ``max_norm`` in place; returns the total norm.

    Example: ``nn.utils.clip_grad_norm_(model.parameters(), 1.0)``"""
    params = _as_list(parameters)
    if TRACERS:   # a compiled step makes this same call (it works on the grads in place)
        return traced_call(lambda _, a, k: _clip_norm(*a), None,
                           (params, max_norm, norm_type, error_if_nonfinite, foreach), {})
    return _clip_norm(params, max_norm, norm_type, error_if_nonfinite, foreach)


def _clip_norm(params, max_norm, norm_type, error_if_nonfinite, foreach):
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    if grads:
        clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient to ``[-clip_value, clip_value]`` in place."""
    if TRACERS:
        return traced_call(lambda _, a, k: _clip_value(*a), None,
                           (_as_list(parameters), clip_value), {})
    _clip_value(parameters, clip_value)


def _clip_value(parameters, clip_value):
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            d = p.grad._data
            np.clip(d, -clip_value, clip_value, out=d)
            p.grad._vbox[0] += 1
