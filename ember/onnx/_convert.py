"""ember graph -> ONNX graph: one converter per op of the ember op set that has a mapping.

The graph comes from ``torch.export``'s capture (eval mode, sizes checked at several batch
sizes), decoded at the example sizes and run through the compiler's passes.  A size that
follows a dynamic dimension and is baked into an attribute (a reshape target with two such
sizes, a constant of batch size) is rebuilt in the ONNX graph from ``Shape`` of the input
that carries the dimension, so dynamic axes stay dynamic in the file.
"""
import math
import operator

import numpy as np

from ..export._opset import op_name

_UNARY = {"Relu": "Relu", "Tanh": "Tanh", "Sigmoid": "Sigmoid", "Exp": "Exp", "Log": "Log",
          "Sqrt": "Sqrt", "Neg": "Neg", "Abs": "Abs", "Erf": "Erf", "Sin": "Sin", "Cos": "Cos",
          "Tan": "Tan", "Floor": "Floor", "Ceil": "Ceil", "Reciprocal": "Reciprocal",
          "Sign": "Sign", "Asin": "Asin", "Acos": "Acos", "Atan": "Atan", "Sinh": "Sinh",
          "Cosh": "Cosh", "Asinh": "Asinh", "Acosh": "Acosh", "Atanh": "Atanh",
          "Round": "Round"}
_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow",
           "Maximum": "Max", "Minimum": "Min"}
_SCALAR = {"AddScalar": ("Add", False), "SubScalar": ("Sub", False), "MulScalar": ("Mul", False),
           "DivScalar": ("Div", False), "PowScalar": ("Pow", False), "RSubScalar": ("Sub", True),
           "RDivScalar": ("Div", True), "RPowScalar": ("Pow", True)}
_COMPARE = {"eq": "Equal", "lt": "Less", "gt": "Greater", "le": "LessOrEqual",
            "ge": "GreaterOrEqual", "logical_and": "And", "logical_or": "Or",
            "logical_xor": "Xor", "logical_not": "Not", "isnan": "IsNaN", "ne": None,
            "isinf": "IsInf"}


# Converters that read symbolic sizes from the template (the others see example-size values).
_SYMBOL_AWARE = {"Reshape", "Expand", "GetItem", "RNNSequence"}


def _has_sym(x):
    if type(x) is dict:
        return "$sym" in x or "$full" in x or "$repeat" in x or "$arange" in x or "$tri" in x or \
            any(_has_sym(v) for v in x.values())
    if type(x) in (list, tuple):
        return any(_has_sym(v) for v in x)
    return False


class UnsupportedOp(RuntimeError):
    pass


class Builder:
    def __init__(self, onnx, opset, sym_sources):
        self.onnx, self.h, self.opset = onnx, onnx.helper, opset
        from onnx import numpy_helper
        self.nph = numpy_helper
        self.nodes, self.inits = [], []
        self.used = set()
        self.consts = {}
        self.sym_sources = sym_sources    # dim name -> (onnx input name, dim index)
        self.sym_cache = {}

    def fresh(self, base):
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base) or "v"
        name, k = base, 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    def const(self, arr, hint="const"):
        arr = np.asarray(arr)
        key = (arr.dtype.str, arr.shape, arr.tobytes()) if arr.size <= 16 else None
        if key is not None and key in self.consts:
            return self.consts[key]
        name = self.fresh(hint)
        self.inits.append(self.nph.from_array(np.ascontiguousarray(arr), name))
        if key is not None:
            self.consts[key] = name
        return name

    def ints(self, values, hint="shape"):
        return self.const(np.asarray(values, np.int64), hint)

    def op(self, kind, inputs, n_out=1, hint=None, **attrs):
        outs = [self.fresh(f"{hint or kind.lower()}" + (f"_{i}" if n_out > 1 else ""))
                for i in range(n_out)]
        self.nodes.append(self.h.make_node(kind, list(inputs), outs,
                                           name=self.fresh("n_" + (hint or kind)), **attrs))
        return outs[0] if n_out == 1 else outs

    # --- sizes that follow dynamic dimensions ----------------------------------------------
    def dim(self, name):
        v = self.sym_cache.get(name)
        if v is None:
            inp, d = self.sym_sources[name]
            # NOTE: Shape + Gather, not Shape(start, end): onnxruntime's optimizer mis-fuses
            # the latter with a following Slice (a 0-d "starts" at run time)
            shape = self.sym_cache.get(("shape", inp))
            if shape is None:
                shape = self.sym_cache[("shape", inp)] = self.op("Shape", [inp], hint=f"{inp}_shape")
            v = self.sym_cache[name] = self.op("Gather", [shape, self.ints([d], "dim")], axis=0,
                                               hint=f"{name}_size")
        return v

    def size_tensor(self, s):
        """A 1-element int64 tensor for an int or a symbolic size ``{"$sym": ...}``."""
        if type(s) is not dict:
            return self.ints([s])
        f = s["$sym"]
        if "div" in f:        # sizes are non-negative: ONNX's truncating Div is floor division
            return self.op("Div", [self.dim(f["of"][0]), self.ints([f["div"]])])
        if "a" in f:
            v = self.dim(f["of"][0])
            if f["a"] != 1:
                v = self.op("Mul", [v, self.ints([f["a"]])])
            if f["c"]:
                v = self.op("Add", [v, self.ints([f["c"]])])
            return v
        v = None
        for n in f["of"]:
            v = self.dim(n) if v is None else self.op("Mul", [v, self.dim(n)])
        if f["k"] != 1:
            v = self.op("Mul", [v, self.ints([f["k"]])])
        return v

    def shape_tensor(self, shape):
        if not any(type(s) is dict for s in shape):
            return self.ints(list(shape))
        return self.op("Concat", [self.size_tensor(s) for s in shape], axis=0, hint="shape")

    def axes(self, kind, x, axes, keepdims, **extra):
        """A reduction with ``axes`` as an input (opset >= 18) or an attribute (17)."""
        axes = list(axes)
        if kind == "ReduceSum" or self.opset >= 18:
            return self.op(kind, [x, self.ints(axes, "axes")], keepdims=int(keepdims), **extra)
        return self.op(kind, [x], axes=axes, keepdims=int(keepdims), **extra)


