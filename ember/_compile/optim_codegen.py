"""An optimizer's update as generated code: its own rule, specialised, pasted into the step.

Each optimizer's eager ``step`` calls one small NumPy rule per parameter (``_sgd``,
``_adam``...), and its ``_compiled_update(group)`` (ember/optim/_rule.py) says what each of the
rule's arguments is.  Here the rule's source is *specialised*: hyperparameters other than the
learning rate become constants, every ``if`` whose test is then known is resolved (``if
maximize:``, ``if weight_decay != 0:``, ``if buf is None:`` for an existing buffer), helper
rules it calls (``_lerp_``, ``_decayed_grad``) are inlined, and what is left is pasted into the
generated step once per parameter, after lines that bind the parameter, its gradient and the
optimizer's own state arrays.  So eager and compiled steps run one formula, statement for
statement: the results agree bit for bit, and the optimizer's state (buffers, ``step``
counts) is the one ``state_dict()`` saves.

What changes between steps is read at run time: the learning rate (``param_groups[i]["lr"]``,
whatever scheduler set it), the step counts and buffers (the state tensors, incremented in
place), and any hyperparameter the step itself changed while it was traced (OneCycleLR's
``cycle_momentum`` moves ``momentum`` or ``betas`` at every step).  The constants baked in are
guarded (``guard_key``): a changed hyperparameter, a new param group, new hooks, a state that
lost its buffers, or a different set of parameters with a ``.grad`` traces again.
"""
import ast
import builtins
import copy
import inspect
import textwrap

import numpy as np

from .._tensor import Tensor
from ..optim._rule import GRAD, LR, PARAM, STEP, Hyper, State

_UNKNOWN = object()


class _Array:
    """The value a fold sees for an array (a parameter, a gradient, a state buffer): it is
    not None, and nothing else about it is known."""


_ARRAY = _Array()


class Unsupported(Exception):
    """The rule does something this specialiser does not handle: the step stays a call."""


class _Const:
    def __init__(self, expr, value):
        self.expr, self.value = expr, value


class _Var:
    """A generated local (or a name the caller passed); ``value`` is known for hyperparameters
    read at run time (``guard`` is then the expression of it over ``group``) and for arrays."""

    def __init__(self, name, value=_UNKNOWN, guard=None):
        self.name, self.value, self.guard = name, value, guard


def _literal(v):
    if type(v) is float and not np.isfinite(v):
        raise Unsupported(f"non-finite hyperparameter {v!r}")
    if v is None or type(v) in (int, float, bool, str):
        return ast.Constant(v)
    if type(v) in (tuple, list):
        return ast.Tuple([_literal(a) for a in v], ast.Load())
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
        self.by_name = {}         # generated name -> its _Var (what folding knows of it)
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
            if isinstance(b, _Var):
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
                if known is not _UNKNOWN:
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
        if not isinstance(b, _Var) or (b.value is not _ARRAY and t.id not in scope.owned):
            raise Unsupported(f"in-place update of {t.id}")
        if b.value is not _ARRAY:
            b.value, b.guard = _UNKNOWN, None
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
                inner.names[name] = self.by_name.get(a.id) or _Var(a.id)
                if a.id == target and aliased.count(a.id) == 1:
                    inner.owned.add(name)       # ``g = helper(g)``: it may rebind g itself
                continue
            value = self.fold(a, record=False)
            if value is not _UNKNOWN and not self._has_guarded(a):
                inner.names[name] = _Const(a, value)
                continue
            tmp = self.fresh(name)
            out.append(ast.Assign([ast.Name(tmp, ast.Store())], a, lineno=0))
            inner.names[name] = self.bind(
                _Var(tmp, value, self._guard_of(a) if value is not _UNKNOWN else None))
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
            if isinstance(b, _Var) and t.id in scope.owned:
                b.value, b.guard = _UNKNOWN, None
                return ast.Name(b.name, ast.Store())
            if b is not None and depth > 0:
                raise Unsupported(f"rebinding {t.id} inside a branch")
            scope.names[t.id] = v = self.bind(_Var(self.fresh(t.id)))
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
                if isinstance(b, _Const):
                    return copy.deepcopy(b.expr)
                if isinstance(b, _Var):
                    return ast.Name(b.name, ast.Load())
                g = scope.globals.get(n.id, _UNKNOWN)
                if g is np or (g is _UNKNOWN and hasattr(builtins, n.id)):
                    return ast.Name(n.id, ast.Load())
                raise Unsupported(f"the rule reads the global {n.id}")

            def visit_IfExp(self, n):
                n = self.generic_visit(n)
                known = sp.fold(n.test)
                if known is _UNKNOWN:
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
                if b is None or b.value is _UNKNOWN:
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
        """The value of ``e`` if every name in it is known, else ``_UNKNOWN``; a test on a
        hyperparameter read at run time is remembered, to be guarded."""
        vals = self._known(e)
        if vals is None:
            return _UNKNOWN
        try:
            v = eval(compile(ast.Expression(ast.fix_missing_locations(copy.deepcopy(e))),
                             "<fold>", "eval"), {"__builtins__": {}}, vals)
        except Exception:   # noqa: BLE001 - arithmetic on an array placeholder: not known
            return _UNKNOWN
        if record and self._has_guarded(e):
            self.predicates.append((self._guard_of(e), bool(v)))
        return v


