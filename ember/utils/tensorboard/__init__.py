"""torch.utils.tensorboard: SummaryWriter over the ``tensorboard`` package's event writer."""
try:
    import tensorboard  # noqa: F401
except ImportError as e:
    raise ImportError("TensorBoard logging requires TensorBoard; install it with "
                      "`pip install tensorboard`") from e

from .writer import FileWriter, SummaryWriter  # noqa: F401,E402

__all__ = ["FileWriter", "SummaryWriter"]
