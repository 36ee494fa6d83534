"""interpolate / Upsample / PixelShuffle and pad / padding modules against PyTorch."""
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


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("mode,kw", [
    ("nearest", dict(scale_factor=2)), ("nearest", dict(size=(5, 7))),
    ("nearest", dict(scale_factor=0.5)), ("nearest-exact", dict(size=(5, 7))),
    ("bilinear", dict(scale_factor=2)), ("bilinear", dict(size=(5, 9), align_corners=True)),
    ("bilinear", dict(scale_factor=0.6)), ("bilinear", dict(scale_factor=1.7, recompute_scale_factor=True)),
    ("bicubic", dict(size=(9, 5))), ("bicubic", dict(scale_factor=1.5, align_corners=True)),
    ("area", dict(size=(3, 3))),
])
def test_interpolate_2d(dt, mode, kw):
    check(lambda x: F.interpolate(x, mode=mode, **kw), lambda x: TF.interpolate(x, mode=mode, **kw),
          make((2, 3, 4, 6), dt, noncontig=True))


def test_interpolate_1d_3d():
    check(lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"),
          lambda x: TF.interpolate(x, scale_factor=2.5, mode="linear"), make((2, 3, 4)))
    check(lambda x: F.interpolate(x, size=(3, 5, 2), mode="trilinear"),
          lambda x: TF.interpolate(x, size=(3, 5, 2), mode="trilinear"), make((2, 3, 4, 3, 5)))
    check(lambda x: F.interpolate(x, scale_factor=(2, 1, 3)),
          lambda x: TF.interpolate(x, scale_factor=(2, 1, 3)), make((2, 3, 4, 3, 5)))


def test_interpolate_errors():
    x = ember.ones(1, 1, 2, 2)
    with pytest.raises(NotImplementedError, match="linear mode needs 3D input"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(ValueError, match="align_corners option"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)


@pytest.mark.parametrize("dt", DTYPES)
def test_pixel_shuffle(dt):
    check(lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), make((2, 8, 3, 4), dt))
    check(lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2), make((2, 2, 4, 6), dt))
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(ember.ones(1, 3, 2, 2), 2)


@pytest.mark.parametrize("name,args,kw,xs", [
    ("Upsample", (), dict(scale_factor=2), (2, 3, 4, 4)),
    ("Upsample", (), dict(size=(5, 6), mode="bilinear"), (2, 3, 4, 4)),
    ("Upsample", (), dict(scale_factor=(2.0, 1.5), mode="bicubic", align_corners=False), (1, 2, 4, 4)),
    ("UpsamplingNearest2d", (), dict(scale_factor=3), (1, 2, 3, 3)),
    ("UpsamplingBilinear2d", (), dict(size=(5, 7)), (1, 2, 3, 3)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 3)),
    ("PixelUnshuffle", (2,), {}, (2, 2, 4, 4)),
])
def test_upsampling_modules(name, args, kw, xs):
    em, tm = getattr(enn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    check(lambda x: em(x), lambda x: tm(x), make(xs))


PADS = [
    ((2, 3, 5), (1, 2), "reflect"), ((2, 3, 5, 6), (1, 2, 2, 0), "reflect"),
    ((2, 3, 5, 6), (1, 2, 3, 1), "replicate"), ((2, 3, 5, 6), (1, 2, -1, 3), "circular"),
    ((2, 3, 5, 6), (-1, 2, -1, -2), "replicate"), ((2, 3, 5, 6), (1, -2, 3, 1), "constant"),
    ((2, 3, 4, 5, 6), (1, 2, 3, 1, 0, 2), "constant"), ((2, 3, 4, 5, 6), (1, 2, 3, 1, 0, 2), "replicate"),
    ((1, 2, 3, 4, 5), (1, 2, 1, 1, 2, 0), "reflect"), ((3, 4), (2, -1), "constant"),
    ((2, 3, 4, 5), (1, 1, 2, 2, 1, 1, 0, 1), "constant"),
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape,p,mode", PADS)
def test_pad(dt, shape, p, mode):
    check(lambda x: F.pad(x, p, mode), lambda x: TF.pad(x, p, mode), make(shape, dt, noncontig=True))


def test_pad_value_and_double_backward():
    check(lambda x: F.pad(x, (1, 1), value=2.5), lambda x: TF.pad(x, (1, 1), value=2.5), make((2, 3)))
    x = ember.from_numpy(make((1, 2, 4, 4), np.float64)).requires_grad_()
    for mode in ("reflect", "replicate", "circular", "constant"):
        f = lambda x: F.pad(x, (1, 2, 2, 1), mode=mode)  # noqa: E731
        assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


@pytest.mark.parametrize("fn", [
    lambda m, f: f.pad(m.ones(1, 2, 3), (3, 3), "reflect"),
    lambda m, f: f.pad(m.ones(1, 2, 3), (1,), "reflect"),
    lambda m, f: f.pad(m.ones(2, 3), (1, 1), mode="foo"),
])
def test_pad_errors(fn):
    with pytest.raises(Exception) as et:
        fn(torch, TF)
    with pytest.raises(Exception) as ee:
        fn(ember, F)
    assert ee.type is et.type and str(ee.value) == str(et.value)


@pytest.mark.parametrize("name,args,xs", [
    ("ZeroPad1d", (2,), (2, 3, 4)), ("ZeroPad2d", ((1, 0, 2, 1),), (2, 3, 4, 4)),
    ("ZeroPad3d", (1,), (1, 2, 3, 3, 3)),
    ("ConstantPad1d", (2, 1.5), (2, 3, 4)), ("ConstantPad2d", ((1, 0, 2, 1), -1.0), (2, 3, 4, 4)),
    ("ConstantPad3d", (1, 0.5), (1, 2, 3, 3, 3)),
    ("ReflectionPad1d", (2,), (2, 3, 4)), ("ReflectionPad2d", ((1, 0, 2, 1),), (2, 3, 4, 4)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 3, 3)),
    ("ReplicationPad1d", (2,), (2, 3, 4)), ("ReplicationPad2d", (3,), (2, 3, 4, 4)),
    ("ReplicationPad3d", (1,), (1, 2, 3, 3, 3)),
    ("CircularPad1d", (2,), (2, 3, 4)), ("CircularPad2d", ((1, 0, 2, 1),), (2, 3, 4, 4)),
])
def test_padding_modules(name, args, xs):
    em, tm = getattr(enn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(em) == repr(tm)
    check(lambda x: em(x), lambda x: tm(x), make(xs))