# --- one optimizer step as lines of the generated step ----------------------------------------
def plan_ok(opt, args, kwargs):
    """Why ``opt.step(*args, **kwargs)`` must stay a call, or None when it can be generated."""
    from ..optim.optimizer import _global_step_post_hooks, _global_step_pre_hooks
    owner = next((c for c in type(opt).__mro__ if "_compiled_update" in c.__dict__), None)
    if owner is None:
        return f"{type(opt).__name__} has no generated update"
    if type(opt).step is not owner.__dict__.get("step", owner.step):
        return f"{type(opt).__name__}.step is overridden"
    if args or any(v is not None for v in kwargs.values()):
        return "a closure"
    if (opt._optimizer_step_pre_hooks or opt._optimizer_step_post_hooks
            or _global_step_pre_hooks or _global_step_post_hooks):
        return "step hooks"
    if any(g.get("differentiable") for g in opt.param_groups):
        return "differentiable=True"
    return None


def snapshot(opt):
    """The groups as the traced step sees them: hyperparameters and which params have a grad."""
    return [({k: v for k, v in g.items() if k != "params"},
             [p for p in g["params"] if p.grad is not None]) for g in opt.param_groups]


def emit_step(node, em, reserved, names):
    """The lines of one ``opt.step()`` (see the module docstring), or None to keep the call.
    ``names``: id(tensor) -> its name in the program (``0.weight``), for comments."""
    try:
        return _emit_step(node, em, reserved, names)
    except Unsupported:
        return None


def _emit_step(node, em, reserved, names):
    opt, snap = node.kwargs["opt"], node.meta["groups"]
    if len(snap) != len(opt.param_groups):
        return None
    o = em.const(opt, "opt")
    lines, runtime, preds = [], set(), []
    for gi, ((hyper, with_grad), group) in enumerate(zip(snap, opt.param_groups)):
        # a hyperparameter the traced step itself changed (OneCycleLR's momentum) is read
        # at run time like lr; the others are constants of the generated code, guarded
        changed = {k for k, v in hyper.items() if k != "lr" and not _same(group.get(k), v)}
        changed |= node.meta.get("runtime_keys", set())     # (seen with 3 values: api.py)
        runtime |= changed
        upd = opt._compiled_update({**hyper, "params": group["params"]})
        sp = Specialiser(reserved)      # (each group's lines bind their own names)
        binds, per, head = _bindings(sp, upd, hyper, changed, gi, o, em, preds)
        stmts = sp.rule(upd.rule, binds)
        if "float" in reserved or any(isinstance(x, ast.Name) and hasattr(builtins, x.id)
                                      and x.id in reserved for s in stmts for x in ast.walk(s)):
            raise Unsupported("a builtin the rule calls is shadowed by a name of the program")
        body = [ast.unparse(ast.fix_missing_locations(s)) for s in stmts]
        preds += [(gi, g, out) for g, out in sp.predicates]
        counts = STEP in per.values() or upd.counts_steps
        want = [b.name for b in per.values() if isinstance(b, State)] + (["step"] if counts else [])
        st = sp.fresh("st")
        consts = ", ".join(f"{a}={b.value(hyper)!r}" for a, b in upd.args.items()
                           if isinstance(b, Hyper) and b.key not in changed)
        where = f"{upd.rule.__name__} ({upd.rule.__module__.replace('.', '/')}.py)"
        title = f"# {type(opt).__name__}.step, param group {gi}: {where} for each parameter with a grad,"
        lines += [title, f"#   {consts}" if consts else "#", *head]
        for p in with_grad:
            state = opt.state.get(p)
            if want and (state is None or any(k not in state for k in want)):
                return None         # no state yet (or not the eager layout): keep the call
            pn = em.const(p, "p")
            shape = "x".join(map(str, p._data.shape)) or "scalar"
            lines.append(f"# {names.get(id(p), pn)}: {p._data.dtype}[{shape}]")
            if want:
                lines.append(f"{st} = {o}.state[{pn}]")
            if counts:
                lines.append(f'{st}["step"]._data += 1')
            reads = {PARAM: f"{pn}._data", GRAD: f"{pn}.grad._data",
                     STEP: f'float({st}["step"]._data)'}
            lines.append(", ".join(binds[a].name for a in per) + " = " + ", ".join(
                reads.get(b) or f'{st}["{b.name}"]._data' for b in per.values()))
            lines += body
            lines.append(f"{pn}._vbox[0] += 1")
    node.meta["guard"] = (opt, runtime, [(gi, _compile_pred(g), out) for gi, g, out in preds])
    return [ln for chunk in lines for ln in chunk.split("\n")]


