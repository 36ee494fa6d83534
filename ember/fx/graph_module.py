"""``GraphModule``: an nn.Module that runs a Graph as the Python it generates (torch.fx's).

``CompiledGraphModule`` is the compiler's view of one of its own graphs (explain()'s graphs,
an exported program's ``graph_module``): those run on arrays through the compiler's runtime.
"""
import copy
import itertools
import linecache

from .._tensor import Tensor
from ..nn.modules.module import Module
from ..nn.parameter import Parameter
from .graph import Graph

__all__ = ["CompiledGraphModule", "GraphModule"]

_source_ids = itertools.count()


def _compile_forward(src, globals_):
    # A file name linecache knows, so tracebacks through generated code show its lines.
    filename = f"<eval_with_key>.{next(_source_ids)}"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    namespace = dict(globals_)
    exec(compile(src, filename, "exec"), namespace)  # noqa: S102  (our own generated code)
    return namespace["forward"]


def _copy_attr(from_module, to_module, target):
    """Put ``from_module``'s ``target`` (a dotted path) at the same path of ``to_module``."""
    *prefix, field = target.split(".")
    for item in prefix:
        f = getattr(from_module, item)
        t = getattr(to_module, item, None)
        if f is t:
            return
        if t is None:
            t = Module()
            setattr(to_module, item, t)
        from_module, to_module = f, t
    orig = getattr(from_module, field)
    if isinstance(orig, Tensor) and not isinstance(orig, Parameter):
        non_persistent = getattr(from_module, "_non_persistent_buffers_set", ())
        to_module.register_buffer(field, orig, persistent=field not in non_persistent)
    else:
        setattr(to_module, field, orig)


def _assign_attr(value, to_module, target):
    *prefix, field = target.split(".")
    for item in prefix:
        t = getattr(to_module, item, None)
        if t is None:
            t = Module()
            setattr(to_module, item, t)
        to_module = t
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        to_module.register_buffer(field, value)
    else:
        setattr(to_module, field, value)


class GraphModule(Module):
    """A Module built from a Graph: it owns the parts of ``root`` the graph uses (same qualified
    names) and its ``forward`` is the Python the graph generates (``.code``).

    >>> gm = GraphModule(model, graph); gm(x); print(gm.code)
    """

    def __new__(cls, *args, **kwargs):
        # NOTE: each instance gets its own class, so recompile() can set `forward` as a method
        # of this one GraphModule only (fx does the same).
        own = cls if cls.__dict__.get("_one_instance", False) else type(
            cls.__name__, (cls,), {"_one_instance": True})
        return super().__new__(own)

    def __init__(self, root, graph, class_name="GraphModule"):
        super().__init__()
        type(self).__name__ = type(self).__qualname__ = class_name
        if isinstance(root, Module):
            if hasattr(root, "training"):
                self.training = root.training
            for node in graph.nodes:
                if node.op in ("get_attr", "call_module"):
                    _copy_attr(root, self, node.target)
        elif isinstance(root, dict):
            for node in graph.nodes:
                if node.op in ("get_attr", "call_module"):
                    if node.target not in root:
                        raise RuntimeError(f"Node {node} referenced target {node.target} but "
                                           "that target was not provided in ``root``!")
                    _assign_attr(root[node.target], self, node.target)
        else:
            raise RuntimeError(f"Unsupported type {type(root).__name__} passed for root!")  # noqa: TRY004  (PyTorch's type)
        self.meta = {}
        self.graph = graph

    # --- the graph and its code --------------------------------------------------------------
    @property
    def graph(self):
        return self._graph

    @graph.setter
    def graph(self, g):
        if not isinstance(g, Graph):
            raise TypeError(f"GraphModule.graph must be an ember.fx Graph, got {type(g).__name__}")
        self._graph = g
        g.owning_module = self
        self.recompile()

    @property
    def code(self):
        return self._code

    def recompile(self):
        """Regenerate ``forward`` from the (edited) graph; returns the PythonCode."""
        python_code = self._graph.python_code(root_module="self")
        self._code = python_code.src
        type(self).forward = _compile_forward(python_code.src, python_code.globals)
        return python_code

    def print_readable(self, print_output=True, include_stride=False, include_device=False,
                       colored=False):
        body = "".join(f"    {line}\n" if line else "\n" for line in self._code.splitlines())
        text = f"class {type(self).__name__}(torch.nn.Module):\n{body}"
        if print_output:
            print(text)
        return text

    def __str__(self):
        return f"{super().__repr__()}\n\n\n\n{self._code}"

    # --- submodules --------------------------------------------------------------------------
    def add_submodule(self, target, m):
        """Install ``m`` at ``target`` (a dotted path), making empty parents as needed."""
        *prefix, field = target.split(".")
        mod = self
        for item in prefix:
            sub = getattr(mod, item, None)
            if sub is None:
                sub = Module()
                mod.add_module(item, sub)
            if not isinstance(sub, Module):
                return False
            mod = sub
        mod.add_module(field, m)
        return True

    def delete_submodule(self, target):
        *prefix, field = target.split(".")
        mod = self
        for item in prefix:
            if not hasattr(mod, item):
                return False
            mod = getattr(mod, item)
        if not hasattr(mod, field) or not isinstance(getattr(mod, field), Module):
            return False
        delattr(mod, field)
        return True

    def delete_all_unused_submodules(self):
        used = set()
        for node in self._graph.nodes:
            if node.op in ("call_module", "get_attr"):
                atoms = node.target.split(".")
                used.update(".".join(atoms[:i]) for i in range(1, len(atoms) + 1))
        for name, _ in reversed(list(self.named_modules())):
            if name and name not in used:
                self.delete_submodule(name)

    # --- copies --------------------------------------------------------------------------------
    def __deepcopy__(self, memo):
        base = type(self).__mro__[1]            # the class this instance's own class derives from
        new = Module.__new__(type(base.__name__, (base,), {"_one_instance": True}))
        type(new).__name__ = type(new).__qualname__ = type(self).__name__
        memo[id(self)] = new
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        new._graph.owning_module = new
        new.recompile()
        return new

    def __copy__(self):
        return GraphModule(self, self._graph, type(self).__name__)


class CompiledGraphModule:
    """Runs a compiled graph on tensors; ``.graph`` is the IR, ``.code`` the generated Python.

    A CompiledGraphModule made from a bare graph (a segment before a graph break, as explain()
    reports it) compiles on first use."""

    def __init__(self, compiled=None, graph=None, attrs=None):
        self._compiled = compiled
        self.graph = compiled.graph if compiled is not None else graph
        self._attrs = attrs or {}

    def _get(self):
        if self._compiled is None:
            from .._compile.runtime import CompiledGraph
            self._compiled = CompiledGraph(self.graph, self._attrs, (), "graph_module")
        return self._compiled

    @property
    def code(self):
        return self._get().code

    def __call__(self, *tensors):
        return self._get()(list(tensors))

    forward = __call__

    def print_readable(self, print_output=True):
        if print_output:
            print(self.code)
        return self.code

    def __repr__(self):
        return f"GraphModule()\n\n{self.code}"
