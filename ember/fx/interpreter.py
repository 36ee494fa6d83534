"""``torch.fx.Interpreter``: run a GraphModule node by node (override a method to change how
one kind of node runs), and ``Transformer``, which records a new graph while it interprets.

>>> class Count(Interpreter):
...     def call_function(self, target, args, kwargs):
...         print(target); return super().call_function(target, args, kwargs)
"""
import inspect

from .graph import Graph, map_arg
from .proxy import Proxy

__all__ = ["Interpreter", "Transformer"]


class Interpreter:
    """Executes ``module.graph`` on real values; each node's result lands in ``self.env``."""

    def __init__(self, module, garbage_collect_values=True, graph=None):
        self.module = module
        self.graph = graph if graph is not None else module.graph
        self.submodules = dict(module.named_modules())
        self.env = {}
        self.garbage_collect_values = garbage_collect_values
        self.extra_traceback = True
        # the nodes whose value can be dropped once a node has run (their last user)
        self.user_to_last_uses = {}
        seen = set()
        for node in reversed(list(self.graph.nodes)):
            for inp in node.all_input_nodes:
                if inp not in seen:
                    seen.add(inp)
                    self.user_to_last_uses.setdefault(node, []).append(inp)

    def run(self, *args, initial_env=None, enable_io_processing=True):
        self.env = dict(initial_env or {})
        self.args_iter = iter(args)
        for node in self.graph.nodes:
            if node in self.env:
                continue                            # given in initial_env
            try:
                self.env[node] = self.run_node(node)
            except Exception as e:
                if self.extra_traceback:
                    e.args = ((f"{e.args[0]}\n\nWhile executing {node.format_node()}"
                               if e.args and isinstance(e.args[0], str) else
                               f"While executing {node.format_node()}"),) + tuple(e.args[1:])
                raise
            if self.garbage_collect_values:
                for dead in self.user_to_last_uses.get(node, ()):
                    self.env.pop(dead, None)
            if node.op == "output":
                return self.env[node]
        return None

    def run_node(self, n):
        args, kwargs = self.fetch_args_kwargs_from_env(n)
        return getattr(self, n.op)(n.target, args, kwargs)

    # --- one method per op -------------------------------------------------------------------
    def placeholder(self, target, args, kwargs):
        if target.startswith("**"):
            return {}
        if target.startswith("*"):
            return list(self.args_iter)
        try:
            return next(self.args_iter)
        except StopIteration:
            if args:
                return args[0]
            raise RuntimeError(f"Expected positional argument for parameter {target}, but one "
                               "was not passed in!") from None

    def get_attr(self, target, args, kwargs):
        return self.fetch_attr(target)

    def call_function(self, target, args, kwargs):
        return target(*args, **kwargs)

    def call_method(self, target, args, kwargs):
        self_obj, *rest = args
        return getattr(self_obj, target)(*rest, **kwargs)

    def call_module(self, target, args, kwargs):
        return self.fetch_attr(target)(*args, **kwargs)

    def output(self, target, args, kwargs):
        return args[0]

    # --- helpers -----------------------------------------------------------------------------
    def fetch_attr(self, target):
        obj = self.module
        for i, atom in enumerate(target.split(".")):
            if not hasattr(obj, atom):
                raise RuntimeError(f"Node referenced nonexistent target "
                                   f"{'.'.join(target.split('.')[:i + 1])}")
            obj = getattr(obj, atom)
        return obj

    def fetch_args_kwargs_from_env(self, n):
        return self.map_nodes_to_values(n.args, n), self.map_nodes_to_values(n.kwargs, n)

    def map_nodes_to_values(self, args, n):
        def load(x):
            if x not in self.env:
                raise RuntimeError(f"Node {n} referenced nonexistent value {x}! Run "
                                   "Graph.lint() to diagnose such issues")
            return self.env[x]
        return map_arg(args, load)


class Transformer(Interpreter):
    """Interprets on Proxies, so what each method returns is recorded into a new graph;
    ``transform()`` returns it as a GraphModule.  Override ``call_function`` & co. to rewrite."""

    def __init__(self, module):
        super().__init__(module)
        from ._symbolic_trace import Tracer
        self.new_graph = Graph()
        self.new_graph._reserve_builtins()
        self.tracer = Tracer()
        self.tracer.graph = self.new_graph
        self.tracer.root = module
        self.tracer._index_root()

    def placeholder(self, target, args, kwargs):
        default = args[0] if args else inspect.Parameter.empty
        return Proxy(self.new_graph.placeholder(target, default_value=default), self.tracer)

    def get_attr(self, target, args, kwargs):
        return self.tracer.create_proxy("get_attr", target, args, kwargs)

    def call_function(self, target, args, kwargs):
        return self.tracer.create_proxy("call_function", target, args, kwargs)

    def call_module(self, target, args, kwargs):
        return self.tracer.create_proxy("call_module", target, args, kwargs)

    def call_method(self, target, args, kwargs):
        return self.tracer.create_proxy("call_method", target, args, kwargs)

    def transform(self):
        from .graph_module import GraphModule
        self.new_graph.output(self.run())
        return GraphModule(self.module, self.new_graph)

    def run(self, *args, **kwargs):
        """Interpret on Proxies; returns the output as graph arguments (nodes)."""
        self.args_iter = iter(())
        self.env = {}
        for node in self.graph.nodes:
            if node.op == "output":
                out = self.map_nodes_to_values(node.args[0], node)
                return self.tracer.create_arg(out)
            self.env[node] = self.run_node(node)
        return None
