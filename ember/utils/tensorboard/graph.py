"""``add_graph``'s GraphDef: a model's ops, traced on ember's graph IR, in PyTorch's layout.

``graph(model, args)`` runs the model once, eagerly, in eval mode and without grad, under the
compiler's tracer (ember/_compile/tracer.py) and turns the ``ember.fx`` graph it records into
the GraphDef that TensorBoard's Graphs dashboard reads, laid out as PyTorch's add_graph lays
out its TorchScript trace:

* one node per value, named ``<scope>/<name>``, where the scope is the chain of modules whose
  forward was running, ``Net/Sequential[features]/Conv2d[0]`` (class name and attribute name,
  as PyTorch writes them); TensorBoard folds each scope into a box;
* the input ``input/<argument name>`` and the outputs ``output/output.<i>`` are ``IO Node``s;
* each parameter or buffer is a ``prim::GetAttr`` node ``<module scope>/<attr>/<attr>``
  feeding the ops that use it; tensor constants are ``prim::Constant`` nodes;
* op types are PyTorch's ``aten::`` names where ember's op computes the same thing
  (``aten::linear``, ``aten::_convolution``, ``aten::relu``), ``ember::<Function>`` otherwise;
* attributes: ``attr`` (the op's attributes as text), ``_output_shapes`` (what TensorBoard
  draws on the edges) and ``dtype``; an op with several outputs is one node per output, each
  with the op's type and inputs (PyTorch's layout too).

What differs from PyTorch's: ember's ops are its own (``flatten`` is a ``Reshape``, an LSTM
is one fused ``RNNSequence`` plus reshapes, eval-mode dropout records nothing), and plain
Python constants (a stride, a dim) are in the op's ``attr`` text, not ``prim::Constant`` and
``prim::ListConstruct`` nodes.

A graph break does not stop the drawing: where the compiler would stop recording (``.item()``,
``if tensor:``, a tensor made outside ember's ops), the tracer here notes the reason, adds an
``ember::GraphBreak`` node carrying it, warns, and records on; nothing needs to be replayed.
"""
import operator
import re
import warnings

import numpy as np
from tensorboard.compat.proto import types_pb2
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

__all__ = ["aten_name", "graph", "load_onnx_graph"]

# ember Function -> the aten op PyTorch's trace records for the same computation
_ATEN = {
    "Linear": "linear", "Conv": "_convolution", "MatMul": "matmul", "Einsum": "einsum",
    "Add": "add", "AddScalar": "add", "Sub": "sub", "SubScalar": "sub", "RSubScalar": "rsub",
    "Mul": "mul", "MulScalar": "mul", "Div": "div", "DivScalar": "div", "RDivScalar": "div",
    "Pow": "pow", "PowScalar": "pow", "RPowScalar": "pow", "Neg": "neg", "Abs": "abs",
    "Exp": "exp", "Log": "log", "Sqrt": "sqrt", "Rsqrt": "rsqrt", "Square": "square",
    "Reciprocal": "reciprocal", "Sin": "sin", "Cos": "cos", "Erf": "erf", "Floor": "floor",
    "Ceil": "ceil", "Round": "round", "Sign": "sign", "Trunc": "trunc",
    "Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Gelu": "gelu", "Prelu": "prelu",
    "Softmax": "softmax", "LogSoftmax": "log_softmax", "Clamp": "clamp", "ClampTensor": "clamp",
    "Maximum": "maximum", "Minimum": "minimum", "Where": "where", "MaskedFill": "masked_fill",
    "Sum": "sum", "Mean": "mean", "Var": "var", "Prod": "prod", "Cumsum": "cumsum",
    "Permute": "permute", "Expand": "expand", "Cat": "cat", "Split": "split", "Flip": "flip",
    "Roll": "roll", "Repeat": "repeat", "Gather": "gather", "IndexSelect": "index_select",
    "Embedding": "embedding", "ConstantPad": "constant_pad_nd", "Clone": "clone",
    "Contiguous": "contiguous", "ToDtype": "to", "CopyInto": "copy_",
    "CrossEntropy": "cross_entropy_loss", "MSE": "mse_loss", "BCE": "binary_cross_entropy",
    "BCEWithLogits": "binary_cross_entropy_with_logits",
}
_DTYPES = {"float32": types_pb2.DT_FLOAT, "float64": types_pb2.DT_DOUBLE,
           "float16": types_pb2.DT_HALF, "int64": types_pb2.DT_INT64, "int32": types_pb2.DT_INT32,
           "int16": types_pb2.DT_INT16, "int8": types_pb2.DT_INT8, "uint8": types_pb2.DT_UINT8,
           "bool": types_pb2.DT_BOOL}


