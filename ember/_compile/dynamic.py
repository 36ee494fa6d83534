"""Symbolic sizes: one graph for every size of a dimension, found by comparing traces.

ember's tracer records one eager run, so a graph is exact for the sizes it ran at.  When a
compiled callable is called with tensors that differ from earlier calls only in some sizes
(``dynamic=None``: PyTorch's automatic dynamic shapes; ``dynamic=True``; ``mark_dynamic``),
each such call is traced too, and the traces are compared node by node
(``merge``): the same ops on the same inputs, equal attributes, except that an int that
differs must be a function of the sizes that changed (``reshape(x.size(0), -1)`` bakes 3 at
batch 3 and 5 at batch 5: ``s0``; ``x[:B - 1]``: ``s0 - 1``; ``view(B * T, C)``:
``s0 * s1``), and a constant made at that size (``torch.zeros(x.size(0), 5)``,
``torch.arange(T)``) must be a fill or a range of a size that follows.  The fitting is
export's (the same search, ``fit_forms``).  Every formula must be confirmed by one trace
more than the traces that determine it, and the whole template by a third size at least,
before the symbolic graph is trusted; anything unexplained, or explained two ways, keeps
per-shape specialisation.  The symbolic graph holds ``SymInt`` values where the sizes
were; the generated code reads them from the input arrays (``s0 = x.shape[0]``) at the top.
"""
import itertools
import math
import types

import numpy as np

from .._tensor import Tensor
from ..fx.graph import Node

MAX_MEMBERS = 6          # traces of one family compared at once (the newest ones)


