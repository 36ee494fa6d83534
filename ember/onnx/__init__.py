"""``torch.onnx``: write a model as a real ONNX ModelProto (through the ``onnx`` package).

``onnx`` is an optional dependency (``pip install ember[onnx]``); it is imported only when
``export`` runs.  The model is captured by ``torch.export``'s tracer (eval mode; dynamic axes
checked by tracing at other sizes), and each op of the graph is mapped to ONNX ops by
``_convert``; an op without a mapping is an error naming it and the user's line.

>>> torch.onnx.export(model, (x,), "model.onnx", input_names=["x"],
...                   dynamic_axes={"x": {0: "batch"}}, opset_version=17)   # doctest: +SKIP
"""
import numpy as np

__all__ = ["ONNXProgram", "OnnxExporterError", "export", "is_in_onnx_export"]

SUPPORTED_OPSETS = (17, 18, 19, 20)
DEFAULT_OPSET = 18
_EXPORTING = [False]


class OnnxExporterError(RuntimeError):
    """torch.onnx's error type: the model could not be written as ONNX."""


def is_in_onnx_export():
    return _EXPORTING[0]


def _import_onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("torch.onnx.export needs the 'onnx' package, an optional dependency "
                          "of ember: pip install 'ember[onnx]' (or pip install onnx)") from None
    return onnx


class ONNXProgram:
    """What ``export(..., dynamo=True)`` returns: the ModelProto, ``save``, and a runner."""

    def __init__(self, model_proto):
        self.model_proto = model_proto

    @property
    def model(self):
        return self.model_proto

    def save(self, destination):
        onnx = _import_onnx()
        onnx.save_model(self.model_proto, destination)

    def __call__(self, *args):
        import onnxruntime as ort
        sess = ort.InferenceSession(self.model_proto.SerializeToString(),
                                    providers=["CPUExecutionProvider"])
        feeds = {i.name: np.asarray(a.numpy() if hasattr(a, "numpy") else a)
                 for i, a in zip(sess.get_inputs(), args)}
        return sess.run(None, feeds)


def _dims_from_axes(dynamic_axes, names, flat):
    """torch.onnx's ``dynamic_axes`` ({name: {dim: label}} or {name: [dims]}) as Dims."""
    from ..export import Dim
    out, labels = [], {}
    for i, (n, t) in enumerate(zip(names, flat)):
        spec = (dynamic_axes or {}).get(n)
        dims = {}
        if spec is not None:
            items = spec.items() if isinstance(spec, dict) else ((d, f"{n}_dynamic_axes_{d}")
                                                                 for d in spec)
            for d, label in items:
                d = int(d) % t.dim()
                label = str(label)
                ident = "".join(c if c.isalnum() or c == "_" else "_" for c in label)
                if not ident.isidentifier():
                    ident = "d_" + ident
                dims[d] = labels.setdefault(ident, Dim(ident))
        out.append(dims)
    unknown = set(dynamic_axes or {}) - set(names)
    return out, unknown