def _onnx_dtype(onnx, dt):
    return onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dt))


class Converter:
    """Walks a graph (fx-shaped, ember targets) and emits ONNX nodes into a Builder."""

    def __init__(self, b, template_nodes):
        self.b = b
        self.v = {}                   # fx Node -> ONNX value name (or list for tuples)
        self.tmpl = {e["name"]: e for e in template_nodes}

    def val(self, n):
        return self.v[n]

    def fail(self, node, what=None):
        st = node.meta.get("stack")
        at = f" (at {st[0]}:{st[1]})" if st else ""
        name = op_name(node.target) or node.target_name()
        raise UnsupportedOp(f"torch.onnx.export: op {name!r}{at} has no ONNX mapping in ember"
                            + (f": {what}" if what else ""))

    def sym_kw(self, node, key):
        """The template's value of attribute ``key`` (symbolic sizes kept), if it has them."""
        e = self.tmpl.get(node.name)
        return None if e is None else e["kwargs"].get(key)

    def cast_to(self, x, src, dst):
        if np.dtype(src) == np.dtype(dst):
            return x
        return self.b.op("Cast", [x], to=_onnx_dtype(self.b.onnx, dst))

    def run(self, node):
        t = node.target
        if t is operator.getitem:
            self.v[node] = self.v[node.args[0]][node.args[1]]
            return
        name = op_name(t)
        short = name.rsplit(".", 1)[1] if name else None
        fn = getattr(self, "op_" + short, None) if short else None
        e = self.tmpl.get(node.name)
        if e is not None and short not in _SYMBOL_AWARE and _has_sym((e["args"], e["kwargs"])):
            self.fail(node, "a size baked from a dynamic dimension (declare it static, or "
                            "export to ember's own format, which handles it)")
        if fn is None:
            if short in _UNARY:
                x = node.args[0]
                self.v[node] = self.b.op(_UNARY[short], [self.val(x)])
                return
            if short in _BINARY:
                self.v[node] = self.binary(node, _BINARY[short])
                return
            if short in _SCALAR:
                self.v[node] = self.scalar(node, *_SCALAR[short])
                return
            self.fail(node)
        out = fn(node, *node.args, **node.kwargs)
        self.v[node] = out

    # --- arithmetic ------------------------------------------------------------------------
    def binary(self, node, kind):
        dt = node.meta["dtype"]
        a, c = node.args
        xa = self.cast_to(self.val(a), a.meta["dtype"], dt)
        xc = self.cast_to(self.val(c), c.meta["dtype"], dt)
        return self.b.op(kind, [xa, xc])

    def scalar(self, node, kind, reverse):
        dt = node.meta["dtype"]
        a = node.args[0]
        s = node.kwargs["s"]
        if not isinstance(s, (int, float, bool, np.generic)):
            self.fail(node, f"scalar {s!r}")
        x = self.cast_to(self.val(a), a.meta["dtype"], dt)
        k = self.b.const(np.asarray(s, dt), "scalar")
        return self.b.op(kind, [k, x] if reverse else [x, k])

    def op_Clone(self, node, x, *a, **k):
        return self.b.op("Identity", [self.val(x)])

    op_Contiguous = op_Snapshot = op_Clone

    def op_Rsqrt(self, node, x):
        return self.b.op("Reciprocal", [self.b.op("Sqrt", [self.val(x)])])

    def op_Square(self, node, x):
        return self.b.op("Mul", [self.val(x), self.val(x)])

    def op_Log1p(self, node, x):
        one = self.b.const(np.asarray(1, node.meta["dtype"]))
        return self.b.op("Log", [self.b.op("Add", [self.val(x), one])])

    def op_Expm1(self, node, x):
        one = self.b.const(np.asarray(1, node.meta["dtype"]))
        return self.b.op("Sub", [self.b.op("Exp", [self.val(x)]), one])

    def op_Trunc(self, node, x):
        # trunc(x) = sign(x) * floor(|x|)
        return self.b.op("Mul", [self.b.op("Sign", [self.val(x)]),
                                 self.b.op("Floor", [self.b.op("Abs", [self.val(x)])])])

    def op_Clamp(self, node, x, lo=None, hi=None):
        dt = node.meta["dtype"]
        ins = [self.val(x), "" if lo is None else self.b.const(np.asarray(lo, dt)),
               "" if hi is None else self.b.const(np.asarray(hi, dt))]
        while ins[-1] == "":
            ins.pop()
        return self.b.op("Clip", ins)

    def op_ToDtype(self, node, x, dtype):
        return self.b.op("Cast", [self.val(x)], to=_onnx_dtype(self.b.onnx, node.meta["dtype"]))

    def op_ClampTensor(self, node, x, *bounds, has_lo, has_hi):
        dt = node.meta["dtype"]
        y = self.cast_to(self.val(x), x.meta["dtype"], dt)
        if has_lo:
            y = self.b.op("Max", [y, self.cast_to(self.val(bounds[0]), bounds[0].meta["dtype"], dt)])
        if has_hi:
            y = self.b.op("Min", [y, self.cast_to(self.val(bounds[-1]), bounds[-1].meta["dtype"],
                                                  dt)])
        return y

    def op_Lerp(self, node, a, c, w):
        dt = node.meta["dtype"]
        va, vc, vw = (self.cast_to(self.val(t), t.meta["dtype"], dt) for t in (a, c, w))
        return self.b.op("Add", [va, self.b.op("Mul", [vw, self.b.op("Sub", [vc, va])])])

    def _floor_div(self, node, xa, xb):
        dt = np.dtype(node.meta["dtype"])
        if dt.kind == "f":
            return self.b.op("Floor", [self.b.op("Div", [xa, xb])])
        # integers: floor division (ONNX's Div truncates), via float64 and back
        f = self.b.op("Floor", [self.b.op("Div", [self.b.op("Cast", [xa], to=11),
                                                  self.b.op("Cast", [xb], to=11)])])
        return self.b.op("Cast", [f], to=_onnx_dtype(self.b.onnx, dt))

    def _remainder(self, node, xa, xb):
        # Python's sign convention (the divisor's): a - floor(a / b) * b
        return self.b.op("Sub", [xa, self.b.op("Mul", [self._floor_div(node, xa, xb), xb])])

    def _two(self, node):
        dt = node.meta["dtype"]
        a = node.args[0]
        xa = self.cast_to(self.val(a), a.meta["dtype"], dt)
        if len(node.args) > 1:
            c = node.args[1]
            return xa, self.cast_to(self.val(c), c.meta["dtype"], dt)
        return xa, self.b.const(np.asarray(node.kwargs["s"], dt), "scalar")

    def op_FloorDivide(self, node, *a, **k):
        return self._floor_div(node, *self._two(node))

    def op_RFloorDivideScalar(self, node, *a, **k):
        xa, xs = self._two(node)
        return self._floor_div(node, xs, xa)

    def op_Remainder(self, node, *a, **k):
        return self._remainder(node, *self._two(node))

    def op_RRemainderScalar(self, node, *a, **k):
        xa, xs = self._two(node)
        return self._remainder(node, xs, xa)

    def op_Fmod(self, node, *a, **k):
        return self.b.op("Mod", list(self._two(node)), fmod=1)

    op_FloorDivideScalar = op_FloorDivide
    op_RemainderScalar = op_Remainder
    op_FmodScalar = op_Fmod

    def op_Exp2(self, node, x):
        return self.b.op("Pow", [self.b.const(np.asarray(2, node.meta["dtype"])), self.val(x)])

    def _log_base(self, node, x, base):
        dt = node.meta["dtype"]
        return self.b.op("Div", [self.b.op("Log", [self.val(x)]),
                                 self.b.const(np.asarray(math.log(base), dt))])

    def op_Log2(self, node, x):
        return self._log_base(node, x, 2)

    def op_Log10(self, node, x):
        return self._log_base(node, x, 10)

    def op_Erfc(self, node, x):
        return self.b.op("Sub", [self.b.const(np.asarray(1, node.meta["dtype"])),
                                 self.b.op("Erf", [self.val(x)])])

    def op_Threshold(self, node, x, th, v):
        dt = node.meta["dtype"]
        xv = self.val(x)
        return self.b.op("Where", [self.b.op("Greater", [xv, self.b.const(np.asarray(th, dt))]),
                                   xv, self.b.const(np.asarray(v, dt))])

    def op_Hardshrink(self, node, x, l):   # noqa: E741 - PyTorch's name for lambda
        return self.b.op("Shrink", [self.val(x)], lambd=float(l), bias=0.0)

    def op_Softshrink(self, node, x, l):   # noqa: E741
        return self.b.op("Shrink", [self.val(x)], lambd=float(l), bias=float(l))

    def op_Where(self, node, cond, a, c):
        dt = node.meta["dtype"]
        return self.b.op("Where", [self.val(cond), self.cast_to(self.val(a), a.meta["dtype"], dt),
                                   self.cast_to(self.val(c), c.meta["dtype"], dt)])

    def op_ArrayFn(self, node, *xs, call):
        if call.__name__ in ("argmax", "argmin"):
            return self.arg_reduce(node, xs[0], call)
        kind = _COMPARE.get(call.__name__, "missing")
        if kind == "missing":
            self.fail(node, f"comparison {call.__name__!r}")
        ins, it = [], iter(xs)
        from .._tensor import Tensor
        for a in call.args:
            if isinstance(a, Tensor):
                n = next(it)
                ins.append((self.val(n), n.meta["dtype"]))
            elif isinstance(a, (int, float, bool)):
                ins.append((None, a))
            else:
                self.fail(node, f"argument {a!r}")
        dts = [d for v, d in ins if v is not None]
        dt = np.result_type(*dts) if dts else np.float32
        vals = [self.cast_to(v, d, dt) if v is not None else self.b.const(np.asarray(d, dt))
                for v, d in ins]
        if call.__name__ == "ne":
            return self.b.op("Not", [self.b.op("Equal", vals)])
        return self.b.op(kind, vals)

    def arg_reduce(self, node, x, call):
        kw = dict(zip(("dim", "keepdim"), call.args[1:]))
        kw.update(call.kwargs)
        dim, keepdim = kw.get("dim"), bool(kw.get("keepdim", False))
        kind = "ArgMax" if call.__name__ == "argmax" else "ArgMin"
        xv = self.val(x)
        if dim is None:
            y = self.b.op(kind, [self.b.op("Reshape", [xv, self.b.ints([-1])])], axis=0, keepdims=0)
            if keepdim:
                y = self.b.op("Reshape", [y, self.b.ints([1] * len(x.meta["shape"]))])
            return y
        return self.b.op(kind, [xv], axis=int(dim) % max(len(x.meta["shape"]), 1),
                         keepdims=int(keepdim))

    def op_NanToNum(self, node, x, nan=0.0, posinf=None, neginf=None):
        dt = np.dtype(node.meta["dtype"])
        xv = self.val(x)
        if dt.kind != "f":
            return self.b.op("Identity", [xv])
        fi = np.finfo(dt)
        c = lambda v: self.b.const(np.asarray(v, dt))
        y = self.b.op("Where", [self.b.op("IsNaN", [xv]), c(nan), xv])
        y = self.b.op("Where", [self.b.op("IsInf", [y], detect_negative=0, detect_positive=1),
                                c(fi.max if posinf is None else posinf), y])
        return self.b.op("Where", [self.b.op("IsInf", [y], detect_negative=1, detect_positive=0),
                                   c(fi.min if neginf is None else neginf), y])

    # --- activations -----------------------------------------------------------------------
    def op_Gelu(self, node, x, approximate):
        xv = self.val(x)
        dt = node.meta["dtype"]
        if self.b.opset >= 20:
            return self.b.op("Gelu", [xv], approximate=approximate)
        c = lambda v: self.b.const(np.asarray(v, dt))
        if approximate == "tanh":
            inner = self.b.op("Mul", [self.b.op("Add", [xv, self.b.op("Mul", [c(0.044715), self.b.op(
                "Pow", [xv, c(3.0)])])]), c(math.sqrt(2 / math.pi))])
            t = self.b.op("Add", [self.b.op("Tanh", [inner]), c(1.0)])
        else:
            t = self.b.op("Add", [self.b.op("Erf", [self.b.op("Div", [xv, c(math.sqrt(2.0))])]),
                                  c(1.0)])
        return self.b.op("Mul", [self.b.op("Mul", [xv, t]), c(0.5)])

    def op_Relu6(self, node, x, lo, hi):
        dt = node.meta["dtype"]
        return self.b.op("Clip", [self.val(x), self.b.const(np.asarray(lo, dt)),
                                  self.b.const(np.asarray(hi, dt))])

    def op_Mish(self, node, x):
        xv = self.val(x)
        return self.b.op("Mul", [xv, self.b.op("Tanh", [self.b.op("Softplus", [xv])])])

    def op_LogSigmoid(self, node, x):
        return self.b.op("Log", [self.b.op("Sigmoid", [self.val(x)])])

    def op_Prelu(self, node, x, w):
        nd = len(x.meta["shape"])
        wv = self.val(w)
        n = int(np.prod(w.meta["shape"]))
        if nd >= 2 and n > 1:
            wv = self.b.op("Reshape", [wv, self.b.ints([-1] + [1] * (nd - 2))])
        return self.b.op("PRelu", [self.val(x), wv])

    def op_LeakyRelu(self, node, x, s):
        return self.b.op("LeakyRelu", [self.val(x)], alpha=float(s))

    def op_Silu(self, node, x):
        return self.b.op("Mul", [self.val(x), self.b.op("Sigmoid", [self.val(x)])])

    def op_Elu(self, node, x, alpha, scale, input_scale):
        if scale != 1.0 or input_scale != 1.0:
            if input_scale == 1.0 and abs(scale - 1.0507009873554805) < 1e-12:
                return self.b.op("Selu", [self.val(x)], alpha=float(alpha), gamma=float(scale))
            self.fail(node, "elu with scale")
        return self.b.op("Elu", [self.val(x)], alpha=float(alpha))

    def op_Hardsigmoid(self, node, x):
        return self.b.op("HardSigmoid", [self.val(x)], alpha=1 / 6, beta=0.5)

    def op_Hardswish(self, node, x):
        return self.b.op("HardSwish", [self.val(x)])

    def op_Softplus(self, node, x, beta, threshold):
        dt = node.meta["dtype"]
        xv = self.val(x)
        bx = self.b.op("Mul", [xv, self.b.const(np.asarray(beta, dt))])
        sp = self.b.op("Div", [self.b.op("Softplus", [bx]), self.b.const(np.asarray(beta, dt))])
        return self.b.op("Where", [self.b.op("Greater", [bx, self.b.const(np.asarray(threshold, dt))]),
                                   xv, sp])

    def op_Softmax(self, node, x, dim):
        return self.b.op("Softmax", [self.val(x)], axis=int(dim))

    def op_LogSoftmax(self, node, x, dim):
        return self.b.op("LogSoftmax", [self.val(x)], axis=int(dim))

    # --- matmul, conv, norms, pooling --------------------------------------------------------
    def op_MatMul(self, node, a, c):
        return self.b.op("MatMul", [self.val(a), self.val(c)])

    def op_Linear(self, node, x, w, bias=None):
        wt = self.b.op("Transpose", [self.val(w)], perm=[1, 0])
        y = self.b.op("MatMul", [self.val(x), wt])
        return y if bias is None else self.b.op("Add", [y, self.val(bias)])

    def op_Conv(self, node, x, w, bias=None, *, stride, pads, dil, groups):
        ins = [self.val(x), self.val(w)] + ([self.val(bias)] if bias is not None else [])
        return self.b.op("Conv", ins, strides=list(stride), dilations=list(dil), group=int(groups),
                         pads=[p[0] for p in pads] + [p[1] for p in pads],
                         kernel_shape=list(w.meta["shape"][2:]))

    def op_ConvInputGrad(self, node, x, w, *, x_sp, stride, pads, dil, groups):
        in_sp = x.meta["shape"][2:]
        K = w.meta["shape"][2:]
        base = [st * (i - 1) + (k - 1) * d + 1 - lo - hi
                for i, k, st, d, (lo, hi) in zip(in_sp, K, stride, dil, pads)]
        return self.b.op("ConvTranspose", [self.val(x), self.val(w)], strides=list(stride),
                         dilations=list(dil), group=int(groups), kernel_shape=list(K),
                         pads=[p[0] for p in pads] + [p[1] for p in pads],
                         output_padding=[o - b for o, b in zip(x_sp, base)])

    def op_ConstantPad(self, node, x, *, pads, value):
        nd = len(x.meta["shape"])
        lead = nd - len(pads)
        begins = [0] * lead + [p[0] for p in pads]
        ends = [0] * lead + [p[1] for p in pads]
        dt = node.meta["dtype"]
        return self.b.op("Pad", [self.val(x), self.b.ints(begins + ends, "pads"),
                                 self.b.const(np.asarray(value, dt), "pad_value")], mode="constant")

    def op_IndexPad(self, node, x, *, maps):
        y = self.val(x)
        lead = len(x.meta["shape"]) - len(maps)
        for i, m in enumerate(maps):
            m = np.asarray(m)
            if m.ndim != 1 or m.dtype.kind not in "iu":
                self.fail(node, "padding map")
            y = self.b.op("Gather", [y, self.b.ints(m, "pad_index")], axis=lead + i)
        return y

    def op_Repeat(self, node, x, reps):
        reps = list(reps)
        xv = self.val(x)
        nd = len(x.meta["shape"])
        if len(reps) > nd:
            xv = self.b.op("Unsqueeze", [xv, self.b.ints(list(range(len(reps) - nd)), "axes")])
        return self.b.op("Tile", [xv, self.b.ints(reps, "repeats")])

    def op_Tri(self, node, x, k, upper):
        return self.b.op("Trilu", [self.val(x), self.b.const(np.asarray(k, np.int64))],
                         upper=int(bool(upper)))

    def op_Gather(self, node, x, index, dim):
        return self.b.op("GatherElements", [self.val(x), self.val(index)], axis=int(dim))

    def op_Flip(self, node, x, axes):
        axes = list(axes if isinstance(axes, (tuple, list)) else (axes,))
        n = len(axes)
        return self.b.op("Slice", [self.val(x), self.b.ints([-1] * n, "starts"),
                                   self.b.ints([-2 ** 62] * n, "ends"), self.b.ints(axes, "axes"),
                                   self.b.ints([-1] * n, "steps")])

    def op_Roll(self, node, x, shifts, axes):
        shape = x.meta["shape"]
        y = self.val(x)
        if axes is None or axes == ():
            self.fail(node, "roll without dims")
        for s, a in zip(shifts if isinstance(shifts, tuple) else (shifts,),
                        axes if isinstance(axes, tuple) else (axes,)):
            n = shape[a]
            s %= n
            if not s:
                continue
            tail = self.b.op("Slice", [y, self.b.ints([n - s]), self.b.ints([n]), self.b.ints([a])])
            head = self.b.op("Slice", [y, self.b.ints([0]), self.b.ints([n - s]), self.b.ints([a])])
            y = self.b.op("Concat", [tail, head], axis=int(a))
        return y

    def op_Einsum(self, node, *xs, specs, out):
        return self.b.op("Einsum", [self.val(a) for a in xs], equation=",".join(specs) + "->" + out)

    def op_NormAffine(self, node, x, *params, axes, eps, affine, pshape, stats=False):
        nd = len(x.meta["shape"])
        axes = sorted(a % nd for a in axes)
        dt = x.meta["dtype"]
        w = self.val(params[0]) if "w" in affine else None
        bias = self.val(params[-1]) if "b" in affine else None
        trailing = axes == list(range(nd - len(axes), nd)) and tuple(pshape) == tuple(
            x.meta["shape"][nd - len(axes):])
        if trailing and not stats:
            shape = list(pshape)
            if w is None:
                w = self.b.const(np.ones(shape, dt), "ones")
            ins = [self.val(x), w] + ([bias] if bias is not None else [])
            return self.b.op("LayerNormalization", ins, axis=-len(axes), epsilon=float(eps))
        xv = self.val(x)
        mean = self.b.axes("ReduceMean", xv, axes, True)
        xc = self.b.op("Sub", [xv, mean])
        var = self.b.axes("ReduceMean", self.b.op("Mul", [xc, xc]), axes, True)
        inv = self.b.op("Reciprocal", [self.b.op("Sqrt", [self.b.op(
            "Add", [var, self.b.const(np.asarray(eps, dt))])])])
        y = self.b.op("Mul", [xc, inv])
        ps = self.b.ints(list(pshape))
        if w is not None:
            y = self.b.op("Mul", [y, self.b.op("Reshape", [w, ps])])
        if bias is not None:
            y = self.b.op("Add", [y, self.b.op("Reshape", [bias, ps])])
        return [y, mean, var] if stats else y

    def op_MaxPool(self, node, x, *, K, stride, dil, pads, out_sp, want_idx):
        if want_idx:
            if any(u.target is operator.getitem and u.args[1] == 1 and u.users for u in node.users):
                self.fail(node, "return_indices=True (ONNX's indices are numbered differently)")
            y = self.b.op("MaxPool", [self.val(x)], kernel_shape=list(K), strides=list(stride),
                          dilations=list(dil), pads=[p[0] for p in pads] + [p[1] for p in pads])
            return [y, None]
        return self.b.op("MaxPool", [self.val(x)], kernel_shape=list(K), strides=list(stride),
                         dilations=list(dil), pads=[p[0] for p in pads] + [p[1] for p in pads])

    def op_TiledMaxPool(self, node, x, *, K, out_sp):
        return self.b.op("MaxPool", [self.val(x)], kernel_shape=list(K), strides=list(K))

    def op_AvgPool(self, node, x, *, cfg, inv):
        K, stride, dil, pads, _ = cfg
        if any(d != 1 for d in dil):
            self.fail(node, "dilated average pooling")
        y = self.b.op("AveragePool", [self.val(x)], kernel_shape=list(K), strides=list(stride),
                      pads=[p[0] for p in pads] + [p[1] for p in pads], count_include_pad=1)
        scale = np.asarray(inv, np.float64) * math.prod(K)
        if not np.allclose(scale, 1.0, rtol=1e-7, atol=0):
            y = self.b.op("Mul", [y, self.b.const(scale.astype(node.meta["dtype"]), "pool_scale")])
        return y

    # --- reductions ----------------------------------------------------------------------------
    def _axes(self, x, axes):
        nd = len(x.meta["shape"])
        return list(range(nd)) if axes is None else [a % nd for a in
                                                     (axes if isinstance(axes, tuple) else (axes,))]

    def op_Mean(self, node, x, axes=None, keepdim=False):
        return self.b.axes("ReduceMean", self.val(x), self._axes(x, axes), keepdim)

    def op_Sum(self, node, x, axes=None, keepdim=False, dtype=None):
        xv = self.cast_to(self.val(x), x.meta["dtype"], node.meta["dtype"])
        return self.b.axes("ReduceSum", xv, self._axes(x, axes), keepdim)

    def op_Var(self, node, x, axes, correction, keepdim):
        xv = self.val(x)
        ax = self._axes(x, axes)
        n = int(np.prod([x.meta["shape"][a] for a in ax]))
        dt = node.meta["dtype"]
        xc = self.b.op("Sub", [xv, self.b.axes("ReduceMean", xv, ax, True)])
        v = self.b.axes("ReduceMean", self.b.op("Mul", [xc, xc]), ax, keepdim)
        if correction:
            v = self.b.op("Mul", [v, self.b.const(np.asarray(n / max(n - correction, 0) if
                                                             n > correction else np.inf, dt))])
        return v

    def op_Prod(self, node, x, axis=None, keepdim=False, dtype=None):
        xv = self.cast_to(self.val(x), x.meta["dtype"], node.meta["dtype"])
        return self.b.axes("ReduceProd", xv, self._axes(x, axis), keepdim)

    def op_Norm2(self, node, x, axes=None, keepdim=False):
        return self.b.axes("ReduceL2", self.val(x), self._axes(x, axes), keepdim)

    def op_PNorm(self, node, x, p, axes, keepdim):
        if p == 1:
            return self.b.axes("ReduceL1", self.val(x), self._axes(x, axes), keepdim)
        if p == 2:
            return self.op_Norm2(node, x, axes, keepdim)
        if p == float("inf"):
            return self.b.axes("ReduceMax", self.b.op("Abs", [self.val(x)]), self._axes(x, axes),
                               keepdim)
        dt = node.meta["dtype"]
        s = self.b.axes("ReduceSum", self.b.op("Pow", [self.b.op("Abs", [self.val(x)]),
                                                       self.b.const(np.asarray(p, dt))]),
                        self._axes(x, axes), keepdim)
        return self.b.op("Pow", [s, self.b.const(np.asarray(1.0 / p, dt))])

    def op_Cumsum(self, node, x, dim):
        return self.b.op("CumSum", [self.val(x), self.b.const(np.asarray(dim, np.int64))])

    def op_ExtremumDim(self, node, x, dim, keepdim, largest):
        xv = self.val(x)
        vals = self.b.axes("ReduceMax" if largest else "ReduceMin", xv, [dim], keepdim)
        idx = self.b.op("ArgMax" if largest else "ArgMin", [xv], axis=int(dim),
                        keepdims=int(keepdim), select_last_index=0)
        return [vals, idx]

    def op_ExtremumAll(self, node, x, fn, axes=None, keepdim=False):
        kind = {"max": "ReduceMax", "amax": "ReduceMax", "min": "ReduceMin", "amin": "ReduceMin"}
        k = kind.get(getattr(fn, "__name__", ""), None)
        if k is None:
            self.fail(node, f"reduction {fn!r}")
        return self.b.axes(k, self.val(x), self._axes(x, axes), keepdim)

    # --- shapes ------------------------------------------------------------------------------
    def op_Reshape(self, node, x, shape, view=False):
        sym = self.sym_kw(node, "shape")
        target = sym if type(sym) is list and len(sym) == len(shape) else list(shape)
        return self.b.op("Reshape", [self.val(x), self.b.shape_tensor(target)])

    def op_Expand(self, node, x, shape):
        sym = self.sym_kw(node, "shape")
        target = sym if type(sym) is list and len(sym) == len(shape) else list(shape)
        return self.b.op("Expand", [self.val(x), self.b.shape_tensor(target)])

    def op_Permute(self, node, x, perm):
        return self.b.op("Transpose", [self.val(x)], perm=list(perm))

    def op_Cat(self, node, *xs, dim):
        dt = node.meta["dtype"]
        return self.b.op("Concat", [self.cast_to(self.val(a), a.meta["dtype"], dt) for a in xs],
                         axis=int(dim))

    def op_Split(self, node, x, sizes, dim):
        return self.b.op("Split", [self.val(x), self.b.ints(list(sizes), "split")],
                         n_out=len(sizes), axis=int(dim))

    def op_MaskedFill(self, node, x, mask, value):
        dt = node.meta["dtype"]
        return self.b.op("Where", [self.val(mask), self.b.const(np.asarray(value, dt), "fill"),
                                   self.val(x)])

    def op_Embedding(self, node, w, idx, padding_idx=None):
        return self.b.op("Gather", [self.val(w), self.val(idx)], axis=0)

    def op_IndexSelect(self, node, x, index, dim):
        return self.b.op("Gather", [self.val(x), self.val(index)], axis=int(dim))

    def op_GetItem(self, node, x, idx, basic):
        tidx = self.sym_kw(node, "idx")
        if not isinstance(idx, tuple):
            idx, tidx = (idx,), [tidx]
        # the template's entries keep sizes that follow a dynamic dim symbolic
        sym = list(tidx) if type(tidx) is list and len(tidx) == len(idx) else [None] * len(idx)
        shape = list(x.meta["shape"])
        if not basic:
            from ..fx.graph import Node
            if len(idx) == 1 and isinstance(idx[0], Node):
                return self.b.op("Gather", [self.val(x), self.val(idx[0])], axis=0)
            if len(idx) == 1 and isinstance(idx[0], np.ndarray) and idx[0].dtype.kind in "iu":
                return self.b.op("Gather", [self.val(x), self.b.ints(idx[0], "index")], axis=0)
            self.fail(node, "advanced indexing")
        n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
        if Ellipsis in idx:
            k = idx.index(Ellipsis)
            fill = len(shape) - n_real
            idx = idx[:k] + (slice(None),) * fill + idx[k + 1:]
            sym = sym[:k] + [None] * fill + sym[k + 1:]

        def bound(t, k, v):
            """A slice bound: the template's symbolic size where it has one, else ``v``."""
            if type(t) is dict and "$slice" in t and type(t["$slice"][k]) is dict:
                return t["$slice"][k]
            return int(v)
        starts, ends, axes, steps, squeeze, unsq = [], [], [], [], [], []
        d = 0
        out_pos = 0
        for i, t in zip(idx, sym):
            if i is None:
                unsq.append(out_pos)
                out_pos += 1
                continue
            if isinstance(i, (int, np.integer)):
                if type(t) is dict:
                    self.fail(node, "an index that follows a dynamic dimension")
                starts.append(int(i))
                ends.append(int(i) + 1 if int(i) != -1 else 2 ** 62)
                axes.append(d)
                steps.append(1)
                squeeze.append(d)
            elif isinstance(i, slice):
                if i != slice(None):
                    st = 1 if i.step is None else int(i.step)
                    lo = i.start if i.start is not None else (0 if st > 0 else -1)
                    hi = i.stop if i.stop is not None else (2 ** 62 if st > 0 else -2 ** 62)
                    starts.append(bound(t, 0, lo) if i.start is not None else int(lo))
                    ends.append(bound(t, 1, hi) if i.stop is not None else int(hi))
                    axes.append(d)
                    steps.append(st)
                out_pos += 1
            else:
                self.fail(node, f"index {i!r}")
            d += 1
        y = self.val(x)
        if axes:
            y = self.b.op("Slice", [y, self.b.shape_tensor(starts), self.b.shape_tensor(ends),
                                    self.b.ints(axes, "axes"), self.b.ints(steps, "steps")])
        if squeeze:
            y = self.b.op("Squeeze", [y, self.b.ints(squeeze, "axes")])
        if unsq:
            y = self.b.op("Unsqueeze", [y, self.b.ints(unsq, "axes")])
        if not axes and not squeeze and not unsq:
            y = self.b.op("Identity", [y])
        return y

    # --- recurrent layers ----------------------------------------------------------------------
    def op_RNNSequence(self, node, xp, h0, *rest, mode, batch_sizes, reverse, has_bias):
        if len(set(batch_sizes)) != 1:
            self.fail(node, "packed sequences of different lengths")
        b = self.b
        T = len(batch_sizes)
        lstm = mode == "LSTM"
        c0 = rest[0] if lstm else None
        w = rest[1] if lstm else rest[0]
        bias = (rest[2] if lstm else rest[1]) if has_bias else None
        G = int(xp.meta["shape"][1])
        H = int(h0.meta["shape"][1])
        dt = np.dtype(xp.meta["dtype"])
        # ONNX's gate order: LSTM i, o, f, c (PyTorch i, f, g, o); GRU z, r, h (PyTorch r, z, n)
        order = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}.get(mode, [0])
        perm = np.concatenate([np.arange(g * H, (g + 1) * H) for g in order])
        W = np.eye(G, dtype=dt)[perm][None]                     # selects xp's gate blocks
        wv = b.op("Unsqueeze", [b.op("Gather", [self.val(w), b.ints(perm, "gates")], axis=0),
                                b.ints([0], "axes")])
        tb = self.sym_kw(node, "batch_sizes")
        steps = tb["$repeat"][1] if type(tb) is dict and "$repeat" in tb else T
        seq = b.op("Reshape", [self.val(xp), b.shape_tensor([steps, -1, G])])
        ins = [seq, b.const(W, "rnn_w"), wv]
        if bias is not None:
            rb = b.op("Gather", [self.val(bias), b.ints(perm, "gates")], axis=0)
            ins.append(b.op("Unsqueeze", [b.op("Concat", [b.const(np.zeros(G, dt), "zeros"), rb],
                                               axis=0), b.ints([0], "axes")]))
        else:
            ins.append("")
        ins.append("")                                          # sequence_lens
        ins.append(b.op("Unsqueeze", [self.val(h0), b.ints([0], "axes")]))
        attrs = {"hidden_size": H, "direction": "reverse" if reverse else "forward"}
        if lstm:
            ins.append(b.op("Unsqueeze", [self.val(c0), b.ints([0], "axes")]))
            kind, n_out = "LSTM", 3
        elif mode == "GRU":
            kind, n_out = "GRU", 2
            attrs["linear_before_reset"] = 1
        else:
            kind, n_out = "RNN", 2
            attrs["activations"] = ["Relu" if mode == "RNN_RELU" else "Tanh"]
        outs = b.op(kind, ins, n_out=n_out, hint=kind.lower(), **attrs)
        y = b.op("Reshape", [outs[0], b.ints([-1, H])])       # (T, 1, B, H) -> (T*B, H)
        rest_out = [b.op("Squeeze", [o, b.ints([0], "axes")]) for o in outs[1:]]
        return [y] + rest_out
