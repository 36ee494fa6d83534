"""``torch.fx.Proxy``: a stand-in value that records what is done to it as graph nodes.

Operators record ``call_function`` on ``operator.add`` and friends, a method call records
``call_method``, a plain attribute (``x.shape``) records ``getattr``.  What Python must decide
there and then (``if``, ``bool``, ``len``, a ``for`` loop) cannot be recorded: it raises
``TraceError``, as fx does.
"""
import dis
import operator
import sys
from bisect import bisect_left

__all__ = ["Attribute", "ParameterProxy", "Proxy", "TraceError"]


class TraceError(ValueError):
    """Symbolic tracing met something it cannot record (Python control flow on a Proxy)."""


class _LenTraceError(TraceError, RuntimeError):
    # NOTE: PyTorch raises a plain RuntimeError for len(proxy); this one is both, so code that
    # catches either PyTorch's type or TraceError sees it.
    pass


_CONTROL_FLOW = "symbolically traced variables cannot be used as inputs to control flow"
_ITERATION = ("Proxy object cannot be iterated. This can be attempted when the Proxy is used in "
              "a loop or as a *args or **kwargs function argument. See the torch.fx docs on "
              "pytorch.org for a more detailed explanation of what types of control flow can be "
              "traced, and check out the Proxy docstring for help troubleshooting Proxy "
              "iteration errors")
_LEN = ("'len' is not supported in symbolic tracing by default. If you want this call to be "
        "recorded, please call torch.fx.wrap('len') at module scope")
_UNRECORDED = ("an ember function was called on a torch.fx Proxy ({}) without being recorded: "
               "it was most likely bound to a name before the trace (e.g. `from torch import "
               "relu` inside a helper module that symbolic_trace did not patch). Call it through "
               "its namespace (torch.relu, F.relu) or mark the calling function with torch.fx.wrap")


class Proxy:
    """A traced value: ``proxy.node`` is the Node that computes it, ``proxy.tracer`` records."""

    def __init__(self, node, tracer=None):
        self.node = node
        self.tracer = tracer if tracer is not None else _GraphAppendingTracer(node.graph)

    def __repr__(self):
        return f"Proxy({self.node.name})"

    __hash__ = object.__hash__

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)      # copy/pickle/NumPy protocol probes are not attributes
        if name == "_data":                 # what ember's dispatch point reads from a Tensor
            raise TraceError(_UNRECORDED.format(self.node.name))
        return Attribute(self, name)

    def __array__(self, *args, **kwargs):
        raise TraceError(_UNRECORDED.format(self.node.name))

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy("call_method", "__call__", (self,) + args, kwargs)

    def __deepcopy__(self, memo):
        raise TraceError(f"cannot deepcopy the traced value {self.node.name}")

    # --- what Python needs an answer for now -----------------------------------------------
    def __bool__(self):
        return self.tracer.to_bool(self)

    def __len__(self):
        raise _LenTraceError(_LEN)

    def __iter__(self):
        # `a, b = proxy` unpacks a known count: record one getitem per value, as fx does.
        frame = sys._getframe(1)
        code = frame.f_code
        insts = list(dis.get_instructions(code))
        i = bisect_left([ins.offset for ins in insts], frame.f_lasti)
        if i < len(insts) and insts[i].opname == "UNPACK_SEQUENCE":
            return (self[k] for k in range(insts[i].argval))
        return self.tracer.iter(self)

    def keys(self):
        return self.tracer.keys(self)


class Attribute(Proxy):
    """``proxy.name``: becomes ``call_method`` when called, otherwise a ``getattr`` node, which
    is made only once something uses it."""

    def __init__(self, root, attr):
        self.root, self.attr, self.tracer = root, attr, root.tracer
        self._node = None

    @property
    def node(self):
        if self._node is None:
            self._node = self.tracer.create_proxy("call_function", getattr,
                                                  (self.root, self.attr), {}).node
        return self._node

    def __repr__(self):
        return f"Attribute({self.root!r}.{self.attr})"

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy("call_method", self.attr, (self.root,) + args, kwargs)


class ParameterProxy(Proxy):
    """A parameter's Proxy under ``Tracer(param_shapes_constant=True)``: its shape, size and
    dim are the parameter's own, plain values, so code branching on them traces."""

    def __init__(self, tracer, node, name, param):
        super().__init__(node, tracer)
        self.name, self.param = name, param

    def __repr__(self):
        return f"ParameterProxy({self.name})"

    @property
    def shape(self):
        return self.param.shape

    @property
    def ndim(self):
        return self.param.ndim

    def size(self, dim=None):
        return self.param.size() if dim is None else self.param.size(dim)

    def dim(self):
        return self.param.dim()

    def numel(self):
        return self.param.numel()

    nelement = numel


class _GraphAppendingTracer:
    """What a Proxy made on a bare Graph records with (no module, no patching)."""

    def __init__(self, graph):
        from ._symbolic_trace import Tracer
        self._tracer = Tracer()
        self._tracer.graph = graph

    def __getattr__(self, name):
        return getattr(self._tracer, name)


# --- operators ------------------------------------------------------------------------------
_BINARY = ("add", "sub", "mul", "floordiv", "truediv", "mod", "pow", "lshift", "rshift",
           "and_", "or_", "xor", "matmul")
_COMPARE = ("eq", "ne", "lt", "gt", "le", "ge")
_UNARY = ("neg", "pos", "invert", "abs")


def _magic(op):
    def method(self, *args):
        return self.tracer.create_proxy("call_function", op, (self,) + args, {})
    return method


def _reflected(op):
    def method(self, other):
        return self.tracer.create_proxy("call_function", op, (other, self), {})
    return method


for _name in _BINARY + _COMPARE + _UNARY + ("getitem",):
    _op = getattr(operator, _name)
    setattr(Proxy, f"__{_name.rstrip('_')}__", _magic(_op))
for _name in _BINARY:
    setattr(Proxy, f"__r{_name.rstrip('_')}__", _reflected(getattr(operator, _name)))