# --- symbolic sizes ------------------------------------------------------------------------
def fit_forms(values, syms):
    """Every symbolic form that gives ``values[t]`` from the sizes ``syms[t]`` for each trace,
    in export's search order: ``{"k": k, "of": names}`` (k times their product), then
    ``{"a": a, "c": c, "of": [name]}`` (a * s + c), then ``{"div": q, "of": [name]}`` (s // q,
    only with three or more sizes of s)."""
    names = sorted(syms[0])
    for r in range(1, len(names) + 1):
        for sub in itertools.combinations(names, r):
            p0 = math.prod(syms[0][s] for s in sub)
            if p0 == 0 or values[0] % p0:
                continue
            k = values[0] // p0
            if all(v == k * math.prod(s[n] for n in sub) for v, s in zip(values, syms)):
                yield {"k": k, "of": list(sub)}
    for s in names:
        for t in range(1, len(values)):
            ds = syms[t][s] - syms[0][s]
            if ds:
                a, rem = divmod(values[t] - values[0], ds)
                if rem:
                    break
                c = values[0] - a * syms[0][s]
                if all(v == a * sy[s] + c for v, sy in zip(values, syms)):
                    yield {"a": a, "c": c, "of": [s]}
                break
    for s in names:
        if len({sy[s] for sy in syms}) < 3:
            continue
        for q in range(2, 17):
            if all(v == sy[s] // q for v, sy in zip(values, syms)):
                yield {"div": q, "of": [s]}


def form_value(f, sizes):
    if "ratio" in f:
        n = form_value(f["ratio"], sizes)
        return n / (n - 1)
    if "recip" in f:
        return 1 / form_value(f["recip"], sizes)
    if "a" in f:
        return f["a"] * sizes[f["of"][0]] + f["c"]
    if "div" in f:
        return sizes[f["of"][0]] // f["div"]
    return f["k"] * math.prod(sizes[n] for n in f["of"])


def _canonical(f):
    if "ratio" in f or "recip" in f:
        kind = "ratio" if "ratio" in f else "recip"
        return (kind, _canonical(f[kind]))
    if "a" in f and f["c"] == 0:
        return ("k", f["a"], tuple(f["of"]))
    if "a" in f:
        return ("a", f["a"], f["c"], f["of"][0])
    if "div" in f:
        return ("div", f["div"], f["of"][0])
    return ("k", f["k"], tuple(f["of"]))


def _confirmed(f, syms):
    """Whether a trace beyond those that determine ``f`` checks it: k * product needs two
    distinct products, a * s + c and s // q three distinct sizes of s."""
    if "ratio" in f or "recip" in f:
        return _confirmed(f.get("ratio") or f.get("recip"), syms)
    if "k" in f:
        return len({math.prod(sy[n] for n in f["of"]) for sy in syms}) >= 2
    return len({sy[f["of"][0]] for sy in syms}) >= 3


def _source(f):
    if "ratio" in f:
        n = _paren(_source(f["ratio"]))
        return f"{n} / ({_source(f['ratio'])} - 1)"
    if "recip" in f:
        return f"1 / {_paren(_source(f['recip']))}"
    if "div" in f:
        return f"{f['of'][0]} // {f['div']}"
    if "k" in f:
        prod = " * ".join(f["of"])
        return prod if f["k"] == 1 else f"{f['k']} * {prod}"
    a, c, s = f["a"], f["c"], f["of"][0]
    base = s if a == 1 else (f"-{s}" if a == -1 else f"{a} * {s}")
    return base if c == 0 else (f"{base} + {c}" if c > 0 else f"{base} - {-c}")


def _paren(src):
    return src if src.isidentifier() else f"({src})"


# Python floats made from a size: BatchNorm's n / (n - 1) (the unbiased running variance)
# and 1 / n, each found by inverting the traced value and fitting the int it came from
_FLOAT_FORMS = (("ratio", lambda v: v / (v - 1)), ("recip", lambda v: 1 / v))


def fit_float_forms(values, syms):
    for kind, inverse in _FLOAT_FORMS:
        try:
            ns = [round(inverse(v)) for v in values]
        except (ZeroDivisionError, OverflowError, ValueError):
            continue
        for f in fit_forms(ns, syms):
            g = {kind: f}
            if all(form_value(g, sy) == v for v, sy in zip(values, syms)):
                yield g


class Sym:
    """A value the generated code computes from the input sizes at each call."""
    __slots__ = ()

    def code(self, expr):
        raise NotImplementedError


class SymInt(Sym):
    """A size (or a float made from sizes) that the generated code computes from the input
    sizes at each call (``s0``, ``2 * s0 - 1``, ``s0 * s1``); its repr is that expression,
    so printing a shape or an attribute that holds one writes the code that computes it."""
    __slots__ = ("form", "src")

    def __init__(self, form):
        self.form = form
        self.src = _source(form)

    def __repr__(self):
        return self.src

    def code(self, expr):
        return self.src

    def value(self, sizes):
        return form_value(self.form, sizes)


class SymRepeat(Sym):
    """A run of one value whose length follows the sizes (an RNN's ``batch_sizes``, B for
    each of T steps): ``(s0,) * s1``."""
    __slots__ = ("item", "kind", "n")

    def __init__(self, kind, item, n):
        self.kind, self.item, self.n = kind, item, n

    def __repr__(self):
        return self.code(repr)

    def code(self, expr):
        if self.kind is list:
            return f"[{expr(self.item)}] * {_paren(self.n.src)}"
        return f"({expr(self.item)},) * {_paren(self.n.src)}"


class SymClosure(Sym):
    """A function the op calls (a random draw's sampler) whose closure holds sizes: made
    again at each call from its code and the symbolic cell values."""
    __slots__ = ("cells", "fn")

    def __init__(self, fn, cells):
        self.fn, self.cells = fn, cells

    def code(self, expr):
        return f"_remake({expr(self.fn)}, ({''.join(expr(c) + ', ' for c in self.cells)}))"


def remake(fn, cells):
    """``fn`` with its closure cells holding ``cells``."""
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                              tuple(types.CellType(c) for c in cells))


def has_symbols(v):
    if isinstance(v, Sym):
        return True
    if isinstance(v, (tuple, list)):
        return any(has_symbols(a) for a in v)
    if type(v) is dict:
        return any(has_symbols(a) for a in v.values())
    if type(v) is slice:
        return has_symbols((v.start, v.stop, v.step))
    return False


# --- ops for constants of a symbolic shape -------------------------------------------------
class SymFull:
    """``torch.zeros(x.size(0), 5)`` made in forward: a fill of a symbolic shape, made at
    each call (a constant at one size, a fresh array at every size)."""
    impure = False
    __name__ = "SymFull"

    def forward(ctx, shape, value, dtype):
        return np.full(shape, value, dtype)


