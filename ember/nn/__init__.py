"""torch.nn: modules, parameters, functional, init and utilities."""
from .parameter import Parameter, Buffer, UninitializedParameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils, parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from ember import _missing; _missing.install(__name__)  # noqa: E402,E702  (unknown names: "torch.X is not implemented in ember")
