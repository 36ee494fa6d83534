"""``torch.fx.passes.shape_prop``: run a GraphModule once and note each value's shape and dtype.

>>> ShapeProp(gm).propagate(x)
>>> [n.meta["tensor_meta"].shape for n in gm.graph.nodes if "tensor_meta" in n.meta]
"""
from typing import Any, NamedTuple

from ..._tensor import Tensor
from ..interpreter import Interpreter
from ..node import map_aggregate

__all__ = ["ShapeProp", "TensorMetadata"]


class TensorMetadata(NamedTuple):
    shape: Any
    dtype: Any
    requires_grad: bool
    stride: Any
    memory_format: Any
    is_quantized: bool
    qparams: dict


def _extract_tensor_metadata(t):
    import ember
    memory_format = ember.contiguous_format if t.is_contiguous() else None
    return TensorMetadata(t.shape, t.dtype, t.requires_grad, t.stride(), memory_format,
                          False, {})


class ShapeProp(Interpreter):
    """Sets ``node.meta["tensor_meta"]`` (a TensorMetadata, or a structure of them for tuple
    outputs) and ``node.meta["type"]`` on every node while it runs the module."""

    def run_node(self, n):
        result = super().run_node(n)
        found = []

        def meta(x):
            if isinstance(x, Tensor):
                found.append(True)
                return _extract_tensor_metadata(x)
            return x
        tensor_meta = map_aggregate(result, meta)
        if found:
            n.meta["tensor_meta"] = tensor_meta
        n.meta["type"] = type(result)
        return result

    def propagate(self, *args):
        return super().run(*args)
