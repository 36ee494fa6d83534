"""PyTorch's layout for ember's tensor ops (ember/ops): arithmetic, pointwise math, reductions,
shapes, indexing, matmul and the fused Linear, softmax."""
import math

import numpy as np

from . import E, EdgeOf, Fresh, View, _needs, _sizes, _strides, _uint64, _wrap, node


def _addmm(fn, x_entry, x, w, bias_entry):
    """x @ w.T (+ b): AddmmBackward0 (MmBackward0 without a bias) over TBackward0(w)."""
    wt = w._data.T
    t = node(fn, "TBackward0", [E(1)])
    x_grad, w_grad = _needs(fn, 0), _needs(fn, 1)
    if bias_entry is None:
        def saved():
            return {"mat2": Fresh(lambda: wt) if x_grad else None, "mat2_sym_sizes": wt.shape,
                    "mat2_sym_strides": _strides(wt) if w_grad else (),
                    "self": x if w_grad else None, "self_sym_sizes": _sizes(x),
                    "self_sym_strides": _strides(x._data) if x_grad else ()}
        return [x_entry, t], saved

    def saved():
        return {"alpha": 1, "beta": 1, "mat1": x if w_grad else None, "mat1_sym_sizes": _sizes(x),
                "mat1_sym_strides": _strides(x._data) if x_grad else (),
                "mat2": Fresh(lambda: wt) if x_grad else None, "mat2_sym_sizes": wt.shape,
                "mat2_sym_strides": _strides(wt) if w_grad else ()}
    return [bias_entry, x_entry, t], saved


def linear(fn):
    x, w = fn.inputs[0], fn.inputs[1]
    has_bias = len(fn._edges) > 2
    mm_name = "AddmmBackward0" if has_bias else "MmBackward0"
    if x._data.ndim == 2:
        x_entry = E(0)
        e = fn._edges[0]
        if e is not None and e[1] == 0 and type(e[0]).__qualname__ == "RNNSequence" and e[0].uniform:
            # a stacked RNN's next layer: PyTorch views the (T, B, H) output as (T*B, H)
            r = e[0]
            tbh = (len(r.batch_sizes), r.batch_sizes[0], x._data.shape[-1])
            x_entry = node(fn, "ViewBackward0", [E(0)], lambda: {"self_sym_sizes": tbh})
        nxt, saved = _addmm(fn, x_entry, x, w, E(2) if has_bias else None)
        return View(nxt, saved, name=mm_name)
    # N-d input: PyTorch views it as 2-d, multiplies, and views the result back.
    lead = x._data.shape[:-1]
    x2 = _wrap(x._data.reshape(-1, x._data.shape[-1]))
    xin = node(fn, "ViewBackward0", [E(0)], lambda: {"self_sym_sizes": _sizes(x)})
    nxt, saved = _addmm(fn, xin if _needs(fn, 0) else None, x2, w, E(2) if has_bias else None)
    mm = node(fn, mm_name, nxt, saved)
    return View([mm], lambda: {"self_sym_sizes": (int(math.prod(lead)), w._data.shape[0])},
                name="ViewBackward0")


def _reshape_node(fn, entry, arr, shape):
    """PyTorch's reshape of ``arr``: a view (ViewBackward0 when contiguous, else
    ReshapeAliasBackward0), or a copy (CloneBackward0 under UnsafeViewBackward0)."""
    sizes = tuple(arr.shape)
    if arr.flags.c_contiguous:
        return node(fn, "ViewBackward0", [entry], lambda: {"self_sym_sizes": sizes})
    try:
        v = arr.view()
        v.shape = shape
        return node(fn, "ReshapeAliasBackward0", [entry], lambda: {"self_sym_sizes": sizes})
    except AttributeError:
        clone = node(fn, "CloneBackward0", [entry])
        return node(fn, "UnsafeViewBackward0", [clone], lambda: {"self_sym_sizes": sizes})


def _bmm(fn):
    """Batched matmul, as PyTorch runs it: expand both operands to the batch shape, reshape
    them to 3-d, BmmBackward0, and an UnsafeViewBackward0 back to the batch shape."""
    a, b = fn.inputs
    ad, bd = a._data, b._data
    n = int(math.prod(ad.shape[:-2]))
    a3, b3 = ad.reshape((n,) + ad.shape[-2:]), bd.reshape((n,) + bd.shape[-2:])
    ga, gb = _needs(fn, 0), _needs(fn, 1)
    ops = []
    for i, arr in ((0, ad), (1, bd)):
        if not _needs(fn, i):
            ops.append(None)
            continue
        sizes = tuple(arr.shape)
        ex = node(fn, "ExpandBackward0", [E(i)], lambda sizes=sizes: {"self_sym_sizes": sizes})
        ops.append(_reshape_node(fn, ex, arr, (n,) + arr.shape[-2:]))
    bmm = node(fn, "BmmBackward0", ops, lambda: {"mat2": Fresh(lambda: b3) if ga else None,
                                                  "self": Fresh(lambda: a3) if gb else None})
    out3 = (n, ad.shape[-2], bd.shape[-1])
    return View([bmm], lambda: {"self_sym_sizes": out3}, name="UnsafeViewBackward0")


