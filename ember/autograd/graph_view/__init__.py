"""PyTorch's grad_fn graph, seen through ember's: what ``next_functions``, ``_saved_*`` and
``AccumulateGrad`` show, so that tools written for PyTorch (torchviz) draw ember's graph as
PyTorch's.

ember fuses what PyTorch keeps apart (``Linear`` is one node where PyTorch has AddmmBackward0
and a TBackward0; cross_entropy is NllLoss over LogSoftmax; a whole RNN sequence is one node).
Each fused op has a rule here that lays out the PyTorch nodes it stands for: the ember node
itself is the outermost one (``present`` gives it a subclass named as PyTorch's class), the
inner ones are ``TorchNode`` objects made once per ember node. Nothing here runs unless
someone looks: the engine never reads ``next_functions``. See docs/architecture.md.

This module holds the mechanism; the rules live with the families they describe: ops.py
(ember/ops), nn.py (ember/nn/_functional), rnn.py (the fused recurrences).

A rule returns a ``View``: ``next``, the entries of the node's ``next_functions`` (``E(i)`` is
ember's input edge i; a ``TorchNode`` or ``(TorchNode, nr)``; None), ``saved``, a function
giving the ``_saved_*`` attributes, and ``outputs``, which node stands for each of the ember
node's outputs when it is not the node itself. Saved tensors follow PyTorch: a saved input is
that tensor object; a saved output or an intermediate is a new Tensor at each access.
"""
import math
import weakref

import numpy as np

from ..._tensor import Tensor, _wrap

SAVED = "_saved_"

# --- AccumulateGrad: one per leaf while someone holds it ------------------------------------
_ACCUMULATORS = weakref.WeakValueDictionary()


def grad_accumulator(leaf):
    """The leaf's AccumulateGrad: the same object while it is alive, as in PyTorch."""
    acc = _ACCUMULATORS.get(id(leaf))
    if acc is None or acc.variable is not leaf:
        from ..engine import AccumulateGrad
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
def rules():
    """Rule per ember op class (``module.qualname``), loaded on first use."""
    if not RULES:
        from . import nn, ops, rnn
        for mod in (ops, nn, rnn):
            RULES.update(mod.RULES)
            NAMES.update(getattr(mod, "NAMES", {}))
    return RULES


RULES = {}
NAMES = {}  # cheaper ways to a node's name than laying it out


def view(fn):
    v = fn.__dict__.get("_torch_view")
    if v is None:
        cls = type(fn)
        rule = rules().get(f"{cls.__module__}.{cls.__qualname__}")
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
        from ..function import _freed_error
        _freed_error()
    if key not in d:
        raise AttributeError(f"'{type(owner).__name__}' object has no attribute '{name}'")
    v = d[key]
    if type(v) is Fresh:
        return _wrap(v.get())
    return v


def saved_attr(fn, name):
    if fn._released and "_torch_view" not in fn.__dict__ and rules().get(
            f"{type(fn).__module__}.{type(fn).__qualname__}") is not None:
        from ..function import _freed_error
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
            quick = NAMES.get(f"{cls.__module__}.{cls.__qualname__}") if rules() else None
            n = (quick(fn) if quick is not None else None) or view(fn).name
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
