"""``torch.fx.symbolic_trace``: trace a module or function with Proxies, no example inputs.

Each argument of ``forward`` becomes a placeholder Proxy and the forward runs once.  Operators
and methods on a Proxy record themselves (ember/fx/proxy.py).  Calls of ember's functions and
of modules are recorded by patching, only while the trace runs:

- the public functions of ``ember``, ``ember.nn.functional`` (and ``ember.special``,
  ``ember.linalg``, ``ember.fft`` when loaded) and ``math`` are replaced by wrappers that record
  a ``call_function`` node when an argument is a Proxy and otherwise call the original;
  names bound to them in the globals of each traced ``forward`` are replaced too;
- ``Module.__call__`` records a ``call_module`` node for a leaf module and runs the forward of
  any other; ``Module.__getattr__`` hands out a ``get_attr`` Proxy for a parameter;
- ``Tensor``'s binary operators step aside (NotImplemented) for a Proxy operand, so that
  ``tensor + proxy`` reaches ``Proxy.__radd__``.

NOTE: patching rather than a check inside ``Function.apply`` keeps eager ember free of any
per-op cost for a feature that runs once per model; everything is put back in ``finally``.
"""
import builtins
import functools
import inspect
import math
import operator
import sys
import types

from .._tensor import Tensor
from ..nn.modules.container import ModuleDict, ModuleList, Sequential
from ..nn.modules.module import Module
from ..nn.parameter import Parameter
from ._public_names import namespaces, public_functions
from .graph import Graph
from .proxy import (
    _CONTROL_FLOW,
    _ITERATION,
    Attribute,
    ParameterProxy,
    Proxy,
    TraceError,
)

__all__ = ["Tracer", "symbolic_trace", "wrap"]

# (globals dict, name) of every function marked with torch.fx.wrap
_WRAPPED = []
# ember functions a forward can read or branch on without recording (they describe, not compute)
_NOT_RECORDED = frozenset({"is_tensor", "is_storage", "is_grad_enabled", "get_default_dtype",
                           "set_default_dtype", "manual_seed", "seed", "initial_seed", "compile",
                           "save", "load", "set_grad_enabled", "is_inference_mode_enabled"})
_TENSOR_OPERATORS = tuple(f"__{p}{op}__" for op in (
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
    "lshift", "rshift") for p in ("", "r", "i")) + tuple(
    f"__{op}__" for op in ("eq", "ne", "lt", "le", "gt", "ge"))


def _assert(condition, message):
    """What a concrete argument's check runs (``torch._assert``'s job)."""
    if not condition:
        raise AssertionError(message)


def _assert_is_none(value, message):
    if value is not None:
        raise AssertionError(message)


def _find_proxy(x):
    if isinstance(x, Proxy):
        return x
    if isinstance(x, (tuple, list)):
        for a in x:
            p = _find_proxy(a)
            if p is not None:
                return p
    elif isinstance(x, dict):
        for a in x.values():
            p = _find_proxy(a)
            if p is not None:
                return p
    return None