def export(model, args=(), f=None, kwargs=None, export_params=True, verbose=False,
           training=None, input_names=None, output_names=None, operator_export_type=None,
           opset_version=None, do_constant_folding=True, dynamic_axes=None,
           keep_initializers_as_inputs=False, custom_opsets=None,
           export_modules_as_functions=False, autograd_inlining=True, *, dynamo=False,
           dynamic_shapes=None, external_data=False, report=False, optimize=False,
           verify=False, **unused):
    """``torch.onnx.export``: trace ``model`` on ``args`` (eval mode) and write ONNX to ``f``.

    ``dynamic_axes={"x": {0: "batch"}}`` (or ``dynamic_shapes=`` with torch.export Dims) keeps
    those dimensions symbolic in the file; ``opset_version`` is 17 to 20 (default 18).
    Returns None, or an ``ONNXProgram`` when ``dynamo=True``.
    """
    onnx = _import_onnx()
    from .._compile.api import _flatten, _input_names
    from .._tensor import Tensor
    from ..export import ExportError
    from ..export._capture import capture
    from . import _convert
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if opset not in SUPPORTED_OPSETS:
        raise ValueError(f"torch.onnx.export: opset_version {opset} is not supported by ember; "
                         f"use one of {list(SUPPORTED_OPSETS)}")
    if isinstance(args, Tensor):
        args = (args,)
    args = tuple(args)
    if args and isinstance(args[-1], dict) and kwargs is None:
        args, kwargs = args[:-1], args[-1]      # torch.onnx's old convention
    kwargs = dict(kwargs or {})
    flat = _flatten((args, kwargs), [])
    names = list(input_names or [])
    default = _input_names(getattr(model, "forward", model), args, kwargs)
    names = names + default[len(names):]
    if len(names) > len(flat):
        raise ValueError(f"torch.onnx.export: {len(names)} input_names for {len(flat)} inputs")
    if dynamic_shapes is None and dynamic_axes:
        dyn, unknown = _dims_from_axes(dynamic_axes, names, flat)
        outs_axes = {k: v for k, v in dynamic_axes.items() if k in unknown}
        unknown -= set(output_names or [])
        if unknown:
            raise ValueError(f"torch.onnx.export: dynamic_axes names {sorted(unknown)}, which are "
                             f"neither input_names {names} nor output_names {output_names}")
        dynamic_shapes = tuple(dyn)
        dyn_arg = _regroup(args, kwargs, dyn)
    else:
        outs_axes = {}
        dyn_arg = dynamic_shapes
    _EXPORTING[0] = True
    try:
        data = capture(model, args, kwargs, dyn_arg, names)
    except ExportError as e:
        raise OnnxExporterError(str(e)) from None
    finally:
        _EXPORTING[0] = False
    proto = _build(onnx, _convert, data, opset, output_names, outs_axes)
    if f is not None:
        if hasattr(f, "write"):
            f.write(proto.SerializeToString())
        else:
            onnx.save_model(proto, f)
    return ONNXProgram(proto) if dynamo else None


def _regroup(args, kwargs, flat_dyn):
    """Per-flat-input dim dicts back into the nesting of ``args`` (for capture)."""
    from .._tensor import Tensor
    it = iter(flat_dyn)

    def walk(x):
        if isinstance(x, Tensor):
            return next(it)
        if isinstance(x, (tuple, list)):
            return type(x)(walk(a) for a in x)
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        return None
    return tuple(walk(a) for a in args) + tuple(walk(v) for v in kwargs.values())


