"""``torch.compile``: trace once, replay generated code, guarded; eager where it must.

A compiled callable keeps a cache of specialisations keyed by its guards: grad mode, each
tensor argument's shape, dtype and requires_grad, the other arguments' values, and the
structure of the modules involved (training flags, parameters, buffers, hooks and plain
Python attributes, re-read only when some module changed).  On a miss it traces one eager
call (whose results are returned: they are the eager results) and compiles the graph.  A
trace that hits a graph break is not replayed: that specialisation runs eagerly, correctly,
and the reason is kept for ``explain`` and ``TORCH_LOGS=graph_breaks``.
"""
import functools
import inspect
import os
import sys
import time
import warnings

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.function import add_tracer, remove_tracer
from ..autograd.grad_mode import MODE
from ..nn.modules.module import STRUCTURE     # (this module loads after ember.nn)
from . import config
from .runtime import CompiledGraph
from .tracer import GraphBreak, Tracer

_EAGER = "eager"          # a cache entry that says: run this specialisation eagerly
ALL_COMPILED = []         # weak bookkeeping for torch.compiler.reset()


class Unsupported(RuntimeError):
    """``fullgraph=True`` and the program cannot be captured as one graph (dynamo's name)."""


def _logs():
    spec = os.environ.get("TORCH_LOGS", "")
    names = {s.strip().lstrip("+") for s in spec.split(",") if s.strip()}
    return names | config.LOGS


def _log(kind, text, *also):
    logs = _logs()
    if kind in logs or any(k in logs for k in also):
        print(f"[ember compile {kind}] {text}", file=sys.stderr)


# --- guards ------------------------------------------------------------------------------
def _value_key(v):
    t = type(v)
    if t is Tensor or isinstance(v, Tensor):
        return (v._data.shape, v._data.dtype, v.requires_grad)
    if t in (int, float, bool, str) or v is None:
        return (t, v)
    if t in (tuple, list):
        return (t,) + tuple(_value_key(a) for a in v)
    if t is dict:
        return ("dict",) + tuple((k, _value_key(a)) for k, a in v.items())
    return ("id", id(v))


def _module_fingerprint(modules):
    """Everything about these modules that a graph bakes in (cheap tuple of plain values)."""
    from ..nn.modules.module import Module
    parts = [Module._has_hooks]
    for root in modules:
        for m in root.modules():
            d = m.__dict__
            parts.append((id(m), m.training, d.get("_has_hooks", False),
                          tuple((k, v) for k, v in d.items()
                                if type(v) in (int, float, bool, str) and not k.startswith("_"))))
            for k, p in d["_parameters"].items():
                parts.append((k, id(p), None if p is None else p._data.shape))
            for k, b in d["_buffers"].items():
                parts.append((k, id(b), None if b is None else b._data.shape))
    return tuple(parts)


def _flatten(x, out):
    t = type(x)
    if t is Tensor or isinstance(x, Tensor):
        out.append(x)
    elif t in (tuple, list):
        for a in x:
            _flatten(a, out)
    elif t is dict:
        for a in x.values():
            _flatten(a, out)
    return out


def _input_names(fn, args, kwargs):
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    names = []
    for i, a in enumerate(args):
        base = params[i] if i < len(params) and not params[i].startswith("*") else f"arg{i}"
        n = len(_flatten(a, []))
        names += [base] if n == 1 else [f"{base}_{k}" for k in range(n)]
    for k, v in kwargs.items():
        n = len(_flatten(v, []))
        names += [k] if n == 1 else [f"{k}_{j}" for j in range(n)]
    return names


