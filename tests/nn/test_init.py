"""nn.init: gains, fans, distributions (statistics), shapes and errors as PyTorch."""
import math

import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import torch.nn as tnn


@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                      ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                      ("selu", None)])
def test_calculate_gain(nl, param):
    assert enn.init.calculate_gain(nl, param) == pytest.approx(tnn.init.calculate_gain(nl, param))


def test_gain_errors_and_fans():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        enn.init.calculate_gain("swish")
    for shape in [(3, 4), (8, 3, 5, 5), (6, 2, 7)]:
        assert enn.init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            tnn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        enn.init.xavier_uniform_(ember.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        enn.init.kaiming_uniform_(ember.empty(3, 3), mode="fan_avg")


def stats(fn, shape, **kw):
    t = ember.empty(*shape)
    out = fn(t, **kw)
    assert out is t
    return t.numpy()


def test_distributions():
    ember.manual_seed(1)
    shape = (200, 300)
    w = stats(enn.init.uniform_, shape, a=-2.0, b=3.0)
    assert w.min() >= -2 and w.max() <= 3 and abs(w.mean() - 0.5) < 0.05
    w = stats(enn.init.normal_, shape, mean=1.0, std=2.0)
    assert abs(w.mean() - 1) < 0.05 and abs(w.std() - 2) < 0.05
    w = stats(enn.init.xavier_uniform_, shape, gain=2.0)
    bound = 2.0 * math.sqrt(6.0 / 500)
    assert np.abs(w).max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    w = stats(enn.init.xavier_normal_, shape)
    assert abs(w.std() - math.sqrt(2.0 / 500)) < 0.02 * math.sqrt(2.0 / 500)
    w = stats(enn.init.kaiming_uniform_, shape, a=math.sqrt(5))
    assert np.abs(w).max() <= 1 / math.sqrt(300)
    w = stats(enn.init.kaiming_normal_, shape, mode="fan_out", nonlinearity="relu")
    assert abs(w.std() - math.sqrt(2.0 / 200)) < 0.03 * math.sqrt(2.0 / 200)
    w = stats(enn.init.trunc_normal_, shape, mean=0.5, std=1.0, a=-1.0, b=1.5)
    assert w.min() >= -1.0 and w.max() <= 1.5
    ref = torch.nn.init.trunc_normal_(torch.empty(shape), mean=0.5, std=1.0, a=-1.0, b=1.5).numpy()
    assert abs(w.mean() - ref.mean()) < 0.02 and abs(w.std() - ref.std()) < 0.02


def test_deterministic_inits():
    t = ember.empty(3, 4)
    enn.init.constant_(t, 0.5)
    assert (t.numpy() == 0.5).all()
    enn.init.ones_(t)
    assert (t.numpy() == 1).all()
    enn.init.zeros_(t)
    assert (t.numpy() == 0).all()
    enn.init.eye_(t)
    assert (t.numpy() == np.eye(3, 4)).all()
    for shape, groups in [((4, 4, 3), 1), ((6, 3, 3, 3), 2), ((2, 3, 3, 3, 3), 1)]:
        a, b = ember.empty(*shape), torch.empty(*shape)
        enn.init.dirac_(a, groups)
        tnn.init.dirac_(b, groups)
        assert (a.numpy() == b.numpy()).all()
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        enn.init.eye_(ember.empty(2, 2, 2))


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 2, 5)])
def test_orthogonal_and_sparse(shape):
    t = enn.init.orthogonal_(ember.empty(*shape), gain=2.0)
    m = t.numpy().reshape(shape[0], -1)
    if m.shape[0] <= m.shape[1]:
        np.testing.assert_allclose(m @ m.T, 4 * np.eye(m.shape[0]), atol=1e-4)
    else:
        np.testing.assert_allclose(m.T @ m, 4 * np.eye(m.shape[1]), atol=1e-4)
    s = enn.init.sparse_(ember.empty(10, 5), sparsity=0.3).numpy()
    assert ((s == 0).sum(0) >= 3).all()


def test_inits_record_no_graph():
    p = enn.Parameter(ember.empty(3, 3))
    enn.init.kaiming_uniform_(p)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
