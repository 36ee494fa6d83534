"""torch.utils.tensorboard: SummaryWriter over the ``tensorboard`` package's event writer.

TensorBoard is an optional dependency (``pip install ember[tensorboard]``); without it this
import fails with PyTorch's message.
"""
try:
    import tensorboard as _tb
except ImportError:
    _tb = None


def _version(v):
    parts = []
    for p in v.split(".")[:2]:
        digits = "".join(c for c in p if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


if _tb is None or _version(getattr(_tb, "__version__", "0")) < (1, 15):
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above")
del _tb

from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: F401,E402

from .writer import FileWriter, SummaryWriter  # noqa: F401,E402

__all__ = ["FileWriter", "RecordWriter", "SummaryWriter"]
