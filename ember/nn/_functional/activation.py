"""Activation functions (torch.nn.functional): relu, gelu, silu, softplus, hardtanh, glu, ...

Each elementwise activation is one Function built by ``_act``: a NumPy forward and one gradient
rule written once against an array namespace, run on arrays (fast path) or, under
``create_graph``, on Tensors (so the gradient is differentiable again).
"""
import math

import numpy as np
from ._normal_cdf import normal_cdf, normal_cdf_gauss
from ...ops.pointwise import _expit, _sp  # scipy.special, imported on first use

from ... import ops as _ops
from ..._tensor import Tensor, _wrap
from ...autograd.function import Function
from ...autograd.grad_mode import MODE
from ...ops import softmax as _softmax_mod

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_",
           "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid",
           "tanh", "softplus", "softsign", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish",
           "softmax", "log_softmax", "softmin", "threshold", "threshold_", "tanhshrink",
           "hardshrink", "softshrink", "logsigmoid", "glu", "gumbel_softmax"]


class _NP:
    where = staticmethod(np.where)
    exp = staticmethod(np.exp)
    tanh = staticmethod(np.tanh)
    erf = staticmethod(lambda x: _sp.erf(x))
    sigmoid = staticmethod(_expit)
    abs = staticmethod(np.abs)

    @staticmethod
    def f(x):  # bool mask -> a float factor of the gradient's dtype (cast by the product)
        return x


class _T:
    @staticmethod
    def where(c, a, b):
        return _ops.compare.where(c, a, b)

    exp = staticmethod(lambda x: x.exp())
    tanh = staticmethod(lambda x: x.tanh())
    erf = staticmethod(lambda x: x.erf())
    sigmoid = staticmethod(lambda x: x.sigmoid())
    abs = staticmethod(lambda x: x.abs())

    @staticmethod
    def f(x):
        return x


def _act(name, fwd, grad):
    """One Function for an elementwise activation; ``grad(xp, g, x, **attrs)``."""
    def forward(ctx, x, **attrs):
        ctx.attrs = attrs
        return fwd(x, **attrs)

    def backward(ctx, g):
        if not MODE.grad_enabled:
            r = grad(_NP, g._data, ctx.inputs[0]._data, **ctx.attrs)
            return _wrap(np.asarray(r, dtype=g._data.dtype))
        return grad(_T, g, ctx.inputs[0], **ctx.attrs)

    cls = type(name, (Function,), dict(forward=forward, backward=backward, node_name=name + "0"))
    return cls


def _float_check(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}" not implemented for \'{_legacy_name(input)}\'')


_LEGACY = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
           "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half",
           "bfloat16": "BFloat16"}


def _legacy_name(t):
    return _LEGACY.get(t.dtype.name, t.dtype.name)


def _run(input, inplace, f):
    """``f(input)``, written back into ``input`` for ``inplace=True`` (rebasing the graph)."""
    if not inplace:
        return f(input)
    if MODE.grad_enabled and input.requires_grad:
        from ...ops.index import _inplace_record
        return _inplace_record(input, f)
    return _assign(input, f(input))


def _assign(input, out):
    np.copyto(input._data, out._data, casting="unsafe")
    input._vbox[0] += 1
    return input


# --- relu family ------------------------------------------------------------------------------
def relu(input, inplace=False):
    """``max(x, 0)``; e.g. ``F.relu(torch.tensor([-1., 2.]))``."""
    if inplace:
        return input.relu_()
    return input.relu()


def relu_(input):
    return input.relu_()


Relu6 = _act("HardtanhBackward", lambda x, lo, hi: np.clip(x, lo, hi).astype(x.dtype, copy=False),
             lambda xp, g, x, lo, hi: g * ((x > lo) & (x < hi)))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to ``[min_val, max_val]`` (gradient 0 outside the open interval)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _run(input, inplace, lambda t: Relu6.apply(t, lo=min_val, hi=max_val))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


LeakyRelu = _act("LeakyReluBackward", lambda x, s: np.where(x > 0, x, x * s),
                 lambda xp, g, x, s: xp.where(x > 0, g, g * s))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _run(input, inplace, lambda t: LeakyRelu.apply(t, s=negative_slope))


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


