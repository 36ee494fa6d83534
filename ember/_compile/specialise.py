"""A function's source specialised to given bindings: straight-line code to paste elsewhere.

Used for the optimizer update of a compiled step (optim_codegen.py): the rule's parameters are
bound to constants (their value written inline) or to names of the generated code; every
``if`` (and ``a if c else b``) whose test is then known is resolved, helper functions of
ember.optim it calls are inlined, and the result is a list of ``ast`` statements over the
bound names.  What cannot be specialised faithfully (loops, a rebinding inside a kept branch,
a global other than ``np`` and the builtins) raises ``Unsupported``; the caller then keeps the
call.
"""
import ast
import builtins
import copy
import inspect
import textwrap

import numpy as np

UNKNOWN = object()


class _Array:
    """The value a fold sees for an array (a parameter, a gradient, a state buffer): it is
    not None, and nothing else about it is known."""


ARRAY = _Array()


class Unsupported(Exception):
    """The rule does something this specialiser does not handle: the step stays a call."""


class Const:
    def __init__(self, expr, value):
        self.expr, self.value = expr, value


class Var:
    """A generated local (or a name the caller passed); ``value`` is known for hyperparameters
    read at run time (``guard`` is then the expression of it over ``group``) and for arrays."""

    def __init__(self, name, value=UNKNOWN, guard=None):
        self.name, self.value, self.guard = name, value, guard


def literal(v):
    if type(v) is float and not np.isfinite(v):
        raise Unsupported(f"non-finite hyperparameter {v!r}")
    if v is None or type(v) in (int, float, bool, str):
        return ast.Constant(v)
    if type(v) in (tuple, list):
        return ast.Tuple([literal(a) for a in v], ast.Load())
    raise Unsupported(f"hyperparameter of type {type(v).__name__}")


def _source_tree(fn):
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    return tree.body[0]


def _is_inlinable(fn):
    return inspect.isfunction(fn) and fn.__module__.startswith("ember.optim")


class _Scope:
    """One function's names while it is specialised: source name -> binding; ``owned``: the
    names this function may rebind (its own locals, and parameters it got to own)."""

    def __init__(self, fn):
        self.globals = fn.__globals__
        self.names = {}
        self.owned = set()


