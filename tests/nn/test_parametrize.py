"""weight_norm, spectral_norm and parametrize against PyTorch: keys, values, gradients, removal."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close

import ember.nn as enn
import torch.nn as tnn

X = np.random.default_rng(0).uniform(-1, 1, (2, 4)).astype(np.float32)


def pair():
    me, mt = enn.Linear(4, 3), tnn.Linear(4, 3)
    for a, b in zip(me.parameters(), mt.parameters()):
        a._data[...] = b.detach().numpy()
    return me, mt


def step(me, mt):
    oe, ot = me(ember.tensor(X)), mt(torch.tensor(X))
    assert_close(oe, ot)
    oe.sum().backward()
    ot.sum().backward()
    for (n, a), (m, b) in zip(me.named_parameters(), mt.named_parameters()):
        assert n == m
        assert_close(a.grad, b.grad, what=n)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_weight_norm_hook():
    me, mt = pair()
    enn.utils.weight_norm(me)
    tnn.utils.weight_norm(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    step(me, mt)
    enn.utils.remove_weight_norm(me)
    tnn.utils.remove_weight_norm(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert_close(me.weight, mt.weight)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        enn.utils.remove_weight_norm(me)


def test_parametrizations_weight_norm_and_remove():
    me, mt = pair()
    enn.utils.parametrizations.weight_norm(me)
    tnn.utils.parametrizations.weight_norm(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert repr(me) == repr(mt) and type(me).__name__ == "ParametrizedLinear"
    step(me, mt)
    assert enn.utils.parametrize.is_parametrized(me, "weight")
    enn.utils.parametrize.remove_parametrizations(me, "weight")
    tnn.utils.parametrize.remove_parametrizations(mt, "weight")
    assert type(me) is enn.Linear and list(me.state_dict()) == list(mt.state_dict())
    assert_close(me.weight, mt.weight)


def test_custom_parametrization():
    class Symmetric(enn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    m = enn.Linear(3, 3)
    enn.utils.parametrize.register_parametrization(m, "weight", Symmetric())
    w = m.weight.detach().numpy()
    assert np.allclose(w, w.T)
    with enn.utils.parametrize.cached():
        assert m.weight is m.weight
    m(ember.ones(1, 3)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None
    with pytest.raises(ValueError, match="does not have a parameter"):
        enn.utils.parametrize.register_parametrization(m, "nope", Symmetric())


def test_spectral_norm():
    me, mt = pair()
    enn.utils.spectral_norm(me)
    tnn.utils.spectral_norm(mt)
    me.weight_u._data[...] = mt.weight_u.numpy()
    me.weight_v._data[...] = mt.weight_v.numpy()
    assert list(me.state_dict()) == list(mt.state_dict())
    for _ in range(2):
        oe, ot = me(ember.tensor(X)), mt(torch.tensor(X))
        assert_close(oe, ot)
    step(me, mt)
    me.eval()
    mt.eval()
    assert_close(me(ember.tensor(X)), mt(torch.tensor(X)))
    enn.utils.remove_spectral_norm(me)
    tnn.utils.remove_spectral_norm(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert_close(me.weight, mt.weight)