class SymArange:
    """``torch.arange(T)`` made in forward, for a symbolic T."""
    impure = False
    __name__ = "SymArange"

    def forward(ctx, n, start, step, dtype):
        return (start + step * np.arange(n)).astype(dtype)


# --- one trace, as plain values ------------------------------------------------------------
class _Ref:
    """A node of a trace, by its position."""
    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


class _Input:
    """A tensor that is the trace's k-th input (a leaf that the step accumulates into)."""
    __slots__ = ("k", "t")

    def __init__(self, k, t):
        self.k, self.t = k, t


class Snapshot:
    """What ``merge`` compares of one trace, taken before the passes change its graph."""

    def __init__(self, tracer, sizes):
        g = tracer.graph
        self.sizes = sizes
        self.n_nodes = len(g.nodes)
        self.joint = "joint" in g.__dict__
        index = {n: i for i, n in enumerate(g.nodes)}
        phs = [n for n in g.nodes if n.op == "placeholder" and n.meta.get("tangent") is None]
        self.placeholders = [index[n] for n in phs]
        inputs = {n.meta["tensor_id"]: k for k, n in enumerate(phs) if "tensor_id" in n.meta}
        fresh = g.__dict__.get("fresh_constants", {})

        def enc(v):
            t = type(v)
            if t is Node:
                return _Ref(index[v])
            if t is tuple or t is list:
                return t(enc(a) for a in v)
            if t is dict:
                return {k: enc(a) for k, a in v.items()}
            if t is slice:
                return slice(enc(v.start), enc(v.stop), enc(v.step))
            if isinstance(v, Tensor) and id(v) in inputs:
                return _Input(inputs[id(v)], v)
            return v
        self.nodes = []
        for n in g.nodes:
            m = n.meta
            rec = [n.op, n.target, enc(n.args), enc(n.kwargs),
                   {k: m[k] for k in ("shape", "dtype", "requires_grad", "n_outputs", "tangent")
                    if k in m},
                   [tuple(o[0]) for o in m["out_meta"]] if "out_meta" in m else None, None]
            if n.op == "get_attr":
                a = tracer.attrs.get(n.target)
                rec[6] = ("fresh", a._data) if n.target in fresh and a is not None else ("attr", a)
            self.nodes.append(rec)


# --- comparing traces ----------------------------------------------------------------------
class NotYet(Exception):
    """The traces agree so far, but some formula is not confirmed yet (or explained two ways)."""


class Cannot(Exception):
    """The traces disagree in a way no symbolic size explains: keep per-shape graphs."""


class Template:
    """A merged set of traces: where the newest graph gets symbolic values, and its guard."""

    def __init__(self):
        self.symbols = []        # [(name, flat input index, dim)]: where each symbol is read
        self.guard = []          # per flat input: per dim an int (static) or a symbol name
        self.node_values = {}    # node index -> (args, kwargs) holding SymInts
        self.shapes = {}         # node index -> symbolic shape
        self.out_metas = {}      # node index -> [symbolic shape] of a multi-output op
        self.fills = {}          # node index -> SymFull / SymArange kwargs
        self.syms = []           # per trace: {symbol: size}

    def describe(self, names):
        parts = []
        for name, k, d in self.symbols:
            same = [f"{names[j]}.size({e})" for j, dims in enumerate(self.guard)
                    for e, s in enumerate(dims) if s == name]
            parts.append(" == ".join(same) + f" ({name})")
        return ", ".join(parts)

    def accepts(self, shapes):
        """Whether these input shapes (one tuple per flat input) are in this template's
        domain: static sizes equal, each symbol >= 2 and one value for all its dims."""
        env = {}
        guard = self.guard
        if len(shapes) != len(guard):
            return None
        for shape, dims in zip(shapes, guard):
            if len(shape) != len(dims):
                return None
            for v, s in zip(shape, dims):
                if type(s) is int:
                    if v != s:
                        return None
                elif v < 2 or env.setdefault(s, v) != v:
                    return None
        return env


class Family:
    """The traces of one compiled callable that differ only in sizes, and the symbolic
    graphs made from them (newest first)."""

    def __init__(self):
        self.snaps = []
        self.entries = []       # CompiledGraphs with a ``template``
        self.failed = None      # why these traces cannot share a graph

    def lookup(self, shapes):
        for e in self.entries:
            if e.template.accepts(shapes) is not None:
                return e
        return None


