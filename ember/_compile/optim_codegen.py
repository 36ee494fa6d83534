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
guarded (``OptimizerGuard``): a changed hyperparameter, a new param group, new hooks, a state that
lost its buffers, or a different set of parameters with a ``.grad`` traces again.
"""
import ast
import builtins

from .._tensor import Tensor
from ..optim._rule import GRAD, LR, PARAM, STEP, Hyper, State
from .specialise import (
    ARRAY,
    UNKNOWN,
    Const,
    Specialiser,
    Unsupported,
    Var,
    literal,
)


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
            if p._data.dtype.kind == "c":
                return None         # complex: the eager step's real views (optimizer._real)
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
            binds[arg] = Var(sp.fresh(arg), UNKNOWN if b is STEP else ARRAY)
            per[arg] = b
        elif b is LR or (isinstance(b, Hyper) and b.key in changed):
            key, idx = ("lr", None) if b is LR else (b.key, b.index)
            sub = f'["{key}"]' + ("" if idx is None else f"[{idx}]")
            read = f"{o}.param_groups[{gi}]{sub}"
            if key == "lr" and isinstance(hyper["lr"], Tensor):
                read = f"{em.const(_to_scalar, '_to_scalar')}({read})"
            name = sp.fresh(arg)
            if key == "lr":
                binds[arg] = sp.bind(Var(name))
                head.append(f"{name} = {read}  # read at every step (a scheduler may change it)")
                continue
            guard = ast.parse("group" + sub, mode="eval").body
            value = hyper[key] if idx is None else hyper[key][idx]
            binds[arg] = sp.bind(Var(name, value, guard))
            head.append(f"{name} = {read}  # read at every step (it changes between steps)")
            preds.append((gi, guard, bool(value)))
        elif isinstance(b, Hyper):
            v = b.value(hyper)
            binds[arg] = Const(literal(v), v)
        else:
            binds[arg] = Const(literal(b), b)
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
