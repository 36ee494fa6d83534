"""The Python a symbolically traced Graph runs as (``graph.python_code()``), in fx's style:

    def forward(self, x):
        linear = self.linear(x);  x = None
        relu = torch.relu(linear);  linear = None
        return relu

``torch`` in the generated code is ember.  ``;  a = None`` drops a value after its last use,
so intermediate tensors are freed as early as in eager code.
"""
import builtins
import keyword
import math
import operator

from ._public_names import public_name
from .graph import Node

_INFIX = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
          operator.floordiv: "//", operator.mod: "%", operator.pow: "**", operator.lshift: "<<",
          operator.rshift: ">>", operator.and_: "&", operator.or_: "|", operator.xor: "^",
          operator.matmul: "@", operator.eq: "==", operator.ne: "!=", operator.lt: "<",
          operator.gt: ">", operator.le: "<=", operator.ge: ">="}
_PREFIX = {operator.neg: "-", operator.pos: "+", operator.invert: "~"}
_EMPTY = object()


class PythonCode:
    """Generated source (``src``) and the globals it runs with (``globals``)."""

    def __init__(self, src, globals):
        self.src, self.globals = src, globals


class _Writer:
    def __init__(self, graph, root_module):
        import ember
        self.graph, self.root = graph, root_module
        self.globals = {"torch": ember, "operator": operator, "math": math}
        taken = set(self.globals) | {root_module} | set(dir(builtins)) | set(keyword.kwlist)
        self.names = {}
        for n in graph.nodes:                     # a node named like a global gets a new name
            name = n.name
            while name in taken:
                name += "_"
            taken.add(name)
            self.names[n] = name
        self.taken = taken

    # --- values ----------------------------------------------------------------------------
    def add_global(self, base, value):
        for name, v in self.globals.items():
            if v is value:
                return name
        name = base if base.isidentifier() else "_fn"
        k = 0
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        self.globals[name] = value
        return name

    def const(self, v):
        if v is None or v is Ellipsis or isinstance(v, (bool, int, str, bytes)):
            return repr(v)
        if isinstance(v, float):
            return repr(v) if math.isfinite(v) else f"float({str(v)!r})"
        if isinstance(v, complex) and math.isfinite(abs(v)):
            return repr(v)
        r = repr(v)
        if r.startswith("torch.") and r.replace(".", "").replace("_", "").isalnum():
            import ember
            obj = ember
            for atom in r.split(".")[1:]:
                obj = getattr(obj, atom, None)
            if obj is v:                          # torch.float32, torch.contiguous_format
                return r
        if type(v).__name__ == "device" and r.startswith("device("):
            return f"torch.{r}"
        return self.add_global(f"_{type(v).__name__.lower()}_constant", v)

    def arg(self, a):
        if isinstance(a, Node):
            return self.names[a]
        if isinstance(a, tuple):
            inner = ", ".join(self.arg(x) for x in a)
            if hasattr(a, "_fields"):
                return f"{self.add_global(type(a).__name__, type(a))}({inner})"
            return f"({inner},)" if len(a) == 1 else f"({inner})"
        if isinstance(a, list):
            return "[" + ", ".join(self.arg(x) for x in a) + "]"
        if isinstance(a, dict):
            return "{" + ", ".join(f"{self.const(k)}: {self.arg(v)}" for k, v in a.items()) + "}"
        if isinstance(a, slice):
            return f"slice({self.arg(a.start)}, {self.arg(a.stop)}, {self.arg(a.step)})"
        return self.const(a)

    def operand(self, a):
        s = self.arg(a)
        return s if s.isidentifier() or s.replace(".", "").isdigit() else f"({s})"

    def call_args(self, args, kwargs):
        parts = [self.arg(a) for a in args] + [f"{k} = {self.arg(v)}" for k, v in kwargs.items()]
        return ", ".join(parts)

    def function(self, fn):
        name = public_name(fn)
        if name is not None:
            return name
        short = getattr(fn, "__name__", None)
        if short and getattr(operator, short, None) is fn:
            return f"operator.{short}"
        if short and getattr(builtins, short, None) is fn:
            return short
        path = _ember_path(fn)
        if path is not None:
            return path
        return self.add_global(short or "_fn", fn)

    def attr_path(self, target):
        expr = self.root
        for atom in target.split("."):
            expr = (f"{expr}.{atom}" if atom.isidentifier() and not keyword.iskeyword(atom)
                    else f"getattr({expr}, {atom!r})")
        return expr

    # --- statements ----------------------------------------------------------------------------
    def expression(self, n):
        args, kwargs, t = n.args, n.kwargs, n.target
        if n.op == "get_attr":
            return self.attr_path(t)
        if n.op == "call_module":
            return f"{self.attr_path(t)}({self.call_args(args, kwargs)})"
        if n.op == "call_method":
            return f"{self.operand(args[0])}.{t}({self.call_args(args[1:], kwargs)})"
        if not kwargs:
            if t in _INFIX and len(args) == 2:
                return f"{self.operand(args[0])} {_INFIX[t]} {self.operand(args[1])}"
            if t in _PREFIX and len(args) == 1:
                return f"{_PREFIX[t]}{self.operand(args[0])}"
            if t is operator.getitem and len(args) == 2:
                return f"{self.operand(args[0])}[{self.arg(args[1])}]"
            if (t is getattr and len(args) == 2 and isinstance(args[1], str)
                    and args[1].isidentifier() and not keyword.iskeyword(args[1])):
                return f"{self.operand(args[0])}.{args[1]}"
        return f"{self.function(t)}({self.call_args(args, kwargs)})"

    def signature(self, placeholders):
        params, body = [self.root], []
        # a positional default is kept only when every later positional parameter has one
        keep_default, ok = set(), True
        for n in reversed(placeholders):
            if n.target.startswith("*"):
                continue
            ok = ok and bool(n.args)
            if ok:
                keep_default.add(n)
        star = False
        for n in placeholders:
            target, bare = n.target, n.target.lstrip("*")
            star = star or target.startswith("*")
            default = ""
            if n.args and (star or n in keep_default):
                default = f" = {self.arg(n.args[0])}"
            params.append(target + default)
            if self.names[n] != bare:
                body.append(f"{self.names[n]} = {bare}")
        return f"def forward({', '.join(params)}):", body

    def write(self):
        nodes = list(self.graph.nodes)
        last_use = {}
        for i, n in enumerate(nodes):
            for a in n.all_input_nodes:
                last_use[a] = i
        freed_at = {}
        for n, i in last_use.items():
            freed_at.setdefault(i, []).append(n)
        header, body = self.signature([n for n in nodes if n.op == "placeholder"])
        returned = False
        for i, n in enumerate(nodes):
            if n.op == "placeholder":
                continue
            if n.op == "output":
                body.append(f"return {self.arg(n.args[0])}")
                returned = True
                continue
            line = f"{self.names[n]} = {self.expression(n)}"
            free = [m for m in freed_at.get(i, ()) if m is not n]
            if not n.users:
                free.append(n)
            if free:
                line += ";  " + " = ".join(self.names[m] for m in free) + " = None"
            body.append(line)
        if not returned:
            body.append("return None")
        src = header + "\n" + "".join(f"    {line}\n" for line in body)
        return PythonCode(src, self.globals)


def _ember_path(fn):
    """``torch.fx._symbolic_trace._assert`` for a module-level function inside ember."""
    module, qual = getattr(fn, "__module__", None) or "", getattr(fn, "__qualname__", "")
    if not module.startswith("ember.") or "<" in qual:
        return None
    import sys
    obj = sys.modules.get(module)
    for atom in qual.split("."):
        obj = getattr(obj, atom, None)
    if obj is not fn:
        return None
    import ember
    obj = ember
    for atom in module.split(".")[1:]:                 # reachable as attributes from `torch`
        obj = getattr(obj, atom, None)
    return f"torch.{module[len('ember.'):]}.{qual}" if obj is sys.modules[module] else None


def python_code(graph, root_module="self"):
    return _Writer(graph, root_module).write()