def _recording(fn):
    """``fn``, recorded as a call_function node when any argument is (or holds) a Proxy."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        proxy = _find_proxy(args)
        if proxy is None:
            proxy = _find_proxy(kwargs)
        if proxy is None:
            return fn(*args, **kwargs)
        return proxy.tracer.create_proxy("call_function", fn, args, kwargs)
    wrapper._fx_original = fn
    return wrapper


def _steps_aside(method):
    @functools.wraps(method)
    def operator_method(self, other, *rest):
        if isinstance(other, Proxy):
            return NotImplemented
        return method(self, other, *rest)
    return operator_method


class _Patches:
    """Everything a trace replaces, undone in reverse order (``restore``)."""
    _MISSING = object()

    def __init__(self):
        self._undo = []
        self._seen_globals = set()
        self.recorders = {}             # id(original) -> (original, wrapper)

    def set(self, obj, name, value):
        old = vars(obj).get(name, self._MISSING)
        self._undo.append((obj, name, old))
        setattr(obj, name, value)

    def set_global(self, g, name, value):
        self._undo.append((g, name, g.get(name, self._MISSING)))
        g[name] = value

    def restore(self):
        while self._undo:
            obj, name, old = self._undo.pop()
            if isinstance(obj, dict):
                if old is self._MISSING:
                    obj.pop(name, None)
                else:
                    obj[name] = old
            elif old is self._MISSING:
                delattr(obj, name)
            else:
                setattr(obj, name, old)

    def recorder(self, fn):
        hit = self.recorders.get(id(fn))
        if hit is None:
            hit = self.recorders[id(fn)] = (fn, _recording(fn))
        return hit[1]

    def patch_namespaces(self):
        for module, _prefix in namespaces():
            for name, fn in public_functions(module).items():
                if name not in _NOT_RECORDED:
                    self.set(module, name, self.recorder(fn))

    def patch_globals(self, g, extra_ids=()):
        """Names in a traced forward's globals bound to a recorded function (``from torch
        import relu``, ``from math import sqrt``) record too."""
        if id(g) in self._seen_globals:
            return
        self._seen_globals.add(id(g))
        for name, value in list(g.items()):
            hit = self.recorders.get(id(value))
            if hit is not None and hit[0] is value:
                self.set_global(g, name, hit[1])
            elif id(value) in extra_ids:
                self.set_global(g, name, self.recorder(value))

    def patch_wrapped(self):
        for g, name in _WRAPPED:
            fn = g.get(name, getattr(builtins, name, None))
            if fn is not None and not hasattr(fn, "_fx_original"):
                self.set_global(g, name, self.recorder(fn))

    def patch_tensor_operators(self):
        for name in _TENSOR_OPERATORS:
            method = getattr(Tensor, name, None)
            if method is not None and method is not getattr(object, name, None):
                self.set(Tensor, name, _steps_aside(method))


class Tracer:
    """Records a module's (or function's) forward as a Graph; subclass it to choose the leaf
    modules (``is_leaf_module``) or to change how nodes are made (``create_node``,
    ``create_proxy``, ``call_module``, ``getattr``).

    >>> graph = Tracer().trace(model)          # then GraphModule(model, graph)
    """

    def __init__(self, autowrap_modules=(math,), autowrap_functions=(),
                 param_shapes_constant=False):
        self.autowrap_modules = tuple(autowrap_modules)
        self.autowrap_functions = tuple(autowrap_functions)
        self.param_shapes_constant = param_shapes_constant
        self.graph = None
        self.root = None
        self._module_paths = {}
        self._tensor_paths = {}
        self._param_paths = {}
        self._constants = 0

    # --- making nodes ------------------------------------------------------------------------
    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        return self.graph.create_node(kind, target, args, kwargs, name=name, type_expr=type_expr)

    def proxy(self, node):
        return Proxy(node, self)

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None,
                     proxy_factory_fn=None):
        node = self.create_node(kind, target, self.create_arg(args), self.create_arg(kwargs),
                                name, type_expr)
        return self.proxy(node) if proxy_factory_fn is None else proxy_factory_fn(node)

    def create_arg(self, a):
        """A graph argument for ``a``: Proxies become their nodes, containers are mapped,
        the root's tensors become ``get_attr`` nodes and other tensors constants on the root."""
        if isinstance(a, Proxy):
            return a.node
        if isinstance(a, tuple):
            items = [self.create_arg(x) for x in a]
            return type(a)(*items) if hasattr(a, "_fields") else tuple(items)
        if isinstance(a, list):
            return [self.create_arg(x) for x in a]
        if isinstance(a, dict):
            out = {}
            for k, v in a.items():
                if isinstance(k, Proxy):
                    raise TraceError("a traced value cannot be a dict key")
                out[k] = self.create_arg(v)
            return out
        if isinstance(a, slice):
            return slice(self.create_arg(a.start), self.create_arg(a.stop), self.create_arg(a.step))
        if isinstance(a, Tensor):
            path = self._tensor_paths.get(id(a))
            if path is None or path[0] is not a:
                name = f"_tensor_constant{self._constants}"
                while hasattr(self.root, name):         # left by an earlier trace of this root
                    self._constants += 1
                    name = f"_tensor_constant{self._constants}"
                self._constants += 1
                setattr(self.root, name, a)
                self._tensor_paths[id(a)] = path = (a, name)
            return self.create_node("get_attr", path[1], (), {})
        if isinstance(a, Module):
            raise TraceError(f"a module ({type(a).__name__}) cannot be an argument of a traced "
                             "call; call it instead")
        return a

    # --- what Python must decide now ---------------------------------------------------------
    def to_bool(self, obj):
        raise TraceError(_CONTROL_FLOW)

    def iter(self, obj):
        raise TraceError(_ITERATION)

    def keys(self, obj):
        return Attribute(obj, "keys")()

    # --- modules and attributes ----------------------------------------------------------------
    def is_leaf_module(self, m, module_qualified_name):
        """ember's own nn modules are leaves (one call_module node); containers and user
        modules are traced through."""
        return (type(m).__module__.startswith("ember.nn")
                and not isinstance(m, (Sequential, ModuleList, ModuleDict)))

    def path_of_module(self, mod):
        hit = self._module_paths.get(id(mod))
        if hit is None or hit[0] is not mod:
            raise NameError(f"module {type(mod).__name__} is not installed as a submodule")
        return hit[1]

    def call_module(self, m, forward, args, kwargs):
        qualname = self.path_of_module(m)
        if not self.is_leaf_module(m, qualname):
            return forward(*args, **kwargs)
        return self.create_proxy("call_module", qualname, args, kwargs)

    def getattr(self, attr, attr_val, parameter_proxy_cache):
        if isinstance(attr_val, Parameter):
            hit = self._param_paths.get(id(attr_val))
            if hit is not None and hit[0] is attr_val:
                name = hit[1]
                if name not in parameter_proxy_cache:
                    factory = None
                    if self.param_shapes_constant:
                        def factory(node):
                            return ParameterProxy(self, node, name, attr_val)
                    parameter_proxy_cache[name] = self.create_proxy(
                        "get_attr", name, (), {}, proxy_factory_fn=factory)
                return parameter_proxy_cache[name]
        return attr_val

    # --- the trace ---------------------------------------------------------------------------
    def trace(self, root, concrete_args=None):
        """Run ``root``'s forward (or ``root`` itself) on Proxies; returns the Graph."""
        if isinstance(root, Module):
            self.root, fn, bound = root, type(root).forward, True
        elif isinstance(root, types.FunctionType):
            self.root, fn, bound = Module(), root, False
        else:
            raise TypeError(f"symbolic_trace expects an nn.Module or a Python function, got "
                            f"{type(root).__name__}")
        concrete_args = dict(concrete_args or {})
        self.graph = Graph(tracer_cls=type(self))
        self.graph._reserve_builtins()
        self._index_root()
        patches = _Patches()
        try:
            self._install(patches)
            patches.patch_globals(fn.__globals__, self._autowrap_ids())
            args = self._placeholders(fn, bound, concrete_args)
            result = self._callable_with_plain_args(fn)(*args)
            self.create_node("output", "output", (self.create_arg(result),), {},
                             type_expr=fn.__annotations__.get("return"))
        finally:
            patches.restore()
        return self.graph

    def _index_root(self):
        root = self.root
        self._module_paths = {id(m): (m, name) for name, m in root.named_modules()}
        self._param_paths = {id(p): (p, name) for name, p in root.named_parameters()}
        tensors = dict(self._param_paths)
        for name, b in root.named_buffers():
            tensors.setdefault(id(b), (b, name))
        for mod_name, m in root.named_modules():
            for k, v in vars(m).items():
                if isinstance(v, Tensor):
                    tensors.setdefault(id(v), (v, f"{mod_name}.{k}" if mod_name else k))
        self._tensor_paths = tensors

    def _autowrap_ids(self):
        ids = {id(f) for f in self.autowrap_functions}
        for module in self.autowrap_modules:
            ids |= {id(f) for f in public_functions(module).values()}
        return ids

    def _install(self, patches):
        patches.patch_namespaces()
        for module in self.autowrap_modules:
            if module is not math:                      # math is one of the namespaces
                for name, fn in public_functions(module).items():
                    patches.set(module, name, patches.recorder(fn))
        patches.patch_wrapped()
        patches.patch_tensor_operators()
        tracer, original_getattr, cache = self, Module.__getattr__, {}
        extra = self._autowrap_ids()

        def module_call(mod, *args, **kwargs):
            def forward(*a, **k):
                f = getattr(type(mod), "forward", None)
                if isinstance(f, types.FunctionType):
                    patches.patch_globals(f.__globals__, extra)
                return mod._plain_call(*a, **k)
            return tracer.call_module(mod, forward, args, kwargs)

        def module_getattr(mod, name):
            return tracer.getattr(name, original_getattr(mod, name), cache)

        patches.set(Module, "__call__", module_call)
        patches.set(Module, "__getattr__", module_getattr)

    def _placeholders(self, fn, bound, concrete_args):
        params = list(inspect.signature(fn).parameters.values())
        if bound:
            params = params[1:]
        unknown = set(concrete_args) - {p.name for p in params}
        if unknown:
            raise TypeError(f"concrete_args names {sorted(unknown)}, which "
                            f"{fn.__qualname__}() does not take")
        values, checks = [], []
        for p in params:
            target = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name
            if p.name in concrete_args:
                value = concrete_args[p.name]
                node = self.graph.placeholder(target, default_value=value)
                checks.append((node, p.name, value))
            else:
                node = self.create_node("placeholder", target, () if p.default is p.empty
                                        else (p.default,), {},
                                        name="_" + p.name if target[0] == "*" else p.name,
                                        type_expr=(
                                            None if p.annotation is p.empty else p.annotation))
                value = self.proxy(node)
            values.append((p.kind, value))
        for check in checks:
            self._check_concrete(*check)
        # the code object's order: positional, keyword-only, *args, **kwargs
        order = {inspect.Parameter.KEYWORD_ONLY: 1, inspect.Parameter.VAR_POSITIONAL: 2,
                 inspect.Parameter.VAR_KEYWORD: 3}
        values.sort(key=lambda kv: order.get(kv[0], 0))
        return ([self.root] if bound else []) + [v for _, v in values]

    def _check_concrete(self, node, name, value):
        msg = f"{name} has been specialized to have value {value} but got another value"
        if value is None:
            self.create_node("call_function", _assert_is_none, (node, msg), {})
        elif isinstance(value, (bool, int, float, str)):
            eq = self.create_node("call_function", operator.eq, (node, value), {})
            self.create_node("call_function", _assert, (eq, msg), {})

    @staticmethod
    def _callable_with_plain_args(fn):
        """``fn`` with its ``*args``/``**kwargs``/keyword-only parameters turned into plain
        positional ones, so each gets one Proxy (iterating a Proxy is not possible)."""
        code = fn.__code__
        varargs = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS
        if not (code.co_flags & varargs) and not code.co_kwonlyargcount:
            return fn
        n_star = bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
        plain = code.replace(co_flags=code.co_flags & ~varargs,
                             co_argcount=code.co_argcount + code.co_kwonlyargcount + n_star,
                             co_kwonlyargcount=0)
        return types.FunctionType(plain, fn.__globals__, fn.__name__, None, fn.__closure__)


def symbolic_trace(root, concrete_args=None):
    """Trace ``root`` (an nn.Module or a function) into a GraphModule, without inputs.

    >>> gm = torch.fx.symbolic_trace(model); print(gm.code); gm(x)
    """
    from .graph_module import GraphModule
    tracer = Tracer()
    graph = tracer.trace(root, concrete_args)
    name = type(root).__name__ if isinstance(root, Module) else root.__name__
    return GraphModule(tracer.root, graph, name)


def wrap(fn_or_name):
    """Record calls of a module-level function (or a builtin such as ``len``) as one
    call_function node instead of tracing into it; call it at the top level of a module.

    >>> torch.fx.wrap("len")            # or, as a decorator: @torch.fx.wrap
    """
    if callable(fn_or_name):
        name = fn_or_name.__name__
    elif isinstance(fn_or_name, str):
        name = fn_or_name
    else:
        raise TypeError("torch.fx.wrap expects a function or the name of a function, got "
                        f"{type(fn_or_name).__name__}")
    frame = sys._getframe(1)
    if frame.f_code.co_name != "<module>":
        raise NotImplementedError("wrap must be called at the top level of a module")
    _WRAPPED.append((frame.f_globals, name))
    return fn_or_name
