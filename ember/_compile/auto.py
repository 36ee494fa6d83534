"""Compiling module calls as they happen: ``ember run --compile`` and ``Module.compile()``.

``Module.__call__`` comes here when ``AUTO`` is set or the module carries its own compiled
cache (one list read and one dict lookup otherwise).  A call
made while this thread traces is an ordinary call (it is part of the outer graph).  Any
other call of a module that is auto-compiled, or that ``.compile()`` marked, goes through
that module's own guarded cache: so when a model's forward cannot be captured whole (a graph
break), its submodules are still compiled one by one the next time it runs eagerly.
"""
from .._tensor import TRACERS
from ..autograd.function import active_tracer

AUTO = [False]


def enable_auto_compile():
    from ..optim.optimizer import STEP_RUNNER
    AUTO[0] = True
    STEP_RUNNER[0] = compiled_step


def compiled_step(opt, step):
    """``opt.step()`` under ``ember run --compile``: a compiled function of its own, whose
    generated code is the update (optim_codegen.py), guarded on the optimizer's state."""
    c = opt.__dict__.get("_ember_compiled_step")
    if c is None:
        c = _Compiled(lambda: step(opt), None, False, "inductor", type(opt).__name__ + ".step")
        opt.__dict__["_ember_compiled_step"] = c
    return c()


def _Compiled(*args):
    # NOTE: the compiler loads when something is first compiled, not at ``import ember``.
    from .api import _Compiled as compiled
    return compiled(*args)


def mark_compiled(module, **options):
    """``module.compile(...)``: compile this module's calls in place (PyTorch's API)."""
    c = _Compiled(module._plain_call, module, options.get("fullgraph", False),
                  options.get("backend", "inductor"), type(module).__name__ + ".forward")
    c.signature_of = module.forward
    c.dynamic = options.get("dynamic")
    module.__dict__["_ember_compiled"] = c


def compiled_call(module, args, kwargs):
    if TRACERS and active_tracer() is not None:
        return module._plain_call(*args, **kwargs)
    d = module.__dict__
    c = d.get("_ember_compiled")
    if c is None:
        if not AUTO[0] or type(module).__name__ == "OptimizedModule":
            return module._plain_call(*args, **kwargs)
        c = _Compiled(module._plain_call, module, False, "inductor",
                      type(module).__name__ + ".forward")
        c.signature_of = module.forward
        d["_ember_compiled"] = c
    return c(*args, **kwargs)
