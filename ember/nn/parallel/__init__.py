"""torch.nn.parallel: with no GPU, DataParallel runs the module as is (as PyTorch does when
no CUDA device is available)."""
from ..modules.module import Module
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]


class DataParallel(Module):
    """``nn.DataParallel(model)``: on ember's CPU build it forwards to ``model`` unchanged.

    The wrapped model is registered as ``module``, so state_dict keys carry PyTorch's
    ``module.`` prefix."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []
        self.output_device = None
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """Functional DataParallel: with no GPU, ``module(*inputs)``."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))


from ember import _missing; _missing.install(__name__)  # noqa: E402,E702
