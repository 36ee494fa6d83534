"""torch.utils.tensorboard: SummaryWriter over the ``tensorboard`` package's event writer.

TensorBoard is an optional dependency (``pip install ember[tensorboard]``). Without it (or
with one older than 1.15) this module still imports, and ``SummaryWriter()`` raises PyTorch's
ImportError; ``import ember`` never imports tensorboard.
"""
_MESSAGE = "TensorBoard logging requires TensorBoard version 1.15 or above"


def _version(v):
    parts = []
    for p in v.split(".")[:2]:
        digits = "".join(c for c in p if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


try:
    import tensorboard as _tb
    _available = _version(getattr(_tb, "__version__", "0")) >= (1, 15)
    del _tb
except ImportError:
    _available = False

if _available:
    from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: F401

    from .writer import FileWriter, SummaryWriter  # noqa: F401
else:
    class _Unavailable:
        def __init__(self, *args, **kwargs):
            raise ImportError(_MESSAGE)

    class SummaryWriter(_Unavailable):
        """Needs the ``tensorboard`` package: ``pip install ember[tensorboard]``."""

    class FileWriter(_Unavailable):
        """Needs the ``tensorboard`` package: ``pip install ember[tensorboard]``."""

    class RecordWriter(_Unavailable):
        """Needs the ``tensorboard`` package: ``pip install ember[tensorboard]``."""

__all__ = ["FileWriter", "RecordWriter", "SummaryWriter"]
