"""``torch.compiler``: reset, disable, is_compiling; and ``code`` to read what was generated."""
import functools

from .._compile import config
from .._compile.api import compiled_code
from .._tensor import TRACERS


def reset():
    """Forget every compiled graph (``torch.compiler.reset()``)."""
    from .._dynamo import reset as _reset
    _reset()


class _Disabled:
    def __enter__(self):
        self._prev = config.DISABLED[0]
        config.DISABLED[0] = True

    def __exit__(self, *exc):
        config.DISABLED[0] = self._prev
        return False


def disable(fn=None, recursive=True, *, reason=None):
    """Run ``fn`` eagerly, never compiled (a decorator, or a context manager without fn)."""
    if fn is None:
        return _Disabled()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _Disabled():
            return fn(*args, **kwargs)
    wrapper._torchdynamo_disable = True
    return wrapper


def is_compiling():
    """True while ember traces the calling thread's program for a graph."""
    from ..autograd.function import active_tracer
    return bool(TRACERS) and active_tracer() is not None


is_dynamo_compiling = is_compiling


def code(compiled):
    """The generated Python (forward; and forward/backward for training) of a compiled
    module or function, as text: ``print(torch.compiler.code(cmodel))``."""
    return compiled_code(compiled)


__all__ = ["reset", "disable", "is_compiling", "code"]
