"""``ember.fx.draw``: a compiled graph as a Graphviz picture.

Each op is a box labelled with its Function, output shape and dtype; inputs are ellipses,
parameters and buffers small boxes; ops sit in nested clusters, one per module whose forward
ran them (``features: Sequential`` > ``features.0: Conv2d``). Several graphs (a compiled
callable with several specialisations, or ``torch._dynamo.explain``'s graphs around graph
breaks) are drawn side by side, each in its own cluster, with each break and its reason
between them. Needs the ``graphviz`` Python package; rendering a file also needs Graphviz's
``dot`` program.
"""
import operator
import os

from .graph import Graph, Node, map_arg

__all__ = ["draw"]

_BACKWARD = "backward"
_INSTALL = ("ember.fx.draw needs the graphviz Python package: pip install graphviz "
            "(rendering to a file also needs Graphviz's `dot`, e.g. apt-get install graphviz)")


def _graphs(obj):
    """[(title, Graph)] and the break reasons of what ``obj`` holds."""
    if isinstance(obj, Graph):
        return [("graph", obj)], []
    if hasattr(obj, "break_reasons") and hasattr(obj, "graphs"):          # explain()'s output
        return ([(f"graph {i}", g.graph) for i, g in enumerate(obj.graphs)],
                [(b.reason, b.user_stack[0] if b.user_stack else None) for b in obj.break_reasons])
    g = getattr(obj, "graph", None)
    if isinstance(g, Graph):                                               # GraphModule, CompiledGraph
        return [("graph", g)], []
    c = getattr(obj, "_ember_compiled", None)
    if c is None and isinstance(getattr(obj, "__dict__", None), dict):
        c = obj.__dict__.get("_ember_compiled")
    if c is not None and hasattr(c, "graphs"):                             # torch.compile'd
        gs = c.graphs()
        if not gs:
            why = f" (it ran eagerly: {c.breaks[0]})" if c.breaks else " (call it once first)"
            raise ValueError(f"{c.name} has no compiled graph to draw{why}")
        return ([(f"{c.name} #{i}", g.graph) for i, g in enumerate(gs)],
                [(str(b), None) for b in c.breaks])
    raise TypeError(f"ember.fx.draw expects an ember.fx Graph, a GraphModule, a torch.compile'd "
                    f"module or function, or torch._dynamo.explain's output; got {type(obj).__name__}")


def _fmt_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _label(n):
    meta = n.meta
    if n.op == "call_function" and n.target is operator.getitem:
        head = f"[{n.args[1]}]"
    elif n.op == "call_function":
        head = n.target_name()
        if head == "ArrayFn":                  # a NumPy function: the node is named after it
            head = n.name.rstrip("0123456789").rstrip("_") or head
        elif head == "NodeBackward" and isinstance(n.kwargs.get("forward"), Node):
            head = n.kwargs["forward"].target_name() + " backward"
    elif n.op == "output":
        return "output"
    else:
        head = str(n.target)
    if "out_meta" in meta:
        tail = ", ".join(f"{_fmt_shape(s)} {d}" for s, d in meta["out_meta"])
    elif meta.get("shape") is not None:
        tail = f"{_fmt_shape(meta['shape'])} {meta.get('dtype', '')}".rstrip()
    else:
        tail = ""
    return f"{head}\n{tail}" if tail else head


def _inputs(n):
    found = []
    map_arg((n.args, n.kwargs), lambda x: found.append(x) if isinstance(x, Node) else x)
    return list(dict.fromkeys(found))


def _scope_path(n, classes):
    """The module scope of a node as a tuple of qualified names, outermost first."""
    if n.op == "get_attr" and "." in str(n.target):
        parts = str(n.target).split(".")[:-1]
        path = tuple(".".join(parts[:k]) for k in range(1, len(parts) + 1))
        return tuple(p for p in path if p in classes) or path[-1:]
    if n.op != "call_function":
        return ()
    path = []
    for qn, cls in n.meta.get("scope") or ():
        if qn:
            classes.setdefault(qn, cls)
            path.append(qn)
    return tuple(path)


