"""Turn a graph into plain Python over NumPy arrays: the code a learner can read.

Each op becomes one line that calls the op's own ``forward`` on arrays (the very function
eager runs, so results are equal by construction), with its attributes written inline.
Two forward variants are generated from one graph:

* ``infer``: for calls that need no gradient.  Each op gets a fresh ctx it may write into
  (as in eager), values are dropped (``del``) after their last use, nothing else is kept.
* ``train``: every op that takes part in backward gets its own ctx, which keeps what its
  backward reads; the function returns those ctxs beside the outputs.

``backward`` is generated too: the ops that need a gradient in reverse order, each calling
its own ``backward`` rule (the one eager uses), summing gradients where a value has several
users, and returning the gradients of the graph's inputs.
"""
import operator

import numpy as np

from .._tensor import _wrap
from ..autograd.grad_mode import MODE
from ..fx.graph import Node, _iter_nodes
from .dynamic import Sym, SymInt, has_symbols, remake
from .step_nodes import (
    AccumulateGrad,
    Backward,
    NodeBackward,
    OptimizerStep,
    PyCall,
    ReadGrad,
    ZeroGrad,
)

_LITERALS = (int, float, bool, str, type(None))


def _is_literal(v):
    if type(v) in _LITERALS:
        return not (type(v) is float and (v != v or v in (float("inf"), float("-inf"))))
    if type(v) in (tuple, list):
        return all(_is_literal(a) for a in v)
    return False


