"""``torch.fx``: symbolic tracing (``symbolic_trace``, ``Tracer``, ``Proxy``, ``wrap``), the
graph IR it shares with the compiler (``Graph``, ``Node``, ``GraphModule``), ``Interpreter``
and ``Transformer``, and ``draw`` (a graph as a Graphviz picture)."""
from ._symbolic_trace import Tracer, symbolic_trace, wrap
from .draw import draw
from .graph import Graph, Node, map_arg
from .graph_module import GraphModule
from .interpreter import Interpreter, Transformer
from .proxy import Proxy

__all__ = [
           "Graph",
           "GraphModule",
           "Interpreter",
           "Node",
           "Proxy",
           "Tracer",
           "Transformer",
           "draw",
           "map_arg",
           "symbolic_trace",
           "wrap",
]
