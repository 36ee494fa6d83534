"""The graph IR shared by compile, export, ONNX and drawing, in torch.fx's shape.

A ``Graph`` is an ordered list of ``Node``s.  Each node has an ``op`` (``placeholder``,
``get_attr``, ``call_function``, ``call_module``, ``call_method``, ``output``), a ``target``
(the input's name, the attribute's qualified name, a callable, a submodule's qualified name or
a method name), ``args`` (nodes and constants) and ``kwargs``, plus ``meta`` (shape, dtype,
module scope, the user's source line).

Two kinds of graph share these classes.  The compiler's (ember/_compile) have ember
``Function`` classes as call_function targets, run on arrays, in the order the ops ran eagerly
(a valid schedule that keeps random draws in eager's order).  ``torch.fx.symbolic_trace``'s
(ember/fx/_symbolic_trace.py) have user-facing callables (``torch.relu``, ``operator.add``),
``call_module`` and ``call_method`` nodes, and run as the Python that ``python_code`` writes.
"""
import builtins
import contextlib
import inspect
import keyword
import re

import numpy as np


class Node:
    """One value of the graph (fx's Node): ``op``, ``target``, ``args``, ``kwargs``, ``meta``.

    Assigning ``args``/``kwargs`` keeps every input's ``users`` right, as fx's does."""
    __slots__ = ("_args", "_kwargs", "graph", "meta", "name", "op", "target", "type", "users")

    def __init__(self, graph, name, op, target, args=(), kwargs=None, type_expr=None):
        self.graph, self.name, self.op, self.target = graph, name, op, target
        self._args = tuple(args)
        self._kwargs = dict(kwargs or {})
        self.meta = {}
        self.users = {}
        self.type = type_expr
        for a in _iter_nodes((self._args, self._kwargs)):
            a.users[self] = None

    # --- inputs ------------------------------------------------------------------------------
    @property
    def args(self):
        return self._args

    @args.setter
    def args(self, value):
        self._set_inputs(tuple(value), self._kwargs)

    @property
    def kwargs(self):
        return self._kwargs

    @kwargs.setter
    def kwargs(self, value):
        self._set_inputs(self._args, dict(value))

    def _set_inputs(self, args, kwargs):
        old = self.all_input_nodes
        self._args, self._kwargs = args, kwargs
        new = self.all_input_nodes
        for a in old:
            if a not in new:
                a.users.pop(self, None)
        for a in new:
            a.users[self] = None

    @property
    def all_input_nodes(self):
        """Every node this one reads, in its args and in its kwargs (index arrays, ...)."""
        return list(dict.fromkeys(_iter_nodes((self._args, self._kwargs))))

    def update_arg(self, idx, arg):
        args = list(self._args)
        args[idx] = arg
        self.args = args

    def update_kwarg(self, key, arg):
        self.kwargs = {**self._kwargs, key: arg}

    def replace_input_with(self, old_input, new_input):
        swap = lambda n: new_input if n is old_input else n
        self._set_inputs(_map_nodes(self._args, swap), _map_nodes(self._kwargs, swap))

    def replace_all_uses_with(self, replace_with, delete_user_cb=None, *, propagate_meta=False):
        """Make every user read ``replace_with`` instead; returns the users changed."""
        if propagate_meta:
            for k, v in self.meta.items():
                replace_with.meta.setdefault(k, v)
        changed = []
        for user in list(self.users):
            if delete_user_cb is not None and not delete_user_cb(user):
                continue
            user.replace_input_with(self, replace_with)
            changed.append(user)
        return changed

    # --- position in the graph -----------------------------------------------------------------
    @property
    def next(self):
        nodes = self.graph.nodes
        i = nodes.index(self) + 1
        return nodes[i] if i < len(nodes) else None

    @property
    def prev(self):
        nodes = self.graph.nodes
        i = nodes.index(self) - 1
        return nodes[i] if i >= 0 else None

    def prepend(self, x):
        """Move node ``x`` to just before this one."""
        self.graph._move(x, self, after=False)

    def append(self, x):
        """Move node ``x`` to just after this one."""
        self.graph._move(x, self, after=True)

    # --- what the node is ----------------------------------------------------------------------
    @property
    def stack_trace(self):
        return self.meta.get("stack_trace")

    @property
    def impure(self):
        """Random draws and writes into existing arrays must not be removed or merged."""
        return self.op == "call_function" and getattr(self.target, "impure", False)

    def is_impure(self):
        """fx's rule: inputs, outputs, side effects and in-place methods stay through DCE."""
        if self.op in ("placeholder", "output"):
            return True
        if self.op == "call_function":
            return self.impure or self.target in _side_effect_functions()
        if self.op == "call_method":
            return self.target.endswith("_") and not self.target.endswith("__")
        if self.op == "call_module":
            root = self.graph.owning_module
            if root is not None:
                return bool(getattr(root.get_submodule(self.target), "_is_impure", False))
        return False

    def target_name(self):
        t = self.target
        if self.op != "call_function":
            return str(t)
        return getattr(t, "__name__", repr(t))

    def format_node(self):
        users = f"[num_users={len(self.users)}]"
        if self.op == "placeholder":
            default = f"(default={self.args[0]!r})" if self.args else ""
            return f"%{self.name} : {users} = placeholder[target={self.target}]{default}"
        if self.op == "get_attr":
            return f"%{self.name} : {users} = get_attr[target={self.target}]"
        if self.op == "output":
            return f"return {_fmt_arg(self.args[0], '')}"
        kw = ", ".join(f"{k}: {_fmt_arg(v)}" for k, v in self.kwargs.items())
        target = qualified_name(self.target) if self.op == "call_function" else self.target
        return (f"%{self.name} : {users} = {self.op}[target={target}]"
                f"(args = {_fmt_arg(self.args)}, kwargs = {{{kw}}})")

    def __repr__(self):
        return self.name


