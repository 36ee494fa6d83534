"""The ember op set: which graph ops an exported file may name, and how attributes are written.

An exported graph names each op by where its ``Function`` lives (``ops.arith.Add``,
``nn._functional.conv.Conv``).  Loading resolves a name only if it is in ``OPS`` for the
file's op-set version: a name outside the list is refused, never imported.  Attributes are
JSON with tagged objects for what JSON lacks (see ``encode``/``decode``); nothing in a file is
ever evaluated or unpickled.

Version history:
  1  the ops below; tuples as JSON arrays, lists/dicts/slices/dtypes/arrays tagged;
     comparisons and argmax/argmin (ArrayFn) by the name of the ember function they call;
     NumPy reductions passed as attributes by name (``{"$npfn": "max"}``); symbolic sizes
     ``{"$sym": ...}``, fills of a symbolic shape ``{"$full": ...}`` and runs of equal values
     of a symbolic length ``{"$repeat": [value, times]}``, evenly spaced constants of a
     symbolic length ``{"$arange": {"n", "start", "step", "dtype"}}``, triangular masks of a
     symbolic shape ``{"$tri": {"shape", "k", "upper", "in", "out", "dtype"}}``.
"""
import importlib
import math
import operator

import numpy as np

OPSET_DOMAIN = "ember"
OPSET_VERSION = 1

