"""Make ``import torch`` (and every ``torch.x.y``) resolve to ember, for ``ember run``.

A finder on ``sys.meta_path`` answers for the name ``torch`` and everything under it. It
imports the matching ember module (``torch.nn.functional`` -> ``ember.nn.functional``) and
hands that very module object back, so ``torch.nn is ember.nn`` and there is one copy of
every class and global. The module keeps its real ``__spec__`` (the import system overwrites
it with the alias spec while loading; the loader puts it back), so relative imports, pickling
and ``importlib.resources`` inside ember still see ember's own names.

A ``torch.*`` module ember lacks raises ``ModuleNotFoundError("torch.foo.bar is not
implemented in ember")`` instead of silently falling through to an installed PyTorch.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys

from ._missing import torch_name

ALIAS = "torch"
REAL = "ember"


def _real_name(alias_name):
    return REAL + alias_name[len(ALIAS):]


class TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``find_spec`` for ``torch[.x.y]`` with the ember module of the same path."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(REAL + "."):
            return self._find_real(fullname, path)
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real = _real_name(fullname)
        module = sys.modules.get(real)
        if module is None:
            try:
                exists = importlib.util.find_spec(real) is not None
            except ModuleNotFoundError:
                exists = False
            if not exists:
                raise _not_implemented(real)
            module = importlib.import_module(real)
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=hasattr(module, "__path__"))
        spec.loader_state = (module, module.__spec__)
        return spec

    @staticmethod
    def _find_real(fullname, path):
        # `from torch import foo` looks for the submodule `ember.foo` (the module's own
        # __name__), not `torch.foo`. Answer for ember's submodules here too, so a missing one
        # reports what is missing instead of "cannot import name 'foo' from 'ember'".
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None:
            raise _not_implemented(fullname)
        return spec

    def create_module(self, spec):
        return spec.loader_state[0]

    def get_code(self, fullname):
        # runpy (`ember run -m torch.distributed.run ...`) runs the ember module's own code.
        real = _real_name(fullname)
        return importlib.util.find_spec(real).loader.get_code(real)

    def exec_module(self, module):
        real_spec = module.__spec__.loader_state[1] if module.__spec__.loader is self else None
        if real_spec is not None:
            module.__spec__ = real_spec


def _not_implemented(real):
    # name= is the torch name, not the ember module the import system asked for: the
    # from-import machinery would otherwise swallow this error and print a vaguer one.
    public = torch_name(real)
    return ModuleNotFoundError(f"{public} is not implemented in ember", name=public)


_FINDER = TorchAliasFinder()


def install():
    """Put the alias finder first on sys.meta_path (idempotent); drop a torch imported before."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        if not getattr(sys.modules[name], "__name__", "").startswith(REAL):
            del sys.modules[name]
    _follow_spawned_children()
    return _FINDER


class _InstallInChild:
    """Unpickled first thing in a spawned child: the alias is in place before the child
    re-imports the main script (whose `import torch` must resolve to ember there too)."""

    def __reduce__(self):
        return (install, ())


def _follow_spawned_children():
    # NOTE: fork children inherit the finder; "spawn"/"forkserver" children (mp.spawn) start a
    # fresh interpreter, which unpickles this preparation data before it imports __main__.
    import multiprocessing.spawn as mp_spawn
    if getattr(mp_spawn.get_preparation_data, "_ember", False):
        return
    original = mp_spawn.get_preparation_data

    def get_preparation_data(name):
        data = original(name)
        data["ember_torch_alias"] = _InstallInChild()
        return data
    get_preparation_data._ember = original
    mp_spawn.get_preparation_data = get_preparation_data


def uninstall():
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    import multiprocessing.spawn as mp_spawn
    original = getattr(mp_spawn.get_preparation_data, "_ember", None)
    if original is not None:
        mp_spawn.get_preparation_data = original
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        del sys.modules[name]


def _set_path0(folder):
    # `python script.py` puts the script's folder first and not the current one; the CLI's
    # own sys.path[0] (the folder of the `ember` launcher, or the cwd under `python -m ember`)
    # is replaced so that the script sees the same path as under plain Python.
    if sys.path and not sys.flags.safe_path:
        sys.path[0] = folder
    else:
        sys.path.insert(0, folder)


def run_script(path, args=()):
    """Run ``path`` as ``__main__`` with ``sys.argv = [path, *args]``, as ``python path`` would."""
    install()
    sys.argv = [path, *args]
    _set_path0(os.path.dirname(os.path.abspath(path)))
    runpy.run_path(path, run_name="__main__")


def run_module(name, args=()):
    """Run module ``name`` as ``__main__``, as ``python -m name`` would (cwd on sys.path)."""
    install()
    sys.argv = [name, *args]          # runpy replaces argv[0] with the module's file
    _set_path0(os.getcwd())
    runpy.run_module(name, run_name="__main__", alter_sys=True)