def qualified_name(target):
    """How fx prints a call_function target: ``torch.relu``, ``operator.add``, a Function's name."""
    if isinstance(target, type):                        # the compiler's Function classes
        return target.__name__
    from ._public_names import public_name
    name = public_name(target)
    if name is not None:
        return name
    mod = getattr(target, "__module__", None)
    qual = getattr(target, "__qualname__", getattr(target, "__name__", None))
    if mod and qual:
        return f"{'operator' if mod == '_operator' else mod}.{qual}"
    return repr(target)


def _side_effect_functions():
    from ._symbolic_trace import _assert, _assert_is_none
    return (_assert, _assert_is_none)


def _iter_nodes(x):
    if isinstance(x, Node):
        yield x
    elif isinstance(x, (tuple, list)):
        for a in x:
            yield from _iter_nodes(a)
    elif isinstance(x, dict):
        for a in x.values():
            yield from _iter_nodes(a)
    elif isinstance(x, slice):                    # x[:n] with n traced
        yield from _iter_nodes((x.start, x.stop, x.step))


def _map_nodes(x, fn):
    if isinstance(x, Node):
        return fn(x)
    if isinstance(x, tuple):
        return tuple(_map_nodes(a, fn) for a in x)
    if isinstance(x, list):
        return [_map_nodes(a, fn) for a in x]
    if isinstance(x, dict):
        return {k: _map_nodes(v, fn) for k, v in x.items()}
    if isinstance(x, slice):
        return slice(_map_nodes(x.start, fn), _map_nodes(x.stop, fn), _map_nodes(x.step, fn))
    return x


map_arg = _map_nodes


def _fmt_arg(x, mark="%"):
    if isinstance(x, Node):
        return f"{mark}{x.name}"
    if isinstance(x, tuple):
        inner = ", ".join(_fmt_arg(a, mark) for a in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt_arg(a, mark) for a in x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt_arg(v, mark)}" for k, v in x.items()) + "}"
    return _short(x)


def _short(v):
    if isinstance(v, np.ndarray):
        return f"<array {v.dtype} {list(v.shape)}>"
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def _snake(name):
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return re.sub(r"\W", "_", s) or "v"


class _NodeList(list):
    """The graph's nodes: a list (the compiler indexes, slices and inserts into it) whose
    iteration survives edits made on the way, as fx's linked list does: erasing the node just
    visited, or inserting next to it, neither skips nor repeats a node."""
    __slots__ = ()

    def __iter__(self):
        i, get, n = 0, list.__getitem__, list.__len__
        while i < n(self):
            node = get(self, i)
            yield node
            if i < n(self) and get(self, i) is node:
                i += 1
            else:                                 # the list changed under us: find our place
                try:
                    i = self.index(node) + 1
                except ValueError:                # `node` was erased: its successor took its place
                    pass