# NOTE: a literal list, not a scan of the package: a file may only name ops that existed when
# its op-set version was defined, and a new op becomes exportable by being added here.
OPS = (
    "getitem",
    "nn._functional.activation.Elu",
    "nn._functional.activation.Gelu",
    "nn._functional.activation.Hardshrink",
    "nn._functional.activation.Hardsigmoid",
    "nn._functional.activation.Hardswish",
    "nn._functional.activation.LeakyRelu",
    "nn._functional.activation.LogSigmoid",
    "nn._functional.activation.Mish",
    "nn._functional.activation.Prelu",
    "nn._functional.activation.Relu6",
    "nn._functional.activation.Silu",
    "nn._functional.activation.Softplus",
    "nn._functional.activation.Softshrink",
    "nn._functional.activation.Threshold",
    "nn._functional.basic.Embedding",
    "nn._functional.conv.Col2Im",
    "nn._functional.conv.ConstantPad",
    "nn._functional.conv.Conv",
    "nn._functional.conv.ConvInputGrad",
    "nn._functional.conv.ConvWeightGrad",
    "nn._functional.conv.Im2Col",
    "nn._functional.conv.IndexPad",
    "nn._functional.conv.IndexPadBackward",
    "nn._functional.loss.BCE",
    "nn._functional.loss.BCEWithLogits",
    "nn._functional.loss.CTC",
    "nn._functional.loss.CrossEntropy",
    "nn._functional.loss.MSE",
    "nn._functional.loss.SoftTargetCE",
    "nn._functional.norm.NormAffine",
    "nn._functional.pooling.AvgPool",
    "nn._functional.pooling.AvgPoolBackward",
    "nn._functional.pooling.FlatAssign",
    "nn._functional.pooling.FlatGather",
    "nn._functional.pooling.FlatScatter",
    "nn._functional.pooling.MaxPool",
    "nn._functional.pooling.MaxPoolBackward",
    "nn._functional.pooling.TiledMaxPool",
    "nn._functional.pooling.WindowGather",
    "nn._functional.rnn.RNNSequence",
    "ops.arith.Add",
    "ops.arith.AddScalar",
    "ops.arith.Atan2",
    "ops.arith.Div",
    "ops.arith.DivScalar",
    "ops.arith.FloorDivide",
    "ops.arith.FloorDivideScalar",
    "ops.arith.Fmod",
    "ops.arith.FmodScalar",
    "ops.arith.Lerp",
    "ops.arith.Maximum",
    "ops.arith.Minimum",
    "ops.arith.Mul",
    "ops.arith.MulScalar",
    "ops.arith.Pow",
    "ops.arith.PowScalar",
    "ops.arith.RDivScalar",
    "ops.arith.RFloorDivideScalar",
    "ops.arith.RFmodScalar",
    "ops.arith.RPowScalar",
    "ops.arith.RRemainderScalar",
    "ops.arith.RSubScalar",
    "ops.arith.RTruncDivideScalar",
    "ops.arith.Remainder",
    "ops.arith.RemainderScalar",
    "ops.arith.Sub",
    "ops.arith.SubScalar",
    "ops.arith.TruncDivide",
    "ops.arith.TruncDivideScalar",
    "ops.compare.Where",
    "ops.creation.ToDtype",
    "ops.index.Gather",
    "ops.index.GetItem",
    "ops.index.IndexBackward",
    "ops.index.IndexPut",
    "ops.index.IndexPutZero",
    "ops.index.IndexSelect",
    "ops.index.MaskedFill",
    "ops.index.Scatter",
    "ops.index.ScatterAddZeros",
    "ops.index.ScatterReduce",
    "ops.inplace.CopyInto",
    "ops.inplace.Snapshot",
    "ops.matmul.Einsum",
    "ops.matmul.Linear",
    "ops.matmul.MatMul",
    "ops.nondiff.ArrayFn",
    "ops.pointwise.Abs",
    "ops.pointwise.Acos",
    "ops.pointwise.Acosh",
    "ops.pointwise.Asin",
    "ops.pointwise.Asinh",
    "ops.pointwise.Atan",
    "ops.pointwise.Atanh",
    "ops.pointwise.Ceil",
    "ops.pointwise.Clamp",
    "ops.pointwise.ClampTensor",
    "ops.pointwise.Cos",
    "ops.pointwise.Cosh",
    "ops.pointwise.Digamma",
    "ops.pointwise.Erf",
    "ops.pointwise.Erfc",
    "ops.pointwise.Erfinv",
    "ops.pointwise.Exp",
    "ops.pointwise.Exp2",
    "ops.pointwise.Expm1",
    "ops.pointwise.Floor",
    "ops.pointwise.Frac",
    "ops.pointwise.Lgamma",
    "ops.pointwise.Log",
    "ops.pointwise.Log10",
    "ops.pointwise.Log1p",
    "ops.pointwise.Log2",
    "ops.pointwise.NanToNum",
    "ops.pointwise.Neg",
    "ops.pointwise.Reciprocal",
    "ops.pointwise.Relu",
    "ops.pointwise.Round",
    "ops.pointwise.Rsqrt",
    "ops.pointwise.Sigmoid",
    "ops.pointwise.Sign",
    "ops.pointwise.Sin",
    "ops.pointwise.Sinh",
    "ops.pointwise.Sqrt",
    "ops.pointwise.Square",
    "ops.pointwise.Tan",
    "ops.pointwise.Tanh",
    "ops.pointwise.Trunc",
    "ops.random.Draw",
    "ops.reduce.CountNonzero",
    "ops.reduce.Cumprod",
    "ops.reduce.Cumsum",
    "ops.reduce.ExtremumAll",
    "ops.reduce.ExtremumDim",
    "ops.reduce.Mean",
    "ops.reduce.Norm2",
    "ops.reduce.PNorm",
    "ops.reduce.Prod",
    "ops.reduce.Sum",
    "ops.reduce.Var",
    "ops.shape.Cat",
    "ops.shape.Diag",
    "ops.shape.Expand",
    "ops.shape.Flip",
    "ops.shape.Permute",
    "ops.shape.Repeat",
    "ops.shape.Reshape",
    "ops.shape.Roll",
    "ops.shape.Rot90",
    "ops.shape.Split",
    "ops.shape.Tri",
    "ops.softmax.LogSoftmax",
    "ops.softmax.Softmax",
)
_OPS_SET = frozenset(OPS)

# The non-differentiable ops traces record as ArrayFn(call=...): module -> names allowed.
CALLS = {"ops.compare": ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
                        "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
                        "bitwise_xor", "bitwise_not", "isnan", "isinf", "isposinf",
                        "isneginf", "isfinite", "isreal", "signbit", "isclose"),
         "ops.reduce": ("argmax", "argmin")}
