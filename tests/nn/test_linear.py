"""Linear, Bilinear, Identity, Embedding, Dropout, Flatten, distances against PyTorch."""
import math

import numpy as np
import pytest
import torch

import ember
from module_oracle import compare_modules, copy_state
from oracle import TOL, assert_close, check, make

import ember.nn as enn
import ember.nn.functional as EF
import torch.nn as tnn
import torch.nn.functional as TF


def compare_module(me, mt, *arrays, dtype=np.float32):
    """torch's parameters copied into me; same repr and state_dict; outputs and gradients."""
    copy_state(me, mt)
    assert repr(me) == repr(mt)
    assert [(k, tuple(v.shape)) for k, v in me.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in mt.state_dict().items()]
    compare_modules(me, mt, arrays, dtype=dtype, tol=TOL, proj="uniform", seed=1)


@pytest.mark.parametrize("shape", [(5, 7), (2, 3, 7), (7,)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear(shape, bias, dtype):
    me = enn.Linear(7, 4, bias=bias, dtype=ember.float64 if dtype == np.float64 else None)
    mt = tnn.Linear(7, 4, bias=bias, dtype=torch.float64 if dtype == np.float64 else None)
    compare_module(me, mt, make(shape, dtype), dtype=dtype)


def test_linear_init_distribution():
    ember.manual_seed(0)
    m = enn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_linear_bad_input():
    m = enn.Linear(4, 3)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x5 and 4x3\)"):
        m(ember.zeros(2, 5))
    with pytest.raises(RuntimeError, match="same dtype"):
        m(ember.zeros(2, 4, dtype=ember.float64))


def test_bilinear_identity():
    compare_module(enn.Bilinear(3, 4, 2), tnn.Bilinear(3, 4, 2), make((5, 3)), make((5, 4), seed=1))
    x = ember.ones(2)
    assert enn.Identity(3, foo=1)(x) is x
    assert repr(enn.Identity()) == repr(tnn.Identity())


def test_lazy_linear():
    m = enn.LazyLinear(3)
    y = m(ember.ones(2, 5))
    assert y.shape == (2, 3) and type(m) is enn.Linear and m.in_features == 5
    assert m.weight.shape == (3, 5)


def test_embedding():
    me, mt = enn.Embedding(10, 4, padding_idx=2), tnn.Embedding(10, 4, padding_idx=2)
    compare_module(me, mt, np.array([[0, 2, 5, 2], [9, 1, 5, 3]]))
    assert me.weight.grad[2].abs().sum().item() == 0
    assert repr(enn.Embedding(5, 2, max_norm=1.0, sparse=True)) == repr(tnn.Embedding(5, 2, max_norm=1.0, sparse=True))
    w = make((6, 3), seed=3, low=-3, high=3)
    me = enn.Embedding.from_pretrained(ember.tensor(w), freeze=False, max_norm=1.5)
    mt = tnn.Embedding.from_pretrained(torch.tensor(w), freeze=False, max_norm=1.5)
    compare_module(me, mt, np.array([1, 4, 4, 0]))
    assert_close(me.weight, mt.weight)  # rows renormalised in place
    assert not enn.Embedding.from_pretrained(ember.tensor(w)).weight.requires_grad
    with pytest.raises(IndexError, match="index out of range"):
        enn.Embedding(3, 2)(ember.tensor([3]))
    with pytest.raises(RuntimeError, match="Long, Int"):
        enn.Embedding(3, 2)(ember.tensor([1.0]))


def test_embedding_double_backward_path():
    w = ember.tensor(make((5, 3)), requires_grad=True)
    idx = ember.tensor([1, 1, 4])
    g, = ember.autograd.grad(EF.embedding(idx, w).pow(2).sum(), w, create_graph=True)
    assert_close(g, 2 * torch.tensor(w.detach().numpy()) * torch.tensor([0, 2, 0, 0, 1.0])[:, None])


def test_dropout():
    ember.manual_seed(0)
    x = ember.ones(1000, 10, requires_grad=True)
    d = enn.Dropout(0.3)
    y = d(x)
    kept = (y.detach().numpy() != 0)
    assert 0.65 < kept.mean() < 0.75
    assert np.allclose(y.detach().numpy()[kept], 1 / 0.7)
    y.sum().backward()
    assert np.allclose(x.grad.numpy(), kept / 0.7)
    d.eval()
    assert d(x) is x
    assert repr(d) == repr(tnn.Dropout(0.3))
    y = EF.dropout2d(ember.ones(4, 6, 5, 5), 0.5)
    per_channel = y.numpy().reshape(4, 6, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        enn.Dropout(1.5)
    a = EF.alpha_dropout(ember.randn(2000), 0.2, training=True)
    assert abs(a.mean().item()) < 0.1 and abs(a.std().item() - 1) < 0.1
    assert EF.dropout(x, 0.5, training=False) is x


def test_flatten_unflatten():
    compare_module(enn.Flatten(), tnn.Flatten(), make((2, 3, 4)))
    compare_module(enn.Flatten(0, 1), tnn.Flatten(0, 1), make((2, 3, 4)))
    compare_module(enn.Unflatten(1, (2, 3)), tnn.Unflatten(1, (2, 3)), make((4, 6)))


def test_distances_and_normalize():
    a, b = make((4, 5)), make((4, 5), seed=1)
    check(lambda x, y: EF.cosine_similarity(x, y), lambda x, y: TF.cosine_similarity(x, y), a, b)
    check(lambda x, y: EF.pairwise_distance(x, y, 3.0), lambda x, y: TF.pairwise_distance(x, y, 3.0), a, b)
    check(lambda x: EF.normalize(x, dim=0), lambda x: TF.normalize(x, dim=0), a)
    check(lambda x: EF.pdist(x), lambda x: TF.pdist(x), a)
    compare_module(enn.CosineSimilarity(dim=0), tnn.CosineSimilarity(dim=0), a, b)
    compare_module(enn.PairwiseDistance(p=1.0, keepdim=True), tnn.PairwiseDistance(p=1.0, keepdim=True), a, b)
    assert EF.one_hot(ember.tensor([0, 2]), 3).tolist() == [[1, 0, 0], [0, 0, 1]]
