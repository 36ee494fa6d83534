"""Capture a graph by running the program once, eagerly, while every op reports to a tracer.

The trace *is* an eager run: each op executes as usual (so this first call's results are the
eager results) and ``Function.apply`` tells the tracer (op, inputs, attrs, outputs).  The tracer
maps each tensor it has seen to the graph node that made it.  It stops recording, and says why
(a graph break), when the program does something a replayed graph could not reproduce:

* reads values into Python (``item``, ``bool``, ``tolist``, ``numpy``, printing);
* uses a tensor made outside the dispatch point during the trace (its values might depend on
  the data or on random state, so baking it in as a constant would be wrong);
* modifies a tensor in place by a path that does not report it, runs ``backward()``, steps
  an optimizer, or assigns module attributes (side effects a replay would skip).

A tensor that existed before the trace began (a parameter, a buffer, a global) becomes a
``get_attr`` node: its array is read again at every call, so in-place updates are seen.
"""
import operator
import os
import sys
import threading

import numpy as np

from .. import _tensor
from ..fx.graph import Graph, Node
from ..ops.index import IndexPut
from ..ops.inplace import CopyInto, Snapshot
from .step_nodes import (
    AccumulateGrad,
    Backward,
    NodeBackward,
    OptimizerStep,
    PyCall,
    ReadGrad,
    ZeroGrad,
)

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# Modules whose tensors made outside the dispatch point are constants of the shapes/values
# given (zeros, arange, tensor(...)): deterministic, so a replay may reuse them.
_CONSTANT_MAKERS = ("ember/ops/creation.py",)
# Helpers that wrap a Python scalar the program passed (a value, not data), as (file, function).
_SCALAR_MAKERS = {("_util.py", "as_tensor_like"), ("index.py", "_value_tensor"),
                  ("engine.py", "_call_backward")}   # (the engine's zeros for a missing grad)


def _layout(a):
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)


# Ops whose gradient rule, written in ember ops, is a few array ops: recorded into the graph.
# Every other op's rule (norms, softmax, GELU, conv, RNNs, losses, embedding ...) has a fused
# NumPy form that beats its ops one by one, so the generated code calls that rule itself.
_RECORDED_RULES = {
    "Add", "Sub", "Mul", "Div", "AddScalar", "SubScalar", "MulScalar", "DivScalar", "RSubScalar",
    "RDivScalar", "Neg", "PowScalar", "MatMul", "Linear", "Reshape", "Permute", "Expand", "Sum",
    "Mean", "Tanh", "Exp", "Sigmoid", "ToDtype", "_MaskMul", "Where", "Cat", "Split",
    "GetItem", "Contiguous", "Clone", "Snapshot", "CopyInto", "Flatten", "Squeeze", "Unsqueeze"}


def _first_arg(frame):
    """The first argument of a running function (a forward's module, whatever its name)."""
    code = frame.f_code
    return frame.f_locals.get(code.co_varnames[0]) if code.co_argcount else None


class GraphBreak(Exception):
    """Raised inside a trace with ``fullgraph=True``; otherwise only recorded."""

    def __init__(self, reason, filename=None, lineno=None):
        self.reason, self.filename, self.lineno = reason, filename, lineno
        where = f" (at {filename}:{lineno})" if filename else ""
        super().__init__(f"{reason}{where}")


def user_frame(depth=1):
    """The innermost frame outside ember's own package: the user's file and line."""
    f = sys._getframe(depth)
    while f is not None:
        fn = f.f_code.co_filename
        if not os.path.abspath(fn).startswith(_EMBER_DIR) and "importlib" not in fn:
            return f
        f = f.f_back
    return None


def _module_scope(root_names, seen=None):
    """[(qualified name, class name)] of the nn.Modules whose forward is running, outer first."""
    from ..nn.modules.module import Module
    scope = []
    outer = None
    f = sys._getframe(2)
    while f is not None:
        if f.f_code.co_name == "forward":
            m = _first_arg(f)
            if isinstance(m, Module):
                scope.append((root_names.get(id(m), ""), type(m).__name__))
                outer = m
        f = f.f_back
    if seen is not None and outer is not None:
        seen[id(outer)] = outer
    scope.reverse()
    return scope


