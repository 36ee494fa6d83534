"""PyTorch's layout for ember's nn functional ops (ember/nn/_functional): losses, convolution,
pooling, normalisation, embedding, dropout, activations, padding."""
import numpy as np

from . import E, EdgeOf, Fresh, View, _needs, _REDUCTION, _shaped, _uint64, node


def mse(fn):
    x, t = fn.inputs
    red = _REDUCTION[fn.reduction]
    return View([E(0), E(1)], lambda: {"reduction": red, "self": x, "target": t})


def cross_entropy(fn):
    target = fn.inputs[1]
    weight = fn.inputs[2] if len(fn.inputs) > 2 else None
    lp, _, _, _, _, denom, shape = fn.cache
    red = _REDUCTION[fn.reduction]
    ignore = _uint64(fn.__dict__.get("ignore_index", -100))
    x = fn.inputs[0]

    def nll_saved():
        tw = np.asarray(denom if denom is not None else 0.0, lp.dtype)
        return {"ignore_index": ignore, "reduction": red,
                "self": Fresh(lambda: lp.reshape(shape)) if fn.from_logits else x,
                "target": target, "total_weight": Fresh(lambda: tw), "weight": weight}
    if not fn.from_logits:
        return View([E(0)], nll_saved)
    dim = 1 if len(shape) > 1 else 0
    lsm = node(fn, "LogSoftmaxBackward0", [E(0)],
               lambda: {"dim": dim, "result": Fresh(lambda: lp.reshape(shape))})
    return View([lsm] if _needs(fn, 0) else [None], nll_saved)


def conv(fn):
    x, w = fn.inputs[0], fn.inputs[1]
    stride, pads, dil, groups = fn.cfg
    has_bias = len(fn._edges) > 2
    bias_sizes = (w._data.shape[0],) if has_bias else (0,)
    pad = tuple(p[0] for p in pads)
    nd = len(stride)
    return View([E(0), E(1), E(2) if has_bias else None], lambda: {
        "bias_sym_sizes_opt": bias_sizes, "dilation": tuple(dil), "groups": groups, "input": x,
        "output_padding": (0,) * nd, "padding": pad, "stride": tuple(stride), "transposed": False,
        "weight": w})


def _conv_transpose(cig, x_entry, w_entry, b_entry, out_shape, bias_sizes):
    """ConvInputGrad used forward (conv_transpose): PyTorch's ConvolutionBackward0, transposed."""
    x, w = cig.inputs
    stride, pads, dil, groups = cig.cfg
    K = w._data.shape[2:]
    base = tuple((s - 1) * st - 2 * p[0] + d * (k - 1) + 1
                 for s, st, p, d, k in zip(x._data.shape[2:], stride, pads, dil, K))
    op = tuple(o - b for o, b in zip(out_shape[2:], base)) if out_shape is not None else (0,) * len(K)
    return View([x_entry, w_entry, b_entry], lambda: {
        "bias_sym_sizes_opt": bias_sizes, "dilation": tuple(dil), "groups": groups, "input": x,
        "output_padding": op, "padding": tuple(p[0] for p in pads), "stride": tuple(stride),
        "transposed": True, "weight": w}, name="ConvolutionBackward0")


def conv_transpose(fn):
    """conv_transpose without a bias: the ConvInputGrad node itself."""
    return _conv_transpose(fn, E(0), E(1), None, fn.__dict__.get("_out_shapes", {}).get(0), (0,))


def conv_transpose_bias(fn):
    """``conv_transpose(x, w) + b.reshape(C, 1, ..)`` as one ConvolutionBackward0, or None."""
    e0, e1 = fn._edges[0], fn._edges[1]
    if e0 is None or e1 is None or e0[1] != 0 or e1[1] != 0:
        return None
    cig, r = e0[0], e1[0]
    if type(cig).__qualname__ != "ConvInputGrad" or type(r).__qualname__ != "Reshape" or \
            cig.__dict__.get("inputs") is None or r.__dict__.get("inputs") is None or len(r.in_shape) != 1:
        return None
    out_shape = fn.inputs[0]._data.shape
    return _conv_transpose(cig, EdgeOf(cig, 0), EdgeOf(cig, 1), EdgeOf(r, 0), out_shape, tuple(r.in_shape))


def _maxpool_saved(x, K, stride, dil, pads, out_shape, ceil):
    return lambda: {"ceil_mode": ceil, "dilation": tuple(dil), "kernel_size": tuple(K),
                    "padding": tuple(p[0] for p in pads),
                    "result1": Fresh(lambda: _shaped(out_shape, np.int64)), "self": x,
                    "stride": tuple(stride)}


