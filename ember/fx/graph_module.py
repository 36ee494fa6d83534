"""``GraphModule``: a callable graph with its generated code (torch.fx's name and shape)."""


class GraphModule:
    """Runs a compiled graph on tensors; ``.graph`` is the IR, ``.code`` the generated Python.

    A GraphModule made from a bare graph (a segment before a graph break, as explain()
    reports it) compiles on first use."""

    def __init__(self, compiled=None, graph=None, attrs=None):
        self._compiled = compiled
        self.graph = compiled.graph if compiled is not None else graph
        self._attrs = attrs or {}

    def _get(self):
        if self._compiled is None:
            from .._compile.runtime import CompiledGraph
            self._compiled = CompiledGraph(self.graph, self._attrs, (), "graph_module")
        return self._compiled

    @property
    def code(self):
        return self._get().code

    def __call__(self, *tensors):
        return self._get()(list(tensors))

    forward = __call__

    def print_readable(self, print_output=True):
        if print_output:
            print(self.code)
        return self.code

    def __repr__(self):
        return f"GraphModule()\n\n{self.code}"
