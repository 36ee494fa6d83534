"""conv1d/2d/3d, conv_transpose, unfold/fold and the Conv modules against PyTorch."""
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

CONV_CASES = [
    ((2, 4, 9), (6, 4, 3), dict(stride=2, padding=1)),
    ((2, 4, 9), (6, 2, 3), dict(padding=2, dilation=2, groups=2)),
    ((2, 4, 9), (4, 1, 2), dict(padding="same", groups=4)),
    ((2, 3, 6, 6), (4, 3, 3, 2), dict(stride=(1, 2))),
    ((3, 4, 7, 8), (6, 2, 3, 3), dict(stride=2, padding=(1, 2), dilation=(2, 1), groups=2)),
    ((2, 3, 5, 6), (4, 3, 2, 3), dict(padding="same", dilation=2)),
    ((2, 3, 5, 6), (4, 3, 2, 3), dict(padding="valid")),
    ((2, 3, 5, 6), (5, 3, 1, 1), dict()),
    ((3, 7, 7), (4, 3, 3, 3), dict(padding=1)),  # unbatched
    ((1, 2, 4, 5, 5), (3, 2, 2, 3, 2), dict(stride=(1, 2, 1), padding=1)),
]


def _fns(ndim_x, ndim_w):
    nd = ndim_w - 2
    return getattr(F, f"conv{nd}d"), getattr(TF, f"conv{nd}d")


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("xs,ws,kw", CONV_CASES)
def test_conv_forward_backward(dt, xs, ws, kw):
    fe, ft = _fns(len(xs), len(ws))
    check(lambda x, w, b: fe(x, w, b, **kw), lambda x, w, b: ft(x, w, b, **kw),
          make(xs, dt, noncontig=True), make(ws, dt, 1), make((ws[0],), dt, 2))
    check(lambda x, w: fe(x, w, **kw), lambda x, w: ft(x, w, **kw), make(xs, dt), make(ws, dt, 1))


TCASES = [
    ((2, 3, 5, 5), (3, 4, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 6), (4, 3, 2, 3), dict(stride=(2, 1), groups=2, dilation=(1, 2))),
    ((2, 3, 7), (3, 2, 4), dict(stride=3, padding=2)),
    ((1, 2, 3, 4, 3), (2, 3, 2, 2, 3), dict(stride=2)),
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("xs,ws,kw", TCASES)
def test_conv_transpose(dt, xs, ws, kw):
    nd = len(ws) - 2
    fe, ft = getattr(F, f"conv_transpose{nd}d"), getattr(TF, f"conv_transpose{nd}d")
    cout = ws[1] * kw.get("groups", 1)
    check(lambda x, w, b: fe(x, w, b, **kw), lambda x, w, b: ft(x, w, b, **kw),
          make(xs, dt, noncontig=True), make(ws, dt, 1), make((cout,), dt, 2))


def test_conv_large_batch_chunks():
    # a batch bigger than one cache chunk exercises the chunked im2col loop
    check(lambda x, w, b: F.conv2d(x, w, b, padding=1), lambda x, w, b: TF.conv2d(x, w, b, padding=1),
          make((40, 16, 20, 20), np.float64), make((8, 16, 3, 3), np.float64, 1),
          make((8,), np.float64, 2))


def test_gradcheck_and_double_backward():
    x = ember.from_numpy(make((1, 2, 5, 5), np.float64)).requires_grad_()
    w = ember.from_numpy(make((3, 2, 3, 3), np.float64, 1)).requires_grad_()
    b = ember.from_numpy(make((3,), np.float64, 2)).requires_grad_()
    f = lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))
    wt = ember.from_numpy(make((2, 3, 3, 3), np.float64, 1)).requires_grad_()
    g = lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)  # noqa: E731
    assert gradcheck(g, (x, wt))
    assert gradgradcheck(g, (x, wt))


def test_double_backward_matches_torch():
    xa, wa = make((2, 3, 6, 6), np.float64), make((4, 3, 3, 3), np.float64, 1)
    res = []
    for lib, Fn in ((ember, F), (torch, TF)):
        x = lib.from_numpy(xa.copy()).requires_grad_()
        w = lib.from_numpy(wa.copy()).requires_grad_()
        y = Fn.conv2d(x, w, padding=1, stride=2)
        gx, = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gx.pow(2).sum()).backward()
        res.append((gx.detach().numpy(), x.grad.numpy(), w.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("dt", DTYPES)
def test_unfold_fold(dt):
    check(lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
          lambda x: TF.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
          make((2, 3, 6, 7), dt, noncontig=True))
    check(lambda x: F.fold(x, (5, 6), (2, 3), padding=1, stride=(2, 1)),
          lambda x: TF.fold(x, (5, 6), (2, 3), padding=1, stride=(2, 1)), make((2, 12, 18), dt))
    check(lambda x: enn.Unfold(2)(x), lambda x: torch.nn.Unfold(2)(x), make((3, 4, 5), dt))
    check(lambda x: enn.Fold((3, 4), 2)(x), lambda x: torch.nn.Fold((3, 4), 2)(x), make((8, 6), dt))


def _err(fn):
    out = []
    for lib, Fn in ((torch, TF), (ember, F)):
        with pytest.raises(Exception) as e:
            fn(lib, Fn)
        out.append(e)
    return out


@pytest.mark.parametrize("fn", [
    lambda m, f: f.conv2d(m.ones(2, 4, 8, 8), m.ones(16, 3, 3, 3)),
    lambda m, f: f.conv2d(m.ones(2, 3, 2, 2), m.ones(16, 3, 3, 3)),
    lambda m, f: f.conv2d(m.ones(2, 3), m.ones(16, 3, 3, 3)),
    lambda m, f: f.conv2d(m.ones(2, 3, 5, 5), m.ones(4, 3, 3, 3), m.ones(3)),
    lambda m, f: f.conv2d(m.ones(2, 3, 5, 5), m.ones(4, 3, 3, 3), padding="foo"),
    lambda m, f: f.conv2d(m.ones(2, 3, 5, 5), m.ones(4, 3, 3, 3), padding="same", stride=2),
    lambda m, f: f.conv_transpose2d(m.ones(2, 5, 5, 5), m.ones(3, 4, 3, 3)),
    lambda m, f: f.fold(m.ones(1, 12, 8), (4, 4), 2),
])
def test_errors_match_torch(fn):
    et, ee = _err(fn)
    assert ee.type is et.type
    assert str(ee.value) == str(et.value)


def test_error_dtype_mismatch():
    with pytest.raises(RuntimeError, match="double.*float"):
        F.conv2d(ember.ones(1, 3, 5, 5, dtype=ember.float64), ember.ones(4, 3, 3, 3))


# --- modules --------------------------------------------------------------------------------------
def _copy_params(em, tm):
    for (n1, p1), (n2, p2) in zip(em.named_parameters(), tm.named_parameters()):
        assert n1 == n2 and tuple(p1.shape) == tuple(p2.shape)
        p1.data.copy_(ember.from_numpy(p2.detach().numpy().copy()))


MODULES = [
    ("Conv1d", (4, 6, 3), dict(stride=2, padding=1), (2, 4, 11)),
    ("Conv1d", (4, 6, 3), dict(padding=2, dilation=2, groups=2), (2, 4, 9)),
    ("Conv2d", (3, 4, (3, 2)), dict(stride=(1, 2), bias=False), (2, 3, 6, 6)),
    ("Conv2d", (3, 4, 3), dict(padding=2, padding_mode="reflect"), (2, 3, 6, 6)),
    ("Conv2d", (3, 4, 3), dict(padding=1, padding_mode="circular"), (2, 3, 6, 6)),
    ("Conv2d", (3, 4, 4), dict(padding="same", padding_mode="replicate"), (2, 3, 6, 6)),
    ("Conv3d", (2, 3, 2), dict(padding=1), (1, 2, 3, 4, 4)),
    ("ConvTranspose1d", (3, 2, 3), dict(stride=2), (2, 3, 5)),
    ("ConvTranspose2d", (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 5, 5)),
]


@pytest.mark.parametrize("name,args,kw,xs", MODULES)
def test_modules_match_torch(name, args, kw, xs):
    em, tm = getattr(enn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    _copy_params(em, tm)
    check(lambda x: em(x), lambda x: tm(x), make(xs, np.float32))
    for p1, p2 in zip(em.parameters(), tm.parameters()):
        np.testing.assert_allclose(p1.grad.numpy(), p2.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_conv_transpose_output_size():
    em, tm = enn.ConvTranspose2d(3, 2, 3, stride=2), torch.nn.ConvTranspose2d(3, 2, 3, stride=2)
    _copy_params(em, tm)
    check(lambda x: em(x, output_size=[2, 2, 10, 12]), lambda x: tm(x, output_size=[2, 2, 10, 12]),
          make((2, 3, 4, 5), np.float32))


def test_default_init_bounds():
    ember.manual_seed(0)
    m = enn.Conv2d(4, 8, 3)
    bound = 1 / np.sqrt(4 * 9)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(b).max() <= bound
    assert m.weight.requires_grad and m.weight.dtype == ember.float32
    m64 = enn.Conv1d(2, 3, 2, dtype=ember.float64)
    assert m64.weight.dtype == ember.float64


def test_module_arg_errors():
    for kw in (dict(groups=2), dict(padding="foo"), dict(padding_mode="bad"),
               dict(padding="same", stride=2)):
        with pytest.raises(ValueError):
            enn.Conv2d(3, 4, 3, **kw)
    with pytest.raises(ValueError, match="zeros"):
        enn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")