def _ceil_mode(in_sp, K, stride, dil, pads, out_sp):
    floor = tuple((i + p[0] + p[1] - d * (k - 1) - 1) // s + 1
                  for i, k, s, d, p in zip(in_sp, K, stride, dil, pads))
    return tuple(out_sp) != floor


def _maxpool1d(fn, x, K, stride, dil, pads, out_shape, ceil):
    """PyTorch pools 1-d as 2-d: UnsqueezeBackward0, MaxPool2DWithIndicesBackward0 over a
    (1, k) window, SqueezeBackward1."""
    xd = x._data
    x4 = xd[..., None, :]
    out4 = tuple(out_shape[:-1]) + (1, out_shape[-1])
    dim = _uint64(-2)
    unsq = node(fn, "UnsqueezeBackward0", [E(0)], lambda: {"dim": dim})
    pool = node(fn, "MaxPool2DWithIndicesBackward0", [unsq], lambda: {
        "ceil_mode": ceil, "dilation": (1,) + tuple(dil), "kernel_size": (1,) + tuple(K),
        "padding": (0,) + tuple(p[0] for p in pads), "result1": Fresh(lambda: _shaped(out4, np.int64)),
        "self": Fresh(lambda: x4), "stride": (1,) + tuple(stride)})
    return View([pool], lambda: {"dim": dim, "self_sym_sizes": out4}, name="SqueezeBackward1")


def tiled_maxpool(fn):
    x = fn.inputs[0]
    K = fn.K
    out_shape = fn.best.shape
    nd = len(K)
    if nd == 1:
        return _maxpool1d(fn, x, K, K, (1,), ((0, 0),), out_shape, False)
    return View([E(0)], _maxpool_saved(x, K, K, (1,) * nd, ((0, 0),) * nd, out_shape, False),
                name=f"MaxPool{nd}DWithIndicesBackward0")


def maxpool(fn):
    x = fn.inputs[0]
    K, stride, dil, pads, in_sp = fn.cfg
    out_shape = fn.arg.shape
    ceil = _ceil_mode(in_sp, K, stride, dil, pads, out_shape[2:])
    nd = len(K)
    if nd == 1:
        return _maxpool1d(fn, x, K, stride, dil, pads, out_shape, ceil)
    return View([E(0)], _maxpool_saved(x, K, stride, dil, pads, out_shape, ceil),
                name=f"MaxPool{nd}DWithIndicesBackward0")


def avgpool(fn):
    x = fn.inputs[0]
    K, stride, dil, pads, sp = fn.cfg
    nd = len(K)
    inv = np.asarray(fn.inv)
    # NOTE: divisors differ between windows only when padding is not counted.
    count_pad = inv.size == 0 or bool(np.all(inv == inv.flat[0]))
    return View([E(0)], lambda: {"ceil_mode": False, "count_include_pad": bool(count_pad),
                                 "divisor_override": None, "kernel_size": tuple(K),
                                 "padding": tuple(p[0] for p in pads), "self": x, "stride": tuple(stride)},
                name=f"AvgPool{nd}DBackward0" if nd > 1 else None)


def norm_affine(fn):
    """BatchNorm (statistics over all but the channel dim) -> NativeBatchNormBackward0,
    LayerNorm (over the trailing dims) -> NativeLayerNormBackward0."""
    x = fn.inputs[0]
    nd = x._data.ndim
    axes = tuple(fn.axes)
    affine = fn.affine
    w = fn.inputs[1] if "w" in affine else None
    b = fn.inputs[-1] if "b" in affine else None
    nxt = [E(0), E(1) if w is not None else None,
           E(len(fn._edges) - 1) if b is not None else None]
    invstd = fn.invstd
    if nd >= 2 and axes == (0,) + tuple(range(2, nd)):
        C = x._data.shape[1]
        mean_ = fn.__dict__.get("mean")
        if mean_ is None:
            mean_ = x._data.mean(axes, keepdims=True)
        rm = fn.__dict__.get("running_mean")
        rv = fn.__dict__.get("running_var")
        return View(nxt, lambda: {"eps": fn.eps, "input": x,
                                  "result1": Fresh(lambda: mean_.reshape(C)),
                                  "result2": Fresh(lambda: invstd.reshape(C)),
                                  "running_mean": rm, "running_var": rv, "training": True, "weight": w},
                    name="NativeBatchNormBackward0")
    if axes == tuple(range(nd - len(axes), nd)):
        ns = x._data.shape[nd - len(axes):]
        st = x._data.shape[:nd - len(axes)] + (1,) * len(axes)
        mean_ = fn.__dict__.get("mean")
        if mean_ is None:
            mean_ = x._data.mean(axes, keepdims=True)
        return View(nxt, lambda: {"bias": b, "input": x, "normalized_shape": tuple(ns),
                                  "result1": Fresh(lambda: mean_.reshape(st)),
                                  "result2": Fresh(lambda: invstd.reshape(st)), "weight": w},
                    name="NativeLayerNormBackward0")
    return View([E(i) for i in range(len(fn._edges))])


