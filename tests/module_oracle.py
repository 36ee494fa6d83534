"""The module oracle: an ember module and a torch module with identical state, run on the same
inputs; outputs compared (shape, dtype, values), then the gradients of sum_k(out_k * w_k), for
random w_k, with respect to every input that requires grad and every parameter, by name.
``compare`` does the same for two plain functions (functional ops, losses, distributions).
tests/oracle.py is the single-op version.  Only tests import torch."""
import numpy as np
import torch

import ember
import ember.nn as enn

# (rtol, atol) by dtype; a file with other tolerances passes ``tol`` (a dict like this or a pair)
TOL = {np.float16: (1e-2, 1e-2), np.float32: (2e-4, 2e-5), np.float64: (1e-9, 1e-10)}


def to_np(x):
    return x.detach().numpy() if isinstance(x, (torch.Tensor, ember.Tensor)) else np.asarray(x)


def flat(o):
    """Nested tuples/lists of outputs -> one flat list (None entries kept)."""
    if isinstance(o, (tuple, list)):
        return [x for y in o for x in flat(y)]
    return [o]


def copy_state(em, tm):
    """Load tm's state_dict (parameters and buffers) into em."""
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})


def module_pair(make, *args, dtype=np.float64, weights="copy", low=-0.5, high=0.5, seed=3,
                eval_mode=False, **kw):
    """(ember module, torch module) with the same state.  ``make(nn)`` builds the module from
    either library's nn, or ``make`` is a class name called with ``*args, **kw``.  float64 turns
    both to double.  weights="copy": torch's default init (torch.manual_seed(0)) copied into
    ember; "uniform": every state_dict entry drawn from U(low, high) with ``seed``."""
    if isinstance(make, str):
        name = make
        make = lambda nn: getattr(nn, name)(*args, **kw)  # noqa: E731
    torch.manual_seed(0)
    tm, em = make(torch.nn), make(enn)
    if np.dtype(dtype) == np.float64:
        tm, em = tm.double(), em.double()
    if weights == "uniform":
        rng = np.random.default_rng(seed)
        tm.load_state_dict({n: torch.tensor(rng.uniform(low, high, tuple(v.shape)).astype(dtype))
                            for n, v in tm.state_dict().items()})
    copy_state(em, tm)
    if eval_mode:
        tm.eval()
        em.eval()
    return em, tm


def _close(a, b, tol, what):
    assert a is not None, f"{what}: none in ember"
    g, w = to_np(a), to_np(b)
    assert g.shape == w.shape, f"{what}: shape {g.shape} != torch {w.shape}"
    np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), err_msg=what, **tol)


def _dt(x):
    return str(x.dtype).replace("torch.", "")


def compare(fe, ft, inputs, *, dtype=np.float64, tol=None, grad_inputs=None, modules=None,
            leaves=(), seed=0, proj="normal", allow_unused=False, keep_graph=False):
    """Compare fe(*ember inputs) with ft(*torch inputs) and their gradients.

    inputs: numpy arrays, made into a tensor for each library.  A float array requires grad
    when grad_inputs is None, when its index is in grad_inputs (a tuple), or when
    grad_inputs(array) is true (a callable).  leaves: (ember, torch) tensor pairs, not passed to
    fe/ft, whose gradients are compared too (e.g. the parameters of a distribution).
    Outputs may be nested tuples/lists, with None where torch has None.  The projection weights
    w_k come from np.random.default_rng(seed) (a Generator is used as it is): standard normal,
    or U(-1, 1) with proj="uniform", in each output's dtype.  modules=(em, tm) adds every
    parameter's gradient, by name.  Every leaf must get a gradient in torch, unless
    allow_unused, when a leaf torch leaves without one must have none (or zeros) in ember.
    keep_graph: gradients from autograd.grad with the graph retained, so nothing accumulates in
    .grad (for leaves that several comparisons share); otherwise from .backward().
    Returns the flat ember outputs."""
    tol = tol if tol is not None else TOL
    tol = tol[np.dtype(dtype).type] if isinstance(tol, dict) else tol
    tol = dict(rtol=tol[0], atol=tol[1])
    et, tt = [], []
    leaves = [(f"leaf {i}", e, t) for i, (e, t) in enumerate(leaves)]
    for i, a in enumerate(inputs):
        a = np.asarray(a)
        g = a.dtype.kind == "f" and (grad_inputs is None or (
            i in grad_inputs if isinstance(grad_inputs, (tuple, list)) else grad_inputs(a)))
        e, t = ember.tensor(a, requires_grad=g), torch.tensor(a, requires_grad=g)
        et.append(e)
        tt.append(t)
        if t.requires_grad:
            leaves.append((f"input {i}", e, t))
    if modules is not None:
        em, tm = modules
        tp = dict(tm.named_parameters())
        ep = dict(em.named_parameters())
        assert list(ep) == list(tp), f"parameters {list(ep)} != torch {list(tp)}"
        for n, p in ep.items():
            assert p.requires_grad == tp[n].requires_grad, n
            if p.requires_grad:
                leaves.append((n, p, tp[n]))
    oe, ot = flat(fe(*et)), flat(ft(*tt))
    assert len(oe) == len(ot), f"{len(oe)} outputs != torch {len(ot)}"
    rng = np.random.default_rng(seed)
    le = lt = 0
    for k, (a, b) in enumerate(zip(oe, ot)):
        if not isinstance(b, torch.Tensor):
            assert (a is None) if b is None else a == b, f"output {k}: {a} != torch {b}"
            continue
        assert isinstance(a, ember.Tensor), f"output {k}: {a!r} where torch has a tensor"
        assert _dt(a) == _dt(b), f"output {k}: dtype {_dt(a)} != torch {_dt(b)}"
        _close(a, b, tol, f"output {k}")
        if not b.is_floating_point():
            continue
        shape, odt = tuple(b.shape), to_np(b).dtype
        w = rng.standard_normal(shape) if proj == "normal" else rng.uniform(-1, 1, shape)
        le = le + (a * ember.tensor(w.astype(odt))).sum()
        lt = lt + (b * torch.tensor(w.astype(odt))).sum()
    if not leaves:
        return oe
    if keep_graph:
        kw = dict(retain_graph=True, allow_unused=True)
        ge = ember.autograd.grad(le, [e for _, e, _ in leaves], **kw)
        gt = torch.autograd.grad(lt, [t for _, _, t in leaves], **kw)
    else:
        le.backward()
        lt.backward()
        ge, gt = [e.grad for _, e, _ in leaves], [t.grad for _, _, t in leaves]
    for (what, _, _), a, b in zip(leaves, ge, gt):
        if b is None:
            assert allow_unused, f"{what}: no gradient in torch"
            assert a is None or not to_np(a).any(), f"{what}: ember has a gradient, torch none"
        else:
            _close(a, b, tol, f"{what} grad")
    return oe


def compare_modules(em, tm, inputs, call=None, **kw):
    """compare() of call(em, *inputs) with call(tm, *inputs) (default m(*inputs)), parameter
    gradients included; kw as for compare()."""
    call = call or (lambda m, *x: m(*x))
    return compare(lambda *x: call(em, *x), lambda *x: call(tm, *x), inputs, modules=(em, tm), **kw)