class Specialiser:
    """Turns ``rule(**bindings)`` into straight-line statements (``ast`` nodes)."""

    def __init__(self, reserved):
        self.reserved = set(reserved)
        self.used = set()
        self.by_name = {}         # generated name -> its Var (what folding knows of it)
        self.predicates = []      # (guard expression ast, outcome) of tests folded on run-time values

    def fresh(self, base):
        name = base
        while name in self.reserved or name in self.used:
            name += "_"
        self.used.add(name)
        return name

    def bind(self, var):
        self.by_name[var.name] = var
        return var

    # --- statements ------------------------------------------------------------------------
    def rule(self, fn, bindings):
        tree = _source_tree(fn)
        scope = _Scope(fn)
        for a in tree.args.args:
            if a.arg not in bindings:
                raise Unsupported(f"{fn.__name__}: no binding for {a.arg}")
            scope.names[a.arg] = b = bindings[a.arg]
            if isinstance(b, Var):
                scope.owned.add(a.arg)
                self.bind(b)
        return self.block(tree.body, scope, depth=0)[0]   # (the rule's result is not needed)

    def block(self, body, scope, depth):
        """The statements of ``body`` specialised, and the expression it returns (or None)."""
        out, ret = [], None
        for st in body:
            if ret is not None:
                raise Unsupported("statements after a return")
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
                continue                                    # a docstring
            if isinstance(st, ast.If):
                known = self.fold(self.expr(st.test, scope))
                if known is not UNKNOWN:
                    sub, ret = self.block(st.body if known else st.orelse, scope, depth)
                    out += sub
                    continue
                test = self.expr(st.test, scope)
                body_, r1 = self.block(st.body, scope, depth + 1)
                else_, r2 = self.block(st.orelse, scope, depth + 1)
                if r1 is not None or r2 is not None:
                    raise Unsupported("a return inside a branch")
                out.append(ast.If(test, body_ or [ast.Pass()], else_))
            elif isinstance(st, ast.Return):
                ret = st.value
            elif self._helper_call(st, scope):
                target = None
                if isinstance(st, ast.Assign):
                    if len(st.targets) != 1 or not isinstance(st.targets[0], ast.Name):
                        raise Unsupported("a helper's result unpacked")
                    target = st.targets[0].id
                out += self.inline(scope.globals[st.value.func.id], st.value, scope, target, depth)
            elif isinstance(st, ast.Assign):
                value = self.expr(st.value, scope)
                targets = [self.store(t, scope, depth) for t in st.targets]
                out.append(ast.Assign(targets, value, lineno=0))
            elif isinstance(st, ast.AugAssign):
                out.append(ast.AugAssign(self._augmented_target(st.target, scope), st.op,
                                         self.expr(st.value, scope)))
            elif isinstance(st, ast.Expr):
                out.append(ast.Expr(self.expr(st.value, scope)))
            else:
                raise Unsupported(f"a {type(st).__name__} statement")
        return out, ret

    def _helper_call(self, st, scope):
        call = st.value if isinstance(st, (ast.Expr, ast.Assign)) else None
        return (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id not in scope.names
                and _is_inlinable(scope.globals.get(call.func.id)))

    def _augmented_target(self, t, scope):
        """``x += ...``: in place on an array (a name stays bound to the same array)."""
        if not isinstance(t, ast.Name):
            return self.expr(t, scope, ctx=ast.Store())
        b = scope.names.get(t.id)
        if not isinstance(b, Var) or (b.value is not ARRAY and t.id not in scope.owned):
            raise Unsupported(f"in-place update of {t.id}")
        if b.value is not ARRAY:
            b.value, b.guard = UNKNOWN, None
        return ast.Name(b.name, ast.Store())

    def inline(self, fn, call, scope, target, depth):
        """A helper rule's body in place of its call; its parameters alias the caller's
        names (no copy) unless it rebinds them."""
        if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
            raise Unsupported("a helper called with keywords")
        tree = _source_tree(fn)
        params = [a.arg for a in tree.args.args]
        if len(params) != len(call.args) or tree.args.defaults:
            raise Unsupported(f"helper {fn.__name__}'s arguments")
        inner = _Scope(fn)
        out = []
        args = [self.expr(a, scope) for a in call.args]
        aliased = [a.id for a in args if isinstance(a, ast.Name)]
        for name, a in zip(params, args):
            if isinstance(a, ast.Name):
                inner.names[name] = self.by_name.get(a.id) or Var(a.id)
                if a.id == target and aliased.count(a.id) == 1:
                    inner.owned.add(name)       # ``g = helper(g)``: it may rebind g itself
                continue
            value = self.fold(a, record=False)
            if value is not UNKNOWN and not self._has_guarded(a):
                inner.names[name] = Const(a, value)
                continue
            tmp = self.fresh(name)
            out.append(ast.Assign([ast.Name(tmp, ast.Store())], a, lineno=0))
            inner.names[name] = self.bind(
                Var(tmp, value, self._guard_of(a) if value is not UNKNOWN else None))
        body, ret = self.block(tree.body, inner, depth)
        out += body
        if target is not None:
            if ret is None:
                raise Unsupported(f"helper {fn.__name__} returns nothing")
            value = self.expr(ret, inner)
            store = self.store(ast.Name(target, ast.Store()), scope, depth)
            if not (isinstance(value, ast.Name) and value.id == store.id):
                out.append(ast.Assign([store], value, lineno=0))
        return out

    def store(self, t, scope, depth):
        if isinstance(t, ast.Name):
            b = scope.names.get(t.id)
            if isinstance(b, Var) and t.id in scope.owned:
                b.value, b.guard = UNKNOWN, None
                return ast.Name(b.name, ast.Store())
            if b is not None and depth > 0:
                raise Unsupported(f"rebinding {t.id} inside a branch")
            scope.names[t.id] = v = self.bind(Var(self.fresh(t.id)))
            scope.owned.add(t.id)
            return ast.Name(v.name, ast.Store())
        if isinstance(t, (ast.Subscript, ast.Attribute)):
            return self.expr(t, scope, ctx=ast.Store())
        if isinstance(t, ast.Tuple):
            return ast.Tuple([self.store(e, scope, depth) for e in t.elts], ast.Store())
        raise Unsupported(f"assignment to a {type(t).__name__}")

    # --- expressions -----------------------------------------------------------------------
    def expr(self, e, scope, ctx=None):
        """``e`` with the scope's names substituted (constants inline) and every ``a if c
        else b`` whose test is known resolved."""
        sp = self

        class Sub(ast.NodeTransformer):
            def visit_Name(self, n):
                b = scope.names.get(n.id)
                if isinstance(b, Const):
                    return copy.deepcopy(b.expr)
                if isinstance(b, Var):
                    return ast.Name(b.name, ast.Load())
                g = scope.globals.get(n.id, UNKNOWN)
                if g is np or (g is UNKNOWN and hasattr(builtins, n.id)):
                    return ast.Name(n.id, ast.Load())
                raise Unsupported(f"the rule reads the global {n.id}")

            def visit_IfExp(self, n):
                n = self.generic_visit(n)
                known = sp.fold(n.test)
                if known is UNKNOWN:
                    return n
                return n.body if known else n.orelse

        out = Sub().visit(copy.deepcopy(e))
        if ctx is not None:
            out.ctx = ctx
        return out

    def _known(self, e):
        vals = {}
        for n in ast.walk(e):
            if isinstance(n, ast.Name):
                b = self.by_name.get(n.id)
                if b is None or b.value is UNKNOWN:
                    return None
                vals[n.id] = b.value
            elif isinstance(n, (ast.Call, ast.Attribute, ast.Subscript)):
                return None
        return vals

    def _has_guarded(self, e):
        return any(isinstance(n, ast.Name) and getattr(self.by_name.get(n.id), "guard", None)
                   is not None for n in ast.walk(e))

    def _guard_of(self, e):
        names = self.by_name

        class G(ast.NodeTransformer):
            def visit_Name(self, n):
                b = names.get(n.id)
                return copy.deepcopy(b.guard) if b is not None and b.guard is not None else n
        return G().visit(copy.deepcopy(e))

    def fold(self, e, record=True):
        """The value of ``e`` if every name in it is known, else ``UNKNOWN``; a test on a
        hyperparameter read at run time is remembered, to be guarded."""
        vals = self._known(e)
        if vals is None:
            return UNKNOWN
        try:
            v = eval(compile(ast.Expression(ast.fix_missing_locations(copy.deepcopy(e))),
                             "<fold>", "eval"), {"__builtins__": {}}, vals)
        except Exception:   # noqa: BLE001 - arithmetic on an array placeholder: not known
            return UNKNOWN
        if record and self._has_guarded(e):
            self.predicates.append((self._guard_of(e), bool(v)))
        return v
