"""The graph IR shared by compile, export, ONNX and drawing, in torch.fx's shape.

A ``Graph`` is an ordered list of ``Node``s.  Each node has an ``op`` (``placeholder``,
``get_attr``, ``call_function``, ``output``), a ``target`` (the input's name, the attribute's
qualified name, or the ember ``Function`` class that runs on arrays), ``args`` (nodes and
constants) and ``kwargs`` (the op's attributes), plus ``meta`` (shape, dtype, module scope,
the user's source line).  The order is the order the ops ran in eagerly, which is a valid
schedule and keeps random draws in the same order as eager.
"""
import keyword
import re

import numpy as np


class Node:
    """One value of the graph (fx's Node): ``op``, ``target``, ``args``, ``kwargs``, ``meta``."""
    __slots__ = ("graph", "name", "op", "target", "args", "kwargs", "meta", "users")

    def __init__(self, graph, name, op, target, args=(), kwargs=None):
        self.graph, self.name, self.op, self.target = graph, name, op, target
        self.args = tuple(args)
        self.kwargs = dict(kwargs or {})
        self.meta = {}
        self.users = {}
        for a in _iter_nodes((self.args, self.kwargs)):
            a.users[self] = None

    @property
    def all_input_nodes(self):
        """Every node this one reads, in its args and in its kwargs (index arrays, ...)."""
        return list(dict.fromkeys(_iter_nodes((self.args, self.kwargs))))

    @property
    def impure(self):
        """Random draws and writes into existing arrays must not be removed or merged."""
        return self.op == "call_function" and getattr(self.target, "impure", False)

    def replace_all_uses_with(self, other):
        for user in list(self.users):
            user.args = _map_nodes(user.args, lambda n: other if n is self else n)
            user.kwargs = _map_nodes(user.kwargs, lambda n: other if n is self else n)
            other.users[user] = None
        self.users.clear()

    def target_name(self):
        t = self.target
        if self.op != "call_function":
            return str(t)
        return getattr(t, "__name__", repr(t))

    def format_node(self):
        if self.op == "placeholder":
            return f"%{self.name} : [num_users={len(self.users)}] = placeholder[target={self.target}]"
        if self.op == "get_attr":
            return f"%{self.name} : [num_users={len(self.users)}] = get_attr[target={self.target}]"
        if self.op == "output":
            return f"return {_fmt_arg(self.args[0])}"
        kw = ", ".join(f"{k}: {_short(v)}" for k, v in self.kwargs.items())
        return (f"%{self.name} : [num_users={len(self.users)}] = call_function[target="
                f"{self.target_name()}](args = {_fmt_arg(self.args)}, kwargs = {{{kw}}})")

    def __repr__(self):
        return self.name


def _iter_nodes(x):
    if isinstance(x, Node):
        yield x
    elif isinstance(x, (tuple, list)):
        for a in x:
            yield from _iter_nodes(a)
    elif isinstance(x, dict):
        for a in x.values():
            yield from _iter_nodes(a)


def _map_nodes(x, fn):
    if isinstance(x, Node):
        return fn(x)
    if isinstance(x, tuple):
        return tuple(_map_nodes(a, fn) for a in x)
    if isinstance(x, list):
        return [_map_nodes(a, fn) for a in x]
    if isinstance(x, dict):
        return {k: _map_nodes(v, fn) for k, v in x.items()}
    return x


map_arg = _map_nodes


def _fmt_arg(x):
    if isinstance(x, Node):
        return f"%{x.name}"
    if isinstance(x, tuple):
        inner = ", ".join(_fmt_arg(a) for a in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt_arg(a) for a in x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt_arg(v)}" for k, v in x.items()) + "}"
    return _short(x)


def _short(v):
    if isinstance(v, np.ndarray):
        return f"<array {v.dtype} {list(v.shape)}>"
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def _snake(name):
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return re.sub(r"\W", "_", s) or "v"


class Graph:
    """An ordered list of nodes with fx's construction and printing API."""

    def __init__(self):
        self.nodes = []
        self._names = {}
        # names the generated code uses itself, and Python's keywords
        self._used = {"np", "ctx", "r", "gout", "ctxs", "tuple", "map", "slice", "range",
                      *keyword.kwlist}

    # --- construction ----------------------------------------------------------------------
    def _unique(self, base):
        base = _snake(base)
        if base[0].isdigit():
            base = "_" + base
        name, k = base, self._names.get(base, 0)
        while name in self._used:
            k += 1
            name = f"{base}_{k}"
        self._names[base] = k
        self._used.add(name)
        return name

    def create_node(self, op, target, args=(), kwargs=None, name=None):
        node = Node(self, self._unique(name or (target if isinstance(target, str)
                                                else getattr(target, "__name__", "v"))),
                    op, target, args, kwargs)
        self.nodes.append(node)
        return node

    def placeholder(self, name):
        return self.create_node("placeholder", name, name=name)

    def get_attr(self, qualified_name, name=None):
        return self.create_node("get_attr", qualified_name,
                                name=name or qualified_name.replace(".", "_"))

    def call_function(self, target, args=(), kwargs=None, name=None):
        return self.create_node("call_function", target, args, kwargs, name=name)

    def output(self, result):
        return self.create_node("output", "output", (result,), name="output")

    def erase_node(self, node):
        if node.users:
            raise RuntimeError(f"Tried to erase Node {node.name} but it still had "
                               f"{len(node.users)} users in the graph")
        for a in node.all_input_nodes:
            a.users.pop(node, None)
        self.nodes.remove(node)

    # --- queries ---------------------------------------------------------------------------
    @property
    def output_node(self):
        return self.nodes[-1]

    def placeholders(self):
        return [n for n in self.nodes if n.op == "placeholder"]

    def op_count(self):
        return sum(1 for n in self.nodes if n.op == "call_function")

    def eliminate_dead_code(self):
        """Remove pure nodes nothing uses (fx's name); returns whether anything changed."""
        changed = False
        for node in reversed(self.nodes[:]):
            if node.op in ("call_function", "get_attr") and not node.users and (
                    not node.impure or getattr(node.target, "removable", False)):
                self.erase_node(node)
                changed = True
        return changed

    def lint(self):
        seen = set()
        for n in self.nodes:
            for a in n.all_input_nodes:
                if a not in seen:
                    raise RuntimeError(f"Node {n.name} uses {a.name} before it is defined")
            seen.add(n)

    # --- printing --------------------------------------------------------------------------
    def __str__(self):
        lines = ["graph():"] + ["    " + n.format_node() for n in self.nodes]
        return "\n".join(lines)

    def print_tabular(self):
        rows = [("opcode", "name", "target", "args", "kwargs")]
        for n in self.nodes:
            kw = "{" + ", ".join(f"{k}: {_short(v)}" for k, v in n.kwargs.items()) + "}"
            rows.append((n.op, n.name, n.target_name(), _fmt_arg(n.args), kw))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        out = []
        for k, r in enumerate(rows):
            out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            if k == 0:
                out.append("  ".join("-" * w for w in widths))
        print("\n".join(out))
