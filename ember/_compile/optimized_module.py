"""``OptimizedModule``: what ``torch.compile(model)`` returns, as in PyTorch.

It is an ``nn.Module`` wrapping the original as ``_orig_mod`` (so ``state_dict`` keys carry
PyTorch's ``_orig_mod.`` prefix), forwards attribute access to it, and calls the compiled
forward.  The guards cover the whole module tree, so ``model.eval()``, a new parameter or a
hook on any submodule makes the next call re-specialise.
"""
from ..nn.modules.module import Module
from .api import _Compiled


class OptimizedModule(Module):
    def __init__(self, mod, fullgraph=False, backend="inductor", dynamic=None):
        super().__init__()
        self._orig_mod = mod
        d = self.__dict__
        d["dynamic"] = dynamic
        d["_options"] = (fullgraph, backend)
        self._make_cache()

    def _make_cache(self):
        mod = self._modules["_orig_mod"]
        fullgraph, backend = self.__dict__["_options"]
        c = _Compiled(mod._plain_call, mod, fullgraph, backend, type(mod).__name__ + ".forward")
        c.signature_of = mod.forward
        c.dynamic = self.__dict__["dynamic"]
        self.__dict__["_ember_compiled"] = c

    def __setstate__(self, state):
        super().__setstate__(state)
        self._make_cache()

    def __call__(self, *args, **kwargs):
        return self.__dict__["_ember_compiled"](*args, **kwargs)

    def forward(self, *args, **kwargs):
        return self.__dict__["_ember_compiled"](*args, **kwargs)

    def __getattr__(self, name):
        if name == "_orig_mod":
            return self._modules["_orig_mod"]
        return getattr(self._modules["_orig_mod"], name)

    def __repr__(self):
        return f"OptimizedModule(\n  (_orig_mod): {repr(self._orig_mod).replace(chr(10), chr(10) + '  ')}\n)"