def _build(onnx, _convert, data, opset, output_names, outs_axes):
    from .._compile import passes
    from .._tensor import _wrap
    from ..export._program import build_graph
    from ..fx.graph import _iter_nodes
    h = onnx.helper
    template = data["template"]
    specs = data["input_specs"]
    sizes, sources = {}, {}
    for s, a in zip(specs, data["example_inputs"]):
        for d, v in s["dynamic"].items():
            sizes.setdefault(v["name"], a.shape[d])
            sources.setdefault(v["name"], (s["name"], d))
    weights = {k: _wrap(v) for k, v in data["weights"].items()}
    graph, attrs = build_graph(template, weights, data["arrays"], sizes, 1)
    passes.run_all(graph, enabled={"fold_transpose_into_linear", "remove_identities",
                                   "eliminate_common_subexpressions", "eliminate_dead_code"})
    b = _convert.Builder(onnx, opset, sources)
    conv = _convert.Converter(b, template["nodes"])
    inputs = []
    for n in graph.nodes:
        if n.op == "placeholder":
            s = specs[[x["name"] for x in specs].index(n.target)]
            b.used.add(s["name"])
            conv.v[n] = s["name"]
            shape = [s["dynamic"][d]["name"] if d in s["dynamic"] else dim
                     for d, dim in enumerate(s["shape"])]
            inputs.append(h.make_tensor_value_info(s["name"], _convert._onnx_dtype(onnx, s["dtype"]),
                                                   shape))
    consts = template.get("constants", {})
    for n in graph.nodes:
        if n.op == "get_attr":
            if not n.users:
                continue
            c = consts.get(n.target)
            if type(c) is dict and "$full" in c and any(type(s) is dict for s in c["$full"]["shape"]):
                full = c["$full"]
                conv.v[n] = b.op("ConstantOfShape", [b.shape_tensor(full["shape"])],
                                 value=onnx.numpy_helper.from_array(
                                     np.asarray([full["value"]], np.dtype(full["dtype"]))),
                                 hint=n.name)
            elif type(c) is dict and "$arange" in c and type(c["$arange"]["n"]) is dict:
                # NOTE: CumSum of a fill, not Range: onnxruntime's GatherToSliceFusion turns
                # Gather(w, Range(...)) into a Slice with 0-d bounds that then fails to run
                ar = c["$arange"]
                dt = np.dtype(ar["dtype"])
                fill = b.op("ConstantOfShape", [b.size_tensor(ar["n"])],
                            value=onnx.numpy_helper.from_array(np.asarray([ar["step"]], dt)))
                cs = b.op("CumSum", [fill, b.const(np.asarray(0, np.int64), "axis")])
                conv.v[n] = b.op("Add", [cs, b.const(np.asarray(ar["start"] - ar["step"], dt),
                                                     "start")], hint=n.name)
            elif type(c) is dict and "$tri" in c and any(type(d) is dict for d in c["$tri"]["shape"]):
                tri = c["$tri"]
                dt = np.dtype(tri["dtype"])
                ones = b.op("ConstantOfShape", [b.shape_tensor(tri["shape"])],
                            value=onnx.numpy_helper.from_array(np.ones(1, np.float32)))
                band = b.op("Trilu", [ones, b.const(np.asarray(tri["k"], np.int64), "k")],
                            upper=int(bool(tri["upper"])))
                cond = b.op("Cast", [band], to=onnx.TensorProto.BOOL)
                val = [np.asarray(float(v["$float"]) if type(v) is dict else v, dt)
                       for v in (tri["in"], tri["out"])]
                conv.v[n] = b.op("Where", [cond, b.const(val[0], "inside"),
                                           b.const(val[1], "outside")], hint=n.name)
            else:
                conv.v[n] = b.const(attrs[n.target]._data, n.target.replace(".", "_"))
        elif n.op == "call_function":
            conv.run(n)
    out_spec = graph.output_node.args[0]
    leaves = [x for x in _iter_nodes(out_spec)]
    specs_out = data["output_specs"]
    names = list(output_names or []) + [s["name"] for s in specs_out][len(output_names or []):]
    outputs = []
    for i, (leaf, spec) in enumerate(zip(leaves, specs_out)):
        name = names[i]
        v = conv.v[leaf]
        if name in b.used or v in [o.name for o in outputs] or leaf.op != "call_function":
            b.used.add(name)
            b.nodes.append(h.make_node("Identity", [v], [name], name=b.fresh("n_output")))
        else:
            _rename(b, v, name)
        axes = outs_axes.get(name, {})
        if not isinstance(axes, dict):
            axes = {d: f"{name}_dynamic_axes_{d}" for d in axes}
        shape = [axes.get(d, spec["dynamic"][d]["name"]) if d in spec["dynamic"] else dim
                 for d, dim in enumerate(spec["shape"])]
        outputs.append(h.make_tensor_value_info(name, _convert._onnx_dtype(onnx, spec["dtype"]),
                                                shape))
    used = {i for node in b.nodes for i in node.input} | {o.name for o in outputs}
    inits = [t for t in b.inits if t.name in used]
    g = h.make_graph(b.nodes, "ember_graph", inputs, outputs, initializer=inits)
    model = h.make_model(g, opset_imports=[h.make_opsetid("", opset)],
                         producer_name="ember", producer_version="0.1.0")
    model.ir_version = min(model.ir_version, 10 if opset >= 21 else 9 if opset >= 19 else 8)
    onnx.checker.check_model(model)
    return model


def _rename(b, old, new):
    """Make the node that produced ``old`` write ``new`` instead (graph outputs by name)."""
    b.used.add(new)
    for node in b.nodes:
        for i, o in enumerate(node.output):
            if o == old:
                node.output[i] = new
        for i, x in enumerate(node.input):
            if x == old:
                node.input[i] = new
