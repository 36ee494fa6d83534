"""PyTorch's grad_fn graph, seen through ember's: what ``next_functions``, ``_saved_*`` and
``AccumulateGrad`` show, so that tools written for PyTorch (torchviz) draw ember's graph as
PyTorch's.

ember fuses what PyTorch keeps apart (``Linear`` is one node where PyTorch has AddmmBackward0
and a TBackward0; cross_entropy is NllLoss over LogSoftmax; a whole RNN sequence is one node).
Each fused op has a rule here that lays out the PyTorch nodes it stands for: the ember node
itself is the outermost one (``present`` gives it a subclass named as PyTorch's class), the
inner ones are ``TorchNode`` objects made once per ember node. Nothing here runs unless
someone looks: the engine never reads ``next_functions``. See docs/architecture.md.

A rule returns a ``View``: ``next``, the entries of the node's ``next_functions`` (``E(i)`` is
ember's input edge i; a ``TorchNode`` or ``(TorchNode, nr)``; None), ``saved``, a function
giving the ``_saved_*`` attributes, and ``outputs``, which node stands for each of the ember
node's outputs when it is not the node itself. Saved tensors follow PyTorch: a saved input is
that tensor object; a saved output or an intermediate is a new Tensor at each access.
"""
import math
import weakref

import numpy as np

from .._tensor import Tensor, _wrap

SAVED = "_saved_"

# --- AccumulateGrad: one per leaf while someone holds it ------------------------------------
_ACCUMULATORS = weakref.WeakValueDictionary()


def grad_accumulator(leaf):
    """The leaf's AccumulateGrad: the same object while it is alive, as in PyTorch."""
    acc = _ACCUMULATORS.get(id(leaf))
    if acc is None or acc.variable is not leaf:
        from .engine import AccumulateGrad
        acc = _ACCUMULATORS[id(leaf)] = AccumulateGrad(leaf)
    return acc


# --- the pieces a rule is made of ------------------------------------------------------------
class E:
    """``next_functions`` entry: the ember node's input edge ``i``."""
    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


class Fresh:
    """A saved tensor PyTorch unpacks anew at each access (an output, an intermediate)."""
    __slots__ = ("get",)

    def __init__(self, get):
        self.get = get


class View:
    __slots__ = ("next", "saved", "outputs", "name")

    def __init__(self, next, saved=None, outputs=None, name=None):
        self.next, self.saved, self.outputs, self.name = next, saved, outputs, name


class EdgeOf:
    """``next_functions`` entry: input edge ``i`` of another ember node (one this view skips,
    such as the unsqueeze views under a stack)."""
    __slots__ = ("fn", "i")

    def __init__(self, fn, i):
        self.fn, self.i = fn, i


