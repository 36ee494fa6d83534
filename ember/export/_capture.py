"""Capture a model for export: eval-mode traces at several sizes, merged into one template.

The compiler's tracer records one eager run; its graph is exact for the shapes it ran at.
A dimension declared dynamic is checked, not assumed: the model is traced again with that
dimension changed (alone, then together with the others), and the graphs are compared value
by value.  An attribute that follows the sizes (``reshape(x.size(0), -1)`` bakes 3 at batch
3 and 4 at batch 4) becomes a symbolic size ``k * batch`` or ``a * batch + c``; a constant
made at that size (``torch.zeros(x.size(0), 5)``) becomes a fill of a symbolic shape.
Anything else that differs (a graph of another shape, an attribute that does not follow
the size) means the model forces the dimension to a constant: an error that says where.
"""

import numpy as np

from .._compile.api import _flatten, _input_names, trace_call
from .._compile.dynamic import fit_forms
from .._compile.tracer import GraphBreak
from .._tensor import Tensor, _wrap
from ..ops.random import Draw
from ._opset import OPSET_DOMAIN, OPSET_VERSION, Encoder, ExportError, op_name, where

INT_MAX = 2 ** 31 - 1


class Dim:
    """``torch.export.Dim``: a named dynamic size with a range.

    >>> batch = Dim("batch", min=1, max=4096)
    >>> ep = export(model, (x,), dynamic_shapes={"x": {0: batch}})
    """
    AUTO = None        # set below: markers as torch's Dim.AUTO / Dim.DYNAMIC / Dim.STATIC
    DYNAMIC = None
    STATIC = None

    def __init__(self, name, *, min=None, max=None):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Dim name must be an identifier, got {name!r}")
        lo = 1 if min is None else int(min)
        hi = INT_MAX if max is None else int(max)
        if lo < 0 or hi < lo:
            raise ValueError(f"Dim {name!r}: expected 0 <= min <= max, got min={min}, max={max}")
        self.__name__ = name
        self.min, self.max = lo, hi

    @property
    def name(self):
        return self.__name__

    def __repr__(self):
        return f"Dim({self.__name__!r}, min={self.min}, max={self.max})"


class _Hint:
    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return f"Dim.{self.kind}"


Dim.AUTO, Dim.DYNAMIC, Dim.STATIC = _Hint("AUTO"), _Hint("DYNAMIC"), _Hint("STATIC")


# --- dynamic_shapes -> one {dim: Dim} per flattened input ----------------------------------
def _per_tensor(t, spec, where_):
    if spec is None or spec is Dim.STATIC:
        return {}
    if isinstance(spec, (tuple, list)):
        spec = {i: d for i, d in enumerate(spec) if d is not None}
    if not isinstance(spec, dict):
        raise ExportError(f"dynamic_shapes for {where_}: expected a dict {{dim: Dim}} or a tuple "
                          f"of Dims, got {type(spec).__name__}")
    out = {}
    for d, dim in spec.items():
        if dim is None or dim is Dim.STATIC:
            continue
        if type(d) is not int or not -t.dim() <= d < t.dim():
            raise ExportError(f"dynamic_shapes for {where_}: dim {d!r} is out of range for a "
                              f"tensor of shape {list(t.shape)}")
        if not isinstance(dim, (Dim, _Hint)):
            raise ExportError(f"dynamic_shapes for {where_}: expected a Dim for dim {d}, got "
                              f"{type(dim).__name__}")
        out[d % t.dim()] = dim
    return out


def _match(arg, spec, name, out):
    if isinstance(arg, Tensor):
        out.append(_per_tensor(arg, spec, name))
    elif isinstance(arg, (tuple, list)):
        if spec is not None and not (isinstance(spec, (tuple, list)) and len(spec) == len(arg)):
            raise ExportError(f"dynamic_shapes for {name}: expected a {type(arg).__name__} of "
                              f"{len(arg)} specs")
        for i, a in enumerate(arg):
            _match(a, None if spec is None else spec[i], f"{name}[{i}]", out)
    elif isinstance(arg, dict):
        for k, a in arg.items():
            _match(a, None if spec is None else spec.get(k), f"{name}[{k!r}]", out)