# --- tracing one call -------------------------------------------------------------------
def trace_call(fn, args, kwargs, root=None, fullgraph=False, name="graph", signature_of=None,
               segmented=False):
    """Run ``fn(*args, **kwargs)`` eagerly under a tracer.  Returns (result, tracer)."""
    from ..nn.modules.module import STRUCTURE
    tracer = Tracer(fullgraph=fullgraph, root=root, segmented=segmented)
    inputs = _flatten((args, kwargs), [])
    for t, n in zip(inputs, _input_names(signature_of or fn, args, kwargs)):
        tracer.add_input(t, n)
    watched = list(inputs)
    if root is not None:
        if _has_hooks(root):
            tracer.side_effect("module hooks (they may have Python side effects)")
        for qn, p in root.named_parameters():
            tracer.add_attr(p, qn)
            watched.append(p)
        for qn, b in root.named_buffers():
            tracer.add_attr(b, qn)
            watched.append(b)
    versions = [(t, t._vbox[0]) for t in watched]
    struct = STRUCTURE[0]
    handle = add_tracer(tracer)
    try:
        result = fn(*args, **kwargs)
        if not tracer.broken:
            if STRUCTURE[0] != struct:
                tracer.side_effect("module attributes changed inside the compiled region")
            for t, v in versions:
                if t._vbox[0] != v and id(t) not in tracer.mutated:
                    tracer.side_effect("a tensor was modified in place by a path the compiler "
                                       "does not see")
                    break
            placeholders = {id(t) for t in inputs}
            for t in tracer.mutated.values():
                if t.requires_grad and (t.grad_fn is None or id(t) in placeholders):
                    # a replay writes the values but cannot rebind the input's grad_fn
                    tracer.side_effect("in-place update of an input or leaf that requires grad")
        if not tracer.broken:
            tracer.output(result)     # (still attached: a module's backward is recorded here)
    finally:
        remove_tracer(handle)
    return result, tracer


_MAX_ALIASES = 64     # concrete keys that point at a symbolic graph (the lookup is on a miss)


def _has_marks(args, kwargs):
    for t in _flatten((args, kwargs), []):
        d = t.__dict__
        if d and ("_dynamo_dynamic_indices" in d or "_dynamo_static_indices" in d
                  or "_dynamo_weak_dynamic_indices" in d):
            return True
    return False


def _where(node):
    st = node.meta.get("stack")
    at = f" at {os.path.basename(st[0])}:{st[1]}" if st else ""
    return f"{node.target_name()} ({node.name}){at}"


def _has_hooks(root):
    from ..nn.modules.module import Module
    if Module._has_hooks:
        return True
    return any(m.__dict__.get("_has_hooks", False) for m in root.modules())


