"""Clear errors for the parts of PyTorch's API that ember does not have.

``install(__name__)`` at the end of a package's ``__init__`` gives the module a module-level
``__getattr__`` (PEP 562) that runs only when normal lookup fails. It first imports a
submodule of that name if one exists (``torch.distributions`` without an explicit import),
and otherwise raises ``AttributeError("torch.nn.XYZ is not implemented in ember")`` rather
than Python's generic message, so a user knows the gap is ember's, not a typo of theirs.
"""
import importlib
import importlib.util
import sys


def torch_name(module_name):
    """``ember.nn.functional`` -> ``torch.nn.functional`` (the name the user typed)."""
    if module_name == "ember" or module_name.startswith("ember."):
        return "torch" + module_name[len("ember"):]
    return module_name


def install(module_name, lazy=None):
    """``lazy``: {attribute: module that defines it}, imported on first lookup (kept out of
    ``import ember``'s time)."""
    module = sys.modules[module_name]
    public = torch_name(module_name)
    lazy = lazy or {}

    def __getattr__(name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}",
                                 name=name, obj=module)
        if name in lazy:
            value = getattr(importlib.import_module(lazy[name]), name)
            setattr(module, name, value)
            return value
        if hasattr(module, "__path__"):     # a package: maybe a submodule not imported yet
            full = f"{module_name}.{name}"
            try:
                found = importlib.util.find_spec(full) is not None
            except (ImportError, ValueError):
                found = False
            if found:
                return importlib.import_module(full)
        raise AttributeError(f"{public}.{name} is not implemented in ember",
                             name=name, obj=module)

    module.__getattr__ = __getattr__
    return __getattr__
