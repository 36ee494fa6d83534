import numpy as np
import pytest
import torch

import ember
from oracle import check, make

IDX = {
    "int": lambda t: t[1], "neg": lambda t: t[-1, -2], "slice": lambda t: t[1:3, ::2],
    "ellipsis": lambda t: t[..., 1], "none": lambda t: t[:, None, 1:],
    "list": lambda t: t[[0, 2, 2]], "pair": lambda t: t[[0, 1, 2], [3, 2, 0]],
    "mask": lambda t: t[t > 0], "rowmask": lambda t: t[torch.tensor([True, False, True, False]) if
                                                        isinstance(t, torch.Tensor) else
                                                        ember.tensor([True, False, True, False])],
    "tensoridx": lambda t: t[(torch if isinstance(t, torch.Tensor) else ember).tensor([3, 1, 3])],
}


@pytest.mark.parametrize("name", sorted(IDX))
def test_getitem(name):
    check(IDX[name], IDX[name], make((4, 5), np.float64, 0))


def _m(t):
    return torch if isinstance(t, torch.Tensor) else ember


def test_setitem_variants():
    def f(t):
        h = t.clone()
        h[0] = -1.0
        h[:, 1] = _m(t).tensor([10.0, 11.0, 12.0, 13.0], dtype=t.dtype)
        h[h > 15] = 0.0
        h[2, 2:4] += 100
        h[[1, 3], [0, 0]] = 5.0
        return h
    check(f, f, make((4, 5), np.float64, 0) * 10)


def test_setitem_with_grad_flows():
    def f(x, v):
        y = x * 1
        y[1:3] = v * 2
        return y
    check(f, f, make((4, 3), np.float64, 0), make((2, 3), np.float64, 1))


GATHER = {
    "gather": lambda t: t.gather(1, _m(t).tensor([[0, 4], [1, 1], [3, 2], [2, 0]])),
    "index_select": lambda t: t.index_select(1, _m(t).tensor([4, 0, 4])),
    "scatter": lambda t: t.scatter(1, _m(t).tensor([[0], [1], [2], [3]]), t[:, :1] * 3),
    "scatter_add": lambda t: t.scatter_add(0, _m(t).tensor([[0, 1, 0, 2, 0]]), t[:1] * 2),
    "index_add": lambda t: t.index_add(0, _m(t).tensor([2, 2, 0]), t[:3] * 2),
    "masked_fill": lambda t: t.masked_fill(t > 0.5, -1.0),
    "masked_select": lambda t: t.masked_select(t > 0),
    "where": lambda t: _m(t).where(t > 0, t, t * 3),
    "where_scalar": lambda t: _m(t).where(t > 0, t, 0.0),
    "take": lambda t: t.take(_m(t).tensor([0, 7, 19])),
    "sort": lambda t: tuple(t.sort(1, descending=True)),
    "topk": lambda t: tuple(t.topk(2, dim=1)),
    "topk_small": lambda t: tuple(t.topk(2, dim=0, largest=False)),
}


@pytest.mark.parametrize("name", sorted(GATHER))
def test_gather_family(name):
    a = (np.random.default_rng(1).permutation(20).reshape(4, 5) / 7 - 1.2).astype(np.float64)
    check(GATHER[name], GATHER[name], a)


def test_nonzero_unique_bincount_searchsorted_onehot():
    a = np.array([3, 1, 3, 2, 1, 0], np.int64)
    for f in (lambda t: t.nonzero(), lambda t: t.unique(), lambda t: t.unique(return_inverse=True, return_counts=True),
              lambda t: t.bincount(), lambda t: t.argsort(), lambda t: _m(t).searchsorted(
                  _m(t).tensor([0, 1, 2, 5]), t),
              lambda t: (torch.nn.functional.one_hot(t, 4) if isinstance(t, torch.Tensor) else
                         ember.ops.index.one_hot(t, 4))):
        check(f, f, a, grad=False)


def test_index_errors():
    with pytest.raises(IndexError, match="out of bounds"):
        ember.ones(3)[5]
    with pytest.raises(IndexError):
        ember.ones(3)[ember.tensor([1.0])]


def test_inplace_scatter_index_ops():
    def f(t):
        z = t * 0
        z.scatter_(1, _m(t).tensor([[1], [0], [2], [3]]), 9.0)
        z.index_add_(0, _m(t).tensor([0, 0]), t[:2])
        z.masked_fill_(z > 8.5, 1.0)
        z.index_fill_(1, _m(t).tensor([4]), -3.0)
        return z
    check(f, f, make((4, 5), np.float32, 0), grad=False)
