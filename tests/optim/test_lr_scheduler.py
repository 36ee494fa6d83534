"""lr schedulers against PyTorch: 25 steps, learning rates (and momenta) equal; state_dict round
trips (including PyTorch's state dicts loaded into ember)."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember

S = "lr_scheduler"

CASES = [
    ("StepLR", dict(step_size=4, gamma=0.5), "SGD"),
    ("MultiStepLR", dict(milestones=[3, 7, 7, 12], gamma=0.3), "SGD"),
    ("ExponentialLR", dict(gamma=0.9), "SGD"),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=1e-3), "SGD"),
    ("CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2, eta_min=1e-3), "SGD"),
    ("LambdaLR", dict(lr_lambda=lambda e: 1.0 / (1 + e)), "SGD"),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.95), "SGD"),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.9, total_iters=8), "SGD"),
    ("ConstantLR", dict(factor=0.5, total_iters=6), "SGD"),
    ("PolynomialLR", dict(total_iters=12, power=2.0), "SGD"),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=26), "SGD"),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=26, anneal_strategy="linear",
                        three_phase=True, pct_start=0.2), "SGD"),
    ("OneCycleLR", dict(max_lr=0.05, total_steps=30, base_momentum=0.8), "Adam"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5), "SGD"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="triangular2"), "SGD"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.9),
     "Adam"),
]


def _opt(lib, kind):
    ps = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    groups = [{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


def _hist(opt, sched, steps=25, metric=None):
    out = []
    for i in range(steps):
        opt.step()
        if metric is None:
            sched.step()
        else:
            sched.step(metric(i))
        g = opt.param_groups
        out.append([x["lr"] for x in g] + [x.get("momentum", x.get("betas", (0,))[0]) for x in g])
        out[-1] += list(sched.get_last_lr())
    return out


@pytest.mark.parametrize("name,kw,kind", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_torch(name, kw, kind):
    eo, to = _opt(ember, kind), _opt(torch, kind)
    es = getattr(ember.optim.lr_scheduler, name)(eo, **kw)
    ts = getattr(torch.optim.lr_scheduler, name)(to, **kw)
    assert es.get_last_lr() == ts.get_last_lr()
    np.testing.assert_allclose(_hist(eo, es), _hist(to, ts), rtol=1e-13, atol=0)
    esd, tsd = es.state_dict(), ts.state_dict()
    assert list(esd) == list(tsd)
    for k in tsd:
        if k not in ("lr_lambdas",):
            assert esd[k] == tsd[k], k
    assert eo.state_dict()["param_groups"] == to.state_dict()["param_groups"]


@pytest.mark.parametrize("name,kw,kind", CASES[::3], ids=[c[0] for c in CASES[::3]])
def test_torch_state_dict_resumes_in_ember(name, kw, kind):
    to = _opt(torch, kind)
    ts = getattr(torch.optim.lr_scheduler, name)(to, **kw)
    _hist(to, ts, 10)
    eo = _opt(ember, kind)
    es = getattr(ember.optim.lr_scheduler, name)(eo, **kw)
    eo.load_state_dict(to.state_dict())
    es.load_state_dict(ts.state_dict())
    np.testing.assert_allclose(_hist(eo, es, 12), _hist(to, ts, 12), rtol=1e-13, atol=0)


def test_reduce_lr_on_plateau():
    metrics = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.2, 0.3,
               0.3, 0.3, 0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    for kw in (dict(patience=1), dict(mode="max", factor=0.5, patience=2, threshold=0.05,
                                       threshold_mode="abs", cooldown=2),
               dict(factor=0.2, patience=0, min_lr=[0.01, 0.02], eps=1e-3)):
        eo, to = _opt(ember, "SGD"), _opt(torch, "SGD")
        es = ember.optim.lr_scheduler.ReduceLROnPlateau(eo, **kw)
        ts = torch.optim.lr_scheduler.ReduceLROnPlateau(to, **kw)
        assert _hist(eo, es, metric=lambda i: metrics[i]) == _hist(to, ts, metric=lambda i: metrics[i])
        assert es.state_dict() == ts.state_dict()
        es2 = ember.optim.lr_scheduler.ReduceLROnPlateau(_opt(ember, "SGD"))
        es2.load_state_dict(ts.state_dict())
        assert es2.state_dict() == ts.state_dict()


def _chain(lib, opt):
    L = getattr(lib.optim, S)
    return L.ChainedScheduler([L.ExponentialLR(opt, gamma=0.9), L.StepLR(opt, 3, 0.5)])


def _seq(lib, opt):
    L = getattr(lib.optim, S)
    return L.SequentialLR(opt, [L.LinearLR(opt, 0.1, 1.0, 5), L.CosineAnnealingLR(opt, 10),
                                L.ExponentialLR(opt, 0.95)], milestones=[5, 15])


@pytest.mark.parametrize("make", [_chain, _seq])
def test_composed(make):
    eo, to = _opt(ember, "SGD"), _opt(torch, "SGD")
    es, ts = make(ember, eo), make(torch, to)
    np.testing.assert_allclose(_hist(eo, es), _hist(to, ts), rtol=1e-13, atol=0)
    esd, tsd = es.state_dict(), ts.state_dict()
    assert list(esd) == list(tsd)
    assert [list(s) for s in esd["_schedulers"]] == [list(s) for s in tsd["_schedulers"]]
    eo2 = _opt(ember, "SGD")
    es2 = make(ember, eo2)
    eo2.load_state_dict(to.state_dict())
    es2.load_state_dict(tsd)
    np.testing.assert_allclose(_hist(eo2, es2, 5), _hist(to, ts, 5), rtol=1e-13, atol=0)


def test_closed_form_epoch_and_warnings():
    for lib in (ember, torch):
        opt = _opt(lib, "SGD")
        s = getattr(lib.optim, S).StepLR(opt, 3, 0.5)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            s.step(7)
        assert any("epoch parameter" in str(x.message) for x in w)
        assert math.isclose(opt.param_groups[0]["lr"], 0.1 * 0.25)
    opt = _opt(ember, "SGD")
    s = ember.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    assert opt.param_groups[0]["initial_lr"] == 0.1


def test_bad_arguments():
    L = ember.optim.lr_scheduler
    opt = _opt(ember, "SGD")
    with pytest.raises(TypeError, match="is not an Optimizer"):
        L.StepLR(object(), 2)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        L.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        L.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="total_steps OR"):
        L.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        s = L.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        for _ in range(4):
            s.step()
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(_opt(ember, "SGD"), 2, last_epoch=3)
    with pytest.raises(ValueError, match="must have the same length"):
        L.CyclicLR(opt, base_lr=[0.1], max_lr=1.0)
    import ember.optim.lr_scheduler as m
    from ember.optim.lr_scheduler import StepLR  # noqa: F401
    assert m is L and issubclass(m._LRScheduler, m.LRScheduler)