def _draw_one(dot, graph, prefix, title):
    classes = {}
    for n in graph.nodes:
        _scope_path(n, classes)         # learn the class of each module qualified name first
    tree = {}                            # scope path -> [node ids]
    ids = {n: f"{prefix}{n.name}" for n in graph.nodes}
    styles = {"placeholder": {"shape": "ellipse", "style": "filled", "fillcolor": "#d9ead3"},
              "get_attr": {"shape": "box", "style": "filled", "fillcolor": "#eeeeee", "fontsize": "9"},
              "output": {"shape": "ellipse", "style": "filled", "fillcolor": "#fce5cd"},
              "call_function": {"shape": "box", "style": "rounded,filled", "fillcolor": "#cfe2f3"}}
    # a training graph: the backward the compiler derived follows the first tangent input
    tangent = next((k for k, n in enumerate(graph.nodes) if "tangent" in n.meta), None)
    for k, n in enumerate(graph.nodes):
        if tangent is not None and k >= tangent and n.op != "output":
            tree.setdefault((_BACKWARD,), []).append(n)
        else:
            tree.setdefault(_scope_path(n, classes), []).append(n)
    classes[_BACKWARD] = "the gradients, from each op's backward rule"

    def emit(g, path):
        for n in tree.get(path, ()):
            g.node(ids[n], _label(n), **styles.get(n.op, {}))
        children = sorted({p[:len(path) + 1] for p in tree if len(p) > len(path) and p[:len(path)] == path})
        for child in children:
            qn = child[-1]
            with g.subgraph(name=f"cluster_{prefix}{qn}") as sub:
                sub.attr(label=f"{qn}: {classes.get(qn, 'Module')}", style="rounded,dashed",
                         color="#888888", fontsize="10")
                if qn == _BACKWARD:
                    sub.attr(style="rounded,filled", fillcolor="#fff8e7")
                emit(sub, child)

    with dot.subgraph(name=f"cluster_{prefix}graph") as g:
        g.attr(label=title, style="rounded", color="#444444")
        emit(g, ())
    for n in graph.nodes:
        for a in _inputs(n):
            if a in ids:
                dot.edge(ids[a], ids[n])
    return ids


def draw(obj, path=None, *, format=None):
    """Draw a compiled graph: returns a ``graphviz.Digraph`` (``.source`` is the DOT text);
    with ``path``, also renders it there (the format from the suffix, ``.svg`` by default).

    ``obj`` is an ``ember.fx.Graph``, a ``GraphModule`` (``torch._dynamo.explain(fn)(x).graphs[i]``),
    explain's whole output (its graphs with the breaks between them), or a ``torch.compile``'d
    module or function that has run once (its compiled graphs, after the passes).

    >>> cm = torch.compile(model); cm(x)
    >>> ember.fx.draw(cm, "docs/graphs/model_compiled.svg")
    """
    try:
        import graphviz
    except ImportError:
        raise ImportError(_INSTALL) from None
    graphs, breaks = _graphs(obj)
    dot = graphviz.Digraph("ember_graph", graph_attr={"rankdir": "TB", "fontname": "Helvetica"},
                           node_attr={"fontname": "Helvetica", "fontsize": "10"})
    prev = None             # the last node of the graph before, and the break after it
    for i, (title, g) in enumerate(graphs):
        ids = _draw_one(dot, g, f"g{i}_", title)
        if prev is not None and ids:
            dot.edge(prev, next(iter(ids.values())), style="dashed")
        prev = None
        # the breaks between this graph and the next; after the last graph, all the rest
        mine = breaks[i:i + 1] if i + 1 < len(graphs) else breaks[i:]
        for k, (reason, frame) in enumerate(mine):
            where = f"\n{os.path.basename(frame.filename)}:{frame.lineno}" if frame is not None else ""
            bid = f"break{i}_{k}"
            dot.node(bid, f"graph break\n{reason}{where}", shape="octagon", style="filled",
                     fillcolor="#f4cccc", fontsize="9")
            if ids:
                dot.edge(list(ids.values())[-1], bid, style="dashed")
            prev = bid
    if path is not None:
        path = os.fspath(path)
        stem, ext = os.path.splitext(path)
        fmt = format or (ext[1:] if ext else "svg")
        try:
            dot.render(stem if ext else path, format=fmt, cleanup=True)
        except graphviz.ExecutableNotFound:
            raise RuntimeError("ember.fx.draw: rendering needs Graphviz's `dot` program on PATH "
                               "(apt-get install graphviz); the DOT text is in the returned "
                               "graph's .source") from None
    return dot
