"""torch.func: composable function transforms on ember's autograd.

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``, ``vmap``,
``functional_call`` and ``stack_module_state`` with PyTorch's signatures.  How they work here:

* reverse mode (grad, vjp, jacrev) runs the function on fresh graph nodes for the chosen inputs
  and asks ``autograd.grad``; inside another transform the gradient graph is kept
  (``create_graph``), so transforms nest (``grad(grad(f))``, ``jacrev(jacrev(f))``);
* forward mode (jvp, jacfwd) is the double-vjp trick: g(u) = J^T u is linear in u, so the
  gradient of <g(u), t> with respect to u is J t; it needs each op's gradient rule to be
  differentiable, which ember's are (backward is written in Tensor ops);
* vmap calls the function once per batch index and stacks the results: semantically what
  PyTorch's batching rules compute, at the cost of a Python loop.  ``randomness='error'``
  raises if the function draws from the default generator, ``'same'`` replays one generator
  state for every element, ``'different'`` lets the draws differ.

Example: per-sample gradients of a loss over a model's parameters::

    params = {k: v.detach() for k, v in model.named_parameters()}
    def loss(p, x, y):
        return F.mse_loss(functional_call(model, p, (x,)), y)
    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
"""
import contextlib

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap",
           "functional_call", "stack_module_state"]

_DEPTH = [0]        # how many transforms are running: inside one, gradients stay differentiable


@contextlib.contextmanager
def _level():
    _DEPTH[0] += 1
    try:
        with enable_grad():
            yield
    finally:
        _DEPTH[0] -= 1


# --- pytrees: tensors inside tuples, lists and dicts ------------------------------------------
def _flatten(tree):
    if isinstance(tree, Tensor):
        return [tree], None
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for v in tree:
            lv, sp = _flatten(v)
            leaves += lv
            specs.append((len(lv), sp))
        return leaves, (type(tree), specs)
    if isinstance(tree, dict):
        leaves, specs = [], []
        for k, v in tree.items():
            lv, sp = _flatten(v)
            leaves += lv
            specs.append((k, len(lv), sp))
        return leaves, (dict, specs)
    return [], ("const", tree)


def _unflatten(spec, leaves):
    leaves = list(leaves)
    return _build(spec, leaves)


def _build(spec, leaves):
    if spec is None:
        return leaves.pop(0)
    kind, body = spec
    if kind == "const":
        return body
    if kind is dict:
        return {k: _build(sp, leaves) for k, _, sp in body}
    vals = [_build(sp, leaves) for _, sp in body]
    if kind is tuple or kind is list:
        return kind(vals)
    return kind(*vals)          # a namedtuple


def _track(x):
    """A fresh node for x that gradients can be asked of, still attached to an outer graph."""
    if x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_()


def _argnums(argnums, n):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for a in nums:
        if not -n <= a < n:
            raise RuntimeError(f"Got argnums={argnums}, but only {n} positional inputs")
    return argnums, tuple(a % n for a in nums)


def _zeros_for(gs, xs):
    from ..ops.creation import zeros_like
    return [zeros_like(x) if g is None else g for g, x in zip(gs, xs)]


def _grad(outputs, inputs, grad_outputs=None, keep=False):
    from .. import autograd
    outs = [o for o in outputs]
    if grad_outputs is not None:
        pairs = [(o, g) for o, g in zip(outs, grad_outputs) if o.requires_grad]
        outs, grad_outputs = [p[0] for p in pairs], [p[1] for p in pairs]
    else:
        outs = [o for o in outs if o.requires_grad]
    if not outs or not inputs:
        return _zeros_for([None] * len(inputs), inputs)
    gs = autograd.grad(outs, inputs, grad_outputs, retain_graph=True,
                       create_graph=keep or _DEPTH[0] > 1, allow_unused=True)
    return _zeros_for(gs, inputs)


def _plain(tree):
    """Results of a top-level transform are plain tensors, as in PyTorch."""
    if _DEPTH[0] > 0:
        return tree
    leaves, spec = _flatten(tree)
    return _unflatten(spec, [t.detach() if t.requires_grad else t for t in leaves])


