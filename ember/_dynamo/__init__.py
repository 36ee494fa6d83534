"""``torch._dynamo``: reset, explain, config, disable, as PyTorch names them."""
import time
import traceback

from .._compile import config  # noqa: F401  (torch._dynamo.config)
from .._compile.api import ALL_COMPILED, Unsupported, compile as _compile, trace_call
from ..fx.graph_module import CompiledGraphModule
from . import exc  # noqa: F401
from .decorators import mark_dynamic, mark_static, maybe_mark_dynamic  # noqa: F401


def reset():
    """Forget every compiled graph (they are re-traced on their next call)."""
    for c in ALL_COMPILED:
        c.reset()


def disable(fn=None, recursive=True):
    from ..compiler import disable as _disable
    return _disable(fn, recursive=recursive)


def is_compiling():
    from ..compiler import is_compiling as _is
    return _is()


class ExplainOutput:
    """What ``explain`` found: graphs, breaks and their reasons, op counts, compile times."""

    def __init__(self, graphs, break_reasons, compile_time):
        self.graphs = graphs
        self.graph_count = len(graphs)
        self.graph_break_count = len(break_reasons)
        self.break_reasons = break_reasons
        self.ops_per_graph = [[n.target for n in g.graph.nodes if n.op == "call_function"]
                              for g in graphs]
        self.op_count = sum(len(o) for o in self.ops_per_graph)
        self.out_guards = []
        self.compile_times = f"TorchDynamo compilation metrics:\nFunction  Runtimes (s)\n" \
                             f"explain   {compile_time:.4f}"

    def __str__(self):
        lines = [f"Graph Count: {self.graph_count}", f"Graph Break Count: {self.graph_break_count}",
                 f"Op Count: {self.op_count}", "Break Reasons:"]
        for i, b in enumerate(self.break_reasons):
            lines.append(f"  Break Reason {i + 1}:\n    Reason: {b.reason}")
            for fs in b.user_stack:
                lines.append(f"    User Stack:\n      {fs.filename}:{fs.lineno} in {fs.name}")
        lines.append("Ops per Graph:")
        for i, ops in enumerate(self.ops_per_graph):
            lines.append(f"  Ops {i + 1}:")
            lines += [f"    {getattr(o, '__name__', o)}" for o in ops]
        return "\n".join(lines)

    __repr__ = __str__


class _BreakReason:
    def __init__(self, b):
        self.reason = b.reason
        self.user_stack = ([traceback.FrameSummary(b.filename, b.lineno, "<user code>")]
                           if b.filename else [])

    def __repr__(self):
        return f"GraphBreak(reason={self.reason!r}, user_stack={self.user_stack})"


def explain(f, *extra_args, **extra_kwargs):
    """``torch._dynamo.explain(fn)(*args)``: trace ``fn`` once, report graphs and breaks.

    ember captures one graph per call, up to the first break; the code after a break runs
    eagerly (and, in a module, its submodules are compiled separately)."""
    def inner(*args, **kwargs):
        from ..nn.modules.module import Module
        fn, root = f, None
        if isinstance(f, Module):
            fn, root = f._plain_call, f
        elif hasattr(f, "_torchdynamo_orig_callable"):
            fn = f._torchdynamo_orig_callable
        elif hasattr(f, "_orig_mod"):
            fn, root = f._orig_mod._plain_call, f._orig_mod
        t0 = time.perf_counter()
        _, tracer = trace_call(fn, args, kwargs, root, segmented=True)
        graphs = [CompiledGraphModule(graph=g, attrs=a) for g, a in tracer.segments]
        if any(n.op == "call_function" for n in tracer.graph.nodes):
            graphs.append(CompiledGraphModule(graph=tracer.graph, attrs=tracer.attrs))
        return ExplainOutput(graphs, [_BreakReason(b) for b in tracer.breaks],
                             time.perf_counter() - t0)
    if extra_args or extra_kwargs:
        return inner(*extra_args, **extra_kwargs)
    return inner


optimize = _compile
__all__ = ["reset", "explain", "config", "disable", "Unsupported", "optimize", "mark_dynamic",
           "maybe_mark_dynamic", "mark_static"]