class _Emitter:
    def __init__(self, graph):
        self.graph = graph
        self.ns = {"_new": object.__new__, "_wrap": _wrap,
                   "_acc": _acc, "_tup": _tup, "_zeros": _zeros, "_rule": _rule, "np": np,
                   "_conj_rule": _conj_rule, "_remake": remake}
        self.const_ids = {}
        self.fn_names = {}
        self.pos = None          # node -> position, for buffer reuse (_reuse_line)

    def const(self, v, hint="k"):
        key = id(v)
        name = self.const_ids.get(key)
        if name is None:
            label = getattr(v, "__name__", None)
            name = f"_{label if isinstance(label, str) and label.isidentifier() else hint}{len(self.const_ids)}"
            self.const_ids[key] = name
            self.ns[name] = v
        return name

    def cls(self, cls):
        """The name the generated code uses for an op's Function class."""
        name = self.fn_names.get(cls)
        if name is None:
            base = name = cls.__name__
            k = 1
            while name in self.ns:
                name = f"{base}_{k}"
                k += 1
            self.ns[name] = cls
            self.fn_names[cls] = name
        return name

    def expr(self, v):
        if isinstance(v, Node):
            return v.name
        if isinstance(v, Sym):
            return v.code(self.expr)   # computed from the sizes read at the top (symbol_lines)
        if isinstance(v, tuple) and (type(v) is tuple or hasattr(v, "_fields")):
            inner = ", ".join(self.expr(a) for a in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if type(v) is list:
            return "[" + ", ".join(self.expr(a) for a in v) + "]"
        if type(v) is dict:
            return "{" + ", ".join(f"{k!r}: {self.expr(a)}" for k, a in v.items()) + "}"
        if _is_literal(v):
            return repr(v)
        if isinstance(v, slice) and all(_is_literal(x) or type(x) is SymInt
                                        for x in (v.start, v.stop, v.step)):
            return f"slice({v.start!r}, {v.stop!r}, {v.step!r})"
        if v is Ellipsis:
            return "..."
        return self.const(v)

    def call(self, node, ctx):
        args = [self.expr(a) for a in node.args]
        args += [f"{k}={self.expr(v)}" for k, v in node.kwargs.items()]
        return f"{self.cls(node.target)}.forward({', '.join([ctx] + args)})"


def _reuse_tables():
    from ..ops import arith, pointwise
    from ..ops.creation import ToDtype
    from ..ops.matmul import Linear, MatMul
    from ..ops.reduce import Sum
    binary = {arith.Add: "np.add", arith.Sub: "np.subtract", arith.Mul: "np.multiply",
              arith.Div: "np.true_divide"}
    scalar = {arith.AddScalar: "np.add", arith.SubScalar: "np.subtract",
              arith.MulScalar: "np.multiply", arith.DivScalar: "np.true_divide"}
    unary = {pointwise.Exp: "np.exp", pointwise.Tanh: "np.tanh", pointwise.Neg: "np.negative",
             pointwise.Relu: "np.maximum"}
    fresh = set(binary) | set(scalar) | set(unary) | {MatMul, Linear, Sum, ToDtype}
    _NO_VIEWS.update(set(binary) | set(scalar) | set(unary) | {MatMul, Linear, Sum})
    return binary, scalar, unary, fresh


_REUSE = None


def _tables():
    """(binary, scalar, unary, fresh) of _reuse_tables, built on first use (they import the
    op modules)."""
    global _REUSE
    if _REUSE is None:
        _REUSE = _reuse_tables()
    return _REUSE
_NO_VIEWS = set()      # ops whose result never shares memory with an input


def _reuse_line(n, em, dead, protected):
    """``n`` written into its first input's buffer (``out=``) when that input dies here, is a
    fresh array of the op's shape and dtype, and nothing else holds it: one allocation less,
    the same arithmetic (buffer reuse / in-place elementwise fusion)."""
    binary, scalar, unary, fresh = _tables()
    a = n.args[0] if n.args else None
    if not (isinstance(a, Node) and a.op == "call_function" and a.target in fresh
            and a in dead and a not in protected and len(a.meta.get("shape") or ()) >= 1
            and a.meta.get("shape") == n.meta.get("shape") and a.meta.get("dtype") == n.meta.get("dtype")):
        return None
    # NOTE: a view of ``a`` made earlier (a permute, a reshape) may still be alive after
    # ``a`` dies: its buffer is free only if every such view (and view of a view) is dead
    if em.pos is None:
        em.pos = {m: i for i, m in enumerate(em.graph.nodes)}
    if not _views_dead(a, n, em.pos[n], em.pos, protected):
        return None
    t = n.target
    if t in binary and len(n.args) == 2 and not n.kwargs:
        return f"{n.name} = {binary[t]}({a.name}, {em.expr(n.args[1])}, out={a.name})"
    if t in scalar and list(n.kwargs) == ["s"] and type(n.kwargs["s"]) in (int, float):
        return f"{n.name} = {scalar[t]}({a.name}, {n.kwargs['s']!r}, out={a.name})"
    if t in unary and len(n.args) == 1 and not n.kwargs:
        zero = ", 0" if unary[t] == "np.maximum" else ""     # relu: np.maximum(x, 0)
        return f"{n.name} = {unary[t]}({a.name}{zero}, out={a.name})"
    return None


def _linear_lines(n):
    """A 2-d ``Linear`` written out as Linear.forward's own two statements (one GEMM on the
    transposed weight view, the bias added in place): two NumPy calls, no Python call."""
    from ..ops.matmul import Linear
    x = n.args[0] if n.args else None
    if n.target is not Linear or n.kwargs or not isinstance(x, Node) or \
            len(x.meta.get("shape") or ()) != 2 or not all(isinstance(a, Node) for a in n.args):
        return None
    lines = [f"{n.name} = np.matmul({x.name}, {n.args[1].name}.T){_comment(n)}"]
    if len(n.args) > 2:
        lines.append(f"{n.name} += {n.args[2].name}")
    return lines


def _owned(g):
    """Whether the gradient value ``g`` is a new array (an op that never returns a view of an
    input) whose one use is the accumulation: it can become the .grad without a copy."""
    _tables()                       # (fills _NO_VIEWS)
    return (g.op == "call_function" and g.target in _NO_VIEWS and len(g.users) == 1
            and not g.meta.get("keeps_ctx"))


def _views_dead(a, n, at, pos, protected):
    """Whether every value that may share ``a``'s memory (users not known to allocate,
    transitively) has no use at or after position ``at`` (the node ``n`` about to run), and
    no op's ctx keeps it for a backward."""
    for u in a.users:
        if u is n or u.target in _NO_VIEWS:
            continue
        if u.op == "output" or u in protected or any(pos.get(w, at) >= at for w in u.users):
            return False
        if not _views_dead(u, n, at, pos, protected):
            return False
    return True


def _getitem_line(n):
    tail = "._data" if n.args[0].target is NodeBackward else ""
    return f"{n.name} = {n.args[0].name}[{n.args[1]}]{tail}"


def _node_backward_lines(n, em):
    """An op's own backward rule, called with the ctx its forward kept."""
    f = n.kwargs["forward"]
    c = f"c_{f.name}"
    edges = tuple(True if e else None for e in n.kwargs["edges"])
    grads = ", ".join(f"_wrap({a.name})" for a in n.args)
    return [f"{c}.inputs = tuple(map(_wrap, {c}.a))", f"{c}._edges = {edges!r}",
            f"{n.name} = _rule({em.cls(f.target)}, {c}, {grads})"
            f"  # {f.target.__name__}'s own backward rule"]


def _ctx_call_lines(n, em):
    """The op with its own ctx, which keeps its input arrays for a later backward."""
    c = f"c_{n.name}"
    return [f"{c} = _new({em.cls(n.target)})", f"{n.name} = {em.call(n, c)}{_comment(n)}",
            f"{c}.a = ({', '.join(a.name for a in n.args)}{',' if len(n.args) == 1 else ''})"]


def _plain_lines(n, em, dying, protected):
    """The op on a fresh ctx, written into a dying input's buffer where it can be."""
    line = _reuse_line(n, em, dying, protected)
    if line is None:
        lowered = _linear_lines(n)
        if lowered:
            return lowered
    lines = [(line or f"{n.name} = {em.call(n, f'_new({em.cls(n.target)})')}") + _comment(n)]
    if line:
        lines.append(f"del {n.args[0].name}")
    return lines


def _comment(node):
    shape = node.meta.get("shape")
    dt = node.meta.get("dtype")
    scope = node.meta.get("scope")
    parts = []
    if shape is not None:
        parts.append(f"{dt}{list(shape)}")
    if scope:
        qn, cls = scope[-1]
        parts.append(f"({qn}: {cls})" if qn else f"({cls})")
    return f"  # {' '.join(parts)}" if parts else ""


def _last_uses(nodes):
    last = {}
    for i, n in enumerate(nodes):
        for a in _iter_nodes((n.args, n.kwargs)):
            last[a] = i
    return last


def symbol_lines(graph):
    """``s0 = x.shape[0]``: each symbolic size read from the input that carries it."""
    return [f"{name} = {ph}.shape[{d}]" for name, ph, d in graph.__dict__.get("symbols", ())]


def symbol_names(graph):
    return [name for name, _, _ in graph.__dict__.get("symbols", ())]


def input_nodes(graph):
    """The graph's array arguments, in order: attributes first, then placeholders."""
    return ([n for n in graph.nodes if n.op == "get_attr"] +
            [n for n in graph.nodes if n.op == "placeholder"])


def emit_forward(graph, attrs, train, needs_grad=frozenset()):
    """Source and namespace of ``forward(*tensors)`` (``infer`` or ``train`` variant).

    A graph that holds a ``Backward`` node is a whole training step: its forward ops keep
    ctxs, the backward runs inline, and nothing is returned for an outer autograd node."""
    from ..autograd.engine import _accumulate, accumulate_fresh
    em = _Emitter(graph)
    em.ns.update(_accumulate=_accumulate, _accumulate_fresh=accumulate_fresh, _MODE=MODE)
    bwd = backward_half(graph)
    ins = [n for n in input_nodes(graph) if n not in bwd]
    body = []
    nodes = [n for n in graph.nodes if n.op == "call_function" and n not in bwd]
    last = _last_uses([n for n in graph.nodes if n not in bwd])
    keep = {id(n) for n in _iter_nodes(output_spec(graph))}
    step = any(n.target is Backward for n in nodes)
    recorded = any(n.target is Backward and n.kwargs.get("recorded") for n in nodes)
    if recorded:
        train, needs_grad = False, set()     # the backward is ops of this graph: no ctxs
    elif step:
        before = graph.nodes[:graph.nodes.index(next(n for n in nodes if n.target is Backward))]
        needs_grad = {n for n in before if n.op == "call_function" and n.meta.get("requires_grad")
                      and n.target is not operator.getitem}
        train = True
    ctx_names = []
    # arrays an op's ctx keeps for a backward call stay untouched (no buffer reuse)
    protected = {a for n in nodes if n.meta.get("keeps_ctx") for a in n.all_input_nodes}
    for n in nodes:
        if n.target is operator.getitem:
            body.append(_getitem_line(n))
        elif n.target is NodeBackward:
            body += _node_backward_lines(n, em)
            body.append(f"del c_{n.kwargs['forward'].name}")
        elif n.meta.get("keeps_ctx") and not train:
            body += _ctx_call_lines(n, em)
        elif n.target is OptimizerStep or n.target is ZeroGrad:
            body += _optimizer_lines(graph, n, em, attrs) or [_pycall_line(n, em)]
        elif n.target is PyCall:
            body.append(_pycall_line(n, em))
        elif n.target is ReadGrad:
            body.append(f"{n.name} = {_tensor_expr(em, n.kwargs['leaf'], ins, attrs)}.grad._data")
        elif n.target is Backward and n.kwargs.get("recorded"):
            body.append("# --- end of backward (the ops above since the loss are its gradient rules) ---")
        elif n.target is AccumulateGrad:
            leaf = _tensor_expr(em, n.kwargs["leaf"], ins, attrs)
            named = next((a.name for a in ins if a.op == "get_attr" and attrs[a.target] is n.kwargs["leaf"]),
                         leaf)
            g = n.args[0]
            if _owned(g):
                body.append(f"_accumulate_fresh({leaf}, {g.name})  # {named}.grad (kept: a new array no one else holds)")
            else:
                body.append(f"_accumulate({leaf}, _wrap({g.name}), False)  # {named}.grad")
        elif n.target is Backward:
            body += _inline_backward(graph, em, n, needs_grad, ins, attrs)
        elif train and n in needs_grad:
            ctx_names.append(f"c_{n.name}")
            body += _ctx_call_lines(n, em)
        elif train:
            body += _plain_lines(n, em, set(), protected)
        else:
            dying = {a for a in n.all_input_nodes if last.get(a) == graph.nodes.index(n)
                     and id(a) not in keep}
            body += _plain_lines(n, em, dying, protected)
        if not train:
            dead = [a.name for a in _iter_nodes((n.args, n.kwargs))
                    if last.get(a) == graph.nodes.index(n) and id(a) not in keep
                    and a.op == "call_function" and not (line_reused(body, a))]
            if dead:
                body.append("del " + ", ".join(dict.fromkeys(dead)))
    out = em.expr(output_spec(graph))
    if train and not step:
        # a symbolic graph's backward reads the sizes too: they travel after the ctxs
        ctxs = "(" + "".join(c + ", " for c in ctx_names + symbol_names(graph)) + ")"
        body.append(f"return {out}, {ctxs}")
    else:
        body.append(f"return {out}")
    name = "step" if step else ("forward_train" if train else "forward")
    # Attributes (parameters, buffers, constants) are read from their tensors at each call,
    # so in-place updates (optimizer steps, load_state_dict) are seen; inputs come as tensors.
    head = [f"{n.name} = {em.const(attrs[n.target], 'p')}._data" for n in ins if n.op == "get_attr"]
    head += [f"{n.name} = {n.name}_t._data" for n in ins if n.op == "placeholder"]
    head += symbol_lines(graph)
    params = [f"{n.name}_t" for n in ins if n.op == "placeholder"]
    src = f"def {name}({', '.join(params)}):\n" + "".join(
        f"    {line}\n" for line in head + body)
    return src, em.ns, ctx_names


def _pycall_line(n, em):
    """The call the trace kept, made again at its place."""
    k = n.kwargs
    call = (f"{em.const(k['run'], 'call')}({em.const(k['obj'], 'obj')}, "
            f"{em.const(k['args'], 'args')}, {em.const(k['kwargs'], 'kwargs')})")
    what = f"  # {type(k['obj']).__name__}.{_method_name(k['run'])}" if k["obj"] is not None \
        else "  # gradient clipping"
    return f"{n.name} = {call}._data{what}" if n.meta.get("returns_tensor") else call + what


def _optimizer_lines(graph, n, em, attrs):
    """``opt.step()`` / ``opt.zero_grad()`` written out (optim_codegen.py), or None."""
    from . import optim_codegen
    names = {id(t): target for target, t in attrs.items()}
    if n.target is ZeroGrad:
        return optim_codegen.emit_zero_grad(n, em, names)
    reserved = set(em.ns) | {"np"} | set(symbol_names(graph))
    for m in graph.nodes:
        reserved |= {m.name, f"{m.name}_t"}
    return optim_codegen.emit_step(n, em, reserved, names)


def line_reused(body, a):
    """Whether the last lines already dropped ``a`` (its buffer went to the op just emitted)."""
    return body and body[-1] == f"del {a.name}"


def output_spec(graph):
    """What the program returns (a joint graph's output node also holds its gradients)."""
    a = graph.output_node.args[0]
    return a[0] if "joint" in graph.__dict__ else a


def joint_parts(graph):
    """A joint graph's ((input node, grad node), ...) and its outputs that get a tangent."""
    _, pairs, touts = graph.output_node.args[0]
    return pairs, list(touts)


def backward_half(graph):
    """The nodes of a joint graph that compute gradients: all that depend on a tangent."""
    if "joint" not in graph.__dict__:
        return set()
    todo = [n for n in graph.nodes if n.meta.get("tangent") is not None]
    seen = set(todo)
    while todo:
        n = todo.pop()
        for u in n.users:
            if u.op != "output" and u not in seen:
                seen.add(u)
                todo.append(u)
    return seen


def emit_joint(graph, attrs):
    """A joint graph's two halves: ``forward_train(*inputs) -> (outputs, saved)`` and
    ``backward(saved, gout) -> grads`` (one per ``graph.backward_of`` entry)."""
    bwd = backward_half(graph)
    pairs = joint_parts(graph)[0]
    ins = input_nodes(graph)
    fwd_nodes = [n for n in graph.nodes if n.op == "call_function" and n not in bwd]
    bwd_nodes = [n for n in graph.nodes if n.op == "call_function" and n in bwd]
    used_by_bwd = []
    for n in bwd_nodes:
        for a in n.all_input_nodes:
            if a not in bwd and a.op != "get_attr" and a not in used_by_bwd:
                used_by_bwd.append(a)
    for _, g in pairs:
        if g is not None and g not in bwd and g.op != "get_attr" and g not in used_by_bwd:
            used_by_bwd.append(g)
    ctxs = [n for n in fwd_nodes if n.meta.get("keeps_ctx")]
    saved = [n.name for n in used_by_bwd] + [f"c_{n.name}" for n in ctxs] + symbol_names(graph)
    # forward half
    em = _Emitter(graph)
    fsrc, fns, _ = _emit_nodes(graph, em, [n for n in ins if n not in bwd], fwd_nodes, attrs,
                               keep=set(used_by_bwd) | set(_iter_nodes(output_spec(graph))),
                               ret=f"{em.expr(output_spec(graph))}, ({''.join(x + ', ' for x in saved)})",
                               name="forward_train")
    # backward half
    bm = _Emitter(graph)
    head = [("" if not saved else ", ".join(saved) + ", = saved")]
    for i, t in enumerate(n for n in ins if n.meta.get("tangent") is not None):
        shape, dt = t.meta["shape"], t.meta["dtype"]
        head.append(f"{t.name} = gout[{i}]._data if gout[{i}] is not None else "
                    f"np.zeros({shape!r}, {bm.const(dt, 'dtype')})")
    attr_reads = [n for n in ins if n.op == "get_attr" and any(n in b.all_input_nodes for b in bwd_nodes)]
    attr_reads += [g for _, g in pairs if g is not None and g.op == "get_attr" and g not in attr_reads]
    for n in attr_reads:
        head.append(f"{n.name} = {bm.const(attrs[n.target], 'p')}._data")
    rets = ", ".join(f"_wrap({g.name})" if g is not None else "None" for _, g in pairs)
    bsrc, bns, _ = _emit_nodes(graph, bm, [], bwd_nodes, attrs, keep={g for _, g in pairs if g},
                               ret=f"({rets}{',' if len(pairs) == 1 else ''})", name="backward",
                               params="saved, gout", head=head)
    return fsrc, fns, bsrc, bns, [p[0] for p in pairs]


def _emit_nodes(graph, em, ins, nodes, attrs, keep, ret, name, params=None, head=None):
    """Straight-line code for ``nodes`` (infer style: values dropped after their last use)."""
    body = list(head or [])
    protected = {a for n in nodes if n.meta.get("keeps_ctx") for a in n.all_input_nodes}
    if params is None:
        body += [f"{n.name} = {em.const(attrs[n.target], 'p')}._data" for n in ins if n.op == "get_attr"]
        body += [f"{n.name} = {n.name}_t._data" for n in ins if n.op == "placeholder"]
        body += symbol_lines(graph)
        params = ", ".join(f"{n.name}_t" for n in ins if n.op == "placeholder")
    last = _last_uses(nodes)
    for n in nodes:
        if n.target is operator.getitem:
            body.append(_getitem_line(n))
        elif n.target is NodeBackward:
            body += _node_backward_lines(n, em)
        elif n.meta.get("keeps_ctx"):
            body += _ctx_call_lines(n, em)
        else:
            i = nodes.index(n)
            dying = {a for a in n.all_input_nodes if last.get(a) == i and a not in keep and a in nodes}
            body += _plain_lines(n, em, dying, protected)
        i = nodes.index(n)
        dead = [a.name for a in n.all_input_nodes
                if last.get(a) == i and a not in keep and a.op == "call_function" and a in nodes
                and not line_reused(body, a)]
        if dead:
            body.append("del " + ", ".join(dict.fromkeys(dead)))
    body.append(f"return {ret}")
    src = f"def {name}({params}):\n" + "".join(f"    {line}\n" for line in body if line)
    return src, em.ns, None


def _method_name(run):
    return getattr(run, "__qualname__", "call").split(".")[0].replace("_wrap_step", "step") \
        .replace("_reported_step", "step").replace("_reported", "zero_grad")


def _tensor_expr(em, t, ins, attrs):
    for n in ins:
        if n.op == "placeholder" and n.meta.get("tensor_id") == id(t):
            return f"{n.name}_t"
    return em.const(t, "p")


def _inline_backward(graph, em, marker, needs_grad, ins, attrs):
    """``loss.backward()`` inside a compiled step: backward rules in reverse, then the
    engine's own accumulation into each leaf's ``.grad`` (hooks included)."""
    root = marker.args[0]
    before = set(graph.nodes[:graph.nodes.index(marker)])
    grad_inputs = [n for n in ins if n.meta.get("requires_grad") and n in before]
    lines = ["# --- backward ---"]
    if len(marker.args) > 1:
        lines.append(f"gout = (_wrap({marker.args[1].name}),)")
    else:
        shape, dt = root.meta["shape"], root.meta["dtype"]
        lines.append(f"gout = (_wrap(np.ones({shape!r}, {em.const(dt, 'dtype')})),)")
    lines.append("_prev_grad_mode = _MODE.grad_enabled")
    lines.append("_MODE.grad_enabled = False")
    sub = [n for n in graph.nodes if n in before]
    blines, rets = _backward_lines(sub, em, needs_grad, grad_inputs, [root])
    lines += blines
    for n, r in zip(grad_inputs, rets):
        if r != "None":
            t = f"{n.name}_t" if n.op == "placeholder" else em.const(attrs[n.target], "p")
            lines.append(f"if {r} is not None:")
            lines.append(f"    _accumulate({t}, {r}, False)")
    lines.append("_MODE.grad_enabled = _prev_grad_mode")
    lines.append("# --- end of backward ---")
    return lines


def emit_backward(graph, needs_grad, grad_inputs, out_nodes):
    """Source of ``backward(ctxs, gout)`` returning the grads of grad_inputs.

    needs_grad: the call_function nodes whose backward runs (in graph order);
    grad_inputs: the input nodes (attrs, placeholders) whose gradient is returned;
    out_nodes: the output nodes that receive a gradient from outside, in order."""
    em = _Emitter(graph)
    body = []
    ctx_nodes = [n for n in graph.nodes if n in needs_grad]
    unpack = [f"c_{n.name}" for n in ctx_nodes] + symbol_names(graph)
    if unpack:
        body.append(", ".join(unpack) + ", = ctxs")
    lines, rets = _backward_lines(graph.nodes, em, needs_grad, grad_inputs, out_nodes)
    body += lines
    body.append("return (" + "".join(r + ", " for r in rets) + ")")
    src = "def backward(ctxs, gout):\n" + "".join(f"    {line}\n" for line in body)
    return src, em.ns


def _backward_lines(nodes, em, needs_grad, grad_inputs, out_nodes):
    body = []
    inits = []
    gname = {}

    def g(n):
        return gname.setdefault(n, f"g_{n.name}")

    assigned = set()

    def add(n, expr):
        if n in assigned:
            body.append(f"{g(n)} = _acc({g(n)}, {expr})")
        else:
            body.append(f"{g(n)} = {expr}")
            assigned.add(n)

    for i, n in enumerate(out_nodes):
        add(n, f"gout[{i}]")
    requires = {n for n in nodes if n.meta.get("requires_grad")}
    # Multi-output ops get their gradient as one list per op (from their getitem nodes).
    for n in reversed(nodes):
        if n.op != "call_function":
            continue
        if n.target is operator.getitem:
            if n in assigned:
                src = n.args[0]
                if src not in assigned:
                    body.append(f"{g(src)} = [None] * {src.meta['n_outputs']}")
                    assigned.add(src)
                body.append(f"{g(src)}[{n.args[1]}] = _acc({g(src)}[{n.args[1]}], {g(n)})")
            continue
        if n not in needs_grad or n not in assigned:
            continue
        c = f"c_{n.name}"
        edges = tuple(True if (isinstance(a, Node) and a in requires) else None for a in n.args)
        body.append(f"if {g(n)} is not None:")
        ind = "    "
        body.append(f"{ind}{c}.inputs = tuple(map(_wrap, {c}.a))")
        body.append(f"{ind}{c}._edges = {edges!r}")
        # a complex output's holomorphic rule runs conjugated, as the engine runs it
        rule = f"{em.cls(n.target)}.backward" if not _conjugated(n) else \
            f"_conj_rule({em.cls(n.target)}.backward)"
        if "n_outputs" in n.meta:
            om = n.meta["out_meta"]
            meta = em.expr(om) if has_symbols(om) else em.const(om, "meta")
            body.append(f"{ind}r = _tup({rule}({c}, *_zeros({g(n)}, {meta})))")
        else:
            body.append(f"{ind}r = _tup({rule}({c}, {g(n)}))")
        for k, a in enumerate(n.args):
            if edges[k]:
                if a not in assigned:
                    # a later node (earlier in the graph) may add more; start from nothing
                    inits.append(f"{g(a)} = None")
                    assigned.add(a)
                body.append(f"{ind}{g(a)} = _acc({g(a)}, r[{k}])")
        body.append(f"{ind}del {c}.inputs")
    rets = [g(n) if n in assigned else "None" for n in grad_inputs]
    return inits + body, rets


def _rule(cls, ctx, *grads):
    """An op's own backward rule on arrays' wrappers, with grad mode off (its fast path, and
    no graph recorded), as the engine runs it in an ordinary backward."""
    prev = MODE.grad_enabled
    MODE.grad_enabled = False
    try:
        r = cls.backward(ctx, *grads)
    finally:
        MODE.grad_enabled = prev
    return r if type(r) is tuple else (r,)


def _acc(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _tup(r):
    return r if type(r) is tuple else (r,)


def _conjugated(n):
    """Whether the engine would run this node's rule as conj(rule(conj(g))): a complex output
    of an op without its own complex rule (see Function.complex_rule)."""
    if getattr(n.target, "complex_rule", False):
        return False
    metas = n.meta.get("out_meta") or [(None, n.meta.get("dtype"))]
    return any(m[1] is not None and np.dtype(m[1]).kind == "c" for m in metas)


def _conj_rule(rule):
    def run(ctx, *grads):
        out = _tup(rule(ctx, *[None if g is None else g.conj() for g in grads]))
        return tuple(None if g is None else g.conj() for g in out)
    return run


def _zeros(gs, meta):
    return [g if g is not None else _wrap(np.zeros(m[0], m[1])) for g, m in zip(gs, meta)]


def compile_source(src, ns, filename):
    code = compile(src, filename, "exec")
    exec(code, ns)
    return ns[src.split("(", 1)[0][4:]]