def _bindings(sp, upd, hyper, changed, gi, o, em, preds):
    """What each argument of the rule is in the generated code: a per-parameter local
    (``per``: arrays, the step), a run-time read of the group (``head`` lines: lr, changed
    hyperparameters), or a constant."""
    binds, per, head = {}, {}, []
    for arg, b in upd.args.items():
        if b is PARAM or b is GRAD or isinstance(b, State) or b is STEP:
            binds[arg] = _Var(sp.fresh(arg), _UNKNOWN if b is STEP else _ARRAY)
            per[arg] = b
        elif b is LR or (isinstance(b, Hyper) and b.key in changed):
            key, idx = ("lr", None) if b is LR else (b.key, b.index)
            sub = f'["{key}"]' + ("" if idx is None else f"[{idx}]")
            read = f"{o}.param_groups[{gi}]{sub}"
            if key == "lr" and isinstance(hyper["lr"], Tensor):
                read = f"{em.const(_to_scalar, '_to_scalar')}({read})"
            name = sp.fresh(arg)
            if key == "lr":
                binds[arg] = sp.bind(_Var(name))
                head.append(f"{name} = {read}  # read at every step (a scheduler may change it)")
                continue
            guard = ast.parse("group" + sub, mode="eval").body
            value = hyper[key] if idx is None else hyper[key][idx]
            binds[arg] = sp.bind(_Var(name, value, guard))
            head.append(f"{name} = {read}  # read at every step (it changes between steps)")
            preds.append((gi, guard, bool(value)))
        elif isinstance(b, Hyper):
            v = b.value(hyper)
            binds[arg] = _Const(_literal(v), v)
        else:
            binds[arg] = _Const(_literal(b), b)
    return binds, per, head


def emit_zero_grad(node, em, names):
    opt = node.kwargs["opt"]
    lines = [f"# {type(opt).__name__}.zero_grad(): each parameter's .grad = None"]
    for g in opt.param_groups:
        for p in g["params"]:
            pn = em.const(p, "p")
            lines.append(f"{pn}.grad = None  # {names.get(id(p), pn)}")
    node.meta["guard"] = (opt, set(), [])
    return lines


def _to_scalar(x):
    from ..optim.optimizer import _to_scalar as f
    return f(x)


def _same(a, b):
    try:
        return bool(a == b) if type(a) is type(b) else False
    except Exception:   # noqa: BLE001 - arrays and such: compare by identity
        return a is b


def _compile_pred(expr):
    src = ast.unparse(ast.Expression(expr))
    return eval(f"lambda group: bool({src})")


# --- guards ------------------------------------------------------------------------------------
_PLAIN = {int, float, bool, str, type(None)}


def _plain(v):
    return type(v) in _PLAIN or (type(v) is tuple and all(type(a) in _PLAIN for a in v))


class OptimizerGuard:
    """What the generated updates of one optimizer baked in, re-read at every call (cheaply:
    one ``key()`` is a handful of C-level tuple builds): its hooks, its param groups
    (parameters by identity, hyperparameters by value, the kind of lr), how many state
    entries it holds, and the outcome of each test folded on a value read at run time."""

    def __init__(self, opt, runtime, preds):
        self.opt = opt
        self.skip = {"params", "lr"} | set(runtime)
        self.preds = list(preds)
        self._keys = {}       # id(group) -> (group, its keys compared by value, the others)

    def add(self, runtime, preds):
        self.skip |= set(runtime)
        self.preds += preds
        self._keys.clear()

    def _split(self, g):
        keys = tuple(k for k in g if k not in self.skip and _plain(g[k]))
        other = tuple(k for k in g if k not in self.skip and k not in keys)
        e = self._keys[id(g)] = (g, keys, other)
        return e

    def key(self, value_key):
        opt = self.opt
        groups, state = opt.param_groups, opt.state
        parts = [bool(opt._optimizer_step_pre_hooks or opt._optimizer_step_post_hooks),
                 len(groups), len(state), sum(map(len, state.values()))]
        for g in groups:
            e = self._keys.get(id(g))
            if e is None or e[0] is not g:
                e = self._split(g)
            _, keys, other = e
            parts.append((tuple(map(id, g["params"])), keys, tuple(map(g.get, keys)), len(g),
                          isinstance(g["lr"], Tensor),
                          tuple(value_key(g.get(k)) for k in other) if other else ()))
        if self.preds:
            parts.append(tuple([f(groups[i]) if i < len(groups) else None
                                for i, f, _ in self.preds]))
        return tuple(parts)


def guard_key(guards, grad_guards):
    """The key part of a compiled step's optimizers: every ``OptimizerGuard``, step hooks
    registered for all optimizers, and which of ``grad_guards`` (parameters whose ``.grad``
    the step neither gives nor takes) have a ``.grad``."""
    pre, post, value_key = _GLOBALS or _globals()
    parts = [bool(pre or post)]
    for g in guards:
        parts.append(g.key(value_key))
    if grad_guards:
        parts.append(tuple([p.grad is None for p in grad_guards]))
    return tuple(parts)


_GLOBALS = None


def _globals():
    global _GLOBALS
    from ..optim.optimizer import _global_step_post_hooks, _global_step_pre_hooks
    from .api import _value_key
    _GLOBALS = (_global_step_pre_hooks, _global_step_post_hooks, _value_key)
    return _GLOBALS