# NumPy reductions some ops take as an attribute (ExtremumAll's ``fn``), by name.
NUMPY_FNS = ("max", "min", "amax", "amin", "sum", "prod", "any", "all", "nanmax", "nanmin")


class ExportError(RuntimeError):
    """The model cannot be exported as asked; the message names the op and the user's line."""


def where(node):
    """``op 'ops.arith.Add' (at model.py:12)`` for error messages."""
    st = node.meta.get("stack") if node is not None else None
    at = f" (at {st[0]}:{st[1]})" if st else ""
    return f"op {op_name(node.target) if node.op == 'call_function' else node.op!r}{at}"


# --- op names --------------------------------------------------------------------------------
_BY_CLASS = {}
_BY_NAME = {}


def _module_of(name):
    return "ember." + name.rsplit(".", 1)[0]


# NOTE: ops added to ember after v1's list (a new Function in one of these modules) are
# exportable too, as extensions of the op set: a file naming one loads where that ember op
# exists and is refused, naming it, where it does not.  Only Function classes defined in
# these modules resolve; nothing else is ever imported or called by name.
_OP_PACKAGES = ("ops", "nn._functional")
_OP_MODULES = ("_methods", "linalg", "special")


def _extension(name):
    """The Function class of an op name outside v1's list, or None."""
    from ..autograd.function import Function
    mod, _, attr = name.rpartition(".")
    pkg, _, leaf = mod.rpartition(".")
    if not (mod in _OP_MODULES or (pkg in _OP_PACKAGES and leaf.isidentifier())):
        return None
    if not attr.isidentifier() or attr.startswith("_"):
        return None
    if pkg in _OP_PACKAGES:
        import pkgutil
        path = importlib.import_module("ember." + pkg).__path__
        if leaf not in {m.name for m in pkgutil.iter_modules(path)}:
            return None
    m = importlib.import_module("ember." + mod)
    cls = vars(m).get(attr)
    if isinstance(cls, type) and issubclass(cls, Function) and cls is not Function \
            and cls.__module__ == m.__name__ and not getattr(cls, "_is_custom", False):
        return cls
    return None


