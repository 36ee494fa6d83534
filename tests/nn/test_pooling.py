"""Pooling functionals and modules against PyTorch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn as enn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck
from oracle import check, make

DTYPES = [np.float32, np.float64]

POOL = [
    ((2, 3, 9), (3, 2), {}),
    ((2, 3, 10), (3, 2, 1, 2), dict(ceil_mode=True)),
    ((2, 3, 7, 7), (2,), {}),
    ((2, 3, 7, 8), ((3, 2), (2, 1), 1, (1, 2)), dict(ceil_mode=True)),
    ((3, 7, 7), (3, 2, 1), {}),  # unbatched 2-d
    ((2, 2, 5, 6, 7), (2, 2, 1), {}),
]


def _nd(shape, args):
    return 2 if shape == (3, 7, 7) else len(shape) - 2


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape,args,kw", POOL)
def test_max_pool(dt, shape, args, kw):
    nd = _nd(shape, args)
    fe, ft = getattr(F, f"max_pool{nd}d"), getattr(TF, f"max_pool{nd}d")
    check(lambda x: fe(x, *args, **kw), lambda x: ft(x, *args, **kw),
          make(shape, dt, noncontig=True))
    check(lambda x: fe(x, *args, return_indices=True, **kw),
          lambda x: ft(x, *args, return_indices=True, **kw), make(shape, dt))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape,args,kw", POOL)
@pytest.mark.parametrize("cip", [True, False])
def test_avg_pool(dt, shape, args, kw, cip):
    nd = _nd(shape, args)
    fe, ft = getattr(F, f"avg_pool{nd}d"), getattr(TF, f"avg_pool{nd}d")
    a = args[:3]
    check(lambda x: fe(x, *a, count_include_pad=cip, **kw),
          lambda x: ft(x, *a, count_include_pad=cip, **kw), make(shape, dt, noncontig=True))


def test_avg_pool_divisor_override():
    check(lambda x: F.avg_pool2d(x, 3, 2, 1, divisor_override=5),
          lambda x: TF.avg_pool2d(x, 3, 2, 1, divisor_override=5), make((2, 3, 7, 7)))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("osz", [(1, 1), (3, 2), (7, 8), (4, 5), (None, 3), 2])
def test_adaptive_2d(dt, osz):
    check(lambda x: F.adaptive_avg_pool2d(x, osz), lambda x: TF.adaptive_avg_pool2d(x, osz),
          make((2, 3, 7, 8), dt))
    check(lambda x: F.adaptive_max_pool2d(x, osz, True),
          lambda x: TF.adaptive_max_pool2d(x, osz, True), make((2, 3, 7, 8), dt))


def test_adaptive_1d_3d():
    check(lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4),
          make((2, 3, 7)))
    check(lambda x: F.adaptive_max_pool1d(x, 3), lambda x: TF.adaptive_max_pool1d(x, 3),
          make((2, 3, 7)))
    check(lambda x: F.adaptive_avg_pool3d(x, (2, 3, 1)),
          lambda x: TF.adaptive_avg_pool3d(x, (2, 3, 1)), make((2, 3, 5, 7, 4)))


def test_lp_pool_and_unpool():
    check(lambda x: F.lp_pool2d(x, 2, 3, 2), lambda x: TF.lp_pool2d(x, 2, 3, 2),
          make((2, 3, 7, 7), low=0.1))
    check(lambda x: F.lp_pool1d(x, 3, 2), lambda x: TF.lp_pool1d(x, 3, 2), make((2, 3, 7), low=0.1))

    def unpool(lib, Fn):
        def f(x):
            o, i = Fn.max_pool2d(x, 2, return_indices=True)
            return Fn.max_unpool2d(o, i, 2)
        return f
    check(unpool(ember, F), unpool(torch, TF), make((2, 3, 6, 6)))


def test_pool_double_backward():
    x = ember.from_numpy(make((1, 2, 5, 5), np.float64)).requires_grad_()
    for f in (lambda x: F.max_pool2d(x, 3, 2, 1),
              lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
              lambda x: F.adaptive_max_pool2d(x, (2, 3)),
              lambda x: F.adaptive_avg_pool2d(x, (2, 3))):
        assert gradcheck(f, (x,))
        assert gradgradcheck(f, (x,))


@pytest.mark.parametrize("fn", [
    lambda m, f: f.max_pool2d(m.ones(1, 1, 2, 2), 3),
    lambda m, f: f.max_pool2d(m.ones(1, 1, 5, 5), 3, padding=2),
    lambda m, f: f.avg_pool2d(m.ones(1, 1, 2, 2), 3),
    lambda m, f: f.adaptive_avg_pool2d(m.ones(2), 2),
])
def test_errors(fn):
    with pytest.raises(Exception) as et:
        fn(torch, TF)
    with pytest.raises(Exception) as ee:
        fn(ember, F)
    assert ee.type is et.type
    assert str(et.value) in str(ee.value)


MODULES = [
    ("MaxPool1d", (3,), dict(stride=2), (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 6, 6)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 8, 8)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1), (2, 3, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 7, 7)),
    ("AvgPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 7)),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (2, 3, 5, 5)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 5, 4, 4)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 7)),
    ("AdaptiveMaxPool2d", ((2, 3),), {}, (2, 3, 5, 7)),
    ("LPPool2d", (2, 2), {}, (2, 3, 6, 6)),
]


@pytest.mark.parametrize("name,args,kw,xs", MODULES)
def test_modules(name, args, kw, xs):
    em, tm = getattr(enn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    check(lambda x: em(x), lambda x: tm(x), make(xs, low=0.1 if "LP" in name else -2.0))


def test_max_unpool_module():
    pe, pt = enn.MaxPool2d(2, return_indices=True), torch.nn.MaxPool2d(2, return_indices=True)
    ue, ut = enn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)
    assert repr(ue) == repr(ut)
    check(lambda x: ue(*pe(x), output_size=(5, 5)), lambda x: ut(*pt(x), output_size=(5, 5)),
          make((2, 3, 5, 5)))


def test_tiled_max_pool_ties_and_nan_gradients_match_torch():
    """MaxPool2d(2) takes the tiled fast path: first max wins a tie, the last NaN a NaN window."""
    x = np.array([[[[1., 1., 2., 2.], [1., 0., 2., 2.], [np.nan, 3., 5., 7.], [3., np.nan, 7., 7.]]]],
                 np.float32)
    grads = []
    for m in (torch, ember):
        t = m.tensor(x, requires_grad=True)
        y = m.nn.functional.max_pool2d(t, 2)
        (y * m.tensor([[[[1., 2.], [3., 4.]]]])).sum().backward()
        grads.append((y.detach().numpy().copy(), t.grad.numpy().copy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