def matmul(fn):
    a, b = fn.inputs
    if a._data.ndim >= 3 and a._data.ndim == b._data.ndim and a._data.shape[:-2] == b._data.shape[:-2]:
        return _bmm(fn)
    if a._data.ndim != 2 or b._data.ndim != 2:
        return View([E(0), E(1)])
    ga, gb = _needs(fn, 0), _needs(fn, 1)
    return View([E(0), E(1)], lambda: {
        "mat2": b if ga else None, "mat2_sym_sizes": _sizes(b),
        "mat2_sym_strides": _strides(b._data) if gb else (),
        "self": a if gb else None, "self_sym_sizes": _sizes(a),
        "self_sym_strides": _strides(a._data) if ga else ()}, name="MmBackward0")


def _var_attrs(v):
    axes = None if v.axes is None else tuple(v.axes)
    # NOTE: PyTorch keeps the default correction of a full reduction as None.
    corr = None if axes is None and v.c == 1 else v.c
    return {"correction": corr, "dim": axes, "keepdim": v.keepdim}


def var(fn):
    x = fn.inputs[0]
    return View([E(0)], lambda: dict(_var_attrs(fn), self=x))


def norm2(fn):
    x, y = fn.inputs[0], fn.y
    axes = None if fn.axes is None else tuple(fn.axes)
    return View([E(0)], lambda: {"dim": axes, "keepdim": fn.keepdim, "ord": 2, "result": Fresh(lambda: y),
                                 "self": x}, name="LinalgVectorNormBackward0")


def pointwise(fn):
    """Unary math: PyTorch saves the output where ember's gradient reads it, else the input."""
    e = fn._edges[0]
    if type(fn).__qualname__ == "Sqrt" and e is not None and e[1] == 0 and type(e[0]).__qualname__ == "Var" \
            and e[0].__dict__.get("inputs") is not None:
        # std is sqrt(var) in ember: PyTorch's one StdBackward0
        v, y = e[0], fn.__dict__.get("y")
        x = v.inputs[0]
        return View([EdgeOf(v, 0)], lambda: dict(_var_attrs(v), result=Fresh(lambda: y), self=x),
                    name="StdBackward0")
    if type(fn).saves_output:
        y = fn.__dict__.get("y")
        return View([E(0)], lambda: {"result": Fresh(lambda: y)})
    if type(fn).saved_inputs == ():
        return View([E(0)])
    x = fn.inputs[0]
    return View([E(0)], lambda: {"self": x})


def _reduce_attrs(fn, numel=False):
    shape, axes, keepdim = fn.shape, fn.axes, fn.keepdim
    d = {} if axes is None else {"dim": tuple(axes), "keepdim": keepdim}
    if numel:
        d["self_sym_numel"] = int(math.prod(shape))
    d["self_sym_sizes"] = tuple(shape)
    return d


def sum_(fn):
    d = _reduce_attrs(fn)
    return View([E(0)], lambda: d, name="SumBackward0" if fn.axes is None else "SumBackward1")


def mean(fn):
    d = _reduce_attrs(fn, numel=True)
    return View([E(0)], lambda: d, name="MeanBackward0" if fn.axes is None else "MeanBackward1")


def extremum(fn):
    """max() / min() of all elements: MaxBackward1 / MinBackward1 (result, self)."""
    x, y = fn.inputs[0], np.asarray(fn.y)
    if fn.axes is not None:  # amax / amin
        axes, keepdim = tuple(fn.axes), fn.keepdim
        big = np.array_equal(y, x._data.max(axis=axes, keepdims=keepdim))
        return View([E(0)], lambda: {"dim": axes, "keepdim": keepdim, "result": Fresh(lambda: y), "self": x},
                    name="AmaxBackward0" if big else "AminBackward0")
    name = "MaxBackward1" if x._data.size and y == x._data.max() else "MinBackward1"
    return View([E(0)], lambda: {"result": Fresh(lambda: y), "self": x}, name=name)


def reshape(fn):
    shape = tuple(fn.in_shape)
    x = fn.inputs[0]._data
    if x.flags.c_contiguous or x.ndim == 0:
        return View([E(0)], lambda: {"self_sym_sizes": shape}, name="ViewBackward0")
    out_shape = fn.__dict__.get("_out_shapes", {}).get(0)
    as_view = False
    if out_shape is not None:
        try:
            v = x.view()
            v.shape = out_shape
            as_view = True
        except AttributeError:
            pass
    if as_view:
        return View([E(0)], lambda: {"self_sym_sizes": shape}, name="ReshapeAliasBackward0")
    clone = node(fn, "CloneBackward0", [E(0)])
    return View([clone], lambda: {"self_sym_sizes": shape}, name="UnsafeViewBackward0")