def aten_name(node):
    """The op type of a ``call_function`` node: ``aten::<op>`` or ``ember::<Function>``."""
    t = node.target
    if t is operator.getitem:
        return "prim::TupleIndex"
    name = getattr(t, "__name__", str(t))
    kw = node.kwargs
    if name in ("MaxPool", "TiledMaxPool", "AvgPool"):
        k = kw.get("K") or (kw.get("cfg") or ((),))[0]
        return f"aten::{'max' if 'Max' in name else 'avg'}_pool{len(k)}d"
    if name == "Reshape":
        return "aten::view" if kw.get("view") else "aten::reshape"
    if name == "RNNSequence":
        mode = str(kw.get("mode", "")).lower()
        return "aten::" + {"rnn_tanh": "rnn_tanh", "rnn_relu": "rnn_relu"}.get(mode, mode)
    if name == "ArrayFn":
        return "ember::" + getattr(kw.get("call"), "__name__", "ArrayFn")
    a = _ATEN.get(name)
    return f"aten::{a}" if a else f"ember::{name}"


# --- tracing: the compiler's tracer, recording on past graph breaks ----------------------
def _tracer_class():
    from ..._compile.tracer import Tracer, user_frame

    class DrawingTracer(Tracer):
        """The compiler's tracer, except that a graph break is noted, not an end: a drawing
        shows every op that ran and never replays, so baking values in is harmless."""

        def __init__(self, root):
            super().__init__(root=root)
            self.break_at = []          # number of graph nodes when each break happened

        def _break(self, b):
            if b.filename is None:
                f = user_frame(2)
                if f is not None:
                    b.filename, b.lineno = f.f_code.co_filename, f.f_lineno
                    b.args = (f"{b.reason} (at {b.filename}:{b.lineno})",)
            self.breaks.append(b)
            self.break_at.append(len(self.graph.nodes))

        def __call__(self, cls, inputs, attrs, outs):
            n = len(self.breaks)
            super().__call__(cls, inputs, attrs, outs)
            if len(self.breaks) > n and len(self.break_at) and self.break_at[-1] == len(self.graph.nodes):
                # the op itself was refused (an input made outside the dispatch point, or
                # changed behind the tracer's back): accept its inputs as they are, record it
                for t in (*inputs, *attrs.values()):
                    self._accept(t)
                super().__call__(cls, inputs, attrs, outs)
                del self.breaks[n + 1:], self.break_at[n + 1:]

        def _accept(self, t):
            data = getattr(t, "_data", t)
            self.opaque.pop(id(t), None)
            self.opaque.pop(id(data), None)
            e = self.env.get(id(t))
            if e is not None and e[1] is t:
                e[2], e[3] = t._vbox[0], t._vbox

    return DrawingTracer


def _trace(model, args, root):
    from ..._compile.api import _flatten, _input_names
    from ...autograd.function import add_tracer, remove_tracer
    from ...autograd.grad_mode import no_grad
    tracer = _tracer_class()(root)
    fn = root._plain_call if root is not None else model
    inputs = _flatten((args, {}), [])
    for t, n in zip(inputs, _input_names(root.forward if root is not None else model, args, {})):
        tracer.add_input(t, n)
    if root is not None:
        for qn, p in root.named_parameters():
            tracer.add_attr(p, qn)
        for qn, b in root.named_buffers():
            tracer.add_attr(b, qn)
    handle = add_tracer(tracer)
    try:
        with no_grad():
            result = fn(*args)
    finally:
        remove_tracer(handle)
    tracer.output(result)
    return tracer


# --- the GraphDef -------------------------------------------------------------------------
def _attr_text(kwargs):
    """PyTorch's ``attr`` text: ``str(dict)`` with the quotes turned into spaces."""
    from ...fx.graph import Node

    def short(v):
        if isinstance(v, Node):
            return v.name
        if isinstance(v, np.ndarray):
            return f"<array {v.dtype} {list(v.shape)}>"
        if callable(v) and not isinstance(v, type):
            return getattr(v, "__name__", "function")
        if isinstance(v, type):
            return v.__name__
        if isinstance(v, str):
            return v
        r = repr(v)
        return r if len(r) <= 80 else r[:77] + "..."
    return str({k: short(v) for k, v in kwargs.items()}).replace("'", " ")


def _shape_attrs(attr, shape, dtype):
    if shape is not None:
        dims = [TensorShapeProto.Dim(size=int(d)) for d in shape]
        attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=[TensorShapeProto(dim=dims)]))
    if dtype is not None:
        dt = _DTYPES.get(np.dtype(dtype).name)
        if dt is not None:
            attr["dtype"] = AttrValue(type=dt)
    return attr