def normalise_dynamic_shapes(fn, args, kwargs, dynamic_shapes):
    """[{dim: Dim}] aligned with the flattened inputs; hints get names s0, s1, ..."""
    params = _param_names(fn)
    out = []
    if dynamic_shapes is None:
        dynamic_shapes = {}
    if isinstance(dynamic_shapes, (tuple, list)):
        if len(dynamic_shapes) != len(args) + len(kwargs):
            raise ExportError(f"dynamic_shapes has {len(dynamic_shapes)} entries for "
                              f"{len(args) + len(kwargs)} inputs")
        specs = list(dynamic_shapes)
    elif isinstance(dynamic_shapes, dict):
        names = params[:len(args)] + list(kwargs)
        unknown = set(dynamic_shapes) - set(names)
        if unknown:
            raise ExportError(f"dynamic_shapes names {sorted(unknown)}, which are not inputs of "
                              f"the model (its inputs: {names})")
        specs = [dynamic_shapes.get(n) for n in names]
    else:
        raise ExportError("dynamic_shapes must be a dict keyed by input name or a tuple")
    for a, s, n in zip(list(args) + list(kwargs.values()), specs,
                       params[:len(args)] + list(kwargs)):
        _match(a, s, repr(n), out)
    k = 0
    for dims in out:
        for d, dim in dims.items():
            if isinstance(dim, _Hint):
                auto = Dim(f"s{k}")
                auto.hint = dim.kind
                dims[d] = auto
                k += 1
    return out


def _param_names(fn):
    import inspect
    try:
        return [p for p in inspect.signature(getattr(fn, "forward", fn)).parameters]
    except (TypeError, ValueError):
        return []


# --- tracing ---------------------------------------------------------------------------
def _replace_tensors(x, it):
    if isinstance(x, Tensor):
        return next(it)
    if type(x) in (tuple, list):
        return type(x)(_replace_tensors(a, it) for a in x)
    if type(x) is dict:
        return {k: _replace_tensors(v, it) for k, v in x.items()}
    return x


def _resized(flat, dyn, sizes):
    out, done = [], {}
    for t, dims in zip(flat, dyn):
        if id(t) in done:          # the same tensor passed twice (q is k is v) stays one
            out.append(done[id(t)])
            continue
        a = t._data
        for d, dim in dims.items():
            n = sizes[dim.name]
            if a.shape[d] != n:
                a = np.take(a, np.arange(n) % max(a.shape[d], 1), axis=d)
        done[id(t)] = t if a is t._data else _wrap(np.ascontiguousarray(a))
        out.append(done[id(t)])
    return out


def _trace(fn, root, args, kwargs):
    from ..autograd.grad_mode import no_grad
    try:
        with no_grad():
            return trace_call(fn, args, kwargs, root=root, fullgraph=True,
                              signature_of=getattr(fn, "forward", fn))
    except GraphBreak as b:
        where_ = f" at {b.filename}:{b.lineno}" if b.filename else ""
        hint = ("Data-dependent Python control flow (.item(), bool(tensor), an `if` on tensor "
                "values) is not exportable; write it with tensor ops (torch.where, masks)"
                if "data-dependent" in b.reason else
                "ember's tracer cannot record this part of the model as graph ops yet")
        raise ExportError(f"torch.export: cannot capture the model as one graph{where_}: "
                          f"{b.reason}. {hint}") from None


def _encode_trace(tracer, weights_names):
    g = tracer.graph
    names = {n: n.name for n in g.nodes}
    enc = Encoder(names)
    nodes, metas = [], []
    for n in g.nodes:
        enc.node = n
        e = {"name": n.name, "op": n.op}
        if n.op == "call_function":
            name = op_name(n.target)
            if name is None:
                raise ExportError(f"cannot export op {n.target_name()!r}{_at(n)}: it is not in "
                                  f"ember op set v{OPSET_VERSION}")
            if n.target is Draw:
                raise ExportError(f"cannot export a random draw{_at(n)}: exported programs "
                                  f"draw no random numbers (torch.randn/rand/dropout in training "
                                  f"mode in forward); export in eval mode without sampling")
            e["target"] = name
            e["args"] = [enc(a) for a in n.args]
            e["kwargs"] = {k: enc(v) for k, v in n.kwargs.items()}
        elif n.op == "output":
            e["target"] = "output"
            e["args"] = [enc(n.args[0])]
        else:
            e["target"] = n.target
        nodes.append(e)
        metas.append(n.meta)
    enc.node = None
    consts = {}
    for name, t in tracer.attrs.items():
        if name not in weights_names:
            consts[name] = enc(t._data)
    return {"nodes": nodes, "constants": consts}, enc.arrays, metas


def _at(n):
    st = n.meta.get("stack")
    return f" (at {st[0]}:{st[1]})" if st else ""