def permute(fn):
    perm = tuple(fn.perm)
    n = len(perm)
    swapped = [i for i in range(n) if perm[i] != i]
    if n == 2 and perm == (1, 0):
        return View([E(0)], name="TBackward0")
    if len(swapped) == 2:
        d0, d1 = swapped
        name = "TransposeBackward0"
        from .rnn import _rnn_below
        rnn = _rnn_below(fn) if perm == (1, 0, 2) else None
        if rnn is not None and "_torch_view" not in rnn.__dict__:
            # a batch_first RNN's output: PyTorch transposes it in place (TransposeBackward1),
            # an LSTM's out of place; the layers below learn that they ran batch first.
            rnn.__dict__["_batch_first"] = True
            if rnn.mode != "LSTM":
                name = "TransposeBackward1"
        return View([E(0)], lambda: {"dim0": d0, "dim1": d1}, name=name)
    return View([E(0)], lambda: {"dims": perm}, name="PermuteBackward0")


def cat(fn):
    dim = fn.dim
    n = len(fn._edges)
    # torch.stack is ember's cat of unsqueezed inputs: show PyTorch's StackBackward0.
    entries = []
    for i in range(n):
        e = fn._edges[i]
        if e is None or e[1] < 0 or type(e[0]).__qualname__ != "Reshape" or e[0].inputs is None:
            break
        r = e[0]
        ins = tuple(r.in_shape)
        out = ins[:dim] + (1,) + ins[dim:]
        if fn.sizes[i] != 1 or len(out) != len(fn.inputs[i]._data.shape) or out != fn.inputs[i]._data.shape:
            break
        entries.append(EdgeOf(r, 0))
    else:
        return View(entries, lambda: {"dim": dim}, name="StackBackward0")
    return View([E(i) for i in range(n)], lambda: {"dim": dim})


def getitem(fn):
    """Basic indexing as PyTorch's chain of SelectBackward0 / SliceBackward0 nodes."""
    idx = fn.idx if isinstance(fn.idx, tuple) else (fn.idx,)
    if not fn.basic:
        shape = tuple(fn.shape)
        if all(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in idx):
            # a[index tensors]: IndexBackward0 saves the indices (as int64 tensors)
            return View([E(0)], lambda: {"indices": tuple(_wrap(i.astype(np.int64)) for i in idx),
                                         "self_sym_sizes": shape}, name="IndexBackward0")
        return View([E(0)], name="IndexBackward0")
    if any(i is Ellipsis or i is None for i in idx):
        return View([E(0)], name="IndexBackward0")
    steps, shape, dim = [], list(fn.shape), 0
    for i in idx:
        sizes = tuple(shape)
        if isinstance(i, (int, np.integer)):
            steps.append(("SelectBackward0", {"dim": dim, "index": _uint64(int(i)), "self_sym_sizes": sizes}))
            del shape[dim]
        elif isinstance(i, slice):
            start, stop, step = i.indices(shape[dim])
            if (start, stop, step) != (0, shape[dim], 1):
                # NOTE: PyTorch keeps the bounds as written (None -> 0 / INT64_MAX, negatives as
                # their uint64 bits).
                raw_start = 0 if i.start is None else _uint64(int(i.start))
                raw_stop = (1 << 63) - 1 if i.stop is None else _uint64(int(i.stop))
                steps.append(("SliceBackward0", {
                    "dim": dim, "end": raw_stop, "self_sym_sizes": sizes, "start": raw_start,
                    "step": 1 if i.step is None else i.step}))
                shape[dim] = len(range(start, stop, step))
            dim += 1
        else:
            return View([E(0)], name="IndexBackward0")
    if not steps:
        return View([E(0)], name="AliasBackward0")
    entry = E(0)
    for name, attrs in steps[:-1]:
        entry = node(fn, name, [entry], lambda attrs=attrs: attrs)
    name, attrs = steps[-1]
    return View([entry], lambda: attrs, name=name)


def split(fn):
    dim, shape = fn.dim, tuple(fn.shape)
    sizes = tuple(m[0][dim] for m in fn._out_meta)
    if all(n == sizes[0] for n in sizes[:-1]) and sizes[-1] <= sizes[0]:
        return View([E(0)], lambda: {"dim": dim, "self_sym_sizes": shape, "split_size": sizes[0]})
    return View([E(0)], lambda: {"dim": dim, "self_sym_sizes": shape, "split_sizes": sizes},
                name="SplitWithSizesBackward0")


