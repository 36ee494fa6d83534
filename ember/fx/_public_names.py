"""The user-facing names of ember's functions (``torch.relu``, ``torch.nn.functional.relu``).

Symbolic tracing patches these namespaces while it runs (ember/fx/_symbolic_trace.py), and
generated code and printed graphs call a function by the name a user would write.
"""
import math
import sys
import types

# (module, the name users write for it); the optional ones only while they are loaded, so
# that tracing never imports SciPy's FFT or the linear-algebra layer on its own.
_NAMESPACES = (("ember", "torch"), ("ember.nn.functional", "torch.nn.functional"))
_OPTIONAL = (("ember.special", "torch.special"), ("ember.linalg", "torch.linalg"),
             ("ember.fft", "torch.fft"))
_FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType)

_cache = {"key": None, "names": {}}


def namespaces():
    """[(module, public prefix)] of the ember namespaces loaded now, ``math`` last."""
    found = [(sys.modules[m], p) for m, p in _NAMESPACES if m in sys.modules]
    found += [(sys.modules[m], p) for m, p in _OPTIONAL if m in sys.modules]
    return found + [(math, "math")]


def public_functions(module):
    """{attribute name: function} of a namespace's public functions, seen through any wrapper
    an active trace put there."""
    out = {}
    for name, value in list(vars(module).items()):
        if name.startswith("_"):
            continue
        value = getattr(value, "_fx_original", value)
        if isinstance(value, _FUNCTION_TYPES):
            out[name] = value
    return out


def public_name(fn):
    """``"torch.relu"`` for ember.relu (a function's own name first among its aliases), or None."""
    spaces = namespaces()
    key = tuple(id(m) for m, _ in spaces)
    if _cache["key"] != key:
        names = {}
        for module, prefix in spaces:
            for name, f in public_functions(module).items():
                best = names.get(id(f))
                if best is None or (best[1].rsplit(".", 1)[-1] != f.__name__ and name == f.__name__):
                    names[id(f)] = (f, f"{prefix}.{name}")      # keeps f alive: ids stay unique
        _cache["key"], _cache["names"] = key, names
    hit = _cache["names"].get(id(fn))
    return hit[1] if hit is not None and hit[0] is fn else None
