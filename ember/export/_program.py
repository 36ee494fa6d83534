"""``ExportedProgram``: an exported graph with its weights and specs, and the module that runs it.

The program keeps the graph as its op-set template (the JSON that goes into the file), so a
program fresh from ``export`` and one loaded from a file run the same way: the template is
decoded into an fx-shaped Graph and compiled by the compiler's code generator
(``CompiledGraph``).  When the template has symbolic sizes left (a size that follows a
dynamic dimension and could not become -1), one graph is generated per set of sizes met,
on first use, and cached.
"""
import operator

import numpy as np

from .._compile.api import _flatten
from .._compile.runtime import CompiledGraph
from .._tensor import Tensor, _wrap
from ..fx.graph import Graph, _iter_nodes
from ._capture import has_symbols
from ._opset import Decoder, resolve, sym_value

_MAX_SPECIALISATIONS = 256


def build_graph(template, weights, arrays, symbols, version):
    """Decode a template into (Graph, attrs) at the given symbol sizes (raises ValueError)."""
    g = Graph()
    nodes, attrs = {}, {}
    dec = Decoder(nodes, arrays, symbols)
    consts = template.get("constants", {})
    entries = template["nodes"]
    if not entries or entries[-1].get("op") != "output":
        raise ValueError("the graph has no output node")
    for e in entries:
        op, name, target = e["op"], e["name"], e["target"]
        if type(name) is not str or type(target) is not str or name in nodes:
            raise ValueError(f"malformed node {str(e)[:80]!r}")
        if op == "placeholder":
            n = g.placeholder(target)
        elif op == "get_attr":
            n = g.get_attr(target, name=name)
            if target in weights:
                attrs[target] = weights[target]
            elif target in consts:
                attrs[target] = _wrap(np.asarray(dec(consts[target])))
            else:
                raise ValueError(f"node {name!r} reads {target!r}, which the file does not hold")
        elif op == "call_function":
            fn = resolve(target, version)
            args = tuple(dec(a) for a in e["args"])
            kwargs = {str(k): dec(v) for k, v in e["kwargs"].items()}
            if fn is operator.getitem and not (len(args) == 2 and type(args[1]) is int):
                raise ValueError(f"malformed getitem node {name!r}")
            n = g.call_function(fn, args, kwargs, name=name)
            for a in _iter_nodes(kwargs):      # nodes read through attributes stay alive
                a.users[n] = None
        elif op == "output":
            n = g.output(dec(e["args"][0]))
        else:
            raise ValueError(f"unknown node kind {op!r}")
        meta = e.get("meta") or {}
        shape = meta.get("shape")
        if shape is not None:
            n.meta["shape"] = tuple(sym_value(s["$sym"], symbols) if type(s) is dict else s
                                    for s in shape)
        if meta.get("dtype"):
            n.meta["dtype"] = np.dtype(meta["dtype"])
        if meta.get("stack"):
            n.meta["stack"] = tuple(meta["stack"])
        if meta.get("scope"):
            n.meta["scope"] = [tuple(s) for s in meta["scope"]]
        n.meta["requires_grad"] = False
        nodes[name] = n
    return g, attrs


class _Range:
    """``range_constraints`` value: lower and upper bound of a symbolic size."""

    def __init__(self, lower, upper):
        self.lower, self.upper = lower, upper

    def __repr__(self):
        return f"VR[{self.lower}, {self.upper}]"

    def __eq__(self, other):
        return isinstance(other, _Range) and (self.lower, self.upper) == (other.lower, other.upper)


class InputSpec:
    """One entry of ``graph_signature.input_specs`` (kind, arg name, target)."""

    def __init__(self, kind, name, target=None):
        self.kind, self.name, self.target = kind, name, target

    @property
    def arg(self):
        return self

    def __repr__(self):
        return f"InputSpec(kind={self.kind}, arg={self.name!r}, target={self.target!r})"


class ExportGraphSignature:
    """User inputs vs parameters, buffers and constants; user outputs (torch's fields)."""

    def __init__(self, program):
        t = program._template
        used = [e["target"] for e in t["nodes"] if e["op"] == "get_attr"]
        self.parameters = [k for k in program._parameters if k in used]
        self.buffers = [k for k in program._buffers if k in used]
        self.lifted_tensor_constants = [k for k in used if k in t.get("constants", {})]
        self.user_inputs = [s["name"] for s in program.input_specs]
        self.user_outputs = [s["name"] for s in program.output_specs]
        self.input_specs = ([InputSpec("PARAMETER", k, k) for k in self.parameters] +
                            [InputSpec("BUFFER", k, k) for k in self.buffers] +
                            [InputSpec("CONSTANT_TENSOR", k, k) for k in self.lifted_tensor_constants] +
                            [InputSpec("USER_INPUT", k) for k in self.user_inputs])
        self.output_specs = [InputSpec("USER_OUTPUT", k) for k in self.user_outputs]

    def __repr__(self):
        return (f"ExportGraphSignature(parameters={self.parameters}, buffers={self.buffers}, "
                f"user_inputs={self.user_inputs}, user_outputs={self.user_outputs})")


