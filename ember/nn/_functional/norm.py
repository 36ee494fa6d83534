"""Normalisation: batch_norm, instance_norm, layer_norm, group_norm, rms_norm,
local_response_norm (normalize lives in basic.py).

One Function, ``NormAffine``, standardises over some axes and applies an optional affine map
in the same pass; its backward is the closed form
    gx = invstd * (gxh - mean(gxh) - xhat * mean(gxh * xhat)),   gxh = g * weight
computed on arrays when create_graph is off, and in ember Tensor ops (recomputing the
statistics from the input) when create_graph is on, so second derivatives are exact.
"""
import math

import numpy as np

from ..._tensor import TRACERS, Tensor, _traced, _wrap
from ...autograd.function import Function
from ...autograd.grad_mode import MODE
from ...ops._rowsum import trailing_mean

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]


def _sum_to_np(a, shape):
    if a.shape == shape:
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and a.shape[i + lead] != 1)
    return a.sum(axes, keepdims=True).reshape(shape)


class NormAffine(Function):
    """y = (x - mean) / sqrt(var + eps) * w + b, statistics over ``axes`` (biased variance).

    Positional inputs: x, then weight and/or bias (``affine`` says which: "wb", "w", "b", "")
    reshaped to ``pshape`` for broadcasting.  With ``stats=True`` the batch mean and biased
    variance (over ``axes``) are also returned, as non-differentiable outputs.
    """
    n_diff_outputs = 1

    def forward(ctx, x, *params, axes, eps, affine, pshape, stats=False):
        mean = trailing_mean(x, axes)
        xc = x - mean
        var = trailing_mean(np.square(xc), axes)
        invstd = 1.0 / np.sqrt(var + eps)
        xc *= invstd
        ctx.axes, ctx.eps, ctx.affine, ctx.pshape = axes, eps, affine, pshape
        ctx.invstd = invstd
        w = params[0].reshape(pshape) if "w" in affine else None
        b = params[-1].reshape(pshape) if "b" in affine else None
        if w is not None:
            y = xc * w
            if b is not None:
                y += b
        elif b is not None:
            y = xc + b
        else:
            y = xc
        ctx.xhat = xc if y is not xc else None
        ctx.mean = mean if y is xc else None
        if stats:
            return y, mean, var
        return y

    def _xhat(ctx):
        if ctx.xhat is not None:
            return ctx.xhat
        return (ctx.inputs[0]._data - ctx.mean) * ctx.invstd

    def backward(ctx, g, *_):
        e = ctx._edges
        affine = ctx.affine
        wi = 1 if "w" in affine else None
        bi = (2 if wi else 1) if "b" in affine else None
        if MODE.grad_enabled:
            return _norm_backward_graph(ctx, g, wi, bi)
        ga = g._data
        xhat = ctx._xhat()
        axes = ctx.axes
        out = [None] * len(e)
        if e[0] is not None:
            gxh = ga * ctx.inputs[wi]._data.reshape(ctx.pshape) if wi else ga
            m1 = trailing_mean(gxh, axes)
            m2 = trailing_mean(gxh * xhat, axes)
            gx = gxh - m1
            gx -= xhat * m2
            gx *= ctx.invstd
            out[0] = _wrap(gx)
        if wi and e[wi] is not None:
            w = ctx.inputs[wi]._data
            out[wi] = _wrap(_sum_to_np(ga * xhat, ctx.pshape).reshape(w.shape))
        if bi and e[bi] is not None:
            out[bi] = _wrap(_sum_to_np(ga, ctx.pshape).reshape(ctx.inputs[bi]._data.shape))
        return tuple(out)


def _norm_backward_graph(ctx, g, wi, bi):
    """The same closed form in Tensor ops, with statistics recomputed from x (create_graph)."""
    x = ctx.inputs[0]
    axes = ctx.axes
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    invstd = ((xc * xc).mean(axes, keepdim=True) + ctx.eps).rsqrt()
    xhat = xc * invstd
    e = ctx._edges
    out = [None] * len(e)
    w = ctx.inputs[wi].reshape(ctx.pshape) if wi else None
    if e[0] is not None:
        gxh = g * w if w is not None else g
        out[0] = invstd * (gxh - gxh.mean(axes, keepdim=True)
                           - xhat * (gxh * xhat).mean(axes, keepdim=True))
    from ...ops._util import sum_to
    if wi and e[wi] is not None:
        out[wi] = sum_to(g * xhat, ctx.pshape).reshape(ctx.inputs[wi].shape)
    if bi and e[bi] is not None:
        out[bi] = sum_to(g, ctx.pshape).reshape(ctx.inputs[bi].shape)
    return tuple(out)


