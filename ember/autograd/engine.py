"""The backward engine: iterative, ordered by creation sequence, frees saved values.

Edges are ``(node, output_nr)`` for non-leaves and ``(leaf_tensor, -1)`` for leaves.
Backward functions run with grad mode = ``create_graph`` (Chainer's trick), so an ordinary
``backward()`` records nothing while ``create_graph=True`` yields differentiable gradients.
"""
import heapq

import numpy as np

from .._tensor import TRACERS, Tensor, _traced, _wrap
from .grad_mode import MODE


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf (PyTorch's name)."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self._metadata = {}
        return d

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


def _accumulate(leaf, g, create_graph):
    if leaf._hooks:
        for h in list(leaf._hooks.values()):
            r = h(g)
            if r is not None:
                g = r
    if g._data.shape != leaf._data.shape:
        raise RuntimeError(f"Function returned an invalid gradient: got shape {list(g.shape)}, "
                           f"expected shape {list(leaf.shape)}")
    old = leaf.grad
    if create_graph:
        leaf.grad = g if old is None else old + g
    else:
        _accumulate_values(leaf, g, old)
    post = leaf.__dict__.get("_post_acc_hooks")
    if post:
        for h in list(post.values()):
            h(leaf)


def accumulate_fresh(leaf, arr):
    """``_accumulate`` for a gradient array nothing else holds (a compiled step's freshly made
    GEMM or sum): a leaf without a .grad or hooks keeps that array, without the copy (as
    PyTorch's AccumulateGrad steals a gradient no one else references)."""
    if leaf.grad is None and not leaf._hooks and arr.dtype == leaf._data.dtype and \
            arr.shape == leaf._data.shape and not leaf.__dict__.get("_post_acc_hooks"):
        leaf.grad = _wrap(arr)
    else:
        _accumulate(leaf, _wrap(arr), False)


def _accumulate_values(leaf, g, old):
    if old is None:
        # NOTE: copy, because the same array may be handed to several leaves (add's backward
        # passes its gradient through), and users zero their .grad in place.
        arr = g._data
        leaf.grad = _wrap(np.array(arr, dtype=leaf._data.dtype, copy=True))
    else:
        od = old._data
        if od.dtype == g._data.dtype:
            np.add(od, g._data, out=od)
            old._vbox[0] += 1
        else:
            od += g._data.astype(od.dtype)


def _post_process(node, i, g):
    """Tensor hooks registered on a non-leaf output, then retain_grad."""
    hooks = node.__dict__.get("_pre_hooks")
    if hooks and i in hooks:
        for h in list(hooks[i].values()):
            r = h(g)
            if r is not None:
                g = r
    ret = node.__dict__.get("_retain")
    if ret and i in ret:
        t = ret[i]()
        if t is not None:
            t.grad = g.detach() if t.grad is None else (t.grad + g).detach()
    return g


def run_backward(roots, grads, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate ``grads`` from ``roots``.

    inputs: tensors whose gradient is captured and returned (``autograd.grad``) instead of
    accumulated into leaves.  Returns the list of captured gradients (or None).
    """
    if TRACERS:
        _traced("backward_begin", roots, grads, create_graph, inputs, accumulate)
        try:
            return _run_backward(roots, grads, retain_graph, create_graph, inputs, accumulate)
        finally:
            _traced("backward_end", roots)
    return _run_backward(roots, grads, retain_graph, create_graph, inputs, accumulate)


def _run_backward(roots, grads, retain_graph, create_graph, inputs, accumulate):
    capture_leaf, capture_node, results = {}, {}, None
    if inputs is not None:
        results = [None] * len(inputs)
        for k, t in enumerate(inputs):
            if t.grad_fn is None:
                capture_leaf.setdefault(id(t), []).append(k)
            else:
                capture_node.setdefault((t.grad_fn, t._output_nr), []).append(k)

    bufs, start = {}, []
    for t, g in zip(roots, grads):
        fn = t.grad_fn
        if fn is None:
            if t.requires_grad:
                _to_leaf(t, g, capture_leaf, results, accumulate, create_graph)
            continue
        buf = bufs.get(fn)
        if buf is None:
            meta = fn.__dict__.get("_out_meta")
            buf = bufs[fn] = [None] * (len(meta) if meta is not None else 1)
            start.append(fn)
        nr = t._output_nr
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    # Dependencies: how many edges point into each node from the reachable graph.
    deps = {}
    start_set = set(start)
    stack = list(start)
    while stack:
        n = stack.pop()
        for e in n._edges:
            if e is not None and e[1] >= 0:
                m = e[0]
                if m in deps:
                    deps[m] += 1
                else:
                    deps[m] = 1
                    if m not in start_set:
                        stack.append(m)

    needed = None
    if not accumulate:
        needed = _needed_nodes(set(deps) | start_set, capture_leaf, capture_node)

    heap = [(-fn._seq, id(fn), fn) for fn in start if fn not in deps]
    heapq.heapify(heap)
    heappop, heappush = heapq.heappop, heapq.heappush
    prev_mode = MODE.grad_enabled
    MODE.grad_enabled = create_graph
    try:
        while heap:
            node = heappop(heap)[2]
            nd = node.__dict__
            edges = node._edges
            buf = bufs.pop(node, None)
            out = None
            if buf is not None:
                if "_pre_hooks" in nd or "_retain" in nd or capture_node:
                    for i, g in enumerate(buf):
                        if g is not None:
                            g = buf[i] = _post_process(node, i, g)
                            ks = capture_node.get((node, i)) if capture_node else None
                            if ks:
                                for k in ks:
                                    results[k] = g
                if needed is None or node in needed:
                    out = _call_backward(node, nd, buf, edges)
                    if not retain_graph:
                        node._release()
            if out is None:
                out = (None,) * len(edges)
            for e, g in zip(edges, out):
                if e is None:
                    continue
                m, nr = e
                if nr < 0:
                    if g is not None:
                        _to_leaf(m, g, capture_leaf, results, accumulate, create_graph)
                    continue
                if g is not None:
                    b = bufs.get(m)
                    if b is None:
                        meta = m.__dict__.get("_out_meta")
                        if meta is None:
                            bufs[m] = [g]
                        else:
                            b = bufs[m] = [None] * len(meta)
                            b[nr] = g
                    elif b[nr] is None:
                        b[nr] = g
                    else:
                        b[nr] = b[nr] + g
                d = deps[m] - 1
                deps[m] = d
                if d == 0:
                    heappush(heap, (-m._seq, id(m), m))
    finally:
        MODE.grad_enabled = prev_mode
    return results


def _call_backward(node, nd, buf, edges):
    """Run one node's backward with PyTorch's checks and hooks; None when nothing flows."""
    if len(buf) == 1:
        if buf[0] is None:
            return None
    else:
        if all(g is None for g in buf):
            return None
        meta = nd["_out_meta"]
        for i, g in enumerate(buf):
            if g is None:
                buf[i] = _wrap(np.zeros(meta[i][0], meta[i][1]))
    node._check_saved()
    pre = nd.get("_fn_pre_hooks")
    if pre:
        for h in list(pre.values()):
            r = h(tuple(buf))
            if r is not None:
                buf = list(r)
    cplx = node._cplx
    if cplx:                                # see Function.complex_rule
        buf = [g.conj() for g in buf]
    if TRACERS:
        from .function import active_tracer
        tr = active_tracer()
        if tr is not None and getattr(tr, "recording_backward", False):
            out = tr.node_backward(node, buf)   # the compiler records this rule's ops
        else:
            out = type(node).backward(node, *buf)
    else:
        out = type(node).backward(node, *buf)
    if type(out) is not tuple:
        out = (out,)
    if cplx:
        out = tuple(None if g is None else g.conj() for g in out)
    post = nd.get("_post_hooks")
    if post:
        for h in list(post.values()):
            r = h(out, tuple(buf))
            if r is not None:
                out = tuple(r)
    if len(out) < len(edges):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of "
                           f"gradients (expected {len(edges)}, got {len(out)})")
    if MODE.anomaly and MODE.anomaly_check_nan:
        _check_nan(node, out)
    return out


def _check_nan(node, out):
    for i, g in enumerate(out):
        if g is not None and np.issubdtype(g._data.dtype, np.inexact) and np.isnan(g._data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _to_leaf(leaf, g, capture_leaf, results, accumulate, create_graph):
    if not isinstance(g, Tensor):
        raise TypeError(f"a backward function returned a {type(g).__name__} as a gradient; "
                        "expected a Tensor or None")
    ks = capture_leaf.get(id(leaf)) if capture_leaf else None
    if ks:
        for k in ks:
            results[k] = g if results[k] is None else results[k] + g
    elif accumulate:
        _accumulate(leaf, g, create_graph)


def _needed_nodes(nodes, capture_leaf, capture_node):
    """Nodes from which a captured input can be reached (autograd.grad prunes the rest)."""
    targets = {fn for fn, _ in capture_node}
    memo = {}
    for start in nodes:
        if start in memo:
            continue
        stack = [(start, False)]
        while stack:
            n, done = stack.pop()
            if done:
                ok = n in targets
                for e in n._edges:
                    if e is None:
                        continue
                    if e[1] < 0:
                        ok = ok or id(e[0]) in capture_leaf
                    else:
                        ok = ok or memo.get(e[0], False)
                memo[n] = ok
                continue
            if n in memo:
                continue
            memo[n] = False
            stack.append((n, True))
            for e in n._edges:
                if e is not None and e[1] >= 0 and e[0] not in memo:
                    stack.append((e[0], False))
    return {n for n, ok in memo.items() if ok}