# --- reverse mode -------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """(gradient of the scalar ``func`` with respect to ``args[argnums]``, its value)."""
    def wrapper(*args, **kwargs):
        an, nums = _argnums(argnums, len(args))
        with _level():
            args = list(args)
            trees = []
            for i in nums:
                leaves, spec = _flatten(args[i])
                leaves = [_track(t) for t in leaves]
                args[i] = _unflatten(spec, leaves)
                trees.append((leaves, spec))
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a "
                                       "tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor) or out.numel() != 1:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                                   "Tensor, got " + (f"tensor with {out.ndim} dims" if isinstance(
                                       out, Tensor) else type(out).__name__))
            flat = [t for leaves, _ in trees for t in leaves]
            gs = _grad([out], flat)
            res, k = [], 0
            for leaves, spec in trees:
                res.append(_unflatten(spec, gs[k:k + len(leaves)]))
                k += len(leaves)
            g = res[0] if isinstance(an, int) else tuple(res)
        value = (out, aux) if has_aux else out
        return _plain(g), _plain(value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient function of a scalar ``func``: ``grad(f)(x)`` is df/dx at x."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]); ``vjp_fn(cotangents)`` is the tuple of J^T cotangents."""
    with _level():
        trees = []
        args = []
        for p in primals:
            leaves, spec = _flatten(p)
            leaves = [_track(t) for t in leaves]
            args.append(_unflatten(spec, leaves))
            trees.append((leaves, spec))
        out = func(*args)
        aux = None
        if has_aux:
            out, aux = out
    out_leaves, out_spec = _flatten(out)

    def vjp_fn(cotangents):
        ct_leaves, _ = _flatten(cotangents)
        if len(ct_leaves) != len(out_leaves):
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree "
                               f"structure of outputs to the function ({len(out_leaves)} tensors, "
                               f"got {len(ct_leaves)})")
        flat = [t for leaves, _ in trees for t in leaves]
        keep = any(c.requires_grad for c in ct_leaves)
        with _level():
            gs = _grad(out_leaves, flat, ct_leaves, keep=keep)
        res, k = [], 0
        for leaves, spec in trees:
            res.append(_unflatten(spec, gs[k:k + len(leaves)]))
            k += len(leaves)
        return _plain(tuple(res)) if not keep else tuple(res)

    result = (_plain(out), vjp_fn)
    return result + (_plain(aux),) if has_aux else result


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """The Jacobian by reverse mode: one vjp per output element; shape out.shape + in.shape."""
    def wrapper(*args, **kwargs):
        an, nums = _argnums(argnums, len(args))
        with _level():
            args = list(args)
            ins = []
            for i in nums:
                if not isinstance(args[i], Tensor):
                    raise RuntimeError("jacrev: only Tensor inputs are supported for argnums in ember")
                args[i] = _track(args[i])
                ins.append(args[i])
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            outs, spec = _flatten(out)
            jacs = [_jac_rows(o, ins) for o in outs]
        per_out = [j[0] if isinstance(an, int) else tuple(j) for j in jacs]
        res = _unflatten(spec, per_out) if spec is not None else per_out[0]
        return (_plain(res), _plain(aux)) if has_aux else _plain(res)
    return wrapper


def _jac_rows(o, ins):
    from ..ops.creation import zeros
    from ..ops.shape import stack
    n = o.numel()
    flat = o.reshape(-1)
    rows = [[] for _ in ins]
    for k in range(n):
        gs = _grad([flat[k]], ins, keep=True)
        for j, g in enumerate(gs):
            rows[j].append(g)
    res = []
    for j, x in enumerate(ins):
        shape = tuple(o.shape) + tuple(x.shape)
        res.append(stack(rows[j]).reshape(shape) if n else zeros(shape, dtype=x.dtype))
    return res