def resolve(name, version=OPSET_VERSION):
    """The Function class an op name stands for; only names in the op set resolve."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    if version > OPSET_VERSION:
        raise ValueError(f"the file needs ember op set v{version}; this ember reads up to "
                         f"v{OPSET_VERSION} (upgrade ember)")
    cls = None
    if type(name) is not str:
        raise ValueError(f"malformed op name {name!r}")
    if name == "getitem":
        cls = operator.getitem
    elif name in _OPS_SET:
        cls = getattr(importlib.import_module(_module_of(name)), name.rsplit(".", 1)[1], None)
    else:
        cls = _extension(name)
    if cls is None:
        raise ValueError(f"unknown op {name!r}: it is not in ember op set v{version} "
                         f"(domain {OPSET_DOMAIN!r}) nor an op of this ember; the file was not "
                         f"loaded")
    _BY_NAME[name] = cls
    _BY_CLASS[cls] = name
    return cls


def op_name(cls):
    """The op-set name of a graph target, or None if the op set does not have it."""
    name = _BY_CLASS.get(cls)
    if name is not None:
        return name
    if cls is operator.getitem:
        name = "getitem"
    else:
        mod = getattr(cls, "__module__", "") or ""
        if not mod.startswith("ember."):
            return None
        short = mod[len("ember."):]
        m = importlib.import_module(mod)
        names = [f"{short}.{k}" for k, v in sorted(vars(m).items(),
                                                   key=lambda kv: kv[0] != cls.__name__)
                 if v is cls and not k.startswith("_")]
        name = next((n for n in names if n in _OPS_SET), None) or \
            next((n for n in names if _extension(n) is cls), None)
        if name is None:
            return None
    _BY_CLASS[cls] = name
    _BY_NAME[name] = cls
    return name


def _call_name(fn):
    for short, names in CALLS.items():
        m = importlib.import_module("ember." + short)
        for k in names:
            op = getattr(m, k, None)
            if op is not None and getattr(op, "__wrapped__", None) is fn:
                return f"{short}.{k}"
    return None


def _resolve_call(name):
    short, _, k = name.rpartition(".")
    if k not in CALLS.get(short, ()):
        raise ValueError(f"unknown function {name!r} in a comparison op: it is not in ember "
                         f"op set v{OPSET_VERSION}; the file was not loaded")
    return getattr(importlib.import_module("ember." + short), k).__wrapped__


# --- attribute values ------------------------------------------------------------------------
class Encoder:
    """Writes a node's args/kwargs as JSON values; arrays go to ``arrays`` (by index)."""

    def __init__(self, names):
        self.names = names          # Node -> name in the file
        self.arrays = []
        self.node = None            # the node being written, for error messages

    def fail(self, what):
        raise ExportError(f"cannot export {where(self.node)}: {what} has no encoding in "
                          f"ember op set v{OPSET_VERSION}")

    def __call__(self, v):
        from .._dtype import dtype as edtype
        from .._tensor import Tensor
        from ..fx.graph import Node
        t = type(v)
        if v is None or t in (bool, int, str):
            return v
        if t is float:
            return v if math.isfinite(v) else {"$float": repr(v)}
        if isinstance(v, Node):
            return {"$node": self.names[v]}
        if isinstance(v, tuple):             # tuples (torch.Size, namedtuples) are the default
            return [self(a) for a in v]
        if t is list:
            return {"$list": [self(a) for a in v]}
        if t is dict:
            if not all(type(k) is str for k in v):
                self.fail("a dict with non-string keys")
            return {"$dict": {k: self(a) for k, a in v.items()}}
        if t is slice:
            return {"$slice": [self(v.start), self(v.stop), self(v.step)]}
        if v is Ellipsis:
            return {"$ellipsis": True}
        if isinstance(v, np.dtype):
            return {"$dtype": v.name}
        if isinstance(v, type) and issubclass(v, np.generic):
            return {"$dtype": np.dtype(v).name}
        if isinstance(v, edtype):
            return {"$edtype": str(v).replace("torch.", "")}
        if isinstance(v, np.generic):
            if v.dtype.kind not in "biuf":
                self.fail(f"a NumPy scalar of dtype {v.dtype}")
            return {"$scalar": [v.dtype.name, self(v.item())]}
        if isinstance(v, np.ndarray):
            if v.dtype.kind not in "biuf":
                self.fail(f"an array of dtype {v.dtype}")
            self.arrays.append(np.ascontiguousarray(v))
            return {"$array": len(self.arrays) - 1}
        if isinstance(v, Tensor):
            return self(v._data)
        if type(v).__name__ == "_Call":
            name = _call_name(v.fn)
            if name is None:
                self.fail(f"the comparison {v.__name__!r}")
            args = [{"$slot": True} if isinstance(a, Tensor) else self(a) for a in v.args]
            kwargs = {k: ({"$slot": True} if isinstance(a, Tensor) else self(a))
                      for k, a in v.kwargs.items()}
            return {"$call": {"fn": name, "args": args, "kwargs": kwargs}}
        if any(getattr(np, k, None) is v for k in NUMPY_FNS):
            return {"$npfn": next(k for k in NUMPY_FNS if getattr(np, k, None) is v)}
        if callable(v):
            self.fail(f"a Python function ({getattr(v, '__name__', type(v).__name__)})")
        self.fail(f"a value of type {type(v).__name__}")