# --- merging traces at different sizes -----------------------------------------------------
class _Mismatch(Exception):
    pass


def _fit(values, syms):
    """A symbolic form that gives ``values[t]`` from ``syms[t]`` for every trace, or None
    (the first of the compiler's ``fit_forms``, which torch.compile's dynamic shapes share)."""
    f = next(fit_forms(values, syms), None)
    return None if f is None else {"$sym": f}


class _Merger:
    def __init__(self, arrays, syms):
        self.arrays = arrays      # per trace: its array table
        self.syms = syms          # per trace: {dim name: size}
        self.out_arrays = []

    def __call__(self, vals):
        v0 = vals[0]
        if type(v0) is int and all(type(v) is int for v in vals):
            if all(v == v0 for v in vals):
                return v0
            f = _fit(vals, self.syms)
            if f is None:
                raise _Mismatch(f"the value {v0} (at {self._sizes(0)}) is {vals[1]} at "
                                f"{self._sizes(1)}, which does not follow the dynamic sizes")
            return f
        if type(v0) is list and all(type(v) is list and len(v) == len(v0) for v in vals):
            return [self([v[i] for v in vals]) for i in range(len(v0))]
        if all(type(v) is list and v and all(a == v[0] for a in v) for v in vals):
            # a run of equal values whose length follows the sizes (an RNN's batch_sizes: T
            # times the batch): {"$repeat": [value, times]}
            times = _fit([len(v) for v in vals], self.syms)
            if times is not None:
                return {"$repeat": [self([v[0] for v in vals]), times]}
        if type(v0) is dict and all(type(v) is dict and v.keys() == v0.keys() for v in vals):
            if "$array" in v0:
                return self._array([self.arrays[t][v["$array"]] for t, v in enumerate(vals)])
            return {k: self([v[k] for v in vals]) for k in v0}
        if all(type(v) is type(v0) and v == v0 for v in vals):
            return v0
        t = next(i for i, v in enumerate(vals) if not (type(v) is type(v0) and v == v0))
        raise _Mismatch(f"{_short(v0)} (at {self._sizes(0)}) is {_short(vals[t])} at "
                        f"{self._sizes(t)}")

    def _array(self, arrs):
        a0 = arrs[0]
        if all(a.shape == a0.shape and a.dtype == a0.dtype and np.array_equal(a, a0, equal_nan=True)
               for a in arrs):
            self.out_arrays.append(a0)
            return {"$array": len(self.out_arrays) - 1}
        full = all(a.ndim == a0.ndim and a.dtype == a0.dtype and a.size and
                   (a == a.flat[0]).all() and a.flat[0] == a0.flat[0] for a in arrs) and a0.size
        if full:
            shape = self([list(a.shape) for a in arrs])
            return {"$full": {"shape": shape, "dtype": a0.dtype.name,
                              "value": a0.flat[0].item()}}
        ar = self._arange(arrs)
        if ar is None:
            ar = self._triangle(arrs)
        if ar is not None:
            return ar
        t = next((i for i, a in enumerate(arrs) if a.shape != a0.shape or
                  not np.array_equal(a, a0, equal_nan=True)), 1)
        raise _Mismatch(f"a constant array of shape {list(a0.shape)} (at {self._sizes(0)}) "
                        f"differs at {self._sizes(t)}")

    def _arange(self, arrs):
        """``torch.arange(x.size(1))`` (positions): 1-d, evenly spaced from the same start with
        the same step, a length that follows the sizes -> {"$arange": ...}."""
        a0 = arrs[0]
        if not all(a.ndim == 1 and a.dtype == a0.dtype and a.size >= 2 for a in arrs) or \
                a0.dtype.kind not in "iuf":
            return None
        start, step = a0[0].item(), (a0[1] - a0[0]).item()
        for a in arrs:
            if not np.array_equal(a, (start + step * np.arange(a.size)).astype(a.dtype)):
                return None
        n = _fit([a.size for a in arrs], self.syms)
        if n is None:
            return None
        return {"$arange": {"n": n, "start": start, "step": step, "dtype": a0.dtype.name}}

    def _triangle(self, arrs):
        """A causal mask made with NumPy (``generate_square_subsequent_mask(T)``, ``tril`` of
        ones): 2-d, one value on and above (or below) a diagonal, another elsewhere."""
        a0 = arrs[0]
        if not all(a.ndim == 2 and a.dtype == a0.dtype and a.size >= 2 for a in arrs):
            return None
        found = None
        for upper in (True, False):
            forms = [_triangle_form(a if upper else a.T) for a in arrs]
            if all(f is not None for f in forms) and all(
                    f[0] == forms[0][0] and _same(f[1], forms[0][1]) and _same(f[2], forms[0][2])
                    for f in forms):
                found = (upper, forms[0])
                break
        if found is None:
            return None
        upper, (k, inside, outside) = found
        shape = self([list(a.shape) for a in arrs])
        return {"$tri": {"shape": shape, "k": k if upper else -k, "upper": upper,
                         "in": _json_scalar(inside), "out": _json_scalar(outside),
                         "dtype": a0.dtype.name}}

    def _sizes(self, t):
        return ", ".join(f"{k}={v}" for k, v in sorted(self.syms[t].items()))