def compatible(a, b, allowed, static):
    """Whether traces at input shapes ``a`` and ``b`` may be merged: every size that differs
    is >= 2 in both (sizes 0 and 1 always specialise, as PyTorch's 0/1 specialisation), and
    may be dynamic (``allowed(k, d)``; never a ``mark_static`` dim)."""
    if len(a) != len(b):
        return False
    for k, (sa, sb) in enumerate(zip(a, b)):
        if len(sa) != len(sb):
            return False
        for d, (x, y) in enumerate(zip(sa, sb)):
            if x != y and (x < 2 or y < 2 or (k, d) in static or not allowed(k, d)):
                return False
    return True


def merge(snaps, where):
    """Compare the traces ``snaps`` (the newest last); returns a ``Template`` or raises
    ``NotYet`` / ``Cannot`` with the reason.  ``where(i)`` names node ``i`` of the newest
    trace for messages."""
    last = snaps[-1]
    tpl = Template()
    # symbols: input dims that differ between traces; dims equal in every trace share one
    by_values = {}
    for k, shape in enumerate(last.sizes):
        dims = []
        for d in range(len(shape)):
            vals = tuple(s.sizes[k][d] for s in snaps)
            if len(set(vals)) == 1:
                dims.append(vals[0])
                continue
            name = by_values.get(vals)
            if name is None:
                name = by_values[vals] = f"s{len(by_values)}"
                tpl.symbols.append((name, k, d))
            dims.append(name)
        tpl.guard.append(tuple(dims))
    if not tpl.symbols:
        raise NotYet("no input size differs")
    syms = tpl.syms = [{name: s.sizes[k][d] for name, k, d in tpl.symbols} for s in snaps]
    if len(snaps) < 3:
        raise NotYet("a symbolic graph is trusted only once a third size agrees")
    interned = {}
    pending = []

    def sizes_at(t):
        return ", ".join(f"{n}={v}" for n, v in syms[t].items())

    def fit(vals, what):
        forms, seen = [], set()
        any_fit = False
        search = fit_float_forms if type(vals[0]) is float else fit_forms
        for f in search(list(vals), syms):
            any_fit = True
            c = _canonical(f)
            if c not in seen and _confirmed(f, syms):
                seen.add(c)
                forms.append(f)
        if len(forms) == 1:
            src = _source(forms[0])
            s = interned.get(src)
            if s is None:
                s = interned[src] = SymInt(forms[0])
            return s
        if forms:
            pending.append(f"{what}: {vals} follows the sizes in more than one way "
                           f"({', '.join(_source(f) for f in forms)})")
            return SymInt(forms[0])
        if any_fit:
            pending.append(f"{what}: {vals} needs more sizes to confirm its formula")
            return SymInt(next(search(list(vals), syms)))
        at = "; ".join(f"{n}={', '.join(str(sy[n]) for sy in syms)}" for n in syms[0])
        raise Cannot(f"{what} is {', '.join(map(repr, vals))} at {at}, which does not follow "
                     "the sizes")

    def m(vals, what):
        v0 = vals[-1]
        t = type(v0)
        if any(type(v) is not t for v in vals):
            raise Cannot(f"{what}: a {type(vals[0]).__name__} in one trace, a {t.__name__} "
                         "in another")
        if t is _Ref:
            if any(v.i != v0.i for v in vals):
                raise Cannot(f"{what} reads another value")
            return v0
        if t is int:
            return v0 if all(v == v0 for v in vals) else fit(vals, what)
        if t is tuple or t is list or (isinstance(v0, tuple) and hasattr(v0, "_fields")):
            if any(len(v) != len(v0) for v in vals):
                if (t is tuple or t is list) and all(v and all(a == v[0] for a in v) for v in vals):
                    return SymRepeat(t, m([v[0] for v in vals], what),
                                     fit([len(v) for v in vals], f"{what} (its length)"))
                raise Cannot(f"{what}: sequences of different lengths")
            items = [m([v[i] for v in vals], what) for i in range(len(v0))]
            return t(items) if t is tuple or t is list else tuple.__new__(t, items)
        if isinstance(v0, tuple):      # torch.Size: a plain tuple where it holds symbols
            if any(len(v) != len(v0) for v in vals):
                raise Cannot(f"{what}: sizes of different ranks")
            items = [m([v[i] for v in vals], what) for i in range(len(v0))]
            return tuple(items) if has_symbols(items) else v0
        if t is dict:
            if any(v.keys() != v0.keys() for v in vals):
                raise Cannot(f"{what}: different attributes")
            return {k: m([v[k] for v in vals], f"{what}, {k}") for k in v0}
        if t is slice:
            return slice(m([v.start for v in vals], what), m([v.stop for v in vals], what),
                         m([v.step for v in vals], what))
        if t is _Input:
            if any(v.k != v0.k for v in vals):
                raise Cannot(f"{what}: another input")
            return v0.t
        if t is np.ndarray:
            if all(v.shape == v0.shape and v.dtype == v0.dtype and np.array_equal(v, v0)
                   for v in vals):
                return v0
            raise Cannot(f"{what}: an array that differs between the sizes")
        if all(v is v0 for v in vals):
            return v0
        if t is float and all(type(v) is float and math.isfinite(v) for v in vals) and \
                len(set(vals)) > 1:
            return fit(vals, what)
        if t in (bool, float, str, complex, type(None)) or isinstance(v0, (np.generic, np.dtype)):
            if all(v == v0 for v in vals) or (t is float and all(math.isnan(v) for v in vals)):
                return v0
            raise Cannot(f"{what}: {vals[0]!r} at {sizes_at(0)} is {v0!r} at "
                         f"{sizes_at(len(vals) - 1)}")
        if t is types.FunctionType and all(
                v.__code__ is v0.__code__ and v.__globals__ is v0.__globals__
                and v.__defaults__ == v0.__defaults__ and not v.__kwdefaults__
                and (v.__closure__ is None) == (v0.__closure__ is None) for v in vals):
            # the same function made again at each call (a lambda, a sampler over a shape)
            if v0.__closure__ is None:
                return v0
            cells = [m([v.__closure__[i].cell_contents for v in vals], what)
                     for i in range(len(v0.__closure__))]
            return SymClosure(v0, cells) if has_symbols(cells) else v0
        if t.__name__ == "_Call" and all(v.fn is v0.fn for v in vals):
            # (its tensor arguments are slots, filled from the op's inputs at each call)
            args = m([[None if isinstance(a, Tensor) else a for a in v.args] for v in vals], what)
            kw = m([{k: None if isinstance(a, Tensor) else a for k, a in v.kwargs.items()}
                    for v in vals], what)
            if not has_symbols((args, kw)):
                return v0
        raise Cannot(f"{what}: {t.__name__} values that differ between the traces")

    for s in snaps[:-1]:
        if s.joint != last.joint:
            raise Cannot("one trace recorded its backward as ops, another did not")
        if s.n_nodes != last.n_nodes:
            raise Cannot(f"the graph at {sizes_at(snaps.index(s))} has {s.n_nodes} nodes, "
                         f"the one at {sizes_at(len(snaps) - 1)} {last.n_nodes} (Python control "
                         "flow on a size?)")
    for i, rec in enumerate(last.nodes):
        recs = [s.nodes[i] for s in snaps]
        what = where(i)
        if any(r[0] != rec[0] or r[1] is not rec[1] and r[1] != rec[1] for r in recs):
            raise Cannot(f"the traces run different ops at {what} (Python control flow on a "
                         "size?)")
        args = m([r[2] for r in recs], what)
        kwargs = m([r[3] for r in recs], what)
        if has_symbols((args, kwargs)):
            tpl.node_values[i] = (args, kwargs)
        metas = [r[4] for r in recs]
        for key in ("dtype", "requires_grad", "n_outputs", "tangent"):
            if any(mt.get(key) != rec[4].get(key) for mt in metas):
                raise Cannot(f"{what}: the {key} of its result differs between the traces")
        if "shape" in rec[4]:
            shape = m([tuple(mt["shape"]) for mt in metas], f"{what} (its shape)")
            if has_symbols(shape):
                tpl.shapes[i] = shape
        if rec[5] is not None:
            outs = m([r[5] for r in recs], f"{what} (its outputs' shapes)")
            if has_symbols(outs):
                tpl.out_metas[i] = outs
        if rec[0] == "get_attr":
            kinds = [r[6] for r in recs]
            if any(k[0] != rec[6][0] for k in kinds):
                raise Cannot(f"{what} is a constant made in one trace, a tensor read in another")
            if rec[6][0] == "attr":
                if any(k[0] != "attr" or k[1] is not rec[6][1] for k in kinds):
                    raise Cannot(f"{what} reads another tensor in each trace")
            else:
                fill = _constant([k[1] for k in kinds], fit, what)
                if fill is not None:
                    tpl.fills[i] = fill
    if pending:
        raise NotYet("; ".join(pending[:2]))
    return tpl


