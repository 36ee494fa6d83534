"""``torch.distributed.algorithms.ddp_comm_hooks``: the default hooks."""
from . import default_hooks  # noqa: F401

from ember import _missing; _missing.install(__name__)  # noqa: E402,E702
