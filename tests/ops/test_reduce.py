import numpy as np
import pytest
import torch

import ember
from oracle import check, make

SHAPES = [(5,), (3, 4), (2, 3, 4), (2, 0, 3)]
DIMS = [None, 0, -1, (0, 1)]


def _ok(shape, dim):
    nd = len(shape)
    if dim is None:
        return True
    ds = dim if isinstance(dim, tuple) else (dim,)
    return all(-nd <= d < nd for d in ds) and len(set(d % nd for d in ds)) == len(ds)


@pytest.mark.parametrize("name", ["sum", "mean", "nansum", "amax", "amin", "logsumexp", "var", "std", "norm"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions(name, shape, dim, keepdim):
    if not _ok(shape, dim) or (dim is None and name == "logsumexp"):
        return
    if 0 in shape and name in ("amax", "amin"):
        return
    a = make(shape, np.float64, 0)
    kw = dict(keepdim=keepdim)
    if dim is not None:
        kw["dim"] = dim
    elif name in ("amax", "amin", "var", "std", "norm") and keepdim:
        return
    elif name in ("var", "std", "norm", "sum", "mean", "nansum"):
        kw = {}
    check(lambda t: getattr(t, name)(**kw), lambda t: getattr(t, name)(**kw), a)


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_correction(correction):
    a = make((4, 5), np.float32, 1)
    check(lambda t: t.var(dim=1, correction=correction), lambda t: t.var(dim=1, correction=correction), a)
    check(lambda t: t.std(unbiased=False), lambda t: t.std(unbiased=False), a)


@pytest.mark.parametrize("fn", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_dim(fn, dim, keepdim):
    a = np.random.default_rng(3).permutation(20).reshape(4, 5).astype(np.float32)
    check(lambda t: tuple(getattr(t, fn)(dim, keepdim)), lambda t: tuple(getattr(t, fn)(dim, keepdim)), a)
    check(lambda t: getattr(t, fn)(), lambda t: getattr(t, fn)(), a)


def test_max_ties_share_gradient():
    a = np.array([1.0, 3.0, 3.0], np.float32)
    check(lambda t: t.max(), lambda t: t.max(), a)
    check(lambda t: t.amax(0), lambda t: t.amax(0), a)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg(name):
    a = np.random.default_rng(3).permutation(24).reshape(2, 3, 4).astype(np.float32)
    for kw in ({}, {"dim": 1}, {"dim": -1, "keepdim": True}):
        check(lambda t: getattr(t, name)(**kw), lambda t: getattr(t, name)(**kw), a, grad=False)


@pytest.mark.parametrize("name", ["prod", "cumsum", "cumprod"])
def test_prod_scans(name):
    a = make((3, 4), np.float64, 2, 0.5, 1.5)
    check(lambda t: getattr(t, name)(1), lambda t: getattr(t, name)(1), a)
    if name == "prod":
        check(lambda t: t.prod(), lambda t: t.prod(), a)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.uint8])
def test_int_sum_is_int64(dtype):
    a = make((3, 4), dtype, 1)
    check(lambda t: t.sum(), lambda t: t.sum(), a, grad=False)
    check(lambda t: t.sum(0), lambda t: t.sum(0), a, grad=False)
    check(lambda t: t.cumsum(0), lambda t: t.cumsum(0), a, grad=False)


def test_all_any_count_median_mode():
    a = np.array([[1, 0, 2], [3, 3, 0]], np.int64)
    for f in (lambda t: t.all(), lambda t: t.any(1), lambda t: torch.count_nonzero(t) if isinstance(t, torch.Tensor)
              else ember.count_nonzero(t), lambda t: t.median(), lambda t: tuple(t.median(1)),
              lambda t: tuple(t.mode(1))):
        check(f, f, a, grad=False)


@pytest.mark.parametrize("p", [1, 2, 3, float("inf")])
def test_vector_norm(p):
    a = make((3, 4), np.float64, 5)
    check(lambda t: t.norm(p=p, dim=1), lambda t: t.norm(p=p, dim=1), a)


def test_norm_zero_gradient_is_zero():
    x = ember.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_reduction_gradgradcheck():
    x = ember.from_numpy(make((3, 4), np.float64, 1)).requires_grad_()
    for f in (lambda t: t.sum(1), lambda t: t.mean(), lambda t: t.var(0), lambda t: t.norm(dim=1),
              lambda t: t.logsumexp(1), lambda t: t.softmax(1), lambda t: t.log_softmax(0)):
        assert ember.autograd.gradcheck(f, (x,))
        assert ember.autograd.gradgradcheck(f, (x,))


def test_bad_dim_errors():
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.ones(2, 3).sum(2)
    with pytest.raises(RuntimeError, match="mean"):
        ember.tensor([1, 2]).mean()
