"""torch.func transforms in ember against torch.func: values and nesting."""
import numpy as np
import pytest
import torch

import ember
import ember.func as efunc
from oracle import assert_close


def _pair(a):
    return ember.from_numpy(np.array(a, copy=True)), torch.from_numpy(np.array(a, copy=True))


def _f(lib):
    def f(x, y):
        return (lib.sin(x) * y).sum() + (x * x * y).sum()
    return f


@pytest.fixture
def xy():
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 4)), rng.standard_normal((3, 4))


def test_grad_and_argnums(xy):
    (ex, tx), (ey, ty) = _pair(xy[0]), _pair(xy[1])
    for argnums in (0, 1, (0, 1)):
        got = efunc.grad(_f(ember), argnums)(ex, ey)
        want = torch.func.grad(_f(torch), argnums)(tx, ty)
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            assert not g.requires_grad
            assert_close(g, w, np.float64)


def test_grad_of_grad_and_has_aux():
    x = np.array(0.7)
    e, t = _pair(x)
    g2 = efunc.grad(efunc.grad(lambda v: ember.sin(v) * v ** 3))(e)
    w2 = torch.func.grad(torch.func.grad(lambda v: torch.sin(v) * v ** 3))(t)
    assert_close(g2, w2, np.float64)
    g, aux = efunc.grad(lambda v: (v ** 2, v * 3), has_aux=True)(e)
    assert_close(g, 2 * t, np.float64)
    assert_close(aux, 3 * t, np.float64)
    gv, val = efunc.grad_and_value(lambda v: v ** 3)(e)
    assert_close(gv, 3 * t ** 2, np.float64)
    assert_close(val, t ** 3, np.float64)


def test_vjp_jvp_jacobians_hessian(xy):
    (ex, tx), (ey, ty) = _pair(xy[0]), _pair(xy[1])

    def h(lib):
        return lambda x: lib.tanh(x) * x.sum(0, keepdim=True)
    out, fn = efunc.vjp(h(ember), ex)
    tout, tfn = torch.func.vjp(h(torch), tx)
    assert_close(out, tout, np.float64)
    assert_close(fn(ey)[0], tfn(ty)[0], np.float64)
    o, j = efunc.jvp(h(ember), (ex,), (ey,))
    to, tj = torch.func.jvp(h(torch), (tx,), (ty,))
    assert_close(o, to, np.float64)
    assert_close(j, tj, np.float64)
    v = np.random.default_rng(1).standard_normal(4)
    ev, tv = _pair(v)
    assert_close(efunc.jacrev(lambda a: ember.sin(a) * a.sum())(ev),
                 torch.func.jacrev(lambda a: torch.sin(a) * a.sum())(tv), np.float64)
    assert_close(efunc.jacfwd(lambda a: ember.sin(a) * a.sum())(ev),
                 torch.func.jacfwd(lambda a: torch.sin(a) * a.sum())(tv), np.float64)
    assert_close(efunc.hessian(lambda a: (a ** 3).sum() * a[0])(ev),
                 torch.func.hessian(lambda a: (a ** 3).sum() * a[0])(tv), np.float64)


def test_vmap_dims_nesting_and_randomness(xy):
    (ex, tx), (ey, ty) = _pair(xy[0]), _pair(xy[1])
    got = efunc.vmap(lambda a, b: (a * b).sum(), in_dims=(1, None))(ex, ey[:, 0])
    want = torch.func.vmap(lambda a, b: (a * b).sum(), in_dims=(1, None))(tx, ty[:, 0])
    assert_close(got, want, np.float64)
    got = efunc.vmap(efunc.vmap(lambda a: a * 2 + 1))(ex)
    assert_close(got, tx * 2 + 1, np.float64)
    got = efunc.vmap(lambda a: (a, a.sum()), out_dims=(1, 0))(ex)
    want = torch.func.vmap(lambda a: (a, a.sum()), out_dims=(1, 0))(tx)
    assert_close(got[0], want[0], np.float64)
    assert_close(got[1], want[1], np.float64)
    with pytest.raises(RuntimeError, match="randomness"):
        efunc.vmap(lambda a: a + ember.rand(()))(ex)
    same = efunc.vmap(lambda a: ember.rand(()) + a * 0, randomness="same")(ex)
    assert np.allclose(same.numpy(), same.numpy()[0])
    diff = efunc.vmap(lambda a: ember.rand(()) + a * 0, randomness="different")(ex)
    assert len(set(np.round(diff.numpy()[:, 0], 12).tolist())) == 3
    with pytest.raises(ValueError):
        efunc.vmap(lambda a, b: a + b)(ex, ey[:2])


def test_per_sample_grads_with_functional_call():
    ember.manual_seed(0)
    em = ember.nn.Linear(4, 2)
    tm = torch.nn.Linear(4, 2)
    with torch.no_grad():
        tm.weight.copy_(torch.from_numpy(em.weight.detach().numpy().copy()))
        tm.bias.copy_(torch.from_numpy(em.bias.detach().numpy().copy()))
    rng = np.random.default_rng(2)
    xs, ys = rng.standard_normal((5, 4)).astype(np.float32), rng.standard_normal((5, 2)).astype(np.float32)

    def loss(lib, model, func):
        def f(p, x, y):
            out = func.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.mse_loss(out, y.unsqueeze(0))
        return f
    ep = {k: v.detach() for k, v in em.named_parameters()}
    tp = {k: v.detach() for k, v in tm.named_parameters()}
    got = efunc.vmap(efunc.grad(loss(ember, em, efunc)), in_dims=(None, 0, 0))(
        ep, ember.from_numpy(xs), ember.from_numpy(ys))
    want = torch.func.vmap(torch.func.grad(loss(torch, tm, torch.func)), in_dims=(None, 0, 0))(
        tp, torch.from_numpy(xs), torch.from_numpy(ys))
    for k in want:
        assert_close(got[k], want[k], np.float32, k)
    # the module's own parameters are back in place afterwards
    assert em.weight is dict(em.named_parameters())["weight"]


def test_stack_module_state_ensemble():
    ember.manual_seed(0)
    models = [ember.nn.Linear(3, 2) for _ in range(4)]
    params, buffers = efunc.stack_module_state(models)
    assert params["weight"].shape == (4, 2, 3) and params["weight"].requires_grad
    x = ember.randn(5, 3)
    base = models[0]
    out = efunc.vmap(lambda p, b: efunc.functional_call(base, (p, b), (x,)))(params, buffers)
    for i, m in enumerate(models):
        assert np.allclose(out[i].detach().numpy(), m(x).detach().numpy(), atol=1e-6)


def test_autograd_functional_jvp_vhp():
    a = np.random.default_rng(3).random(3)
    e, t = _pair(a)
    ones_e, ones_t = ember.ones(3, dtype=ember.float64), torch.ones(3, dtype=torch.float64)
    got = ember.autograd.functional.jvp(lambda x: x ** 3, e, ones_e)
    want = torch.autograd.functional.jvp(lambda x: x ** 3, t, ones_t)
    assert_close(got[1], want[1], np.float64)
    got = ember.autograd.functional.vhp(lambda x: (x ** 3).sum(), e, ones_e)
    want = torch.autograd.functional.vhp(lambda x: (x ** 3).sum(), t, ones_t)
    assert_close(got[1], want[1], np.float64)