def _constant(arrays, fit, what):
    """A constant made during each trace: equal (None), a fill or a range of a symbolic
    size (SymFull / SymArange kwargs), or Cannot."""
    a0 = arrays[-1]
    if any(a.dtype != a0.dtype or a.ndim != a0.ndim for a in arrays):
        raise Cannot(f"{what}: a constant of another dtype or rank at each size")
    if all(a.shape == a0.shape and np.array_equal(a, a0, equal_nan=True) for a in arrays):
        return None
    if all(a.size and (a == a.flat[0]).all() and a.flat[0] == a0.flat[0] for a in arrays):
        shape = tuple(fit([a.shape[d] for a in arrays], f"{what} (its shape)")
                      if len({a.shape[d] for a in arrays}) > 1 else a0.shape[d]
                      for d in range(a0.ndim))
        return (SymFull, {"shape": shape, "value": a0.flat[0].item(), "dtype": a0.dtype})
    if a0.ndim == 1 and a0.dtype.kind in "iuf" and all(a.size >= 2 for a in arrays):
        start, step = a0[0].item(), (a0[1] - a0[0]).item()
        if float(start).is_integer() and float(step).is_integer() and all(
                np.array_equal(a, (start + step * np.arange(a.size)).astype(a.dtype))
                for a in arrays):
            n = fit([a.size for a in arrays], f"{what} (its length)")
            return (SymArange, {"n": n, "start": start, "step": step, "dtype": a0.dtype})
    raise Cannot(f"{what}: a constant array whose values differ between the sizes")


