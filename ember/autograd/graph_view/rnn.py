"""PyTorch's layout for ember's fused recurrences (ember/nn/_functional/rnn.py): one RNNSequence
node per layer becomes PyTorch's per-step graph (RNN, GRU) or its oneDNN layer node (LSTM)."""
import weakref

import numpy as np

from . import E, EdgeOf, Fresh, View, _needs, _shaped, _sizes, _strides, node, view
from .ops import reshape


def _rnn_below(fn):
    """The RNNSequence whose (T*B, H) output this node reshapes, else None."""
    e = fn._edges[0] if fn._edges else None
    if e is None or e[1] != 0 or type(e[0]).__qualname__ != "Reshape":
        return None
    r = e[0]._edges[0] if e[0]._edges else None
    if r is None or r[1] != 0 or type(r[0]).__qualname__ != "RNNSequence":
        return None
    return r[0]


_UNBINDS = weakref.WeakValueDictionary()


def _initial_state(fn):
    """The entry for layer k's initial state ``h0[k]``: PyTorch unbinds h0 once for all
    layers (UnbindBackward0), where ember selects a row per layer."""
    e = fn._edges[1]
    if e is None:
        return None
    g = e[0]
    if type(g).__qualname__ != "GetItem" or e[1] != 0 or g.__dict__.get("inputs") is None or not g.basic:
        return E(1)
    k = g.idx[0] if isinstance(g.idx, tuple) and len(g.idx) == 1 else g.idx
    src = g._edges[0]
    if not isinstance(k, (int, np.integer)) or src is None:
        return E(1)
    key = (id(src[0]), src[1])
    unbind = _UNBINDS.get(key)
    if unbind is None or unbind._src is not src[0]:
        unbind = node(g, "UnbindBackward0", [EdgeOf(g, 0)], lambda: {"dim": 0})
        unbind._src = src[0]
        _UNBINDS[key] = unbind
    return (unbind, int(k))


def _hidden_mm(fn, prev_entry, h_prev, first, B, H):
    """A step's ``h_{t-1} @ W_hh.T + b_hh``: AddmmBackward0 (MmBackward0 without bias)."""
    w = fn.inputs[2]
    wt = w._data.T
    w_grad, x_grad = _needs(fn, 2), prev_entry is not None
    tn = node(fn, "TBackward0", [E(2)])
    if not fn.has_bias:
        return node(fn, "MmBackward0", [prev_entry, tn], lambda: {
            "mat2": Fresh(lambda: wt) if x_grad else None, "mat2_sym_sizes": wt.shape,
            "mat2_sym_strides": _strides(wt) if w_grad else (),
            "self": (fn.inputs[1] if first else Fresh(lambda: h_prev)) if w_grad else None,
            "self_sym_sizes": (B, H), "self_sym_strides": _strides(h_prev) if x_grad else ()})

    def saved():
        mat1 = (fn.inputs[1] if first else Fresh(lambda: h_prev)) if w_grad else None
        return {"alpha": 1, "beta": 1, "mat1": mat1, "mat1_sym_sizes": (B, H),
                "mat1_sym_strides": _strides(h_prev) if x_grad else (),
                "mat2": Fresh(lambda: wt) if x_grad else None, "mat2_sym_sizes": wt.shape,
                "mat2_sym_strides": _strides(wt) if w_grad else ()}
    return node(fn, "AddmmBackward0", [E(3), prev_entry, tn], saved)


def _input_linear(fn):
    """(the Linear projecting this layer's input, whether that input is a layer below)."""
    e = fn._edges[0]
    lin = e[0] if e is not None and e[1] == 0 and type(e[0]).__qualname__ == "Linear" else None
    if lin is None or lin.__dict__.get("inputs") is None:
        return None, False
    le = lin._edges[0]
    below = le is not None and le[1] == 0 and type(le[0]).__qualname__ == "RNNSequence"
    if below and fn.__dict__.get("_batch_first") and "_torch_view" not in le[0].__dict__:
        le[0].__dict__["_batch_first"] = True
    return lin, below


