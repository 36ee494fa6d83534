"""Optimizers against PyTorch: 20 steps on one small problem, state_dict layout, checkpoints
moving both ways, bad arguments.  Gradients come from NumPy (the same function of the current
parameter values in both libraries), so only the update rules are under test."""
import numpy as np
import pytest
import torch

import ember

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.5, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.02, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), maximize=True, foreach=False)),
    ("AdamW", dict(lr=0.02)),
    ("AdamW", dict(lr=0.02, amsgrad=True, weight_decay=0.3)),
    ("Adamax", dict(lr=0.02, weight_decay=0.1)),
    ("NAdam", dict(lr=0.02)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01)),
    ("RAdam", dict(lr=0.02)),
    ("RAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.05)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("ASGD", dict(lr=0.01, t0=5, lambd=1e-2)),
    ("Rprop", dict(lr=0.01)),
]


def _init(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((4, 3)).astype(np.float32),
            rng.standard_normal(3).astype(np.float32),
            rng.standard_normal((2, 2)).astype(np.float64)]


_TARGET = [np.linspace(-1, 1, 12).reshape(4, 3), np.array([0.5, -0.5, 0.25]), np.eye(2)]


def _grad(p, i, step):
    x = p.astype(np.float64)
    return ((x - _TARGET[i]) * (1.5 + np.sin(3 * x + step))).astype(p.dtype)


def _pair(seed=0):
    arrs = _init(seed)
    e = [ember.tensor(a.copy(), requires_grad=True) for a in arrs]
    t = [torch.tensor(a.copy(), requires_grad=True) for a in arrs]
    return e, t


def _groups(ps, kw):
    # two groups: the last parameter at half the learning rate
    lr = kw.get("lr", 1e-2)
    return [{"params": ps[:2]}, {"params": ps[2:], "lr": lr / 2}]


def _run(opt, ps, to_np, set_grad, steps, start=0):
    for s in range(start, start + steps):
        opt.zero_grad()
        for i, p in enumerate(ps):
            if i == 1 and s % 7 == 3:
                continue  # a step where one parameter gets no gradient
            set_grad(p, _grad(to_np(p), i, s))
        opt.step()


def _e_np(p):
    return p.detach().numpy()


def _t_np(p):
    return p.detach().numpy()


def _e_set(p, g):
    p.grad = ember.from_numpy(g.copy())


def _t_set(p, g):
    p.grad = torch.from_numpy(g.copy())


def _close(es, ts, rtol=2e-5, atol=2e-6):
    for e, t in zip(es, ts):
        np.testing.assert_allclose(_e_np(e), _t_np(t), rtol=rtol, atol=atol)


def _sd_to(sd, conv):
    if isinstance(sd, dict):
        return {k: _sd_to(v, conv) for k, v in sd.items()}
    if isinstance(sd, list):
        return [_sd_to(v, conv) for v in sd]
    if isinstance(sd, tuple):
        return tuple(_sd_to(v, conv) for v in sd)
    return conv(sd)


def _to_ember(v):
    return ember.from_numpy(v.detach().numpy().copy()) if isinstance(v, torch.Tensor) else v


def _to_torch(v):
    return torch.from_numpy(v.detach().numpy().copy()) if isinstance(v, ember.Tensor) else v


def _assert_same_layout(esd, tsd):
    assert list(esd) == ["state", "param_groups"]
    assert list(esd["state"]) == list(tsd["state"])
    for k in tsd["state"]:
        es, ts = esd["state"][k], tsd["state"][k]
        assert list(es) == list(ts), (k, list(es), list(ts))
        for name in ts:
            if isinstance(ts[name], torch.Tensor):
                assert isinstance(es[name], ember.Tensor), name
                assert str(es[name].dtype) == str(ts[name].dtype), name
                assert tuple(es[name].shape) == tuple(ts[name].shape), name
                np.testing.assert_allclose(es[name].numpy(), ts[name].numpy(), rtol=1e-4,
                                           atol=1e-6, err_msg=name)
            else:
                assert es[name] == ts[name], name
    assert len(esd["param_groups"]) == len(tsd["param_groups"])
    for eg, tg in zip(esd["param_groups"], tsd["param_groups"]):
        assert list(eg) == list(tg)
        assert eg == tg


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_matches_torch_and_state_dict(name, kw):
    e, t = _pair()
    eo = getattr(ember.optim, name)(_groups(e, kw), **kw)
    to = getattr(torch.optim, name)(_groups(t, kw), **kw)
    _run(eo, e, _e_np, _e_set, 20)
    _run(to, t, _t_np, _t_set, 20)
    _close(e, t)
    for p in e:
        assert p._version > 0
    _assert_same_layout(eo.state_dict(), to.state_dict())


@pytest.mark.parametrize("name,kw", CASES[1:: 2], ids=[n for n, _ in CASES[1::2]])
def test_checkpoints_move_both_ways(name, kw):
    # PyTorch trains 10 steps; ember loads its state and both continue 10 steps.
    e, t = _pair()
    to = getattr(torch.optim, name)(_groups(t, kw), **kw)
    _run(to, t, _t_np, _t_set, 10)
    for pe, pt in zip(e, t):
        pe._data[...] = pt.detach().numpy()
    eo = getattr(ember.optim, name)(_groups(e, kw), **kw)
    eo.load_state_dict(_sd_to(to.state_dict(), _to_ember))
    _run(to, t, _t_np, _t_set, 10, start=10)
    _run(eo, e, _e_np, _e_set, 10, start=10)
    _close(e, t)
    # and back: ember's state dict into a fresh PyTorch optimizer
    t2 = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in e]
    to2 = getattr(torch.optim, name)(_groups(t2, kw), **kw)
    to2.load_state_dict(_sd_to(eo.state_dict(), _to_torch))
    _run(to2, t2, _t_np, _t_set, 5, start=20)
    _run(eo, e, _e_np, _e_set, 5, start=20)
    _close(e, t2)