def softmax(fn):
    dim, y = fn.dim, fn.y
    return View([E(0)], lambda: {"dim": dim, "result": Fresh(lambda: y)})


def add(fn):
    from .nn import conv_transpose_bias
    v = conv_transpose_bias(fn)  # conv_transpose's bias is an add in ember
    if v is not None:
        return v
    return View([E(0), E(1)], lambda: {"alpha": 1})


def add_scalar(fn):
    return View([E(0), None], lambda: {"alpha": 1})


def mul(fn):
    a, b = fn.inputs
    ga, gb = _needs(fn, 0), _needs(fn, 1)
    return View([E(0), E(1)], lambda: {"other": b if ga else None, "self": a if gb else None})


def _scalar(fn):
    s = fn.__dict__.get("s", 0.0)
    return Fresh(lambda: np.asarray(s))


def mul_scalar(fn):
    return View([E(0), None], lambda: {"other": _scalar(fn), "self": None})


def div(fn):
    a, b = fn.inputs
    gb = _needs(fn, 1)
    return View([E(0), E(1)], lambda: {"other": b, "self": a if gb else None})


def div_scalar(fn):
    return View([E(0), None], lambda: {"other": _scalar(fn), "self": None})


def pow_scalar(fn):
    x = fn.inputs[0]
    s = fn.s
    return View([E(0)], lambda: {"exponent": s, "self": x})


def pow_(fn):
    a, b = fn.inputs
    return View([E(0), E(1)], lambda: {"exponent": b, "result": Fresh(lambda: np.power(a._data, b._data)),
                                       "self": a})


def rdiv_scalar(fn):
    """``s / x``: PyTorch computes ``x.reciprocal() * s``."""
    x = fn.inputs[0]
    rec = node(fn, "ReciprocalBackward0", [E(0)], lambda: {"result": Fresh(lambda: 1 / x._data)})
    return View([rec, None], lambda: {"other": _scalar(fn), "self": None}, name="MulBackward0")


def rsub_scalar(fn):
    return View([E(0)], lambda: {"alpha": 1})


def masked_fill(fn):
    mask = fn.inputs[1]
    return View([E(0)], lambda: {"mask": mask})


def gather(fn):
    x, index, dim = fn.inputs[0], fn.inputs[1], fn.dim
    return View([E(0)], lambda: {"dim": dim, "index": index, "self": x, "sparse_grad": False})


def index_select(fn):
    index, dim, shape = fn.inputs[1], fn.dim, tuple(fn.shape)
    return View([E(0)], lambda: {"dim": dim, "index": index, "self_sym_sizes": shape})


def where(fn):
    cond = fn.cond
    return View([E(1), E(2)], lambda: {"condition": Fresh(lambda: cond)})


def clamp(fn):
    x, lo, hi = fn.inputs[0], fn.lo, fn.hi
    return View([E(0)], lambda: {"max": hi, "min": lo, "self": x}, name="ClampBackward1")


_P, _A = "ember.ops.pointwise.", "ember.ops.arith."
RULES = {
    "ember.ops.matmul.Linear": linear, "ember.ops.matmul.MatMul": matmul,
    "ember.ops.reduce.Sum": sum_, "ember.ops.reduce.Mean": mean, "ember.ops.reduce.ExtremumAll": extremum,
    "ember.ops.reduce.Var": var, "ember.ops.reduce.Norm2": norm2,
    _A + "Add": add, _A + "Sub": add, _A + "AddScalar": add_scalar, _A + "SubScalar": add_scalar,
    _A + "Mul": mul, _A + "MulScalar": mul_scalar, _A + "Div": div, _A + "DivScalar": div_scalar,
    _A + "PowScalar": pow_scalar, _A + "Pow": pow_, _A + "RDivScalar": rdiv_scalar, _A + "RSubScalar": rsub_scalar,
    _P + "Clamp": clamp, "ember.ops.compare.Where": where,
    "ember.ops.shape.Permute": permute, "ember.ops.shape.Cat": cat, "ember.ops.shape.Split": split,
    "ember.ops.index.GetItem": getitem, "ember.ops.index.MaskedFill": masked_fill,
    "ember.ops.index.Gather": gather, "ember.ops.index.IndexSelect": index_select,
    "ember.ops.softmax.Softmax": softmax, "ember.ops.softmax.LogSoftmax": softmax,
}
for _name in ("Exp", "Exp2", "Expm1", "Log", "Log1p", "Log2", "Log10", "Sqrt", "Rsqrt", "Sin", "Cos", "Tan",
              "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "Asinh", "Acosh", "Atanh", "Sigmoid", "Erf",
              "Erfc", "Erfinv", "Lgamma", "Digamma", "Reciprocal", "Neg", "Abs", "Sign", "Floor", "Ceil",
              "Trunc", "Frac", "Square", "Relu"):
    RULES[_P + _name] = pointwise
