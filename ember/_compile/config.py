"""Compiler settings (``torch._dynamo.config``) and switches (``torch.compiler.disable``).

``recompile_limit`` and ``cache_size_limit`` are one setting under two names, as in PyTorch.
"""
import sys
import types

cache_size_limit = 8      # specialisations per compiled callable before it stays eager
accumulated_cache_size_limit = 256
suppress_errors = False
verbose = False
LOGS = set()               # extra log kinds, as TORCH_LOGS names them (torch._logging.set_logs)
DISABLED = [False]         # inside torch.compiler.disable: run everything eagerly
SUPPRESS_CODEGEN = [False]
# dynamic=None: a dimension whose size changes between calls becomes symbolic (one graph for
# its sizes, see dynamic.py); False: one graph per shape unless torch._dynamo.mark_dynamic
automatic_dynamic_shapes = True
disabled_passes = set()    # names of graph passes to skip (to measure what each one buys)
# False: opt.step() and opt.zero_grad() in a compiled step stay calls of the eager optimizer
# instead of generated lines (to measure what writing them out buys)
generate_optimizer_steps = True


class _Config(types.ModuleType):
    @property
    def recompile_limit(self):
        return self.cache_size_limit

    @recompile_limit.setter
    def recompile_limit(self, value):
        self.cache_size_limit = int(value)


sys.modules[__name__].__class__ = _Config