def _triangle_form(a):
    """(k, inside, outside) if ``a == where(triu(ones, k), inside, outside)``, else None."""
    rows, cols = a.shape
    inside = a[0, -1]
    hits = np.flatnonzero(a[0] == inside) if not np.isnan(inside) else np.flatnonzero(np.isnan(a[0]))
    if hits.size == 0:
        return None
    k = int(hits[0])
    if k == 0:   # the diagonal may sit below row 0: find where column 0 stops being inside
        col = a[:, 0] == inside if not np.isnan(inside) else np.isnan(a[:, 0])
        k = -(int(np.argmin(col)) - 1) if not col.all() else -(rows - 1)
    mask = np.triu(np.ones((rows, cols), bool), k)
    if mask.all() or not mask.any():
        return None
    outside = a[~mask][0]
    if not (_same(a[mask], inside).all() and _same(a[~mask], outside).all()):
        return None
    return k, inside, outside


def _same(x, v):
    x = np.asarray(x)
    return np.isnan(x) if np.isnan(v) else x == v


def _json_scalar(v):
    v = v.item()
    if type(v) is float and not np.isfinite(v):
        return {"$float": repr(v)}
    return v


def _short(v):
    r = repr(v)
    return r if len(r) < 60 else r[:57] + "..."


def _generalise_reshapes(nodes):
    """``Reshape`` with one symbolic size and no -1: that size is -1 (one graph for all sizes)."""
    for e in nodes:
        if e.get("target") != "ops.shape.Reshape":
            continue
        shape = e["kwargs"].get("shape")
        if type(shape) is not list:
            continue
        sym = [i for i, s in enumerate(shape) if type(s) is dict]
        if len(sym) == 1 and -1 not in shape:
            shape[sym[0]] = -1


def has_symbols(x):
    if type(x) is dict:
        return "$sym" in x or "$full" in x or "$repeat" in x or "$arange" in x or "$tri" in x or \
            any(has_symbols(v) for v in x.values())
    if type(x) is list:
        return any(has_symbols(v) for v in x)
    return False


def _meta_json(meta, shape):
    m = {"dtype": np.dtype(meta["dtype"]).name if "dtype" in meta else None, "shape": shape}
    if meta.get("stack"):
        m["stack"] = list(meta["stack"])
    if meta.get("scope"):
        m["scope"] = [list(s) for s in meta["scope"]]
    return m


# --- the whole capture -------------------------------------------------------------------
def capture(fn, args, kwargs, dynamic_shapes, input_names=None):
    """Trace ``fn`` (eval mode, no grad) and return everything an ExportedProgram holds."""
    from ..nn.modules.module import Module
    root = fn if isinstance(fn, Module) else None
    kwargs = dict(kwargs or {})
    flat = _flatten((args, kwargs), [])
    if not flat:
        raise ExportError("torch.export: the model takes no tensor inputs")
    dyn = normalise_dynamic_shapes(fn, args, kwargs, dynamic_shapes)
    names = list(input_names) if input_names is not None else \
        _input_names(getattr(fn, "forward", fn), args, kwargs)
    if len(names) != len(flat):
        raise ExportError(f"input_names has {len(names)} names for {len(flat)} input tensors")
    flags = [(m, m.training) for m in fn.modules()] if root is not None else []
    if root is not None:
        fn.eval()
    try:
        try:
            return _capture(fn, root, args, kwargs, flat, dyn, names)
        except ExportError:
            auto = [d for dims in dyn for d, dim in dims.items()
                    if getattr(dim, "hint", None) == "AUTO"]
            if not auto:
                raise
            # Dim.AUTO: a size the model specialises becomes static, as torch does (Dim.DYNAMIC
            # insists, and so raises)
            for dims in dyn:
                for d in [d for d, dim in dims.items() if getattr(dim, "hint", None) == "AUTO"]:
                    del dims[d]
            return _capture(fn, root, args, kwargs, flat, dyn, names)
    finally:
        for m, f in flags:
            m.training = f


