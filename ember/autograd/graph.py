"""torch.autograd.graph: the Node type that ``grad_fn`` objects are."""
from .function import Function as Node  # noqa: F401


class saved_tensors_hooks:
    """Accepted for compatibility; ember keeps saved values as they are."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False