# --- the compiled callable ----------------------------------------------------------------
class _Compiled:
    """The guarded cache behind a compiled module or function."""

    def __init__(self, fn, root, fullgraph, backend, name):
        self.fn, self.root, self.fullgraph, self.backend, self.name = fn, root, fullgraph, backend, name
        self.cache = {}
        self.breaks = []
        self.compile_times = []
        self.recompiles = 0
        self.warned = False
        self._struct_at = None
        self._struct_token = None
        self._struct_tokens = {}
        self._params = []
        self.modules = [root] if root is not None else []
        self.signature_of = None
        self._effects = None
        self._free = None
        self.opt_guards = []      # optim_codegen.OptimizerGuard of each optimizer written out
        self.grad_guards = []     # parameters whose having a .grad the step does not decide
        self._hyper_seen = {}     # id(optimizer) -> {(group, key): values its traces saw}
        self.dynamic = None       # torch.compile(dynamic=...): None automatic, True, False
        self.families = {}        # key without sizes -> dynamic.Family (symbolic graphs)
        self._n_alias = 0         # cache keys that point at a symbolic graph (not traces)
        self._marked = (set(), set(), set())   # (flat input, dim) marked dynamic, static, maybe
        ALL_COMPILED.append(self)

    def _structure(self):
        """Re-read the modules' structure; the key holds a token that is equal for equal
        structures (so a change and its undoing, like eval() then train(), hit the cache)."""
        from ..nn.modules.module import STRUCTURE
        fp = _module_fingerprint(self.modules)
        token = self._struct_tokens.setdefault(fp, len(self._struct_tokens))
        self._struct_at = STRUCTURE[0]
        self._struct_token = token
        self._params = [p for m in self.modules for p in m.parameters()]
        return token

    def key(self, args, kwargs):
        grad = MODE.grad_enabled
        parts = [grad]
        for a in args:
            if type(a) is Tensor:
                d = a._data
                parts.append((d.shape, d.dtype, a.requires_grad))
            else:
                parts.append(_value_key(a))
        if kwargs:
            parts.append(_value_key(kwargs))
        if self.root is None:
            parts.append(self._free_key())
        if self.modules:
            if self._struct_at != STRUCTURE[0]:
                self._structure()
            parts.append(self._struct_token)
            if grad:
                parts.append(tuple(p.requires_grad for p in self._params))
        if self.opt_guards:
            parts.append(self._guard_key(self.opt_guards, self.grad_guards))
        return tuple(parts)

    def _note_hyperparameters(self, graph):
        """A hyperparameter that traces of this step saw with three values (OneCycleLR's
        momentum, stepped outside the compiled step) is read at run time from then on, not
        baked in: each new value would trace again."""
        from . import optim_codegen     # (it imports ember.optim: not at ember's import)
        for n in graph.nodes:
            groups = n.meta.get("groups")
            if groups is None:
                continue
            seen = self._hyper_seen.setdefault(id(n.kwargs["opt"]), {})
            varying = set()
            for gi, (hyper, _) in enumerate(groups):
                for k, v in hyper.items():
                    if k == "lr" or not optim_codegen._plain(v):
                        continue
                    values = seen.setdefault((gi, k), [])
                    if v not in values:
                        values.append(v)
                    if len(values) >= 3:
                        varying.add(k)
            n.meta["runtime_keys"] = varying

    def _add_optimizer_guards(self, graph):
        """Guard what the generated optimizer updates of ``graph`` baked in; True if any."""
        from . import optim_codegen
        self._guard_key = optim_codegen.guard_key
        found = False
        for n in graph.nodes:
            gd = n.meta.get("guard")
            if gd is None:
                continue
            found = True
            opt, runtime, preds = gd
            entry = next((e for e in self.opt_guards if e.opt is opt), None)
            if entry is None:
                self.opt_guards.append(optim_codegen.OptimizerGuard(opt, runtime, preds))
            else:
                entry.add(runtime, preds)
            for p in n.meta.get("grad_guards", ()):
                if all(p is not q for q in self.grad_guards):
                    self.grad_guards.append(p)
        return found

    def _free_key(self):
        """What the function reads from outside: globals and closure cells by value (plain
        values) or identity (objects), so rebinding one re-specialises."""
        free = self._free
        if free is None:
            fn, g = self.fn, getattr(self.fn, "__globals__", {})
            code = getattr(fn, "__code__", None)
            names = [n for n in (code.co_names if code else ()) if n in g]
            cells = list(getattr(fn, "__closure__", None) or ())
            free = self._free = (g, names, cells)
        g, names, cells = free
        vals = [g.get(n) for n in names]
        for c in cells:
            try:
                vals.append(c.cell_contents)
            except ValueError:      # an empty cell
                vals.append(None)
        return tuple(v if type(v) in (int, float, bool, str) or v is None else id(v) for v in vals)

    def __call__(self, *args, **kwargs):
        if config.DISABLED[0]:
            return self.fn(*args, **kwargs)
        key = self.key(args, kwargs)
        entry = self.cache.get(key)
        if entry is None:
            return self._miss(key, args, kwargs)
        if entry is _EAGER:
            return self.fn(*args, **kwargs)
        if entry.direct:
            # one new tensor from the inference code, nothing written: no further dispatch
            return _wrap(entry.infer_fn(*args))
        if entry.flat_args:
            return entry(args)
        return entry(_flatten((args, kwargs), []))

    def _miss(self, key, args, kwargs):
        sizes = snap = None
        if self.dynamic is not False or self._marked[0] or self._marked[2] or \
                _has_marks(args, kwargs):
            # symbolic sizes (dynamic.py): a graph whose guard these sizes meet runs at once
            sizes = self._sizes_key(key, args, kwargs)
            fam = self.families.get(sizes[0])
            entry = fam.lookup(sizes[1]) if fam is not None else None
            if entry is not None:
                if self._n_alias < _MAX_ALIASES:
                    self.cache[key] = entry
                    self._n_alias += 1
                if entry.flat_args:
                    return entry(args)
                return entry(_flatten((args, kwargs), []))
        if len(self.cache) - self._n_alias >= config.cache_size_limit:
            if not self.warned:
                warnings.warn(f"torch._dynamo hit config.recompile_limit "
                              f"({config.cache_size_limit}) for {self.name}: running it eagerly "
                              f"from now on for new input signatures")
                self.warned = True
            return self.fn(*args, **kwargs)
        if self.cache:
            self.recompiles += 1
            why = self._size_change(sizes, args, kwargs) if sizes is not None else None
            _log("recompiles", f"Recompiling {self.name}: " + (why or "guards failed for the new "
                 "call (input shapes, dtypes, grad mode or module state changed)"))
        t0 = time.perf_counter()
        if self.root is None and self._effects is None:
            from .side_effects import python_side_effects
            self._effects = python_side_effects(self.fn) or ()
        if self._effects:
            what, file, line = self._effects
            b = GraphBreak(f"Python side effect: {self.name} {what}", file, line)
            if self.fullgraph:
                raise Unsupported(f"torch.compile(fullgraph=True) cannot capture {self.name}: {b}")
            self.breaks.append(b)
            _log("graph_breaks", f"Graph break in {self.name}: {b}")
            self.cache[key] = _EAGER
            return self.fn(*args, **kwargs)
        try:
            result, tracer = trace_call(self.fn, args, kwargs, self.root, self.fullgraph, self.name,
                                        self.signature_of)
        except GraphBreak as b:
            raise Unsupported(f"torch.compile(fullgraph=True) cannot capture {self.name}: "
                              f"{b}") from None
        if tracer.broken:
            b = tracer.breaks[0]
            self.breaks.append(b)
            _log("graph_breaks", f"Graph break in {self.name}: {b}")
            self.cache[key] = _EAGER
            if self.root is not None:
                # The module runs eagerly; its submodules are compiled one by one instead.
                from .auto import mark_compiled
                for child in self.root.children():
                    if "_ember_compiled" not in child.__dict__:
                        mark_compiled(child, backend=self.backend)
        elif self.backend == "eager" or config.SUPPRESS_CODEGEN[0]:
            self.cache[key] = _EAGER
        else:
            self._note_hyperparameters(tracer.graph)
            snap, tpl = None, None
            if sizes is not None:
                snap, tpl = self._generalise(sizes, tracer, args, kwargs)
            try:
                g = CompiledGraph(tracer.graph, tracer.attrs, tracer.mutated.values(), self.name)
            except Exception as e:   # noqa: BLE001 - a symbolic graph the code generator refuses
                if tpl is None:
                    raise
                # this call's result is the trace's (eager); the next one specialises
                self.families[sizes[0]].failed = f"{type(e).__name__}: {e}"
                _log("dynamic", f"automatic dynamic shapes: {self.name} keeps one graph per "
                                f"shape: the symbolic graph failed to compile ({e})", "recompiles")
                self.compile_times.append(time.perf_counter() - t0)
                return result
            g.flat_args = all(type(a) is Tensor for a in args) and not kwargs
            g.direct = g.flat_args and g.single and not g.mutated and (g.is_step or g.infer_only)
            if tpl is not None:
                g.template = tpl
            self.cache[key] = g
            _log("output_code", f"Output code of {self.name}:\n{g.code}")
            if self._add_optimizer_guards(g.graph):
                # keyed as things are now: the traced step made the optimizer's state
                new = self.key(args, kwargs)
                self.cache[new] = self.cache.pop(key)
                key = new
        if self.root is None and tracer.modules_seen:
            # a function's graph also bakes in the modules it called (training flags, ...)
            known = {id(m) for m in self.modules}
            new = [m for i, m in tracer.modules_seen.items() if i not in known]
            if new:
                self.modules += new
                self._struct_at = None
                self.cache[self.key(args, kwargs)] = self.cache.pop(key)
        if sizes is not None and snap is not None:
            # remembered under the key as it is now (a traced step made its optimizer's state)
            self._remember(self._sizes_key(self.key(args, kwargs), args, kwargs)[0], snap,
                           self.cache.get(self.key(args, kwargs)))
        self.compile_times.append(time.perf_counter() - t0)
        return result

    # --- symbolic sizes (dynamic.py) --------------------------------------------------------
    def _sizes_key(self, key, args, kwargs):
        """(the key with each tensor's sizes replaced by its rank, [each tensor's shape]);
        marks of ``mark_dynamic`` / ``mark_static`` are taken in here (they stick)."""
        shapes = []
        n = 1 + len(args) + (1 if kwargs else 0)

        def walk(p):
            if type(p) is tuple:
                if len(p) == 3 and type(p[0]) is tuple and isinstance(p[1], np.dtype):
                    shapes.append(p[0])
                    return ("T", len(p[0]), p[1], p[2])
                return tuple(walk(a) for a in p)
            return p
        abstract = (key[0],) + tuple(walk(p) for p in key[1:n]) + key[n:]
        if _has_marks(args, kwargs):
            dyn, static, weak = self._marked
            for k, t in enumerate(_flatten((args, kwargs), [])):
                d = t.__dict__
                for name, into in (("_dynamo_dynamic_indices", dyn), ("_dynamo_static_indices", static),
                                   ("_dynamo_weak_dynamic_indices", weak)):
                    into.update((k, i) for i in d.get(name, ()))
        return abstract, shapes

    def _allowed(self, k, d):
        if (k, d) in self._marked[0] or (k, d) in self._marked[2]:
            return True
        return self.dynamic is True or (self.dynamic is None and config.automatic_dynamic_shapes)

    def _size_change(self, sizes, args, kwargs):
        fam = self.families.get(sizes[0])
        if fam is None or not fam.snaps:
            return None
        before = fam.snaps[-1].sizes
        names = _input_names(self.signature_of or self.fn, args, kwargs)
        changed = [(k, d, v) for k, shape in enumerate(sizes[1]) for d, v in enumerate(shape)
                   if v != before[k][d]]
        if not changed:
            return None
        diff = ", ".join(f"{names[k]}.size({d}) is {v}, was {before[k][d]}" for k, d, v in changed)
        if any(v < 2 for _, _, v in changed):
            return diff + " (sizes 0 and 1 are specialised, as PyTorch does)"
        if fam.failed or not all(self._allowed(k, d) and (k, d) not in self._marked[1]
                                 for k, d, _ in changed):
            return diff + " (specialising on this shape)"
        return diff + " (automatic dynamic shapes: this size is traced too, and compared " \
            "with the earlier traces)"

    def _generalise(self, sizes, tracer, args, kwargs):
        """Snapshot this trace; if it and the family's earlier traces merge into a checked
        template, write the symbols into its graph (before the passes run).  Returns
        (snapshot, template or None)."""
        from . import dynamic
        snap = dynamic.Snapshot(tracer, sizes[1])
        fam = self.families.get(sizes[0])
        if fam is None or fam.failed:
            return snap, None
        static = self._marked[1]
        members = [s for s in fam.snaps
                   if dynamic.compatible(s.sizes, snap.sizes, self._allowed, static)]
        members = members[-(dynamic.MAX_MEMBERS - 1):]
        if not members:
            return snap, None
        nodes = list(tracer.graph.nodes)
        names = _input_names(self.signature_of or self.fn, args, kwargs)
        try:
            tpl = dynamic.merge(members + [snap], lambda i: _where(nodes[i]))
            dynamic.apply(tpl, tracer)
        except dynamic.NotYet as e:
            _log("dynamic", f"{self.name}: no symbolic graph yet: {e}")
            return snap, None
        except dynamic.Cannot as e:
            fam.failed = str(e)
            marked = [f"{names[k]}.size({d})" for k, d in sorted(self._marked[0])]
            msg = (f"automatic dynamic shapes: {self.name} keeps one graph per shape: {e}")
            _log("dynamic", msg, "recompiles")
            if marked:
                warnings.warn(f"torch._dynamo.mark_dynamic: {', '.join(marked)} of {self.name} "
                              f"could not be made dynamic: {e}")
            return snap, None
        seen = ", ".join("(" + ", ".join(f"{n}={v}" for n, v in sy.items()) + ")" for sy in tpl.syms)
        _log("dynamic", f"automatic dynamic shapes: {self.name}: one graph for "
                        f"{tpl.describe(names)}, each >= 2 (its formulas checked against the "
                        f"traces at {seen})", "recompiles")
        return snap, tpl

    def _remember(self, abstract, snap, entry):
        from . import dynamic
        fam = self.families.get(abstract)
        if fam is None:
            fam = self.families[abstract] = dynamic.Family()
        fam.snaps.append(snap)
        del fam.snaps[:-2 * dynamic.MAX_MEMBERS]
        tpl = getattr(entry, "template", None)
        if tpl is not None and all(e is not entry for e in fam.entries):
            static = self._marked[1]
            if not any(type(tpl.guard[k][d]) is str for k, d in static
                       if k < len(tpl.guard) and d < len(tpl.guard[k])):
                fam.entries.insert(0, entry)

    def graphs(self):
        return list({id(g): g for g in self.cache.values() if g is not _EAGER}.values())

    def reset(self):
        self.families.clear()
        self._n_alias = 0
        self.cache.clear()
        self.breaks.clear()
        self.compile_times.clear()
        self.recompiles = 0
        self.warned = False


