"""``torch.fx``-shaped graph IR: Graph, Node, GraphModule (see graph.py); draw (draw.py)."""
from .draw import draw
from .graph import Graph, Node, map_arg
from .graph_module import GraphModule

__all__ = ["Graph", "Node", "GraphModule", "map_arg", "draw"]