# --- forward mode by double vjp -----------------------------------------------------------------
def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J tangents): the gradient of <J^T u, tangents> with respect to u."""
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be tuples")
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the "
                           "same length")
    from ..ops.creation import zeros_like
    with _level():
        p_leaves, t_leaves, args = [], [], []
        for p, t in zip(primals, tangents):
            lp, spec = _flatten(p)
            lt, _ = _flatten(t)
            if len(lp) != len(lt):
                raise RuntimeError("jvp: primals and tangents must have the same structure")
            lp = [_track(x) for x in lp]
            p_leaves += lp
            t_leaves += lt
            args.append(_unflatten(spec, lp))
        out = func(*args)
        aux = None
        if has_aux:
            out, aux = out
        outs, spec = _flatten(out)
        us = [zeros_like(o).requires_grad_() for o in outs]
        diff = [(o, u) for o, u in zip(outs, us) if o.requires_grad]
        if diff and p_leaves:
            from .. import autograd
            gs = autograd.grad([o for o, _ in diff], p_leaves, [u for _, u in diff],
                               create_graph=True, allow_unused=True)
            pairs = [(g, t) for g, t in zip(gs, t_leaves) if g is not None and g.requires_grad]
            if pairs:
                _DEPTH[0] += 1
                try:
                    js = _grad([g for g, _ in pairs], us, [t for _, t in pairs], keep=_DEPTH[0] > 2)
                finally:
                    _DEPTH[0] -= 1
            else:
                js = [zeros_like(o) for o in outs]
        else:
            js = [zeros_like(o) for o in outs]
        tangent_out = _unflatten(spec, js)
    res = (_plain(out), _plain(tangent_out))
    return res + (_plain(aux),) if has_aux else res


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian by forward mode: one jvp per input element; shape out.shape + in.shape."""
    def wrapper(*args, **kwargs):
        from ..ops.creation import zeros_like
        from ..ops.shape import stack
        an, nums = _argnums(argnums, len(args))
        per_in = []
        out = aux = None
        for i in nums:
            x = args[i]
            cols = []
            for k in range(x.numel()):
                t = zeros_like(x).reshape(-1)
                t = t.detach().clone()
                t._data[k] = 1
                t = t.reshape(x.shape)

                def f(xi, i=i):
                    a = list(args)
                    a[i] = xi
                    return func(*a, **kwargs)
                r = jvp(f, (x,), (t,), has_aux=has_aux)
                out, col = r[0], r[1]
                if has_aux:
                    aux = r[2]
                cols.append(col)
            if out is None:
                r = func(*args, **kwargs)
                out = r[0] if has_aux else r
                aux = r[1] if has_aux else None
            outs, spec = _flatten(out)
            jac = []
            for j, o in enumerate(outs):
                shape = tuple(o.shape) + tuple(x.shape)
                if cols:
                    col_j = [_flatten(c)[0][j] for c in cols]
                    jac.append(stack(col_j, -1).reshape(shape))
                else:
                    jac.append(o.new_zeros(shape))
            per_in.append(_unflatten(spec, jac))
        res = per_in[0] if isinstance(an, int) else tuple(per_in)
        return (res, aux) if has_aux else res
    return wrapper


def hessian(func, argnums=0):
    """The Hessian of a scalar function (reverse-over-reverse)."""
    return jacrev(jacrev(func, argnums), argnums)


# --- vmap ------------------------------------------------------------------------------------------
def _dims_tree(in_dims, args):
    if isinstance(in_dims, int) or in_dims is None:
        return [in_dims] * len(args)
    if not isinstance(in_dims, (tuple, list)) or len(in_dims) != len(args):
        raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): expected one in_dim per "
                         f"input (got {len(args)} inputs)")
    return list(in_dims)


def _batch_size(arg, d, sizes):
    if d is None:
        return
    if isinstance(arg, Tensor):
        if arg.ndim == 0:
            raise ValueError("vmap: cannot map over a 0-d tensor (in_dim must be None for it)")
        sizes.append(arg.shape[d])
    elif isinstance(arg, (tuple, list)):
        ds = d if isinstance(d, (tuple, list)) else [d] * len(arg)
        for a, dd in zip(arg, ds):
            _batch_size(a, dd, sizes)
    elif isinstance(arg, dict):
        for k, a in arg.items():
            _batch_size(a, d[k] if isinstance(d, dict) else d, sizes)


def _slice(arg, d, i):
    if d is None:
        return arg
    if isinstance(arg, Tensor):
        return arg.select(d, i)
    if isinstance(arg, (tuple, list)):
        ds = d if isinstance(d, (tuple, list)) else [d] * len(arg)
        vals = [_slice(a, dd, i) for a, dd in zip(arg, ds)]
        return type(arg)(vals) if not hasattr(arg, "_fields") else type(arg)(*vals)
    if isinstance(arg, dict):
        return {k: _slice(a, d[k] if isinstance(d, dict) else d, i) for k, a in arg.items()}
    return arg