def _capture(fn, root, args, kwargs, flat, dyn, names):
    dims = {}
    for t, n, dd in zip(flat, names, dyn):
        for d, dim in dd.items():
            size = t.shape[d]
            first = dims.setdefault(dim.name, (dim, size, n, d))
            if first[1] != size:
                raise ExportError(f"inputs {first[2]!r} (dim {first[3]}) and {n!r} (dim {d}) "
                                  f"share Dim {dim.name!r} but have sizes {first[1]} and {size}")
            if not dim.min <= size <= dim.max:
                raise ExportError(f"input {n!r} has size {size} at dim {d}, outside the range "
                                  f"[{dim.min}, {dim.max}] of Dim {dim.name!r}")
    base = {k: v[1] for k, v in dims.items()}
    plans = [base]
    if dims:
        alts = {k: _alternatives(v[0], v[1]) for k, v in dims.items()}
        for k in dims:
            if alts[k]:
                plans.append({**base, k: alts[k][0]})
        plans.append({k: (alts[k][-1] if alts[k] else base[k]) for k in dims})
    weights = {}
    if root is not None:
        weights.update((k, p) for k, p in root.named_parameters())
        weights.update((k, b) for k, b in root.named_buffers() if b is not None)
    docs, arrays, traces = [], [], []
    result0 = None
    for i, sizes in enumerate(plans):
        ins = flat if i == 0 else _resized(flat, dyn, sizes)
        a, k = _replace_tensors((args, kwargs), iter(ins))
        try:
            result, tracer = _trace(fn, root, a, k)
        except ExportError:
            raise
        except Exception as exc:
            if i == 0:
                raise
            changed = ", ".join(f"{d}={v}" for d, v in sizes.items() if v != base[d])
            raise ExportError(
                f"{_dims_desc(dims, sizes, base)} declared dynamic, but the model forces it to "
                f"a constant: running it with {changed} failed ({type(exc).__name__}: {exc}). "
                f"Declare the dimension static or make the model follow the input's size"
            ) from None
        if i == 0:
            result0 = result
        doc, arr, metas = _encode_trace(tracer, weights)
        docs.append(doc)
        arrays.append(arr)
        traces.append((tracer, metas, ins))
    syms = [{k: v for k, v in p.items()} for p in plans]
    merger = _Merger(arrays, syms)
    template = _merge_docs(docs, traces, merger, dims, plans, base)
    _generalise_reshapes(template["nodes"])
    metas0 = traces[0][1]
    for e, meta, shape in zip(template["nodes"], metas0, template.pop("_shapes")):
        e["meta"] = _meta_json(meta, shape)
    in_specs = []
    for t, n, dd in zip(flat, names, dyn):
        in_specs.append({
            "name": n, "dtype": t._data.dtype.name,
            "shape": [None if d in dd else s for d, s in enumerate(t.shape)],
            "dynamic": {d: {"name": dim.name, "min": dim.min, "max": dim.max}
                        for d, dim in sorted(dd.items())}})
    out_specs = _output_specs(template, dims)
    ph = [e for e in template["nodes"] if e["op"] == "placeholder"]
    for e, n in zip(ph, names):
        e["target"] = n
    return {
        "template": template, "arrays": merger.out_arrays,
        "weights": {k: np.array(t._data, copy=True) for k, t in weights.items()},
        "parameters": [k for k, _ in root.named_parameters()] if root is not None else [],
        "buffers": [k for k, b in root.named_buffers() if b is not None] if root is not None else [],
        "input_specs": in_specs, "output_specs": out_specs,
        "example_inputs": [t._data for t in flat], "input_structure": _structure((args, kwargs)),
        "sample_outputs": [o._data for o in _flatten(result0, [])],
        "opset": {"domain": OPSET_DOMAIN, "version": OPSET_VERSION},
    }


def _structure(x):
    """The (args, kwargs) nesting with tensors as None, for calling with the original shape."""
    if isinstance(x, Tensor):
        return None
    if type(x) in (tuple, list):
        return [_structure(a) for a in x]
    if type(x) is dict:
        return {"$dict": {k: _structure(v) for k, v in x.items()}}
    return {"$const": repr(x)}


