"""Graph passes, each one function over the IR (run in this order by ``run_all``).

* ``fold_transpose_into_linear``: ``matmul(x, w.t())`` (+ ``b``) becomes one ``Linear`` node
  (the same GEMM on the same transposed view, one node and one temporary fewer).
* ``remove_identities``: ``x + 0``, ``x - 0``, ``x * 1``, ``x / 1``, ``x ** 1`` and a permute
  that undoes another are dropped.
* ``fold_constants``: an op whose inputs are all constants made during the trace (``arange``,
  ``zeros`` ...) is run once at compile time.
* ``eliminate_common_subexpressions``: two pure ops with the same target, inputs and
  attributes become one.
* ``eliminate_dead_code``: pure ops nothing uses are removed (random draws and writes stay).

``PASS_STATS`` counts what each pass changed in the last graph, for explain() and docs.
"""
import operator

import numpy as np

from ..fx.graph import Node, _iter_nodes
from ..ops import arith, shape
from ..ops.matmul import Linear, MatMul

PASS_STATS = {}


def run_all(graph, enabled=None):
    from . import config
    stats = {}
    for p in PASSES:
        if p.__name__ in config.disabled_passes:
            continue
        if enabled is None or p.__name__ in enabled:
            stats[p.__name__] = p(graph) or 0
    graph.lint()
    PASS_STATS.clear()
    PASS_STATS.update(stats)
    return stats


def _replace(graph, node, new):
    node.replace_all_uses_with(new)
    graph.erase_node(node)


def _is_transpose_2d(n):
    return (isinstance(n, Node) and n.op == "call_function" and n.target is shape.Permute
            and n.kwargs.get("perm") == (1, 0))


def fold_transpose_into_linear(graph):
    changed = 0
    for n in list(graph.nodes):
        if n.op != "call_function" or n.target is not MatMul:
            continue
        x, wt = n.args
        if not _is_transpose_2d(wt) or len(x.meta.get("shape", ())) < 2:
            continue
        w = wt.args[0]
        n.target, n.args = Linear, (x, w)
        wt.users.pop(n, None)
        w.users[n] = None
        changed += 1
        if not wt.users:
            graph.erase_node(wt)
    return changed


_IDENTITY = {arith.AddScalar: 0, arith.SubScalar: 0, arith.MulScalar: 1, arith.DivScalar: 1,
             arith.PowScalar: 1}


def remove_identities(graph):
    changed = 0
    for n in list(graph.nodes):
        if n.op != "call_function":
            continue
        unit = _IDENTITY.get(n.target)
        src = n.args[0] if n.args else None
        if unit is not None and type(n.kwargs.get("s")) in (int, float) and n.kwargs["s"] == unit \
                and isinstance(src, Node) and src.meta.get("dtype") == n.meta.get("dtype"):
            _replace(graph, n, src)
            changed += 1
        elif n.target is shape.Permute and isinstance(src, Node) and src.op == "call_function" \
                and src.target is shape.Permute:
            p1, p2 = src.kwargs["perm"], n.kwargs["perm"]
            if tuple(p1[i] for i in p2) == tuple(range(len(p1))):
                _replace(graph, n, src.args[0])
                if not src.users:
                    graph.erase_node(src)
                changed += 1
    return changed


def fold_constants(graph):
    """Run ops whose inputs are all fresh constants; their result becomes a constant."""
    fresh = graph.__dict__.setdefault("fresh_constants", {})
    changed = 0
    for n in list(graph.nodes):
        if n.op != "call_function" or n.impure or n.target is operator.getitem:
            continue
        ins = n.all_input_nodes
        if not ins or not all(a.op == "get_attr" and a.target in fresh for a in ins):
            continue
        if any(isinstance(v, Node) for v in _iter_nodes(n.kwargs)):
            continue
        arrays = [fresh[a.target]._data if isinstance(a, Node) else a for a in n.args]
        try:
            out = n.target.forward(object.__new__(n.target), *arrays, **n.kwargs)
        except Exception:   # noqa: BLE001 - leave the op to run at call time
            continue
        if type(out) is tuple:
            continue
        from .._tensor import _wrap
        folded = graph.__dict__.setdefault("folded", {})
        name = f"_folded_constant{len(folded)}"
        const = graph.get_attr(name)
        graph.nodes.remove(const)
        graph.nodes.insert(graph.nodes.index(n), const)
        t = _wrap(np.asarray(out))
        fresh[name] = t
        folded[name] = t
        const.meta.update(n.meta)
        _replace(graph, n, const)
        changed += 1
    if changed:
        graph.eliminate_dead_code()
    return changed


def _key(v):
    if isinstance(v, Node):
        return ("node", id(v))
    if type(v) in (tuple, list):
        return (type(v).__name__,) + tuple(_key(a) for a in v)
    if type(v) is dict:
        return ("dict",) + tuple((k, _key(a)) for k, a in v.items())
    if type(v) in (int, float, bool, str, type(None)):
        return (type(v).__name__, v)
    if isinstance(v, np.dtype):
        return ("dtype", str(v))
    return ("id", id(v))


def eliminate_common_subexpressions(graph):
    seen = {}
    changed = 0
    epoch = 0   # NOTE: a write (CopyInto, an optimizer call) may change what an earlier op read:
    for n in list(graph.nodes):   # never merge across one
        if n.op == "call_function" and getattr(n.target, "writes", False):
            epoch += 1
        if n.op != "call_function" or n.impure:
            continue
        k = (epoch, n.target, _key(n.args), _key(n.kwargs))
        other = seen.get(k)
        if other is None:
            seen[k] = n
        else:
            _replace(graph, n, other)
            changed += 1
    return changed


def eliminate_dead_code(graph):
    before = len(graph.nodes)
    graph.eliminate_dead_code()
    return before - len(graph.nodes)


PASSES = [fold_transpose_into_linear, remove_identities, fold_constants,
          eliminate_common_subexpressions, eliminate_dead_code]
