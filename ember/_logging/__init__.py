"""``torch._logging.set_logs``: turn the compiler's logs on from Python (as TORCH_LOGS does)."""
from .._compile import config

_KINDS = ("output_code", "graph_breaks", "recompiles", "graph_code", "guards", "dynamo")


def set_logs(**kwargs):
    """``torch._logging.set_logs(output_code=True, graph_breaks=True, recompiles=True)``.

    ember prints output_code, graph_breaks and recompiles (to stderr); the other names
    PyTorch accepts are accepted and ignored."""
    for name, on in kwargs.items():
        if on:
            config.LOGS.add(name)
        else:
            config.LOGS.discard(name)


__all__ = ["set_logs"]