def apply(tpl, tracer):
    """Write the template into the newest trace's graph: symbolic attributes and shapes,
    symbolic constants made at each call, and the symbols read from the inputs."""
    g = tracer.graph
    nodes = list(g.nodes)
    phs = [n for n in nodes if n.op == "placeholder" and n.meta.get("tangent") is None]
    taken = {n.name for n in nodes} | {n.name + "_t" for n in nodes}
    if any(name in taken for name, _, _ in tpl.symbols):
        raise Cannot("a symbol's name (s0, s1, ...) is taken by a value of the program")

    def dec(v):
        t = type(v)
        if t is _Ref:
            return nodes[v.i]
        if t is tuple or t is list:
            return t(dec(a) for a in v)
        if isinstance(v, tuple) and hasattr(v, "_fields"):
            return tuple.__new__(t, [dec(a) for a in v])
        if t is dict:
            return {k: dec(a) for k, a in v.items()}
        if t is slice:
            return slice(dec(v.start), dec(v.stop), dec(v.step))
        return v
    for i, (args, kwargs) in tpl.node_values.items():
        nodes[i].args = dec(args)
        nodes[i].kwargs = dec(kwargs)
    for i, shape in tpl.shapes.items():
        nodes[i].meta["shape"] = shape
    for i, outs in tpl.out_metas.items():
        n = nodes[i]
        n.meta["out_meta"] = [(s, m[1]) for s, m in zip(outs, n.meta["out_meta"])]
    fresh = g.__dict__.get("fresh_constants", {})
    for i, (target, kwargs) in tpl.fills.items():
        n = nodes[i]
        fresh.pop(n.target, None)
        n.op, n.target, n.kwargs = "call_function", target, kwargs
        n.meta["requires_grad"] = False
    g.__dict__["symbols"] = [(name, phs[k].name, d) for name, k, d in tpl.symbols]