class Prelu(Function):
    node_name = "PreluKernelBackward0"

    def forward(ctx, x, w):
        ctx.wshape = (1, -1) + (1,) * (x.ndim - 2) if x.ndim >= 2 and w.size > 1 else \
            (() if w.size == 1 else None)
        wb = w.reshape(ctx.wshape) if ctx.wshape is not None else w
        return np.where(x > 0, x, x * wb)

    def backward(ctx, g):
        x, w = ctx.inputs
        wb = w.reshape(ctx.wshape) if ctx.wshape is not None else w
        pos = x > 0
        gx = _ops.compare.where(pos, g, g * wb) if ctx._edges[0] is not None else None
        gw = None
        if ctx._edges[1] is not None:
            gxw = _ops.compare.where(pos, g * 0, g * x)
            if ctx.wshape:
                dims = tuple(i for i in range(x.ndim) if i != 1)
                gw = gxw.sum(dims)
            else:
                gw = gxw.sum().reshape(w.shape)
        return gx, gw


def prelu(input, weight):
    if weight.ndim > 1 or (weight.numel() > 1 and (input.ndim < 2 or input.shape[1] != weight.numel())):
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {weight.numel()} and channel size = "
                           f"{input.shape[1] if input.ndim >= 2 else 1}.")
    return Prelu.apply(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if training:
        from ..._tensor import TRACERS, _traced
        from ...ops.random import draw
        if TRACERS:  # how many numbers are drawn depends on the data
            _traced("side_effect", "random sampling by rrelu")
        # PyTorch's CPU kernel: one double U(lower, upper) per element <= 0, in order
        neg = input._data <= 0
        k = int(neg.sum())
        dt = input._data.dtype
        lo, hi = float(dt.type(lower)), float(dt.type(upper))  # bounds in the input's dtype first
        r = draw(lambda s: s.uniform(k, np.float64, lo, hi).astype(dt))
        slope = np.ones(input.shape, dtype=dt)
        slope[neg] = r
        slope = _wrap(slope)
        return _run(input, inplace, lambda t: t * slope)
    return _run(input, inplace, lambda t: leaky_relu(t, (lower + upper) / 2))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


# --- exponential family -----------------------------------------------------------------------
def _elu_f(x, alpha, scale, input_scale):
    return np.where(x > 0, x * scale, np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale))


def _elu_g(xp, g, x, alpha, scale, input_scale):
    neg = xp.exp(x * input_scale) * (alpha * scale * input_scale)
    return xp.where(x > 0, g * scale, g * neg)


Elu = _act("EluBackward", _elu_f, _elu_g)
_SELU_A, _SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def elu(input, alpha=1.0, inplace=False):
    return _run(input, inplace, lambda t: Elu.apply(t, alpha=alpha, scale=1.0, input_scale=1.0))


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    return _run(input, inplace, lambda t: Elu.apply(t, alpha=_SELU_A, scale=_SELU_S, input_scale=1.0))


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _run(input, inplace, lambda t: Elu.apply(t, alpha=alpha, scale=1.0, input_scale=1.0 / alpha))


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _gelu_f(x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x)))
    return x * normal_cdf(x)


def _gelu_g(xp, g, x, approximate):
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * _SQRT_2_PI
        t = xp.tanh(inner)
        dinner = (x * x * (3 * 0.044715) + 1) * _SQRT_2_PI
        return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * dinner)
    cdf = (xp.erf(x * _INV_SQRT2) + 1) * 0.5
    pdf = xp.exp(x * x * -0.5) * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


class Gelu(Function):
    """GELU; the exact form keeps Phi(x) from forward for the backward (no second erf)."""
    node_name = "GeluBackward0"

    def forward(ctx, x, approximate):
        ctx.approximate = approximate
        if approximate == "tanh":
            return _gelu_f(x, approximate)
        cdf, ctx.gauss = normal_cdf_gauss(x)
        ctx.cdf = cdf
        return x * cdf

    def backward(ctx, g):
        x = ctx.inputs[0]
        if MODE.grad_enabled:
            return _gelu_g(_T, g, x, ctx.approximate)
        if ctx.approximate == "tanh":
            return _wrap(np.asarray(_gelu_g(_NP, g._data, x._data, "tanh"), dtype=g._data.dtype))
        gx = x._data * ctx.gauss    # d(x Phi(x))/dx = Phi(x) + x phi(x)
        gx *= _INV_SQRT_2PI
        gx += ctx.cdf
        gx *= g._data
        return _wrap(gx)