def _xproj_view(fn, shape):
    """The (T*B, G) input projection as (T, B, G): PyTorch's linear views the addmm result
    (ViewBackward0), or, without a bias, the matmul's (UnsafeViewBackward0). Batch first, the
    first layer's input is a transposed (T, B, I) tensor: PyTorch multiplies it (MmBackward0
    under UnsafeViewBackward0) and adds the bias (AddBackward0)."""
    lin, below = _input_linear(fn)
    biased = lin is None or len(lin._edges) > 2
    if lin is not None and fn.__dict__.get("_batch_first") and not below:
        x2, w = lin.inputs[0], lin.inputs[1]
        wt = w._data.T
        w_grad, x_grad = _needs(lin, 1), _needs(lin, 0)
        mm = node(lin, "MmBackward0", [E(0), node(lin, "TBackward0", [E(1)])], lambda: {
            "mat2": Fresh(lambda: wt) if x_grad else None, "mat2_sym_sizes": wt.shape,
            "mat2_sym_strides": _strides(wt) if w_grad else (),
            "self": Fresh(lambda: x2._data) if w_grad else None, "self_sym_sizes": _sizes(x2),
            "self_sym_strides": _strides(x2._data) if x_grad else ()})
        flat = (x2._data.shape[0], wt.shape[1])
        uv = node(lin, "UnsafeViewBackward0", [mm], lambda: {"self_sym_sizes": flat})
        if not biased:
            return uv
        return node(lin, "AddBackward0", [uv, E(2)], lambda: {"alpha": 1})
    return node(fn, "ViewBackward0" if biased else "UnsafeViewBackward0", [E(0)],
                lambda: {"self_sym_sizes": shape})


def rnn_sequence(fn):
    """One fused recurrence -> PyTorch's per-step graph: for each step t, TanhBackward0 over
    AddBackward0(AddmmBackward0(b_hh, h_{t-1}, TBackward0(W_hh)), UnbindBackward0[t]), with the
    unbind over a ViewBackward0 of the input projection; the sequence output a StackBackward0."""
    if fn.mode == "LSTM" and fn.uniform:
        return _lstm_layer(fn)
    if fn.mode == "GRU" and fn.uniform:
        return _gru_layer(fn)
    if fn.mode not in ("RNN_TANH", "RNN_RELU") or not fn.uniform:
        return View([E(i) for i in range(len(fn._edges))])
    act = "TanhBackward0" if fn.mode == "RNN_TANH" else "ReluBackward0"
    xp, h0 = fn.inputs[0], fn.inputs[1]
    off = fn.off
    T = len(fn.batch_sizes)
    B, H = h0._data.shape
    out = fn.__dict__.get("OUT")
    order = range(T - 1, -1, -1) if fn.reverse else range(T)
    xp_shape = _sizes(xp)
    unbind = node(fn, "UnbindBackward0", [_xproj_view(fn, xp_shape)], lambda: {"dim": 0})
    steps = {}
    prev_entry, prev_arr = _initial_state(fn), h0._data
    for t in order:
        s, e = off[t], off[t + 1]
        mm = _hidden_mm(fn, prev_entry, prev_arr, t == order[0], B, H)
        addn = node(fn, "AddBackward0", [mm, (unbind, t)], lambda: {"alpha": 1})
        h_arr = out[s:e] if out is not None else _shaped((B, H), h0._data.dtype)
        tanh = node(fn, act, [addn], lambda h_arr=h_arr: {"result": Fresh(lambda: h_arr)})
        steps[t] = tanh
        prev_entry, prev_arr = tanh, h_arr
    stack = node(fn, "StackBackward0", [steps[t] for t in range(T)], lambda: {"dim": 0})
    return View([E(i) for i in range(len(fn._edges))], outputs=[(stack, 0), (steps[order[-1]], 0)])


