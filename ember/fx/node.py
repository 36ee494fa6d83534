"""``torch.fx.node``: Node, map_arg (a function on every Node inside an argument) and
map_aggregate (a function on every leaf value)."""
from .graph import Node, map_arg


def map_aggregate(a, fn):
    if isinstance(a, tuple):
        items = [map_aggregate(x, fn) for x in a]
        return type(a)(*items) if hasattr(a, "_fields") else tuple(items)
    if isinstance(a, list):
        return [map_aggregate(x, fn) for x in a]
    if isinstance(a, dict):
        return {k: map_aggregate(v, fn) for k, v in a.items()}
    if isinstance(a, slice):
        return slice(map_aggregate(a.start, fn), map_aggregate(a.stop, fn), map_aggregate(a.step, fn))
    return fn(a)


__all__ = ["Node", "map_aggregate", "map_arg"]