def _alternatives(dim, size):
    out = []
    for cand in (size + 1, size + 2, size - 1, size - 2, size + 3, size + 4):
        if dim.min <= cand <= dim.max and cand >= 1 and cand != size and cand not in out:
            out.append(cand)
        if len(out) == 2:
            break
    return out


def _dims_desc(dims, sizes, base):
    changed = [k for k in sizes if sizes[k] != base[k]] or list(dims)
    parts = [f"dimension {k!r} (dim {dims[k][3]} of input {dims[k][2]!r})" for k in changed]
    return ("; ".join(parts) + (" was" if len(parts) == 1 else " were"))


def _merge_docs(docs, traces, merger, dims, plans, base):
    n0 = docs[0]["nodes"]
    for t, d in enumerate(docs[1:], 1):
        if len(d["nodes"]) != len(n0) or any(a.get("target") != b.get("target") or a["op"] != b["op"]
                                             for a, b in zip(n0, d["nodes"])):
            k = next((i for i, (a, b) in enumerate(zip(n0, d["nodes"]))
                      if a.get("target") != b.get("target") or a["op"] != b["op"]),
                     min(len(n0), len(d["nodes"])) - 1)
            node = traces[0][0].graph.nodes[min(k, len(n0) - 1)]
            raise ExportError(
                f"{_dims_desc(dims, plans[t], base)} declared dynamic, but the model forces it to "
                f"a constant: the graph traced with {merger._sizes(t)} differs from the one with "
                f"{merger._sizes(0)} from {where(node)} on (Python control flow on a size?)")
    nodes = []
    for i, e in enumerate(n0):
        try:
            nodes.append({k: merger([d["nodes"][i][k] for d in docs]) for k in e})
        except _Mismatch as m:
            node = traces[0][0].graph.nodes[i]
            raise ExportError(
                f"{_dims_desc(dims, plans[1] if len(plans) > 1 else base, base)} declared dynamic, "
                f"but the model forces it to a constant at {where(node)}: {m}") from None
    consts = {}
    for name in docs[0]["constants"]:
        try:
            consts[name] = merger([d["constants"].get(name) for d in docs])
        except _Mismatch as m:
            raise ExportError(
                f"{_dims_desc(dims, plans[-1], base)} declared dynamic, but the model forces it to "
                f"a constant: the tensor constant {name!r} {m}") from None
    shapes = []
    for i in range(len(n0)):
        vals = [list(tr[1][i].get("shape", ())) for tr in traces]
        try:
            shapes.append(merger(vals) if all(len(v) == len(vals[0]) for v in vals) else vals[0])
        except _Mismatch:
            shapes.append(vals[0])
    return {"nodes": nodes, "constants": consts, "_shapes": shapes}


def _output_specs(template, dims):
    from ._opset import sym_value
    by_name = {e["name"]: e for e in template["nodes"]}
    out = template["nodes"][-1]["args"][0]
    leaves = []

    def walk(x, label):
        if type(x) is dict and "$node" in x:
            leaves.append((label, by_name[x["$node"]]))
        elif type(x) is list:
            for i, a in enumerate(x):
                walk(a, f"{label}_{i}")
        elif type(x) is dict and "$list" in x:
            walk(x["$list"], label)
        elif type(x) is dict and "$dict" in x:
            for k, a in x["$dict"].items():
                walk(a, str(k))
    if type(out) is dict and "$node" in out:
        leaves.append(("output", by_name[out["$node"]]))
    else:
        walk(out, "output")
    specs = []
    for label, e in leaves:
        shape, dynamic = [], {}
        for d, s in enumerate(e["meta"]["shape"]):
            if type(s) is int:
                shape.append(s)
                continue
            shape.append(None)
            f = s["$sym"]
            lo = {k: dims[k][0].min for k in f["of"]}
            hi = {k: dims[k][0].max for k in f["of"]}
            if f.get("k") == 1 and len(f["of"]) == 1:
                name = f["of"][0]
            elif "div" in f:
                name = f"{f['of'][0]}//{f['div']}"
            elif "k" in f:
                name = "*".join([str(f["k"])] * (f["k"] != 1) + f["of"])
            else:
                name = f"{f['a']}*{f['of'][0]}{f['c']:+d}"
            a, b = sym_value(f, lo), sym_value(f, hi)
            dynamic[d] = {"name": name, "min": min(a, b), "max": max(a, b)}
        specs.append({"name": label, "dtype": e["meta"]["dtype"], "shape": shape,
                      "dynamic": dynamic})
    return specs