def _gru_layer(fn):
    """PyTorch's GRU cell per step: the input and hidden projections each split in three
    (UnsafeSplitBackward0); r, z = sigmoid(h + i); n = tanh(i_n + h_n * r);
    h' = (h - n) * z + n."""
    xp, h0 = fn.inputs[0], fn.inputs[1]
    off, T = fn.off, len(fn.batch_sizes)
    B, H = h0._data.shape
    OUT, RZ, NN, GHN = fn.OUT, fn.RZ, fn.NN, fn.GHN
    order = range(T - 1, -1, -1) if fn.reverse else range(T)
    xp_shape = _sizes(xp)
    unbind = node(fn, "UnbindBackward0", [_xproj_view(fn, xp_shape)], lambda: {"dim": 0})
    split = {"dim": 1, "self_sym_sizes": (B, 3 * H), "split_size": H}

    def alpha():
        return {"alpha": 1}
    steps = {}
    prev_entry, prev_arr = _initial_state(fn), h0._data
    for t in order:
        s, e = off[t], off[t + 1]
        r_a, z_a, n_a, hn_a = RZ[s:e, :H], RZ[s:e, H:], NN[s:e], GHN[s:e]
        isplit = node(fn, "UnsafeSplitBackward0", [(unbind, t)], lambda: split)
        hsplit = node(fn, "UnsafeSplitBackward0", [_hidden_mm(fn, prev_entry, prev_arr, t == order[0], B, H)],
                      lambda: split)
        r = node(fn, "SigmoidBackward0", [node(fn, "AddBackward0", [(hsplit, 0), (isplit, 0)], alpha)],
                 lambda r_a=r_a: {"result": Fresh(lambda: r_a)})
        z = node(fn, "SigmoidBackward0", [node(fn, "AddBackward0", [(hsplit, 1), (isplit, 1)], alpha)],
                 lambda z_a=z_a: {"result": Fresh(lambda: z_a)})
        mul_n = node(fn, "MulBackward0", [(hsplit, 2), r],
                     lambda r_a=r_a, hn_a=hn_a: {"other": Fresh(lambda: r_a), "self": Fresh(lambda: hn_a)})
        n = node(fn, "TanhBackward0", [node(fn, "AddBackward0", [(isplit, 2), mul_n], alpha)],
                 lambda n_a=n_a: {"result": Fresh(lambda: n_a)})
        sub = node(fn, "SubBackward0", [prev_entry, n], alpha)
        h_prev = prev_arr
        mul_h = node(fn, "MulBackward0", [sub, z], lambda z_a=z_a, h_prev=h_prev, n_a=n_a: {
            "other": Fresh(lambda: z_a), "self": Fresh(lambda: h_prev - n_a)})
        h = node(fn, "AddBackward0", [mul_h, n], alpha)
        steps[t] = h
        prev_entry, prev_arr = h, OUT[s:e]
    stack = node(fn, "StackBackward0", [steps[t] for t in range(T)], lambda: {"dim": 0})
    return View([E(i) for i in range(len(fn._edges))], outputs=[(stack, 0), (steps[order[-1]], 0)])


# NOTE: the size of oneDNN's workspace (PyTorch's result3) is internal to oneDNN; this is its
# size for small layers (it grows with long sequences and wide batches).


_MKLDNN_WORKSPACE = 28672