_DTYPES = frozenset(["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                     "float64"])


class Decoder:
    """The inverse of ``Encoder``: builds values from JSON, nodes by name, arrays by index."""

    def __init__(self, nodes, arrays, symbols=None):
        self.nodes, self.arrays, self.symbols = nodes, arrays, symbols or {}

    def __call__(self, v):
        t = type(v)
        if v is None or t in (bool, int, float, str):
            return v
        if t is list:
            return tuple(self(a) for a in v)
        if t is not dict or len(v) != 1:
            raise ValueError(f"malformed value {str(v)[:80]!r}")
        (tag, x), = v.items()
        if tag == "$node":
            if x not in self.nodes:
                raise ValueError(f"a value refers to node {x!r}, which is not defined before it")
            return self.nodes[x]
        if tag == "$list":
            return [self(a) for a in x]
        if tag == "$dict":
            return {str(k): self(a) for k, a in x.items()}
        if tag == "$float":
            if x not in ("inf", "-inf", "nan"):
                raise ValueError(f"malformed float {x!r}")
            return float(x)
        if tag == "$slice":
            return slice(*(self(a) for a in x))
        if tag == "$ellipsis":
            return Ellipsis
        if tag == "$dtype":
            if x not in _DTYPES:
                raise ValueError(f"unknown dtype {x!r}")
            return np.dtype(x)
        if tag == "$edtype":
            from .. import _dtype
            d = getattr(_dtype, str(x), None)
            if not isinstance(d, _dtype.dtype):
                raise ValueError(f"unknown dtype {x!r}")
            return d
        if tag == "$scalar":
            if x[0] not in _DTYPES:
                raise ValueError(f"unknown dtype {x[0]!r}")
            return np.dtype(x[0]).type(self(x[1]))
        if tag == "$array":
            if type(x) is not int or not 0 <= x < len(self.arrays):
                raise ValueError(f"a value refers to array {x!r}, which the file does not hold")
            return self.arrays[x]
        if tag == "$sym":
            return sym_value(x, self.symbols)
        if tag == "$repeat":
            n = self(x[1])
            if type(n) is not int or n < 0:
                raise ValueError(f"malformed repeat count {x[1]!r}")
            return (self(x[0]),) * n
        if tag == "$arange":
            n = self(x["n"])
            if type(n) is not int or not 0 <= n <= 2 ** 31 or x["dtype"] not in _DTYPES:
                raise ValueError(f"malformed arange {x!r}")
            return (self(x["start"]) + self(x["step"]) * np.arange(n)).astype(x["dtype"])
        if tag == "$tri":
            shape = tuple(self(a) for a in x["shape"])
            if len(shape) != 2 or not all(type(d) is int and 0 <= d <= 2 ** 16 for d in shape) \
                    or x["dtype"] not in _DTYPES or type(x["k"]) is not int:
                raise ValueError(f"malformed triangle constant {str(x)[:80]!r}")
            tri = (np.triu if x["upper"] else np.tril)(np.ones(shape, bool), x["k"])
            return np.where(tri, self(x["in"]), self(x["out"])).astype(x["dtype"])
        if tag == "$full":
            shape = tuple(self(a) for a in x["shape"])
            if not all(type(d) is int and d >= 0 for d in shape) or math.prod(shape) > 2 ** 31:
                raise ValueError(f"implausible constant shape {list(shape)}")
            if x["dtype"] not in _DTYPES:
                raise ValueError(f"unknown dtype {x['dtype']!r}")
            return np.full(shape, self(x["value"]), np.dtype(x["dtype"]))
        if tag == "$npfn":
            if x not in NUMPY_FNS:
                raise ValueError(f"unknown NumPy function {x!r} in an attribute")
            return getattr(np, x)
        if tag == "$call":
            from .._tensor import Tensor
            from ..ops.nondiff import _Call
            slot = Tensor.__new__(Tensor)   # a placeholder: _Call fills tensor slots from arrays
            args = [slot if a == {"$slot": True} else self(a) for a in x["args"]]
            kwargs = {k: (slot if a == {"$slot": True} else self(a))
                      for k, a in x["kwargs"].items()}
            return _Call(_resolve_call(x["fn"]), args, kwargs)
        raise ValueError(f"unknown tag {tag!r} in a value")


def sym_value(x, symbols):
    """A symbolic size: ``{"k": k, "of": [names]}`` (k times their product),
    ``{"a": a, "c": c, "of": [name]}`` (a * s + c) or ``{"div": q, "of": [name]}`` (s // q)."""
    try:
        if "a" in x:
            return x["a"] * symbols[x["of"][0]] + x["c"]
        if "div" in x:
            return symbols[x["of"][0]] // x["div"]
        v = x["k"]
        for n in x["of"]:
            v *= symbols[n]
        return v
    except (KeyError, TypeError, IndexError):
        raise ValueError(f"malformed symbolic size {x!r}") from None