class ExportedProgram:
    """What ``torch.export.export`` returns and ``torch.export.load`` reads back.

    >>> ep = torch.export.export(model, (torch.randn(2, 4),))
    >>> ep.module()(torch.randn(5, 4))          # doctest: +SKIP
    """

    def __init__(self, data):
        self._template = data["template"]
        self._arrays = list(data["arrays"])
        self._weights_np = data["weights"]
        self._parameters = list(data.get("parameters", ()))
        self._buffers = list(data.get("buffers", ()))
        self.input_specs = data["input_specs"]
        self.output_specs = data["output_specs"]
        for s in self.input_specs + self.output_specs:
            s["dynamic"] = {int(k): v for k, v in s["dynamic"].items()}
        self._example = data["example_inputs"]
        self._structure = data.get("input_structure")
        self.sample_outputs = data["sample_outputs"]
        self.opset = data["opset"]
        self._module = None
        dims = {}
        for s in self.input_specs:
            for d, info in s["dynamic"].items():
                dims.setdefault(info["name"], info)
        self.range_constraints = {k: _Range(v["min"], v["max"]) for k, v in dims.items()}

    # --- torch's fields --------------------------------------------------------------------
    @property
    def state_dict(self):
        return {k: _wrap(v) for k, v in self._weights_np.items()
                if k in self._parameters or k in self._buffers}

    @property
    def constants(self):
        """Tensor constants the graph reads (not parameters or buffers), by name."""
        return {k: _wrap(np.asarray(v)) for k, v in self._constant_arrays().items()}

    def _constant_arrays(self):
        from ._opset import Decoder
        sizes = {n: self._example[i].shape[d] for n, (i, d) in self.module()._sources}
        dec = Decoder({}, self._arrays, sizes)
        return {k: dec(v) for k, v in self._template.get("constants", {}).items()}

    @property
    def example_inputs(self):
        args = tuple(_wrap(a) for a in self._example)
        st = self._structure
        if st is not None and len(st) == 2 and type(st[0]) is list:
            it = iter(args)
            a = _rebuild(st[0], it)
            k = _rebuild(st[1], it)
            return tuple(a), (k if isinstance(k, dict) else {})
        return args, {}

    @property
    def graph_signature(self):
        return ExportGraphSignature(self)

    @property
    def graph_module(self):
        from ..fx.graph_module import CompiledGraphModule
        return CompiledGraphModule(self.module()._compiled_at(self.module()._example_sizes()))

    @property
    def graph(self):
        return self.graph_module.graph

    @property
    def code(self):
        return self.module().code

    def op_counts(self):
        counts = {}
        for e in self._template["nodes"]:
            if e["op"] == "call_function" and e["target"] != "getitem":
                counts[e["target"]] = counts.get(e["target"], 0) + 1
        return counts

    def run_decompositions(self, decomp_table=None, decompose_custom_triton_ops=False):
        """ember's graph is already over its op set: the same program."""
        return self

    def module(self):
        """A callable that runs the graph: positional input tensors in, the model's outputs out."""
        if self._module is None:
            self._module = ExportedModule(self)
        return self._module

    def __call__(self, *args, **kwargs):
        return self.module()(*args, **kwargs)

    def __str__(self):
        specs = "\n".join(f"    {s['name']}: {_spec_str(s)}" for s in self.input_specs)
        outs = "\n".join(f"    {s['name']}: {_spec_str(s)}" for s in self.output_specs)
        return (f"ExportedProgram:\n  inputs:\n{specs}\n  outputs:\n{outs}\n"
                f"  range_constraints: {self.range_constraints}\n\n{self.graph}")

    __repr__ = __str__


def _rebuild(st, it):
    if st is None:
        return next(it)
    if type(st) is list:
        return [_rebuild(a, it) for a in st]
    if type(st) is dict and "$dict" in st:
        return {k: _rebuild(v, it) for k, v in st["$dict"].items()}
    return None


def _spec_str(s):
    dims = [s["dynamic"][d]["name"] if d in s["dynamic"] else str(n)
            for d, n in enumerate(s["shape"])]
    return f"{s['dtype']}[{', '.join(dims)}]"