def test_state_dict_through_torch_save(tmp_path):
    e, _ = _pair()
    opt = ember.optim.Adam(e, lr=0.01)
    _run(opt, e, _e_np, _e_set, 3)
    path = str(tmp_path / "opt.pt")
    ember.save(opt.state_dict(), path)
    sd = torch.load(path, weights_only=True)
    assert sd["state"][0]["step"].dtype == torch.float32 and sd["state"][0]["step"].ndim == 0
    assert float(sd["state"][0]["step"]) == 3.0
    assert sd["param_groups"][0]["params"] == [0, 1, 2]
    t = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in e]
    tor = torch.optim.Adam(t, lr=0.01)
    tor.load_state_dict(sd)
    torch.save(tor.state_dict(), path)
    opt2 = ember.optim.Adam([ember.tensor(p.detach().numpy(), requires_grad=True) for p in e], lr=0.01)
    opt2.load_state_dict(ember.load(path, weights_only=True))
    assert float(opt2.state_dict()["state"][2]["step"]) == 3.0


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs(line_search):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((6, 4)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    x0 = np.zeros(4, np.float32)

    def run(lib, x):
        # NOTE: few iterations, far from convergence: the tolerance breaks are decided by the
        # last bits of the loss there, and would not be a fair comparison.
        opt = lib.optim.LBFGS([x], lr=1, max_iter=4, history_size=3, line_search_fn=line_search)

        def closure():
            opt.zero_grad()
            r = lib.from_numpy(A) @ x - lib.from_numpy(b)
            loss = (r * r).sum() + (x ** 4).sum() * 0.1
            loss.backward()
            return loss

        losses = [float(opt.step(closure).detach()) for _ in range(2)]
        return losses, opt

    xe = ember.tensor(x0.copy(), requires_grad=True)
    xt = torch.tensor(x0.copy(), requires_grad=True)
    le, oe = run(ember, xe)
    lt, ot = run(torch, xt)
    np.testing.assert_allclose(le, lt, rtol=1e-4)
    np.testing.assert_allclose(xe.detach().numpy(), xt.detach().numpy(), rtol=1e-4, atol=1e-5)
    se, st = oe.state_dict()["state"][0], ot.state_dict()["state"][0]
    assert list(se) == list(st)
    # NOTE: how many evaluations the line search makes depends on the last bits of the loss
    # (11 vs 10 has been seen on another CPU): compare the iteration count, which is stable,
    # and the evaluation count within the line search's own slack
    assert se["n_iter"] == st["n_iter"]
    assert abs(se["func_evals"] - st["func_evals"]) <= 2


@pytest.mark.parametrize("make,msg", [
    (lambda lib, p: lib.optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda lib, p: lib.optim.SGD(p, lr=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda lib, p: lib.optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda lib, p: lib.optim.Adam(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda lib, p: lib.optim.AdamW(p, weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    (lambda lib, p: lib.optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda lib, p: lib.optim.RMSprop(p, alpha=-0.1), "Invalid alpha value: -0.1"),
    (lambda lib, p: lib.optim.Rprop(p, etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
    (lambda lib, p: lib.optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda lib, p: lib.optim.NAdam(p, momentum_decay=-1), "Invalid momentum_decay value: -1"),
    (lambda lib, p: lib.optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
    (lambda lib, p: lib.optim.SGD([{"params": p}, {"params": p[:1]}], lr=0.1),
     "some parameters appear in more than one parameter group"),
])
def test_bad_arguments(make, msg):
    for lib in (ember, torch):
        p = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
        with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace(")", r"\)")):
            make(lib, p)


def test_type_errors_and_non_leaf():
    w = ember.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        ember.optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        ember.optim.SGD([{"params": {w}}], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        ember.optim.SGD([w * 2], lr=0.1)


def test_zero_grad_closure_hooks_add_param_group():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.5)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))

    def closure():
        opt.zero_grad()
        assert ember.is_grad_enabled()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 5.0 and calls == ["pre", "post"]
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    h1.remove()
    opt.step(closure)
    assert calls == ["pre", "post", "post"]
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and float(w.grad.abs().sum()) == 0
    opt.zero_grad()
    assert w.grad is None
    b = ember.zeros(3, requires_grad=True)
    opt.add_param_group({"params": b, "lr": 0.1})
    assert opt.param_groups[1]["momentum"] == 0 and opt.param_groups[1]["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})
    assert "SGD (" in repr(opt) and "Parameter Group 1" in repr(opt)


def test_step_is_in_place_and_lean():
    w = ember.tensor(np.ones((3, 3), np.float32), requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    arr = w._data
    w.grad = ember.ones(3, 3)
    opt.step()
    opt.step()
    assert w._data is arr and w._version == 2
    buf = opt.state[w]["momentum_buffer"]
    np.testing.assert_allclose(buf.numpy(), np.full((3, 3), 1.9, np.float32))


def test_tensor_lr():
    e, t = _pair()
    eo = ember.optim.Adam(e, lr=ember.tensor(0.01))
    to = torch.optim.Adam(t, lr=torch.tensor(0.01))
    _run(eo, e, _e_np, _e_set, 5)
    _run(to, t, _t_np, _t_set, 5)
    _close(e, t)