def gelu(input, approximate="none"):
    """Gaussian error linear unit; ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_check(input, "GeluKernelImpl")
    return Gelu.apply(input, approximate=approximate)


def _silu_g(xp, g, x):
    s = xp.sigmoid(x)
    return g * (s * (x * (1 - s) + 1))


Silu = _act("SiluBackward", lambda x: x * _expit(x), _silu_g)


def silu(input, inplace=False):
    return _run(input, inplace, lambda t: Silu.apply(t))


def _softplus_np(x):
    return np.logaddexp(x, 0) if x.dtype != np.float16 else np.logaddexp(x.astype(np.float32), 0).astype(x.dtype)


def _mish_f(x):
    return x * np.tanh(_softplus_np(x))


def _mish_g(xp, g, x):
    sp = _softplus(xp, x)
    t = xp.tanh(sp)
    return g * (t + x * (1 - t * t) * xp.sigmoid(x))


def _softplus(xp, x):
    if xp is _NP:
        return _softplus_np(x)
    return _ops.compare.where(x > 20, x, (x.clamp(max=20).exp() + 1).log())


Mish = _act("MishBackward", _mish_f, _mish_g)


def mish(input, inplace=False):
    return _run(input, inplace, lambda t: Mish.apply(t))


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def _softplus_f(x, beta, threshold):
    bx = x * beta
    return np.where(bx > threshold, x, _softplus_np(bx) / beta)


def _softplus_g(xp, g, x, beta, threshold):
    bx = x * beta
    return xp.where(bx > threshold, g, g * xp.sigmoid(bx))


Softplus = _act("SoftplusBackward", _softplus_f, _softplus_g)


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta x)) / beta``, linear above ``threshold``."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def softsign(input):
    return input / (input.abs() + 1)


Hardsigmoid = _act("HardsigmoidBackward", lambda x: np.clip(x / 6 + 0.5, 0, 1),
                   lambda xp, g, x: g * ((x > -3) & (x < 3)) * (1.0 / 6))


def hardsigmoid(input, inplace=False):
    return _run(input, inplace, lambda t: Hardsigmoid.apply(t))


def _hardswish_g(xp, g, x):
    mid = xp.where(x <= 3, g * (x / 3 + 0.5), g)
    return xp.where(x < -3, g * 0, mid)


Hardswish = _act("HardswishBackward", lambda x: x * np.clip(x + 3, 0, 6) / 6, _hardswish_g)


def hardswish(input, inplace=False):
    return _run(input, inplace, lambda t: Hardswish.apply(t))


Threshold = _act("ThresholdBackward", lambda x, th, v: np.where(x > th, x, np.asarray(v, x.dtype)),
                 lambda xp, g, x, th, v: g * (x > th))


def threshold(input, threshold, value, inplace=False):
    """``x if x > threshold else value``."""
    return _run(input, inplace, lambda t: Threshold.apply(t, th=threshold, v=value))


def threshold_(input, threshold, value):
    return _threshold_fn(input, threshold, value, True)


_threshold_fn = threshold


def tanhshrink(input):
    return input - input.tanh()


Hardshrink = _act("HardshrinkBackward", lambda x, l: np.where(np.abs(x) > l, x, np.zeros((), x.dtype)),
                  lambda xp, g, x, l: g * ((x > l) | (x < -l)))


def hardshrink(input, lambd=0.5):
    return Hardshrink.apply(input, l=lambd)


Softshrink = _act("SoftshrinkBackward",
                  lambda x, l: np.where(x > l, x - l, np.where(x < -l, x + l, np.zeros((), x.dtype))),
                  lambda xp, g, x, l: g * ((x > l) | (x < -l)))


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Softshrink.apply(input, l=lambd)


def _logsigmoid_f(x):
    return -_softplus_np(-x)


LogSigmoid = _act("LogSigmoidBackward", _logsigmoid_f, lambda xp, g, x: g * xp.sigmoid(-x))


def logsigmoid(input):
    return LogSigmoid.apply(input)


def glu(input, dim=-1):
    """Gated linear unit: ``a * sigmoid(b)`` for the two halves of ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size {n}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


# --- softmax family --------------------------------------------------------------------------
def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_mod.softmax(input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_mod.log_softmax(input, dim, _stacklevel, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return _softmax_mod.softmin(input, dim, _stacklevel, dtype)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    from ...ops.random import draw
    dt = logits._data.dtype
    e = draw(lambda s: s.exponential(logits.numel(), dt).reshape(logits.shape))
    gumbels = _wrap(-np.log(e))  # PyTorch: -empty_like(logits).exponential_().log()
    y = softmax((logits + gumbels) / tau, dim)
    if hard:
        idx = y._data.argmax(axis=dim)
        hard_y = np.zeros_like(y._data)
        np.put_along_axis(hard_y, np.expand_dims(idx, dim), 1.0, axis=dim)
        return _wrap(hard_y) - y.detach() + y
    return y