class Tracer:
    """Records the ops of one eager run into a ``Graph``; attach with ``add_tracer``."""

    def __init__(self, fullgraph=False, root=None, segmented=False):
        self.graph = Graph()
        self.segmented = segmented
        self.segments = []       # explain(): the graphs closed by earlier breaks
        self.fullgraph = fullgraph
        self.env = {}            # id(tensor) -> [node, tensor, version]
        self.by_array = {}       # id(array) -> node: aliases such as ``.data``
        self.by_layout = {}      # (address, shape, strides, dtype) -> node: same-memory views
        self.vbox_users = {}     # id(version box) -> ids of tensors sharing it (views)
        self.opaque = {}         # id(tensor or array) -> where it was made outside the dispatch point
        self.keep = []           # keeps traced objects alive, so their ids stay unique
        self.attrs = {}          # get_attr target -> Tensor (parameters, buffers, constants)
        self.mutated = {}        # id(tensor) -> tensor: graph inputs written in place
        self.breaks = []         # [GraphBreak]
        self.broken = False
        self.thread = threading.get_ident()
        self.root_names = {}
        if root is not None:
            self.root_names = {id(m): n for n, m in root.named_modules()}
        self._n_const = 0
        self.step_mode = root is None   # a function may hold a whole training step
        self.suspended = 0               # inside a recorded call or a backward: record nothing
        self.backward_node = None
        self.recording_backward = False
        self.backward_fallback = None    # why the backward could not be recorded as ops
        self.ctx_nodes = {}              # id(eager grad_fn) -> (graph node, grad_fn)
        self.modules_seen = {}
        self._named = {}
        self.fresh = {}          # id -> tensor made during the trace by a creation function
        self.fresh_arrays = {}   # id(array) -> such a tensor
        self.fresh_layout = {}   # memory layout -> that tensor (its views are constants too)
        self.grad_known = {}     # id(leaf) -> whether it has a .grad, where the step decides it

    # --- inputs --------------------------------------------------------------------------
    def _bind(self, t, node):
        self.env[id(t)] = [node, t, t._vbox[0], t._vbox]
        self.by_array[id(t._data)] = node
        self.by_layout[_layout(t._data)] = node
        self.vbox_users.setdefault(id(t._vbox), []).append(id(t))
        self.opaque.pop(id(t), None)
        self.keep.append(t)
        node.meta["shape"] = tuple(t._data.shape)
        node.meta["dtype"] = t._data.dtype
        node.meta.setdefault("requires_grad", t.requires_grad)

    def add_input(self, t, name):
        node = self.graph.placeholder(name)
        node.meta["tensor_id"] = id(t)
        self._bind(t, node)
        return node

    def add_attr(self, t, qualname):
        node = self.graph.get_attr(qualname)
        self.attrs[qualname] = t
        self._bind(t, node)
        return node

    def lookup(self, t):
        e = self.env.get(id(t))
        if e is not None and e[1] is t:
            if t._vbox is not e[3]:
                # a view made by an op shares its base's version counter from right after
                # the op returned: take the counter as it is now
                e[2], e[3] = t._vbox[0], t._vbox
            elif t._vbox[0] != e[2]:
                raise GraphBreak("a tensor was modified in place by a path the compiler does "
                                 "not see")
            return e[0]
        node = self.by_array.get(id(t._data))
        if node is not None:
            return node
        # A view made outside the dispatch point that covers a traced value's memory exactly
        # (``reshape`` to the same shape wraps ``x._data.view()``) is that value.
        node = self.by_layout.get(_layout(t._data))
        if node is not None:
            return node
        src = self.fresh_layout.get(_layout(t._data))
        if src is not None and src is not t:
            return self.lookup(src)     # a same-layout view of a constant: that constant
        where = self.opaque.get(id(t)) or self.opaque.get(id(t._data))
        if where is not None:
            raise GraphBreak(f"a tensor made outside ember's dispatch point ({where}) is used "
                             "by a traced op")
        if self.recording_backward and self.fresh.get(id(t)) is not t:
            raise GraphBreak("a gradient rule used a tensor from outside the graph")
        name = self._param_name(t)
        if name is None:
            name = f"_tensor_constant{self._n_const}"
            self._n_const += 1
        if self.fresh.get(id(t)) is t:
            self.graph.__dict__.setdefault("fresh_constants", {})[name] = t
        return self.add_attr(t, name)

    # --- events from Function.apply and the Tensor methods ---------------------------------
    def __call__(self, cls, inputs, attrs, outs):
        if self.broken or self.suspended:
            return
        try:
            if getattr(cls, "_is_custom", False):
                raise GraphBreak(f"custom autograd.Function {cls.__name__}")
            args = tuple(self.lookup(t) for t in inputs)
            kwargs = {k: self._attr_value(v) for k, v in attrs.items()}
        except GraphBreak as b:
            self._break(b)
            return
        call = kwargs.get("call") if cls.__name__ == "ArrayFn" else None
        node = self.graph.call_function(cls, args, kwargs,
                                        name=getattr(call, "__name__", None))
        self._annotate(node)
        fn = getattr(outs[0] if type(outs) is tuple else outs, "grad_fn", None)
        if fn is not None and fn.__class__ is cls:
            self.ctx_nodes[id(fn)] = (node, fn)
        if type(outs) is tuple:
            node.meta["n_outputs"] = len(outs)
            node.meta["out_meta"] = [(o._data.shape, o._data.dtype) for o in outs]
            node.meta["requires_grad"] = any(o.requires_grad for o in outs)
            for i, o in enumerate(outs):
                item = self.graph.call_function(operator.getitem, (node, i),
                                                name=f"{node.name}_{i}")
                item.meta["scope"] = node.meta["scope"]
                self._bind(o, item)
        else:
            node.meta["requires_grad"] = outs.requires_grad
            self._bind(outs, node)

    def _attr_value(self, v):
        """Attributes that hold a traced tensor's array become edges to its node."""
        if type(v) is np.ndarray:
            node = self.by_array.get(id(v))
            if node is not None:
                return node
            if id(v) in self.opaque:
                raise GraphBreak(f"an array made outside ember's dispatch point "
                                 f"({self.opaque[id(v)]}) is passed to an op")
            if self.recording_backward and v.size > 1 and id(v) not in self.fresh_arrays:
                # a gradient rule passing an array its forward computed (saved on ctx):
                # the replay would reuse the trace's values
                raise GraphBreak("a gradient rule passes a saved array to an op")
            return v
        if isinstance(v, _tensor.Tensor):
            return self.lookup(v)
        if type(v) in (tuple, list):
            return type(v)(self._attr_value(a) for a in v)
        return v

    def _param_name(self, t):
        """``fc1.weight`` for a parameter or buffer of the outermost module running now."""
        from ..nn.modules.module import Module
        f, outer = sys._getframe(2), None
        while f is not None:
            if f.f_code.co_name == "forward":
                m = _first_arg(f)
                if isinstance(m, Module):
                    outer = m
            f = f.f_back
        if outer is None:
            return None
        names = self._named.get(id(outer))
        if names is None:
            names = self._named[id(outer)] = {
                id(p): n for n, p in (*outer.named_parameters(), *outer.named_buffers())}
        n = names.get(id(t))
        return None if n is None or n in self.attrs else n

    def _annotate(self, node):
        node.meta["scope"] = _module_scope(self.root_names, self.modules_seen)
        f = user_frame(3)
        if f is not None:
            node.meta["stack"] = (f.f_code.co_filename, f.f_lineno, f.f_code.co_name)

    def wrapped(self, t):
        """A tensor was made; unless by an op (bound right after) or a creation function,
        remember where, so that a later use of it is a graph break."""
        if self.broken or self.suspended:
            return
        f = sys._getframe(3)
        code = f.f_code
        if code.co_name in ("apply", "<genexpr>") and "autograd" in code.co_filename:
            return
        arr = id(t._data)
        if arr in self.by_array:
            return                          # a new wrapper of a traced array (an alias)
        if arr in self.fresh_arrays:
            self.fresh[id(t)] = t           # a new wrapper of a constant's array
            self.fresh_arrays[arr] = t
            return
        fn = code.co_filename.replace(os.sep, "/")
        if fn.endswith(_CONSTANT_MAKERS) or (os.path.basename(fn), code.co_name) in _SCALAR_MAKERS \
                or t._data.size == 0:
            self.fresh[id(t)] = t
            self.fresh_layout[_layout(t._data)] = t
            return
        if fn.endswith("ember/_tensor.py"):
            return
        where = f"{code.co_name} in {os.path.basename(fn)}"
        self.opaque[id(t)] = where
        self.opaque[id(t._data)] = where
        self.keep.append(t)

    def data_dependent(self, what):
        if not self.suspended:
            self._break(GraphBreak(f"data-dependent operation: {what}"))

    def side_effect(self, what):
        if not self.suspended:
            self._break(GraphBreak(what))

    # --- a training step: recorded calls and the backward ----------------------------------
    def pycall_begin(self, run, obj, args, kwargs):
        if not self.suspended and not self.broken:
            what = f"{type(obj).__name__}.{getattr(run, '__qualname__', 'call').split('.')[0]}"
            if not self.step_mode:
                self._break(GraphBreak(f"optimizer or scheduler call ({type(obj).__name__}) "
                                       "inside a compiled module"))
            elif not all(self._call_arg_ok(a) for a in (*args, *kwargs.values())):
                self._break(GraphBreak(f"an input, an intermediate or a function passed to {what}"))
            else:
                node = self._optimizer_node(run, obj, args, kwargs)
                if node is None:
                    node = self.graph.call_function(PyCall, (), {"run": run, "obj": obj, "args": args,
                                                                 "kwargs": kwargs},
                                                    name=type(obj).__name__.lower() + "_call")
                self._annotate(node)
        self.suspended += 1

    def _optimizer_node(self, run, obj, args, kwargs):
        """``opt.zero_grad()`` and ``opt.step()`` as nodes the code generator writes out as
        lines (optim_codegen.py), or None: the call stays a call."""
        from ..optim.optimizer import Optimizer
        from . import config, optim_codegen
        kind = getattr(run, "_ember_call", None) if config.generate_optimizer_steps else None
        call = {"run": run, "obj": obj, "args": args, "kwargs": kwargs}
        if kind == "zero_grad":
            to_none = kwargs.get("set_to_none", args[0] if args else True)
            if to_none is not True or len(args) + len(kwargs) > 1 \
                    or type(obj).zero_grad is not Optimizer.zero_grad:
                return None
            for g in obj.param_groups:
                for p in g["params"]:
                    self.grad_known[id(p)] = False
            return self.graph.call_function(ZeroGrad, (), {"opt": obj, **call}, name="zero_grad")
        if kind != "step" or optim_codegen.plan_ok(obj, args, kwargs):
            return None
        unknown = []        # which of these have a .grad is decided before the step: guarded
        for g in obj.param_groups:
            for p in g["params"]:
                known = self.grad_known.get(id(p))
                if known is None:
                    unknown.append(p)
                elif known != (p.grad is not None):
                    return None
        node = self.graph.call_function(OptimizerStep, (), {"opt": obj, **call},
                                        name=type(obj).__name__.lower() + "_step")
        node.meta["groups"] = optim_codegen.snapshot(obj)
        node.meta["grad_guards"] = unknown
        return node

    def _call_arg_ok(self, a):
        """A recorded call may take plain values and parameters (the same objects at every
        step), not the step's inputs or intermediates (they change) nor callables."""
        if type(a) in (list, tuple):
            return all(self._call_arg_ok(x) for x in a)
        if isinstance(a, _tensor.Tensor):
            e = self.env.get(id(a))
            return a.grad_fn is None and (e is None or e[0].op == "get_attr")
        return not callable(a)

    def pycall_end(self, obj, result=None):
        self.suspended -= 1
        if not self.suspended:
            self._resync()
            node = self.graph.nodes[-1] if self.graph.nodes else None
            if isinstance(result, _tensor.Tensor) and node is not None and node.target is PyCall:
                node.meta["returns_tensor"] = True
                self._bind(result, node)

    def _resync(self):
        """Tensors a recorded call changed in place hold their new values in the same arrays:
        later ops read them there, in eager and in the replay alike."""
        for e in self.env.values():
            e[2], e[3] = e[1]._vbox[0], e[1]._vbox

    def backward_begin(self, roots, grads, create_graph, inputs, accumulate):
        if self.recording_backward:
            return                      # our own autograd.grad: its ops are the record
        if not self.suspended and not self.broken:
            try:
                self._record_backward(roots, grads, create_graph, inputs, accumulate)
            except GraphBreak as b:
                self._break(b)
        self.suspended += 1

    def _record_backward(self, roots, grads, create_graph, inputs, accumulate):
        if not self.step_mode:
            raise GraphBreak("backward() inside a compiled module")
        if create_graph or inputs is not None or not accumulate or len(roots) != 1:
            raise GraphBreak("autograd.grad(), create_graph or backward(inputs=...) inside the "
                             "compiled region")
        if self.backward_node is not None:
            raise GraphBreak("a second backward() in one compiled step")
        root = self.lookup(roots[0])
        g = grads[0]
        args = (root,)
        if self.env.get(id(g)) is not None or self.by_array.get(id(g._data)) is not None:
            args = (root, self.lookup(g))
        elif not (g._data.shape == roots[0]._data.shape and (g._data == 1).all()):
            raise GraphBreak("backward() with a gradient made outside the compiled region")
        if self.record_backward_ops(roots[0], g if len(args) > 1 else None):
            self.backward_node = self.graph.nodes[-1]
            return
        node = self.graph.call_function(Backward, args, {}, name="backward")
        self._annotate(node)
        self.backward_node = node
        # which leaves this backward gives a gradient is seen when it ends (backward_end)
        self._grads_before = {id(t): (t.grad, t.grad._vbox[0] if t.grad is not None else None)
                              for _, t, *_ in self.env.values()}

    def node_backward(self, ctx, buf):
        """One op's gradient rule while the backward is recorded: its own ember ops when they
        can be recorded, else one ``NodeBackward`` node that calls the rule itself at replay
        (from the ctx its forward op keeps)."""
        cls = type(ctx)
        mark = (len(self.graph.nodes), dict(self.env), dict(self.by_array), len(self.breaks))
        if cls.__name__ in _RECORDED_RULES and cls.__module__.startswith("ember.") \
                and not getattr(cls, "_array_backward", False):
            try:
                out = cls.backward(ctx, *buf)
                outs = out if type(out) is tuple else (out,)
                if not self.broken:
                    for g in outs:
                        if g is not None:
                            self.lookup(g)
                    return out
            except GraphBreak:
                pass
            self._rollback(mark)
            cls._array_backward = True      # remembered: its rule works on raw arrays
        entry = self.ctx_nodes.get(id(ctx))
        if entry is None or entry[1] is not ctx:
            raise GraphBreak(f"the backward of {cls.__name__} (an op outside this graph)")
        self.suspended += 1
        try:
            out = cls.backward(ctx, *buf)
        finally:
            self.suspended -= 1
        outs = out if type(out) is tuple else (out,)
        args = tuple(self.lookup(g) if g is not None else None for g in buf)
        node = self.graph.call_function(NodeBackward, args,
                                        {"forward": entry[0],
                                         "edges": tuple(e is not None for e in ctx._edges),
                                         "n": len(outs)},
                                        name=f"{entry[0].name}_backward")
        node.meta["requires_grad"] = False
        entry[0].meta["keeps_ctx"] = True
        for i, g in enumerate(outs):
            if g is not None:
                item = self.graph.call_function(operator.getitem, (node, i), name=f"{node.name}_{i}")
                self._bind(g, item)
        return out

    def _rollback(self, mark):
        n, env, by_array, nb = mark
        for node in reversed(self.graph.nodes[n:]):
            for a in node.all_input_nodes:
                a.users.pop(node, None)
        del self.graph.nodes[n:]
        self.env, self.by_array = env, by_array
        del self.breaks[nb:]
        self.broken = False

    def record_backward_ops(self, root, grad, leaves=None):
        """Record the backward of ``root`` as graph ops: run autograd.grad with create_graph
        on this trace's own eager graph, so every gradient rule runs in ember ops through the
        dispatch point and lands in the graph (no wrappers, no second rule). Then one
        ``AccumulateGrad`` node per leaf.  Returns False, with the graph as it was, when a
        rule does something a graph cannot hold (the caller falls back to calling each op's
        backward from the generated code)."""
        from .._tensor import _wrap
        from ..autograd import grad as autograd_grad
        if leaves is None:
            leaves = [e[1] for e in self.env.values()
                      if e[0].op in ("placeholder", "get_attr") and e[1].requires_grad
                      and e[1].grad_fn is None]
        if not leaves:
            return False
        saved = (len(self.graph.nodes), dict(self.env), dict(self.by_array), len(self.breaks))
        if grad is None:
            grad = _wrap(np.ones(root._data.shape, root._data.dtype))
            self.opaque.pop(id(grad), None)
            self.opaque.pop(id(grad._data), None)
            self.fresh[id(grad)] = grad
            self.fresh_arrays[id(grad._data)] = grad
        self.recording_backward = True
        try:
            grads = autograd_grad([root], leaves, grad_outputs=[grad], retain_graph=True,
                                  create_graph=True, allow_unused=True)
            ok = not self.broken
            if not ok:
                self.backward_fallback = str(self.breaks[-1])
            if ok:
                nodes = [self.lookup(g) if g is not None else None for g in grads]
        except GraphBreak as b:
            self.backward_fallback = str(b)
            ok = False
        except Exception as e:   # noqa: BLE001 - a rule that cannot run this way: fall back
            self.backward_fallback = f"{type(e).__name__}: {e}"
            ok = False
        finally:
            self.recording_backward = False
        if not ok:
            self._rollback(saved)
            for n in self.graph.nodes:
                n.meta.pop("keeps_ctx", None)
            return False
        for leaf, gnode in zip(leaves, nodes):
            if gnode is not None:
                self.grad_known[id(leaf)] = True
                acc = self.graph.call_function(AccumulateGrad, (gnode,), {"leaf": leaf},
                                               name="accumulate_grad")
                acc.meta["scope"] = []
                acc.meta["requires_grad"] = False
        self.graph.call_function(Backward, (), {"recorded": True}, name="backward_done")
        return True

    def backward_end(self, roots):
        if self.recording_backward:
            return
        self.suspended -= 1
        if self.suspended or self.broken or self.backward_node is None:
            return
        self._resync()
        before = self.__dict__.pop("_grads_before", None)
        for node, t, *_ in list(self.env.values()):
            if before is not None and t.grad is not None:
                was = before.get(id(t), (None, None))
                if was[0] is not t.grad or was[1] != t.grad._vbox[0]:
                    self.grad_known[id(t)] = True     # the generated backward gives it one too
            if node.op in ("placeholder", "get_attr") and t.requires_grad and t.grad is not None:
                read = self.graph.call_function(ReadGrad, (), {"leaf": t}, name=f"{node.name}_grad")
                read.meta["scope"] = []
                read.meta["requires_grad"] = False
                self._bind(t.grad, read)
    def inplace(self, target, value):
        """``target``'s array now holds ``value`` (an in-place op or a setitem)."""
        if self.broken:
            return
        try:
            dst = self.lookup_before_write(target)
            src = self.lookup(value) if isinstance(value, _tensor.Tensor) else value
        except GraphBreak as b:
            self._break(b)
            return
        node = self.graph.call_function(CopyInto, (dst, src), {})
        self._annotate(node)
        node.meta["requires_grad"] = target.requires_grad or getattr(value, "requires_grad", False)
        self._after_write(target, node)

    def lookup_before_write(self, t):
        e = self.env.get(id(t))
        if e is not None and e[1] is t:
            return e[0]   # its version moves now: the write being recorded
        return self.lookup(t)

    def _after_write(self, target, node):
        """Rebind the target to the write's node and accept the new version of every tensor
        that shares its memory (views see the write too, in eager and in the replay)."""
        node.meta["shape"] = tuple(target._data.shape)
        node.meta["dtype"] = target._data.dtype
        self.env[id(target)] = [node, target, target._vbox[0] + 1, target._vbox]
        self.by_array[id(target._data)] = node
        self.by_layout[_layout(target._data)] = node
        for tid in self.vbox_users.get(id(target._vbox), ()):
            e = self.env.get(tid)
            if e is not None and e[1] is not target:
                e[2] = target._vbox[0] + 1
        root = self._root_input(node)
        if root is not None:
            self.mutated[id(target)] = target

    def _root_input(self, node):
        while node.op == "call_function" and node.target is CopyInto:
            node = node.args[0]
        return node if node.op in ("placeholder", "get_attr") else None

    def _break(self, b):
        if b.filename is None:
            f = user_frame(3)
            if f is not None:
                b.filename, b.lineno = f.f_code.co_filename, f.f_lineno
                b.args = (f"{b.reason} (at {b.filename}:{b.lineno})",)
        if self.fullgraph:
            raise b
        if self.segmented:
            # explain(): close this graph, start the next one after the break
            self.breaks.append(b)
            if any(n.op == "call_function" for n in self.graph.nodes):
                self.graph.output(())
                self.segments.append((self.graph, dict(self.attrs)))
            self.graph = Graph()
            self.env.clear()
            self.by_array.clear()
            self.by_layout.clear()
            return
        if not self.broken:
            self.breaks.append(b)
            self.broken = True

    def snapshot(self, old, t):
        if self.broken:
            return
        try:
            src = self.lookup(t)
        except GraphBreak as b:
            self._break(b)
            return
        node = self.graph.call_function(Snapshot, (src,), {})
        self._annotate(node)
        node.meta["requires_grad"] = t.requires_grad
        self._bind(old, node)

    def setitem(self, target, idx, value):
        if self.broken:
            return
        try:
            dst = self.lookup_before_write(target)
            v = self.lookup(value)
            kwargs = {"idx": self._attr_value(idx)}
        except GraphBreak as b:
            self._break(b)
            return
        put = self.graph.call_function(IndexPut, (dst, v), kwargs)
        self._annotate(put)
        put.meta["requires_grad"] = False
        node = self.graph.call_function(CopyInto, (dst, put), {})
        node.meta["scope"] = put.meta["scope"]
        node.meta["requires_grad"] = False
        self._after_write(target, node)

    # --- outputs -------------------------------------------------------------------------
    def output(self, result):
        """Map the program's return value to nodes (tensors) and constants (the rest)."""
        def conv(x):
            if isinstance(x, _tensor.Tensor):
                return self.lookup(x)
            if type(x) in (tuple, list):
                return type(x)(conv(a) for a in x)
            if type(x) is dict:
                return {k: conv(v) for k, v in x.items()}
            if isinstance(x, tuple) and hasattr(x, "_fields"):   # namedtuple (maybe its own __new__)
                return tuple.__new__(type(x), [conv(a) for a in x])
            if x is None or type(x) in (int, float, bool, str):
                return x
            if hasattr(x, "__dataclass_fields__") or isinstance(x, Node):
                raise GraphBreak(f"returning a {type(x).__name__}")
            raise GraphBreak(f"returning a {type(x).__name__}")
        try:
            spec = conv(result)
        except GraphBreak as b:
            self._break(b)
            return None
        if not self.step_mode and not self.segmented:   # (explain() reports the forward)
            grads = self._record_module_backward(result)
            if grads:
                # the joint graph's output holds the gradients and the outputs that get a
                # tangent too, so passes that merge or drop nodes keep them current
                self.graph.output((spec, grads, tuple(self._tangent_outputs)))
                self.graph.__dict__["joint"] = True
                return spec
        self.graph.output(spec)
        return spec

    def _record_module_backward(self, result):
        """A compiled module used for training: record its backward as ops too (a joint
        graph the code generator splits), with one tangent placeholder per output that needs
        a gradient.  Returns ((input node, grad node or None), ...) or None (the generated
        code then calls each op's backward rule instead)."""
        from .._tensor import _wrap
        from ..autograd import grad as autograd_grad
        from ..autograd.grad_mode import MODE
        outs = []
        for t in _tensor_leaves(result):
            if t.requires_grad and t.grad_fn is not None and all(t is not o for o in outs):
                outs.append(t)
        if not outs or not MODE.grad_enabled:
            return None
        wrt = [e[1] for e in self.env.values()
               if e[0].op in ("placeholder", "get_attr") and e[1].requires_grad
               and not e[0].meta.get("tangent")]
        if not wrt:
            return None
        mark = (len(self.graph.nodes), dict(self.env), dict(self.by_array), len(self.breaks))
        tangents = []
        for i, o in enumerate(outs):
            t = _wrap(np.ones(o._data.shape, o._data.dtype))
            node = self.add_input(t, f"tangents_{i + 1}")
            node.meta["tangent"] = i
            tangents.append(t)
        self.recording_backward = True
        try:
            grads = autograd_grad(outs, wrt, grad_outputs=tangents, retain_graph=True,
                                  create_graph=True, allow_unused=True)
            ok = not self.broken
            pairs = tuple((self.env[id(w)][0], self.lookup(g) if g is not None else None)
                          for w, g in zip(wrt, grads)) if ok else None
        except Exception as e:   # noqa: BLE001 - any rule that cannot be recorded: fall back
            self.backward_fallback = f"{type(e).__name__}: {e}"
            ok = False
        finally:
            self.recording_backward = False
        if not ok:
            if self.backward_fallback is None and self.breaks:
                self.backward_fallback = str(self.breaks[-1])
            self._rollback(mark)
            for n in self.graph.nodes:
                n.meta.pop("keeps_ctx", None)
            return None
        self._tangent_outputs = [self.lookup(o) for o in outs]
        return pairs



def _tensor_leaves(x):
    if isinstance(x, _tensor.Tensor):
        yield x
    elif isinstance(x, (tuple, list)):
        for a in x:
            yield from _tensor_leaves(a)
    elif isinstance(x, dict):
        for a in x.values():
            yield from _tensor_leaves(a)