def embedding(fn):
    idx = fn.idx
    pad = fn.padding_idx
    n = fn.wshape[0]
    return View([E(0)], lambda: {"indices": Fresh(lambda: np.asarray(idx)),
                                 "padding_idx": _uint64(-1 if pad is None else pad),
                                 "scale_grad_by_freq": False, "sparse": False, "weight_sym_argsize_0": n})


def mask_mul(fn):
    mask = fn.mask
    return View([E(0), None], lambda: {"other": Fresh(lambda: mask), "self": None})


_ACT_ATTRS = {  # ember's attribute -> PyTorch's saved name, per activation
    "HardtanhBackward": {"hi": "max_val", "lo": "min_val"}, "LeakyReluBackward": {"s": "negative_slope"},
    "EluBackward": {"alpha": "alpha", "input_scale": "input_scale", "scale": "scale"},
    "SoftplusBackward": {"beta": "beta", "threshold": "threshold"}, "ThresholdBackward": {"th": "threshold"},
    "HardshrinkBackward": {"l": "lambd"}, "SoftshrinkBackward": {"l": "lambd"},
}


def activation(fn):
    x = fn.inputs[0]
    names = _ACT_ATTRS.get(type(fn).__qualname__, {})
    attrs = fn.__dict__.get("attrs", {})

    def saved():
        relu6 = attrs.get("lo") == 0 and attrs.get("hi") == 6  # F.relu6 passes integers
        d = {names[k]: int(v) if relu6 else _int_default(names[k], v) for k, v in attrs.items() if k in names}
        d["self"] = x
        return d
    return View([E(0)], saved)


def _int_default(name, v):
    # NOTE: PyTorch's defaults for these are integer Scalars (softplus beta=1, threshold=20; elu
    # scale=1, input_scale=1), and it shows them as such.
    if name in ("beta", "threshold", "scale", "input_scale") and isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def gelu(fn):
    x, approx = fn.inputs[0], fn.approximate
    return View([E(0)], lambda: {"approximate": approx, "self": x})


def bce(fn):
    x, t = fn.inputs[0], fn.inputs[1]
    w = fn.inputs[2] if len(fn.inputs) > 2 else None
    red = _REDUCTION[fn.reduction]
    return View([E(i) for i in range(len(fn._edges))],
                lambda: {"reduction": red, "self": x, "target": t, "weight": w})


def bce_logits(fn):
    x, t, w, pw = [None if a is not None and a._data.size == 0 else a
                   for a in (list(fn.inputs) + [None, None])[:4]]
    red = _REDUCTION[fn.reduction]
    return View([E(i) for i in range(len(fn._edges))],
                lambda: {"pos_weight": pw, "reduction": red, "self": x, "target": t, "weight": w})


def constant_pad(fn):
    # F.pad's flat order: the last dim's (before, after) first
    flat = tuple(v for pair in reversed(fn.pads) for v in pair)
    return View([E(0)], lambda: {"pad": flat}, name="ConstantPadNdBackward0")


_NF = "ember.nn._functional."
RULES = {
    _NF + "loss.MSE": mse, _NF + "loss.CrossEntropy": cross_entropy, _NF + "loss.BCE": bce,
    _NF + "loss.BCEWithLogits": bce_logits, _NF + "conv.Conv": conv, _NF + "conv.ConstantPad": constant_pad,
    _NF + "conv.ConvInputGrad": conv_transpose,
    _NF + "pooling.TiledMaxPool": tiled_maxpool, _NF + "pooling.MaxPool": maxpool,
    _NF + "pooling.AvgPool": avgpool, _NF + "norm.NormAffine": norm_affine,
    _NF + "basic.Embedding": embedding, _NF + "basic._MaskMul": mask_mul, _NF + "activation.Gelu": gelu,
}
for _name in _ACT_ATTRS.keys() | {"SiluBackward", "MishBackward", "HardsigmoidBackward", "HardswishBackward",
                                  "LogSigmoidBackward"}:
    RULES[_NF + "activation." + _name] = activation