def _lstm_layer(fn):
    """One LSTM layer: PyTorch's CPU build runs it as one MkldnnRnnLayerBackward0 node whose
    inputs are (input, W_ih, W_hh, b_ih, b_hh, h0, c0)."""
    e0 = fn._edges[0]
    lin = e0[0] if e0 is not None and e0[1] == 0 and type(e0[0]).__qualname__ == "Linear" else None
    if lin is None or lin.__dict__.get("inputs") is None:
        return View([E(i) for i in range(len(fn._edges))])
    _input_linear(fn)  # tells a layer below that it ran batch first
    batch_first = bool(fn.__dict__.get("_batch_first"))
    x2, w_ih = lin.inputs[0], lin.inputs[1]
    b_ih = lin.inputs[2] if len(lin.inputs) > 2 else None
    h0, c0, w_hh = fn.inputs[1], fn.inputs[2], fn.inputs[3]
    b_hh = fn.inputs[4] if fn.has_bias else None
    T, (B, H) = len(fn.batch_sizes), h0._data.shape
    OUT = fn.OUT
    x_entry = EdgeOf(lin, 0)
    le = lin._edges[0]
    if le is not None and le[1] == 0 and type(le[0]).__qualname__ == "Reshape":
        x_entry = EdgeOf(le[0], 0)  # the (T, B, I) input itself, not ember's (T*B, I) view of it
    nxt = [x_entry, EdgeOf(lin, 1), E(3), EdgeOf(lin, 2) if b_ih is not None else None,
           E(4) if b_hh is not None else None, E(1), E(2)]
    xin = x2._data.reshape(T, B, -1)
    base = h0._base  # h0 is layer k's row of the (num_layers, B, H) initial state
    layers = base._data.shape[0] if base is not None and base._data.ndim == 3 else 1

    def saved():
        return {"batch_first": batch_first, "batch_sizes": (), "bidirectional": False,
                "cx_": Fresh(lambda: c0._data), "has_biases": b_hh is not None, "hidden_size": H,
                "hx_": Fresh(lambda: h0._data), "input": Fresh(lambda: xin), "mode": 2, "num_layers": layers,
                "result0": Fresh(lambda: OUT.reshape(T, B, H)),
                "result1": Fresh(lambda: _shaped((B, H), OUT.dtype)),
                "result2": Fresh(lambda: _shaped((B, H), OUT.dtype)),
                "result3": Fresh(lambda: _shaped((_MKLDNN_WORKSPACE,), np.uint8)), "reverse": bool(fn.reverse),
                "train": True, "weight0": w_ih, "weight1": w_hh, "weight2": b_ih, "weight3": b_hh}
    mk = node(fn, "MkldnnRnnLayerBackward0", nxt, saved)
    return View([E(i) for i in range(len(fn._edges))], outputs=[(mk, 0), (mk, 1), (mk, 2)])


def rnn_output(fn):
    """A reshape; the (T*B, H) -> (T, B, H) one after an RNN layer stands for the layer's output
    node (StackBackward0, or the LSTM's MkldnnRnnLayerBackward0): looked at from its consumer it
    is that node, looked at as the root it is drawn as that node."""
    e = fn._edges[0] if fn._edges else None
    if e is not None and e[1] == 0 and type(e[0]).__qualname__ == "RNNSequence":
        rnn = e[0]
        outs = view(rnn).outputs
        if outs is not None and fn.inputs is not None:
            top = outs[0][0]
            nxt = [EdgeOf(rnn, x.i) if type(x) is E else x for x in top._next]
            return View(nxt, top._attrs, outputs=[outs[0]], name=type(top).__name__)
    return reshape(fn)


def output_name(fn):
    """rnn_output's name without laying out every step (printing a tensor asks for it)."""
    e = fn._edges[0] if fn._edges else None
    if e is not None and e[1] == 0 and type(e[0]).__qualname__ == "RNNSequence" and e[0].uniform \
            and "_torch_view" not in fn.__dict__:
        mode = e[0].mode
        if mode == "LSTM":
            return "MkldnnRnnLayerBackward0"
        if mode in ("RNN_TANH", "RNN_RELU", "GRU"):
            return "StackBackward0"
    return None


NAMES = {"ember.ops.shape.Reshape": output_name}
RULES = {
    "ember.ops.shape.Reshape": rnn_output,
    "ember.nn._functional.rnn.RNNSequence": rnn_sequence,
}
