"""torch.jit for scripts that annotate with it: ember runs everything eagerly, so ``script`` and
``trace`` return what they are given (the same results, without TorchScript's compilation);
saving or loading TorchScript archives is not available and says so."""
from typing import Final  # noqa: F401  (torch.jit.Final)


def script(obj=None, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    return func


def trace_module(mod, inputs, *args, **kwargs):
    return mod


def _identity_decorator(fn=None, *args, **kwargs):
    if fn is None or not callable(fn):
        return lambda f: f
    return fn


ignore = unused = export = interface = _identity_decorator


def is_scripting():
    return False


def is_tracing():
    return False


def annotate(the_type, the_value):
    return the_value


def save(m, f, _extra_files=None):
    raise RuntimeError("torch.jit.save is not implemented in ember (no TorchScript); "
                       "save the state_dict with torch.save instead")


def load(f, map_location=None, _extra_files=None):
    raise RuntimeError("torch.jit.load is not implemented in ember (no TorchScript archives)")


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod
