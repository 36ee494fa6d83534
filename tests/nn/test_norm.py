"""Normalisation functionals and modules against PyTorch (incl. running statistics)."""
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
SHAPES = [(8, 5), (4, 3, 6), (4, 3, 5, 6), (2, 3, 2, 3, 4)]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_train_eval(dt, shape):
    C = shape[1]
    check(lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
          lambda x, w, b: TF.batch_norm(x, None, None, w, b, True),
          make(shape, dt, noncontig=True), make((C,), dt, 1), make((C,), dt, 2))
    check(lambda x: F.batch_norm(x, None, None, training=True),
          lambda x: TF.batch_norm(x, None, None, training=True), make(shape, dt))
    rm, rv = make((C,), dt, 3), make((C,), dt, 4, low=0.5)
    check(lambda x, w, b: F.batch_norm(x, ember.from_numpy(rm), ember.from_numpy(rv), w, b, False),
          lambda x, w, b: TF.batch_norm(x, torch.from_numpy(rm), torch.from_numpy(rv), w, b, False),
          make(shape, dt), make((C,), dt, 1), make((C,), dt, 2))
    re, rt = ember.from_numpy(rm.copy()), torch.from_numpy(rm.copy())
    ve, vt = ember.from_numpy(rv.copy()), torch.from_numpy(rv.copy())
    x = make(shape, dt)
    F.batch_norm(ember.from_numpy(x), re, ve, training=True, momentum=0.3)
    TF.batch_norm(torch.from_numpy(x), rt, vt, training=True, momentum=0.3)
    np.testing.assert_allclose(re.numpy(), rt.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", SHAPES[1:])
def test_instance_norm(dt, shape):
    C = shape[1]
    check(lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
          lambda x, w, b: TF.instance_norm(x, weight=w, bias=b),
          make(shape, dt), make((C,), dt, 1), make((C,), dt, 2))
    rm, rv = make((C,), dt, 3), make((C,), dt, 4, low=0.5)
    re, rt = ember.from_numpy(rm.copy()), torch.from_numpy(rm.copy())
    ve, vt = ember.from_numpy(rv.copy()), torch.from_numpy(rv.copy())
    x = make(shape, dt)
    F.instance_norm(ember.from_numpy(x), re, ve)
    TF.instance_norm(torch.from_numpy(x), rt, vt)
    np.testing.assert_allclose(re.numpy(), rt.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dt", DTYPES)
def test_layer_group_rms_lrn(dt):
    check(lambda x, w, b: F.layer_norm(x, (8,), w, b), lambda x, w, b: TF.layer_norm(x, (8,), w, b),
          make((3, 5, 8), dt, noncontig=True), make((8,), dt, 1), make((8,), dt, 2))
    check(lambda x, w: F.layer_norm(x, (4, 5), w), lambda x, w: TF.layer_norm(x, (4, 5), w),
          make((2, 4, 5), dt), make((4, 5), dt, 1))
    check(lambda x: F.layer_norm(x, (4, 5)), lambda x: TF.layer_norm(x, (4, 5)), make((2, 4, 5), dt))
    check(lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b),
          make((2, 6, 4, 4), dt), make((6,), dt, 1), make((6,), dt, 2))
    check(lambda x: F.group_norm(x, 3), lambda x: TF.group_norm(x, 3), make((2, 6, 5), dt))
    check(lambda x, w: F.rms_norm(x, (8,), w), lambda x, w: TF.rms_norm(x, (8,), w),
          make((3, 5, 8), dt), make((8,), dt, 1))
    check(lambda x: F.rms_norm(x, (5, 8), eps=1e-3), lambda x: TF.rms_norm(x, (5, 8), eps=1e-3),
          make((3, 5, 8), dt))
    check(lambda x: F.local_response_norm(x, 3), lambda x: TF.local_response_norm(x, 3),
          make((2, 6, 5), dt))
    check(lambda x: F.local_response_norm(x, 4, 1e-2, 0.5, 2.0),
          lambda x: TF.local_response_norm(x, 4, 1e-2, 0.5, 2.0), make((2, 6, 5, 4), dt))


def test_norm_double_backward():
    x = ember.from_numpy(make((3, 2, 4), np.float64)).requires_grad_()
    w = ember.from_numpy(make((2,), np.float64, 1)).requires_grad_()
    b = ember.from_numpy(make((2,), np.float64, 2)).requires_grad_()
    f = lambda x, w, b: F.batch_norm(x, None, None, w, b, True)  # noqa: E731
    assert gradcheck(f, (x, w, b)) and gradgradcheck(f, (x, w, b))
    lw = ember.from_numpy(make((4,), np.float64, 1)).requires_grad_()
    g = lambda x, w: F.layer_norm(x, (4,), w)  # noqa: E731
    assert gradcheck(g, (x, lw)) and gradgradcheck(g, (x, lw))
    h = lambda x: F.group_norm(x, 1)  # noqa: E731
    assert gradcheck(h, (x,)) and gradgradcheck(h, (x,))


@pytest.mark.parametrize("fn", [
    lambda m, f: f.batch_norm(m.ones(1, 5), None, None, training=True),
    lambda m, f: f.layer_norm(m.ones(3, 5, 7), (8,)),
    lambda m, f: f.group_norm(m.ones(2, 6, 4, 4), 4),
    lambda m, f: f.batch_norm(m.ones(2, 5), m.ones(3), m.ones(3)),
])
def test_errors(fn):
    with pytest.raises(Exception) as et:
        fn(torch, TF)
    with pytest.raises(Exception) as ee:
        fn(ember, F)
    assert ee.type is et.type and str(ee.value) == str(et.value)


def _copy_params(em, tm):
    for (n1, p1), (n2, p2) in zip(em.named_parameters(), tm.named_parameters()):
        assert n1 == n2
        p1.data.copy_(ember.from_numpy(p2.detach().numpy().copy()))


@pytest.mark.parametrize("name,args,kw,xs", [
    ("BatchNorm1d", (5,), {}, (8, 5)),
    ("BatchNorm1d", (3,), dict(momentum=None), (4, 3, 6)),
    ("BatchNorm2d", (3,), dict(momentum=0.2, eps=1e-3), (4, 3, 5, 5)),
    ("BatchNorm2d", (3,), dict(affine=False), (4, 3, 5, 5)),
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 3, 3)),
])
def test_batchnorm_module_training(name, args, kw, xs):
    em, tm = getattr(enn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape), str(v.dtype)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape), str(v.dtype)) for k, v in tm.state_dict().items()]
    _copy_params(em, tm)
    for step in range(3):
        check(lambda x: em(x), lambda x: tm(x), make(xs, seed=step))
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(em.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=k)
    em.eval()
    tm.eval()
    check(lambda x: em(x), lambda x: tm(x), make(xs, seed=9))


def test_batchnorm_no_running_stats_and_load():
    em, tm = enn.BatchNorm2d(3, track_running_stats=False), torch.nn.BatchNorm2d(3, track_running_stats=False)
    assert list(em.state_dict()) == list(tm.state_dict())
    em.eval()
    tm.eval()
    check(lambda x: em(x), lambda x: tm(x), make((4, 3, 2, 2)))
    src = torch.nn.BatchNorm2d(3)
    src(torch.randn(4, 3, 2, 2))
    dst = enn.BatchNorm2d(3)
    res = dst.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in src.state_dict().items()})
    assert not res.missing_keys and not res.unexpected_keys
    assert int(dst.num_batches_tracked.item()) == 1
    with pytest.raises(ValueError, match="expected 4D input"):
        dst(ember.ones(2, 3))


@pytest.mark.parametrize("name,args,kw,xs", [
    ("InstanceNorm1d", (3,), {}, (2, 3, 6)),
    ("InstanceNorm2d", (3,), dict(affine=True, track_running_stats=True), (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), {}, (3, 4, 5)),
    ("LayerNorm", (8,), {}, (3, 5, 8)),
    ("LayerNorm", ([4, 5],), dict(bias=False), (2, 4, 5)),
    ("LayerNorm", (5,), dict(elementwise_affine=False), (2, 5)),
    ("GroupNorm", (2, 6), {}, (2, 6, 4, 4)),
    ("RMSNorm", (8,), {}, (3, 8)),
    ("LocalResponseNorm", (3,), {}, (2, 6, 4)),
])
def test_other_norm_modules(name, args, kw, xs):
    em, tm = getattr(enn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    _copy_params(em, tm)
    check(lambda x: em(x), lambda x: tm(x), make(xs))
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(em.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6)