class _Namer:
    """Scope paths as PyTorch writes them: ``Net/Sequential[features]/Conv2d[0]``."""

    def __init__(self, root_name, root):
        self.root_name, self.root = root_name, root

    def scope(self, scope):
        parts = [self.root_name]
        for qn, cls in scope or ():
            if qn:
                parts.append(f"{cls}[{qn.split('.')[-1]}]")
        return "/".join(parts)

    def module_path(self, qualname):
        """The scope of the module ``a.b`` of the root (for its parameters)."""
        parts, m = [self.root_name], self.root
        for a in qualname.split(".") if qualname else ():
            m = getattr(m, "_modules", {}).get(a) if m is not None else None
            parts.append(f"{type(m).__name__}[{a}]" if m is not None else a)
        return "/".join(parts)


def _graph_def(tracer, namer, attr_names):
    from ...fx.graph import Node, map_arg
    g = tracer.graph
    nodes = [n for n in g.nodes if n.op != "output"]
    users = {}
    for n in nodes:
        for a in _inputs(n, Node, map_arg):
            users.setdefault(a, []).append(n)
    names, multi = {}, set()
    for n in nodes:
        if n.op == "call_function" and n.target is operator.getitem:
            multi.add(n.args[0])
    for n in nodes:
        if n.op == "placeholder":
            names[n] = f"input/{n.name}"
        elif n.op == "get_attr":
            if n.target in attr_names:
                mod, _, attr = n.target.rpartition(".")
                names[n] = f"{namer.module_path(mod)}/{attr}/{attr}"
            else:
                first = users.get(n, [None])[0]
                sc = first.meta.get("scope") if first is not None else None
                names[n] = f"{namer.scope(sc)}/{n.name}"
        else:
            names[n] = f"{namer.scope(n.meta.get('scope'))}/{n.name}"
    out = []
    breaks = list(zip(tracer.break_at, tracer.breaks))
    pos = {n: i for i, n in enumerate(g.nodes)}
    for n in nodes:
        while breaks and breaks[0][0] <= pos[n]:
            out.append(_break_node(breaks.pop(0)[1], len(out), n, names))
        if n in multi:
            continue            # one node per output instead, as PyTorch lays it out
        if n.op == "get_attr" and n not in users:
            continue            # a parameter or buffer no op read (PyTorch's graph omits it too)
        attr, inputs = {}, []
        if n.op == "placeholder":
            op, text = "IO Node", ""
        elif n.op == "get_attr":
            if n.target in attr_names:
                op, text = "prim::GetAttr", f"{{ name :  {n.target.rpartition('.')[2]} }}"
            else:
                op, text = "prim::Constant", f"{{ value : <tensor {list(n.meta.get('shape', ()))}> }}"
        else:
            src = n.args[0] if n.target is operator.getitem else n
            op, text = aten_name(src), _attr_text(src.kwargs)
            inputs = [names[a] for a in _inputs(src, Node, map_arg)]
        attr["attr"] = AttrValue(s=text.encode())
        _shape_attrs(attr, n.meta.get("shape"), n.meta.get("dtype"))
        out.append(NodeDef(name=names[n], op=op, input=inputs, attr=attr))
    for b in breaks:
        out.append(_break_node(b[1], len(out), None, names))
    spec = g.output_node.args[0] if g.nodes and g.nodes[-1].op == "output" else ()
    leaves = []
    map_arg(spec, lambda x: leaves.append(x) if isinstance(x, Node) else x)
    for i, n in enumerate(leaves):
        attr = _shape_attrs({"attr": AttrValue(s=b"")}, n.meta.get("shape"), n.meta.get("dtype"))
        out.append(NodeDef(name=f"output/output.{i + 1}", op="IO Node", input=[names[n]], attr=attr))
    return GraphDef(node=out, versions=VersionDef(producer=22))


def _inputs(n, Node, map_arg):
    found = []
    map_arg((n.args, n.kwargs), lambda x: found.append(x) if isinstance(x, Node) else x)
    return found


def _break_node(b, k, nxt, names):
    where = f" at {b.filename}:{b.lineno}" if b.filename else ""
    scope = names[nxt].rpartition("/")[0] if nxt is not None and "/" in names[nxt] else "graph_breaks"
    return NodeDef(name=f"{scope}/graph_break_{k}", op="ember::GraphBreak",
                   attr={"attr": AttrValue(s=f"{{ reason : {b.reason}{where} }}".encode())})