def _stack_out(results, out_dims):
    from ..ops.shape import stack
    first = results[0]
    if isinstance(first, Tensor):
        return stack(results, out_dims if isinstance(out_dims, int) else 0)
    if isinstance(first, (tuple, list)):
        ods = out_dims if isinstance(out_dims, (tuple, list)) else [out_dims] * len(first)
        vals = [_stack_out([r[k] for r in results], ods[k]) for k in range(len(first))]
        return type(first)(*vals) if hasattr(first, "_fields") else type(first)(vals)
    if isinstance(first, dict):
        return {k: _stack_out([r[k] for r in results], out_dims[k] if isinstance(out_dims, dict)
                              else out_dims) for k in first}
    raise ValueError(f"vmap: the function must return tensors (or tuples/lists/dicts of them), "
                     f"got {type(first).__name__}")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Map ``func`` over a dim of its inputs: ``vmap(f)(xs)[i] == f(xs[i])``."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    def wrapper(*args, **kwargs):
        from ..ops import random as _random
        dims = _dims_tree(in_dims, args)
        args = list(args)
        for k, (a, d) in enumerate(zip(args, dims)):
            if isinstance(a, Tensor) and isinstance(d, int):
                dims[k] = d % a.ndim if a.ndim else d
        sizes = []
        for a, d in zip(args, dims):
            _batch_size(a, d, sizes)
        if not sizes:
            raise ValueError("vmap(f, in_dims=...)(<inputs>): at least one input must be a Tensor "
                             "mapped over a dim (in_dims is None for all of them)")
        if len(set(sizes)) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        n = sizes[0]
        state = _random.get_rng_state()
        results = []
        for i in range(n):
            if randomness == "same":
                _random.set_rng_state(state)
            before = _random.get_rng_state() if randomness == "error" else None
            results.append(func(*[_slice(a, d, i) for a, d in zip(args, dims)], **kwargs))
            if before is not None and not bool((_random.get_rng_state() == before).all()):
                raise RuntimeError("vmap: called random operation while in randomness error mode. "
                                   "Please either use the 'same' or 'different' randomness flags "
                                   "on vmap or perform the randomness operation out of vmap")
        if n == 0:
            raise ValueError("vmap: the mapped dimension has size 0 (ember maps by calling the "
                             "function per element)")
        return _stack_out(results, out_dims)
    return wrapper


# --- modules as functions --------------------------------------------------------------------------
def _swap(module, name, value):
    """Set parameter/buffer ``name`` ('a.b.w') of ``module`` to ``value``; return the old one."""
    *path, leaf = name.split(".")
    mod = module
    for p in path:
        mod = getattr(mod, p)
    d = mod.__dict__
    for store in ("_parameters", "_buffers"):
        if leaf in d.get(store, {}):
            old = d[store][leaf]
            d[store][leaf] = value
            return (mod, store, leaf, old)
    old = d.get(leaf, None)
    object.__setattr__(mod, leaf, value)
    return (mod, None, leaf, old)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call ``module`` with its parameters and buffers replaced by the given tensors."""
    if isinstance(parameter_and_buffer_dicts, (list, tuple)):
        merged = {}
        for d in parameter_and_buffer_dicts:
            for k, v in d.items():
                if k in merged:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                     "functional call is ambiguous")
                merged[k] = v
    else:
        merged = dict(parameter_and_buffer_dicts)
    if strict:
        want = {k for k, _ in module.named_parameters()} | {k for k, _ in module.named_buffers()}
        missing, extra = sorted(want - set(merged)), sorted(set(merged) - want)
        if missing or extra:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}: "
                               f"missing keys {missing}, unexpected keys {extra}")
    if tie_weights:
        # a weight shared by two names (tied embeddings) follows whichever name is given
        seen = {}
        for k, p in list(module.named_parameters(remove_duplicate=False)) + \
                list(module.named_buffers(remove_duplicate=False)):
            seen.setdefault(id(p), []).append(k)
        for names in seen.values():
            given = [k for k in names if k in merged]
            if given:
                for k in names:
                    merged.setdefault(k, merged[given[0]])
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    saved = []
    try:
        for k, v in merged.items():
            saved.append(_swap(module, k, v))
        return module(*args, **(kwargs or {}))
    finally:
        for mod, store, leaf, old in reversed(saved):
            if store is None:
                object.__setattr__(mod, leaf, old)
            else:
                mod.__dict__[store][leaf] = old


def stack_module_state(models):
    """({name: stacked parameter}, {name: stacked buffer}) over identical models (ensembling)."""
    from ..ops.shape import stack
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or not any(m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    kinds = {type(m) for m in models}
    if len(kinds) != 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class")
    params = {k: stack([dict(m.named_parameters())[k].detach() for m in models]).requires_grad_()
              for k, _ in models[0].named_parameters()}
    buffers = {k: stack([dict(m.named_buffers())[k] for m in models])
               for k, _ in models[0].named_buffers()}
    return params, buffers