def compiled_code(obj):
    """The generated Python of every graph ``obj`` (a compiled module or function) holds."""
    c = _compiled_of(obj)
    if c is None:
        raise TypeError(f"{type(obj).__name__} is not a torch.compile'd module or function")
    parts = []
    for g in c.graphs():
        parts.append(g.code)
        if g._train is not None:
            parts += [g.train_code, g.backward_code]
    return "\n\n".join(parts)


def _compiled_of(obj):
    if isinstance(obj, _Compiled):
        return obj
    c = getattr(obj, "_ember_compiled", None)
    return c if isinstance(c, _Compiled) else None


_BACKENDS = {"inductor", "eager", "aot_eager", "cudagraphs", "ember", "onnxrt", "tvm", "openxla"}
_MODES = {None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs"}


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """Compile ``model`` (an nn.Module or a function): trace, optimise, generate code.

    >>> cmodel = torch.compile(model)          # or @torch.compile on a function
    """
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    if disable:
        return model
    if callable(backend) and not isinstance(backend, str):
        warnings.warn("torch.compile: ember runs its own code generator; the custom backend "
                      f"{getattr(backend, '__name__', backend)!r} is not called")
        backend = "inductor"
    if backend not in _BACKENDS:
        raise RuntimeError(f"torch.compile: unknown backend {backend!r}; ember accepts "
                           f"{sorted(_BACKENDS)} (all but 'eager' use ember's NumPy code generator)")
    if mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                           + ", ".join(str(m) for m in sorted(_MODES - {None})))
    from ..nn.modules.module import Module
    if isinstance(model, Module):
        from .optimized_module import OptimizedModule
        return OptimizedModule(model, fullgraph=fullgraph, backend=backend, dynamic=dynamic)
    if not callable(model):
        raise RuntimeError(f"torch.compile: expected a callable or an nn.Module, got "
                           f"{type(model).__name__}")
    c = _Compiled(model, None, fullgraph, backend, getattr(model, "__qualname__", "fn"))
    c.dynamic = dynamic

    @functools.wraps(model)
    def compiled_fn(*args, **kwargs):
        return c(*args, **kwargs)
    compiled_fn._ember_compiled = c
    compiled_fn._torchdynamo_orig_callable = model
    return compiled_fn