def graph(model, args, verbose=False, use_strict_trace=True):
    """``(GraphDef, RunMetadata)`` of ``model(*args)``, what ``SummaryWriter.add_graph`` logs.

    ``model`` is an ``nn.Module`` (a ``torch.compile``'d one is drawn from its original
    module) or a function of tensors; ``args`` a tensor or a tuple of them.
    ``use_strict_trace`` is accepted for PyTorch's signature: ember's tracer records
    through lists and dicts either way.

    >>> gd, _ = graph(nn.Linear(3, 2), ember.randn(1, 3))
    >>> [n.name for n in gd.node]
    ['input/input', 'Linear/weight/weight', 'Linear/bias/bias', 'Linear/linear', 'output/output.1']
    """
    from ...nn.modules.module import Module
    if args is None:
        raise TypeError("add_graph needs input_to_model: the example input(s) to run the model on")
    if not isinstance(args, (tuple, list)):
        args = (args,)
    args = tuple(args)
    c = model.__dict__.get("_ember_compiled") if isinstance(model, Module) else None
    if c is not None and "_orig_mod" in model._modules:
        model = model._modules["_orig_mod"]        # an OptimizedModule: draw what it compiles
    elif not isinstance(model, Module):
        model = getattr(model, "_torchdynamo_orig_callable", model)
        if not callable(model):
            raise TypeError(f"add_graph expects an nn.Module or a function, got {type(model).__name__}")
    root = model if isinstance(model, Module) else None
    training = root.training if root is not None else None
    if root is not None:
        root.train(False)
    try:
        tracer = _trace(model, args, root)
    finally:
        if root is not None:
            root.train(training)
    if verbose:
        print(tracer.graph)
    attr_names = set()
    if root is not None:
        attr_names = {n for n, _ in root.named_parameters()} | {n for n, _ in root.named_buffers()}
    root_name = type(model).__name__ if root is not None else getattr(model, "__name__", "graph")
    gd = _graph_def(tracer, _Namer(re.sub(r"\W", "_", root_name), root), attr_names)
    if tracer.breaks:
        reasons = "; ".join(str(b) for b in tracer.breaks)
        warnings.warn(f"add_graph: the model has graph breaks ({reasons}); the graph shows the ops "
                      "of this one run, with an ember::GraphBreak node at each break")
    stats = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return gd, stats


# --- ONNX -----------------------------------------------------------------------------
def load_onnx_graph(path):
    """The GraphDef of an ONNX file (``add_onnx_graph``): inputs, outputs and initializers as
    ``Variable``/``Const`` nodes, each ONNX node named by its first output."""
    try:
        import onnx
    except ImportError:
        raise ImportError("add_onnx_graph needs the onnx package: pip install onnx") from None
    m = onnx.load(path)
    try:
        inferred = onnx.shape_inference.infer_shapes(m)
    except (onnx.shape_inference.InferenceError, ValueError, RuntimeError):
        inferred = m        # a model shape inference cannot handle is still drawn, shapeless
    m = inferred
    g = m.graph

    def shape_of(vi):
        dims = [TensorShapeProto.Dim(size=d.dim_value if d.HasField("dim_value") else -1)
                for d in vi.type.tensor_type.shape.dim]
        return TensorShapeProto(dim=dims)

    shapes = {vi.name: shape_of(vi) for vi in (*g.value_info, *g.input, *g.output)}
    alias = {}
    for node in g.node:
        for k, o in enumerate(node.output[1:], 1):
            alias[o] = f"{node.output[0]}:{k}"
    nodes = []
    inits = {t.name for t in g.initializer}
    for vi in g.input:
        if vi.name in inits:
            continue
        nodes.append(NodeDef(name=vi.name, op="Variable", attr={
            "dtype": AttrValue(type=vi.type.tensor_type.elem_type), "shape": AttrValue(shape=shapes[vi.name])}))
    for t in g.initializer:
        dims = [TensorShapeProto.Dim(size=d) for d in t.dims]
        nodes.append(NodeDef(name=t.name, op="Const", attr={
            "dtype": AttrValue(type=t.data_type), "shape": AttrValue(shape=TensorShapeProto(dim=dims))}))
    for node in g.node:
        params = ", ".join(f"{a.name} = {onnx.helper.get_attribute_value(a)}" for a in node.attribute)
        attr = {"parameters": AttrValue(s=params.encode())}
        if node.output[0] in shapes:
            attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(
                shape=[shapes.get(o, TensorShapeProto()) for o in node.output]))
        nodes.append(NodeDef(name=node.output[0], op=node.op_type,
                             input=[alias.get(i, i) for i in node.input if i], attr=attr))
    for vi in g.output:
        nodes.append(NodeDef(name=f"output/{vi.name}", op="Variable", input=[alias.get(vi.name, vi.name)],
                             attr={"dtype": AttrValue(type=vi.type.tensor_type.elem_type),
                                   "shape": AttrValue(shape=shapes[vi.name])}))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