class TorchNode:
    """A node of PyTorch's graph inside one fused ember node (e.g. a Linear's TBackward0)."""

    def __init__(self, owner, next=(), saved=None):
        self._owner = weakref.ref(owner)
        self._next = next
        self._attrs = saved
        self.metadata = {}

    @property
    def next_functions(self):
        return tuple(resolve(self._owner(), e) for e in self._next)

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | {SAVED + k for k in saved_dict(self._attrs)})

    def __getattr__(self, name):
        if name.startswith(SAVED):
            return saved_value(self._owner(), self._attrs, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


_NODE_CLASSES = {}


def node(owner, name, next=(), saved=None):
    """A TorchNode whose class is named ``name`` (torchviz labels nodes by class name)."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = _NODE_CLASSES[name] = type(name, (TorchNode,), {"__module__": __name__})
    return cls(owner, next, saved)


# --- looking at a real node ------------------------------------------------------------------
def view(fn):
    v = fn.__dict__.get("_torch_view")
    if v is None:
        cls = type(fn)
        rule = RULES.get(f"{cls.__module__}.{cls.__qualname__}")
        if rule is None or fn.__dict__.get("inputs") is None:
            # NOTE: after backward freed the node its inputs are gone; the edges still show.
            return View([E(i) for i in range(len(fn._edges))])
        v = fn.__dict__["_torch_view"] = rule(fn)
    return v


def resolve(owner, entry):
    if entry is None:
        return (None, 0)
    if type(entry) is EdgeOf:
        owner, entry = entry.fn, E(entry.i)
    if type(entry) is E:
        edges = owner._edges
        e = edges[entry.i] if entry.i < len(edges) else None
        if e is None:
            return (None, 0)
        fn, nr = e
        if nr < 0:
            return (grad_accumulator(fn), 0)
        if "_torch_view" not in fn.__dict__ and owner.__dict__.get("inputs") is not None:
            # what the consumer received is the node's output: its shape names some reshapes
            fn.__dict__.setdefault("_out_shapes", {})[nr] = owner.inputs[entry.i]._data.shape
        outs = view(fn).outputs
        if outs is not None and nr < len(outs) and outs[nr] is not None:
            return outs[nr]
        return (present(fn), nr)
    if type(entry) is tuple:
        return entry
    return (entry, 0)


def next_functions(fn):
    present(fn)
    return tuple(resolve(fn, e) for e in view(fn).next)


def saved_dict(saved_fn):
    if saved_fn is None:
        return {}
    return saved_fn()


def saved_names(fn):
    return [SAVED + k for k in saved_dict(view(fn).saved)] if fn._edges else []


def saved_value(owner, saved_fn, name):
    key = name[len(SAVED):]
    released = owner is not None and owner._released
    try:
        d = saved_dict(saved_fn)
    except (TypeError, AttributeError):  # a rule reading inputs that backward freed
        if not released:
            raise
        d = None
    if released and (d is None or isinstance(d.get(key), (Tensor, Fresh))):
        # NOTE: as PyTorch: sizes and flags stay readable, saved tensors are gone.
        from .function import _freed_error
        _freed_error()
    if key not in d:
        raise AttributeError(f"'{type(owner).__name__}' object has no attribute '{name}'")
    v = d[key]
    if type(v) is Fresh:
        return _wrap(v.get())
    return v


def saved_attr(fn, name):
    if fn._released and "_torch_view" not in fn.__dict__ and RULES.get(
            f"{type(fn).__module__}.{type(fn).__qualname__}") is not None:
        from .function import _freed_error
        _freed_error()
    return saved_value(fn, view(fn).saved, name)


# --- helpers for the rules -------------------------------------------------------------------
def _sizes(t):
    return tuple(t._data.shape)


def _strides(arr):
    return tuple(s // arr.itemsize for s in arr.strides) if arr.size else tuple(
        int(math.prod(arr.shape[i + 1:])) for i in range(arr.ndim))


def _needs(fn, i):
    e = fn._edges
    return i < len(e) and e[i] is not None


def _shaped(shape, dtype):
    """A zero-stride array of ``shape``: a saved value that only its shape shows."""
    return np.broadcast_to(np.zeros((), dtype), shape)


_REDUCTION = {"none": 0, "mean": 1, "sum": 2}


def _uint64(v):
    # NOTE: PyTorch shows an int64 attribute such as ignore_index=-100 as its uint64 bits.
    return v % (1 << 64)


# --- the rules -------------------------------------------------------------------------------
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


def pointwise(fn):
    """Unary math: PyTorch saves the output where ember's gradient reads it, else the input."""
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


def _rnn_below(fn):
    """The RNNSequence whose (T*B, H) output this node reshapes, else None."""
    e = fn._edges[0] if fn._edges else None
    if e is None or e[1] != 0 or type(e[0]).__qualname__ != "Reshape":
        return None
    r = e[0]._edges[0] if e[0]._edges else None
    if r is None or r[1] != 0 or type(r[0]).__qualname__ != "RNNSequence":
        return None
    return r[0]


def permute(fn):
    perm = tuple(fn.perm)
    n = len(perm)
    swapped = [i for i in range(n) if perm[i] != i]
    if n == 2 and perm == (1, 0):
        return View([E(0)], name="TBackward0")
    if len(swapped) == 2:
        d0, d1 = swapped
        name = "TransposeBackward0"
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


def softmax(fn):
    dim, y = fn.dim, fn.y
    return View([E(0)], lambda: {"dim": dim, "result": Fresh(lambda: y)})


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


def add(fn):
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


def split(fn):
    dim, shape = fn.dim, tuple(fn.shape)
    sizes = tuple(m[0][dim] for m in fn._out_meta)
    if all(n == sizes[0] for n in sizes[:-1]) and sizes[-1] <= sizes[0]:
        return View([E(0)], lambda: {"dim": dim, "self_sym_sizes": shape, "split_size": sizes[0]})
    return View([E(0)], lambda: {"dim": dim, "self_sym_sizes": shape, "split_sizes": sizes},
                name="SplitWithSizesBackward0")


def masked_fill(fn):
    mask = fn.inputs[1]
    return View([E(0)], lambda: {"mask": mask})


def gather(fn):
    x, index, dim = fn.inputs[0], fn.inputs[1], fn.dim
    return View([E(0)], lambda: {"dim": dim, "index": index, "self": x, "sparse_grad": False})


def index_select(fn):
    index, dim, shape = fn.inputs[1], fn.dim, tuple(fn.shape)
    return View([E(0)], lambda: {"dim": dim, "index": index, "self_sym_sizes": shape})


def constant_pad(fn):
    # F.pad's flat order: the last dim's (before, after) first
    flat = tuple(v for pair in reversed(fn.pads) for v in pair)
    return View([E(0)], lambda: {"pad": flat}, name="ConstantPadNdBackward0")


def rsub_scalar(fn):
    return View([E(0)], lambda: {"alpha": 1})


def where(fn):
    cond = fn.cond
    return View([E(1), E(2)], lambda: {"condition": Fresh(lambda: cond)})


def clamp(fn):
    x, lo, hi = fn.inputs[0], fn.lo, fn.hi
    return View([E(0)], lambda: {"max": hi, "min": lo, "self": x}, name="ClampBackward1")


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
    prev_entry, prev_arr = (E(1) if _needs(fn, 1) else None), h0._data
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
    prev_entry, prev_arr = (E(1) if _needs(fn, 1) else None), h0._data
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
    """A reshape; the (T*B, H) -> (T, B, H) one after an RNN sequence is its StackBackward0."""
    e = fn._edges[0] if fn._edges else None
    if e is not None and e[1] == 0 and type(e[0]).__qualname__ == "RNNSequence":
        outs = view(e[0]).outputs
        if outs is not None and fn.inputs is not None:
            return View([outs[0][0]], None, outputs=[outs[0]])
    return reshape(fn)


_P, _NF, _A = "ember.ops.pointwise.", "ember.nn._functional.", "ember.ops.arith."
RULES = {
    "ember.ops.matmul.Linear": linear, "ember.ops.matmul.MatMul": matmul,
    "ember.ops.reduce.Sum": sum_, "ember.ops.reduce.Mean": mean, "ember.ops.reduce.ExtremumAll": extremum,
    _A + "Add": add, _A + "Sub": add, _A + "AddScalar": add_scalar, _A + "SubScalar": add_scalar,
    _A + "Mul": mul, _A + "MulScalar": mul_scalar, _A + "Div": div, _A + "DivScalar": div_scalar,
    _A + "PowScalar": pow_scalar, _A + "Pow": pow_, _A + "RDivScalar": rdiv_scalar, _P + "Clamp": clamp,
    _A + "RSubScalar": rsub_scalar, "ember.ops.compare.Where": where,
    "ember.ops.shape.Split": split, "ember.ops.index.MaskedFill": masked_fill, "ember.ops.index.Gather": gather,
    "ember.ops.index.IndexSelect": index_select, _NF + "conv.ConstantPad": constant_pad,
    "ember.ops.shape.Reshape": rnn_output, "ember.ops.shape.Permute": permute, "ember.ops.shape.Cat": cat,
    "ember.ops.index.GetItem": getitem,
    "ember.ops.softmax.Softmax": softmax, "ember.ops.softmax.LogSoftmax": softmax,
    _NF + "loss.MSE": mse, _NF + "loss.CrossEntropy": cross_entropy, _NF + "conv.Conv": conv,
    _NF + "pooling.TiledMaxPool": tiled_maxpool, _NF + "pooling.MaxPool": maxpool,
    _NF + "pooling.AvgPool": avgpool, _NF + "norm.NormAffine": norm_affine,
    _NF + "basic.Embedding": embedding, _NF + "basic._MaskMul": mask_mul,
    _NF + "rnn.RNNSequence": rnn_sequence,
    _NF + "activation.Gelu": gelu, _NF + "loss.BCE": bce, _NF + "loss.BCEWithLogits": bce_logits,
}
for _name in _ACT_ATTRS.keys() | {"SiluBackward", "MishBackward", "HardsigmoidBackward", "HardswishBackward",
                                  "LogSigmoidBackward"}:
    RULES[_NF + "activation." + _name] = activation
for _name in ("Exp", "Exp2", "Expm1", "Log", "Log1p", "Log2", "Log10", "Sqrt", "Rsqrt", "Sin", "Cos", "Tan",
              "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "Asinh", "Acosh", "Atanh", "Sigmoid", "Erf",
              "Erfc", "Erfinv", "Lgamma", "Digamma", "Reciprocal", "Neg", "Abs", "Sign", "Floor", "Ceil",
              "Trunc", "Frac", "Square", "Relu"):
    RULES[_P + _name] = pointwise

# PyTorch's grad_fn class names for ember's fused or differently named ops (module.qualname).
TORCH_NAMES = {
    "ember.ops.matmul.Linear": "AddmmBackward0",
    "ember.ops.shape.Reshape": "ViewBackward0",
    "ember.nn._functional.conv.Conv": "ConvolutionBackward0",
    "ember.nn._functional.pooling.MaxPool": "MaxPool2DWithIndicesBackward0",
    "ember.nn._functional.pooling.TiledMaxPool": "MaxPool2DWithIndicesBackward0",
    "ember.nn._functional.rnn.RNNSequence": "StackBackward0",
}
_TORCH_CLASSES = {}


def grad_fn_name(fn):
    """PyTorch's name for this node (it may depend on the inputs: SumBackward0 / SumBackward1)."""
    cls = type(fn)
    if cls.__dict__.get("_ember_op") is None and "_edges" in fn.__dict__:
        try:
            n = view(fn).name
        except Exception:  # a node a rule does not understand keeps its class's name
            n = None
        if n:
            return n
    return torch_name(cls)


def torch_name(cls):
    """PyTorch's grad_fn class name for an ember op class (``<Name>Backward`` for a custom one)."""
    if cls.__dict__.get("_ember_op") is not None:
        return cls.__name__
    if any(c.__module__ == "ember.autograd.custom" for c in cls.__mro__[1:]):
        return cls.__name__ + "Backward"
    n = TORCH_NAMES.get(f"{cls.__module__}.{cls.__qualname__}")
    if n is None:
        n = getattr(cls, "node_name", None) or cls.__name__
        if not (n.endswith("Backward") or n[:-1].endswith("Backward")):
            n += "Backward0"
    return n


def present(fn):
    """Give a node the subclass named as PyTorch's grad_fn class (torchviz labels nodes with
    ``type(fn).__name__``). The op class itself keeps its name: the tracers report it."""
    cls = type(fn)
    if cls.__dict__.get("_ember_op") is not None:
        return fn
    name = view(fn).name or torch_name(cls)
    sub = _TORCH_CLASSES.get((cls, name))
    if sub is None:
        sub = _TORCH_CLASSES[cls, name] = type(name, (cls,), {
            "_ember_op": cls, "__module__": cls.__module__, "__qualname__": cls.__qualname__})
        if cls.__module__ != "ember.autograd.custom" and \
                any(c.__module__ == "ember.autograd.custom" for c in cls.__mro__[1:]):
            sub._forward_cls = cls
    fn.__class__ = sub
    return fn
