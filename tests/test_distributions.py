"""torch.distributions against PyTorch: log_prob, entropy, cdf, KL and their gradients w.r.t.
the parameters; sample shapes and dtypes; argument validation."""
import numpy as np
import pytest
import torch

import ember
import ember.distributions as ed
import torch.distributions as td
from module_oracle import compare

RNG = np.random.default_rng(0)


def _p(a, dtype=np.float32):
    a = np.asarray(a, dtype=dtype)
    return (ember.tensor(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True))


def _check(fe, ft, params):
    """Forward equal; gradient of a weighted sum w.r.t. each parameter equal (by autograd.grad:
    the parameters are shared by several checks, so nothing may accumulate in .grad)."""
    compare(fe, ft, [], leaves=params, tol=(1e-5, 1e-6), seed=RNG, allow_unused=True,
            keep_graph=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal(dtype):
    loc, scale = _p(RNG.standard_normal((3, 4)), dtype), _p(RNG.uniform(0.5, 2, (3, 4)), dtype)
    x = RNG.standard_normal((2, 3, 4)).astype(dtype)
    de, dt = ed.Normal(loc[0], scale[0]), td.Normal(loc[1], scale[1])
    ps = [loc, scale]
    _check(lambda: de.log_prob(ember.from_numpy(x)), lambda: dt.log_prob(torch.from_numpy(x)), ps)
    _check(de.entropy, dt.entropy, ps)
    _check(lambda: de.cdf(ember.from_numpy(x)), lambda: dt.cdf(torch.from_numpy(x)), ps)
    _check(lambda: de.variance, lambda: dt.variance, ps)
    s = de.rsample((5,))
    assert tuple(s.shape) == (5, 3, 4) and s.dtype == ember.float64 if dtype == np.float64 else True
    s.sum().backward()
    np.testing.assert_allclose(loc[0].grad.numpy(), np.full((3, 4), 5.0))
    assert not de.sample().requires_grad
    assert de.batch_shape == dt.batch_shape and de.event_shape == dt.event_shape
    q = (ed.Normal(0.5, 1.5), td.Normal(0.5, 1.5))
    _check(lambda: ed.kl_divergence(de, q[0]), lambda: td.kl_divergence(dt, q[1]), ps)


def test_normal_scalar_and_icdf():
    de, dt = ed.Normal(1.0, 2.0), td.Normal(1.0, 2.0)
    assert de.batch_shape == torch.Size([]) == dt.batch_shape
    v = np.array([0.1, 0.5, 0.9], np.float32)
    np.testing.assert_allclose(de.icdf(ember.from_numpy(v)).numpy(),
                               dt.icdf(torch.from_numpy(v)).numpy(), rtol=1e-5)
    np.testing.assert_allclose(de.log_prob(ember.tensor(0.3)).numpy(),
                               dt.log_prob(torch.tensor(0.3)).numpy(), rtol=1e-6)


@pytest.mark.parametrize("use_logits", [False, True])
def test_categorical(use_logits):
    raw = RNG.uniform(0.1, 2, (3, 5)) if not use_logits else RNG.standard_normal((3, 5))
    prm = _p(raw)
    key = "logits" if use_logits else "probs"
    de, dt = ed.Categorical(**{key: prm[0]}), td.Categorical(**{key: prm[1]})
    v = np.array([[0, 4, 2], [1, 1, 3]])
    _check(lambda: de.log_prob(ember.from_numpy(v)), lambda: dt.log_prob(torch.from_numpy(v)), [prm])
    _check(de.entropy, dt.entropy, [prm])
    _check(lambda: de.probs, lambda: dt.probs, [prm])
    _check(lambda: de.logits, lambda: dt.logits, [prm])
    s = de.sample((7,))
    assert tuple(s.shape) == (7, 3) and s.dtype == ember.int64
    assert (s.numpy() >= 0).all() and (s.numpy() < 5).all()
    assert de.batch_shape == dt.batch_shape
    other = _p(RNG.standard_normal((3, 5)))
    qe, qt = ed.Categorical(logits=other[0]), td.Categorical(logits=other[1])
    _check(lambda: ed.kl_divergence(de, qe), lambda: td.kl_divergence(dt, qt), [prm, other])
    assert repr(ed.Categorical(logits=other[0])) == repr(td.Categorical(logits=other[1]))


def test_categorical_sampling_frequencies():
    ember.manual_seed(0)
    p = np.array([0.1, 0.6, 0.3], np.float32)
    s = ed.Categorical(probs=ember.from_numpy(p)).sample((20000,)).numpy()
    np.testing.assert_allclose(np.bincount(s, minlength=3) / 20000, p, atol=0.02)


@pytest.mark.parametrize("use_logits", [False, True])
def test_bernoulli(use_logits):
    raw = RNG.uniform(0.05, 0.95, (4,)) if not use_logits else RNG.standard_normal(4)
    prm = _p(raw)
    key = "logits" if use_logits else "probs"
    de, dt = ed.Bernoulli(**{key: prm[0]}), td.Bernoulli(**{key: prm[1]})
    v = np.array([[1, 0, 1, 1], [0, 0, 1, 0]], np.float32)
    _check(lambda: de.log_prob(ember.from_numpy(v)), lambda: dt.log_prob(torch.from_numpy(v)), [prm])
    _check(de.entropy, dt.entropy, [prm])
    _check(lambda: de.variance, lambda: dt.variance, [prm])
    s = de.sample((3,))
    assert tuple(s.shape) == (3, 4) and set(np.unique(s.numpy())) <= {0.0, 1.0}


def test_uniform():
    low, high = _p([0.0, -1.0, 2.0]), _p([1.0, 3.0, 2.5])
    de, dt = ed.Uniform(low[0], high[0]), td.Uniform(low[1], high[1])
    v = np.array([0.5, 0.0, 2.2], np.float32)
    _check(lambda: de.log_prob(ember.from_numpy(v)), lambda: dt.log_prob(torch.from_numpy(v)),
           [low, high])
    _check(de.entropy, dt.entropy, [low, high])
    _check(lambda: de.cdf(ember.from_numpy(v)), lambda: dt.cdf(torch.from_numpy(v)), [low, high])
    s = de.rsample((6,))
    assert tuple(s.shape) == (6, 3)
    assert ((s.detach().numpy() >= low[0].detach().numpy())
            & (s.detach().numpy() < high[0].detach().numpy())).all()
    s.sum().backward()
    np.testing.assert_allclose(low[0].grad.numpy() + high[0].grad.numpy(), np.full(3, 6.0), rtol=1e-5)


def test_validation_errors():
    for lib, D in ((ember, ed), (torch, td)):
        with pytest.raises(ValueError, match="Expected parameter scale"):
            D.Normal(lib.tensor([0.0]), lib.tensor([-1.0]))
        with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
            D.Categorical()
        with pytest.raises(ValueError, match="within the support"):
            D.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor(5))
        with pytest.raises(ValueError, match="within the support"):
            D.Bernoulli(probs=lib.tensor([0.5])).log_prob(lib.tensor([0.5]))
    with pytest.raises(NotImplementedError, match="No KL"):
        ed.kl_divergence(ed.Normal(0.0, 1.0), ed.Uniform(0.0, 1.0))
