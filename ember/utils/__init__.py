"""torch.utils: data loading, TensorBoard logging, safetensors, checkpoint helpers."""
from . import data, checkpoint  # noqa: F401


def __getattr__(name):
    # tensorboard and safetensors import heavy packages: load them on first use.
    if name in ("tensorboard", "safetensors"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
from ember import _missing; _missing.install(__name__)  # noqa: E402,E702  (unknown names: "torch.X is not implemented in ember")