# Python's builtins: a symbolically traced graph names nodes around them (`sum_1`, `getattr_1`)
# so that the code it generates can still call them, as fx does.
_BUILTIN_NAMES = frozenset(dir(builtins)) | {"torch", "operator", "self", "math"}


class Graph:
    """An ordered list of nodes with fx's construction, editing and printing API.

    >>> g = Graph(); x = g.placeholder("x"); g.output(g.call_function(operator.neg, (x,)))
    """

    def __init__(self, owning_module=None, tracer_cls=None, tracer_extras=None):
        self._nodes = _NodeList()
        self._names = {}
        # names the generated code uses itself, and Python's keywords
        self._used = {"np", "ctx", "r", "gout", "ctxs", "tuple", "map", "slice", "range",
                      *keyword.kwlist}
        self._insert = None                       # (node, after?) while inserting_* is active
        self.owning_module = owning_module
        self._tracer_cls = tracer_cls

    @property
    def nodes(self):
        return self._nodes

    @nodes.setter
    def nodes(self, value):
        self._nodes = value if isinstance(value, _NodeList) else _NodeList(value)

    def _reserve_builtins(self):
        self._used |= _BUILTIN_NAMES

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

    def create_node(self, op, target, args=(), kwargs=None, name=None, type_expr=None):
        if op not in _OPS:
            raise ValueError(f"Node op must be one of {sorted(_OPS)}, got {op!r}")
        base = name or (target if isinstance(target, str) else getattr(target, "__name__", "v"))
        node = Node(self, self._unique(base), op, target, args, kwargs, type_expr)
        if self._insert is None:
            self._nodes.append(node)
        else:
            anchor, after = self._insert
            list.insert(self._nodes, self._nodes.index(anchor) + after, node)
        return node

    def placeholder(self, name, type_expr=None, default_value=inspect.Parameter.empty):
        args = () if default_value is inspect.Parameter.empty else (default_value,)
        return self.create_node("placeholder", name, args, name=name, type_expr=type_expr)

    def get_attr(self, qualified_name, type_expr=None, name=None):
        return self.create_node("get_attr", qualified_name, type_expr=type_expr,
                                name=name or qualified_name.replace(".", "_"))

    def call_function(self, the_function, args=(), kwargs=None, type_expr=None, name=None):
        return self.create_node("call_function", the_function, args, kwargs, name=name,
                                type_expr=type_expr)

    def call_module(self, module_name, args=(), kwargs=None, type_expr=None):
        return self.create_node("call_module", module_name, args, kwargs, type_expr=type_expr)

    def call_method(self, method_name, args=(), kwargs=None, type_expr=None):
        return self.create_node("call_method", method_name, args, kwargs, type_expr=type_expr)

    def output(self, result, type_expr=None):
        return self.create_node("output", "output", (result,), name="output", type_expr=type_expr)

    def node_copy(self, node, arg_transform=lambda n: n):
        """A copy of ``node`` (from another graph) here, its inputs mapped by ``arg_transform``."""
        args = _map_nodes(node.args, arg_transform)
        kwargs = _map_nodes(node.kwargs, arg_transform)
        new = self.create_node(node.op, node.target, args, kwargs, name=node.name,
                               type_expr=node.type)
        new.meta = dict(node.meta)
        return new

    def graph_copy(self, g, val_map, return_output_node=False):
        """Copy every node of ``g`` but its output here; returns the value its output returned."""
        for node in g.nodes:
            if node.op == "output":
                out = _map_nodes(node.args[0], lambda n: val_map[n])
                return (out, node) if return_output_node else out
            val_map[node] = self.node_copy(node, lambda n: val_map[n])
        return None

    @contextlib.contextmanager
    def inserting_before(self, n=None):
        """New nodes go just before ``n`` (the graph's start when None), each before ``n``."""
        saved = self._insert
        self._insert = None if n is None and not self._nodes else (n or self._nodes[0], False)
        try:
            yield
        finally:
            self._insert = saved

    @contextlib.contextmanager
    def inserting_after(self, n=None):
        """New nodes go directly after ``n`` (as fx's: each one right after ``n``, so a second
        node lands before the first; nest ``inserting_after(first)`` to chain them)."""
        saved = self._insert
        if n is None:
            self._insert = (self._nodes[0], False) if self._nodes else None
        else:
            self._insert = (n, True)
        try:
            yield
        finally:
            self._insert = saved

    def _move(self, x, anchor, after):
        if x is anchor:
            return
        if x in self._nodes:
            list.remove(self._nodes, x)
        list.insert(self._nodes, self._nodes.index(anchor) + after, x)

    def erase_node(self, to_erase):
        if to_erase.users:
            raise RuntimeError(f"Tried to erase Node {to_erase.name} but it still had "
                               f"{len(to_erase.users)} users in the graph: {dict(to_erase.users)}!")
        for a in to_erase.all_input_nodes:
            a.users.pop(to_erase, None)
        self._nodes.remove(to_erase)

    # --- queries ---------------------------------------------------------------------------
    @property
    def output_node(self):
        return self._nodes[-1]

    def placeholders(self):
        return [n for n in self._nodes if n.op == "placeholder"]

    def find_nodes(self, *, op, target=None):
        return [n for n in self._nodes if n.op == op and (target is None or n.target == target)]

    def op_count(self):
        return sum(1 for n in self._nodes if n.op == "call_function")

    def eliminate_dead_code(self):
        """Remove pure nodes nothing uses (fx's name); returns whether anything changed."""
        changed = False
        for node in reversed(self._nodes[:]):
            if node.users:
                continue
            if node.op == "call_function" or node.op == "get_attr":
                removable = (not node.impure or getattr(node.target, "removable", False)) and \
                    node.target not in _side_effect_functions()
            else:
                removable = node.op in ("call_method", "call_module") and not node.is_impure()
            if removable:
                self.erase_node(node)
                changed = True
        return changed

    def lint(self):
        """Check the graph is well formed: known ops, inputs defined before use, unique
        names, ``users`` consistent, targets that exist on the owning module."""
        seen, names = set(), set()
        for n in self._nodes:
            if n.op not in _OPS:
                raise RuntimeError(f"Node {n} had unknown opcode {n.op}!")
            if n.graph is not self:
                raise RuntimeError(f"Node {n} does not belong to this Graph!")
            for a in n.all_input_nodes:
                if a not in seen:
                    raise RuntimeError(f"Argument '{a}' of Node '{n}' was used before it has "
                                       "been defined! Please check that Nodes in the graph are "
                                       "topologically ordered")
                if n not in a.users:
                    raise RuntimeError(f"Node {a} does not list its user {n}")
            if n.name in names:
                raise RuntimeError(f"Node redefined name {n.name}!")
            seen.add(n)
            names.add(n.name)
        root = self.owning_module
        if root is None:
            return
        for n in self._nodes:
            if n.op in ("get_attr", "call_module"):
                mod, atoms = root, n.target.split(".")
                for i, atom in enumerate(atoms):
                    if not hasattr(mod, atom):
                        raise RuntimeError(f"Node {n} target {n.target} references nonexistent "
                                           f"attribute {atom} of {'.'.join(atoms[:i]) or 'root'}")
                    mod = getattr(mod, atom)

    # --- Python ----------------------------------------------------------------------------
    def python_code(self, root_module="self"):
        """The Python source (``.src``) and globals (``.globals``) of ``forward`` (fx's name)."""
        from ._codegen import python_code
        return python_code(self, root_module)

    # --- printing --------------------------------------------------------------------------
    def __str__(self):
        lines = ["graph():"] + ["    " + n.format_node() for n in self._nodes]
        return "\n".join(lines)

    def print_tabular(self):
        rows = [("opcode", "name", "target", "args", "kwargs")]
        for n in self._nodes:
            kw = "{" + ", ".join(f"{k}: {_fmt_arg(v, '')}" for k, v in n.kwargs.items()) + "}"
            target = qualified_name(n.target) if n.op == "call_function" else str(n.target)
            rows.append((n.op, n.name, target, _fmt_arg(n.args, ""), kw))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        out = []
        for k, r in enumerate(rows):
            out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            if k == 0:
                out.append("  ".join("-" * w for w in widths))
        print("\n".join(out))


_OPS = frozenset({"placeholder", "get_attr", "call_function", "call_module", "call_method",
                  "output"})