class ExportedModule:
    """``ep.module()``: checks each call's inputs against the specs and runs generated code."""

    def __init__(self, program):
        self.program = program
        self._weights = {k: _wrap(v) for k, v in program._weights_np.items()}
        self._version = program.opset["version"]
        self._names = [s["name"] for s in program.input_specs]
        self._checks = []
        sources = {}
        for i, s in enumerate(program.input_specs):
            static = [(d, n) for d, n in enumerate(s["shape"]) if d not in s["dynamic"]]
            dyn = [(d, v["name"], v["min"], v["max"]) for d, v in s["dynamic"].items()]
            self._checks.append((s["name"], np.dtype(s["dtype"]), len(s["shape"]), static, dyn))
            for d, v in s["dynamic"].items():
                sources.setdefault(v["name"], (i, d))
        self._sources = sorted(sources.items())
        # NOTE: symbolic sizes in meta (shape comments) do not need a graph per size
        self._symbolic = any(has_symbols(e.get("args")) or has_symbols(e.get("kwargs"))
                             for e in program._template["nodes"]) or \
            has_symbols(program._template.get("constants", {}))
        self._cache = {}
        self._fixed = None
        if not self._symbolic:
            self._fixed = self._compiled_at(self._example_sizes())

    def _example_sizes(self):
        return tuple(self.program._example[i].shape[d] for _, (i, d) in self._sources)

    def _compiled_at(self, sizes):
        if self._fixed is not None:
            return self._fixed
        g = self._cache.get(sizes)
        if g is None:
            symbols = {name: v for (name, _), v in zip(self._sources, sizes)}
            graph, attrs = build_graph(self.program._template, self._weights,
                                       self.program._arrays, symbols, self._version)
            if len(self._cache) >= _MAX_SPECIALISATIONS:
                self._cache.pop(next(iter(self._cache)))
            g = self._cache[sizes] = CompiledGraph(graph, attrs, (), "exported")
        return g

    @property
    def code(self):
        return self._compiled_at(self._example_sizes()).code

    @property
    def graph(self):
        return self._compiled_at(self._example_sizes()).graph

    def state_dict(self):
        return dict(self._weights)

    def _flat(self, args, kwargs):
        if kwargs:
            named = dict(zip(self._names, args))
            for k, v in kwargs.items():
                if k in named:
                    raise TypeError(f"exported module got multiple values for input {k!r}")
                named[k] = v
            missing = [n for n in self._names if n not in named]
            if missing or len(named) != len(self._names):
                extra = [k for k in named if k not in self._names]
                raise TypeError(f"exported module: missing inputs {missing}" if missing else
                                f"exported module: unexpected inputs {extra}; its inputs are "
                                f"{self._names}")
            args = tuple(named[n] for n in self._names)
        if len(args) != len(self._checks) or not all(type(a) is Tensor for a in args):
            args = tuple(_wrap(np.asarray(a)) if isinstance(a, np.ndarray) else a
                         for a in _flatten_any(args))
            if len(args) != len(self._checks):
                # Python values the export specialised on (export(m, (x, 3.0))): not inputs
                args = tuple(a for a in args if isinstance(a, Tensor))
        if len(args) != len(self._checks):
            raise TypeError(f"exported module takes {len(self._checks)} input tensors "
                            f"({', '.join(self._names)}), got {len(args)}")
        return args

    def __call__(self, *args, **kwargs):
        args = self._flat(args, kwargs)
        for a, (name, dt, rank, static, dyn) in zip(args, self._checks):
            if not isinstance(a, Tensor):
                raise ValueError(f"input {name!r}: expected a tensor, got {type(a).__name__}")
            d = a._data
            if d.dtype != dt or d.ndim != rank or any(d.shape[i] != n for i, n in static) \
                    or any(not lo <= d.shape[i] <= hi for i, _, lo, hi in dyn):
                raise ValueError(f"input {name!r}: expected {self._spec(name)}, got "
                                 f"{d.dtype.name}{list(d.shape)}")
        if self._fixed is not None:
            g = self._fixed
            if len(self._sources) > 1:
                self._same_sizes(args)
        else:
            g = self._compiled_at(self._same_sizes(args))
        return g(list(args))

    def _same_sizes(self, args):
        sizes = []
        for name, (i, d) in self._sources:
            sizes.append(args[i]._data.shape[d])
        for a, (iname, _, _, _, dyn) in zip(args, self._checks):
            for d, sym, _, _ in dyn:
                v = sizes[[n for n, _ in self._sources].index(sym)]
                if a._data.shape[d] != v:
                    raise ValueError(f"input {iname!r}: dim {d} is dynamic size {sym!r}, which "
                                     f"is {v} for another input but {a._data.shape[d]} here")
        return tuple(sizes)

    def _spec(self, name):
        s = self.program.input_specs[self._names.index(name)]
        ranges = "".join(f", {v['name']} in [{v['min']}, {v['max']}]"
                         for v in s["dynamic"].values())
        return _spec_str(s) + ranges

    forward = __call__

    def eval(self):
        """Exported programs are in eval semantics already (no-op, for nn.Module-style code)."""
        return self

    def train(self, mode=True):
        if mode:
            raise NotImplementedError("an exported program runs in eval semantics; train() "
                                      "is not supported (export the model again)")
        return self

    def __repr__(self):
        return f"ExportedModule(inputs={[ _spec_str(s) for s in self.program.input_specs]})"


def _flatten_any(args):
    out = []
    for a in args:
        if isinstance(a, (tuple, list, dict)):
            out += _flatten(a, [])
        else:
            out.append(a)
    return out