def _apply_norm(x, weight, bias, axes, eps, pshape, stats=False):
    params = [p for p in (weight, bias) if p is not None]
    affine = ("w" if weight is not None else "") + ("b" if bias is not None else "")
    return NormAffine.apply(x, *params, axes=axes, eps=float(eps), affine=affine, pshape=pshape,
                            stats=stats)


def _update_running(buf, new, momentum):
    """buf = (1 - momentum) * buf + momentum * new, in place (PyTorch updates buffers in place).

    ``new`` is a Tensor (batch norm) or an array (instance norm).  While a trace runs, the
    update is made of in-place ops the tracer sees (same arithmetic), so a compiled graph
    updates the running statistics at every call as eager does."""
    if TRACERS:
        if not isinstance(new, Tensor):
            _traced("side_effect", "running statistics updated from raw arrays")
        else:
            from ...autograd.grad_mode import no_grad
            with no_grad():
                buf.mul_(1.0 - momentum).add_(new.detach().to(buf.dtype) * momentum)
            return
    if isinstance(new, Tensor):
        new = new._data
    a = buf._data
    a *= 1.0 - momentum
    a += (momentum * new).astype(a.dtype, copy=False)
    buf._vbox[0] += 1


def _check_dtype(input, name, *others):
    for o in others:
        if o is not None and o._data.dtype != input._data.dtype:
            raise RuntimeError(f"{name}: expected all tensors to have the same dtype, but got "
                               f"input {input.dtype} and {o.dtype}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation over (N, C, *): batch statistics in training (updating the running
    statistics in place), running statistics in eval.  Example:
    ``F.batch_norm(x, rm, rv, training=True)``."""
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or 3D input (got {input.ndim}D input)")
    C = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t.numel()}")
    if not input.is_floating_point():
        raise RuntimeError(f'"batch_norm" not implemented for \'{input.dtype.name.capitalize()}\'')
    pshape = (1, C) + (1,) * (input.ndim - 2)
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.numel() // max(C, 1)
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size torch.Size({list(input.shape)})")
        y, mean, var = _apply_norm(input, weight, bias, axes, eps, pshape, stats=True)
        if running_mean is not None:
            _update_running(running_mean, mean.detach().reshape(C), momentum)
        if running_var is not None:
            _update_running(running_var, var.detach().reshape(C) * (count / (count - 1)), momentum)
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(pshape) + shift.reshape(pshape)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial dims."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or more input (got {input.ndim}D input)")
    N, C = input.shape[:2]
    pshape = (1, C) + (1,) * (input.ndim - 2)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    count = math.prod(input.shape[2:])
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"torch.Size({list(input.shape)})")
    axes = tuple(range(2, input.ndim))
    y, mean, var = _apply_norm(input, weight, bias, axes, eps, pshape, stats=True)
    if running_mean is not None:
        _update_running(running_mean, mean._data.reshape(N, C).mean(0), momentum)
    if running_var is not None:
        _update_running(running_var, (var._data.reshape(N, C) * (count / (count - 1))).mean(0),
                        momentum)
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, e.g. ``F.layer_norm(x, (8,))``."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing "
                           "at least one element, but got normalized_shape = []")
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(t.shape)} and normalized_shape = {list(ns)}")
    axes = tuple(range(input.ndim - k, input.ndim))
    return _apply_norm(input, weight, bias, axes, eps, ns)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise over groups of channels (and all spatial positions) per sample."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    N, C = input.shape[:2]
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} and "
                               f"input of shape {list(input.shape)}")
    xg = input.reshape(N, num_groups, -1)
    y = _apply_norm(xg, None, None, (2,), eps, ()).reshape(tuple(input.shape))
    pshape = (1, C) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(pshape)
    if bias is not None:
        y = y + bias.reshape(pshape)
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2 over the trailing dims) + eps) * weight."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing "
                           "at least one element, but got normalized_shape = []")
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    axes = tuple(range(input.ndim - k, input.ndim))
    y = input * ((input * input).mean(axes, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalise each value by the energy of ``size`` neighbouring channels (as PyTorch)."""
    from .conv import pad
    from .pooling import avg_pool2d, avg_pool3d
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = (input * input).unsqueeze(1)
    if dim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k).pow(beta)
    return input / div

