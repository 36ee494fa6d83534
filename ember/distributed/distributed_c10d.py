"""``torch.distributed.distributed_c10d``: the same names as ``torch.distributed``."""
from ._group import *  # noqa: F401,F403
from ._group import _resolve, _default  # noqa: F401
from ._collectives import *  # noqa: F401,F403
from ._objects import *  # noqa: F401,F403
