"""``torch.distributed.algorithms``: DDP communication hooks."""
from ember import _missing; _missing.install(__name__)  # noqa: E402,E702
