import numpy as np
import pytest
import torch

import ember
from oracle import check, make

POS = ["log", "log1p", "log2", "log10", "sqrt", "rsqrt", "reciprocal", "lgamma", "digamma"]
ANY = ["exp", "expm1", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc",
       "abs", "neg", "square", "relu", "asinh", "floor", "ceil", "trunc", "frac", "sign", "exp2"]
UNIT = ["asin", "acos", "atanh", "erfinv"]
SHAPES = [(), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]


@pytest.mark.parametrize("name", ANY + POS + UNIT)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary(name, shape, dtype):
    if name in POS:
        a = make(shape, dtype, 0, 0.2, 3.0)
    elif name in UNIT:
        a = make(shape, dtype, 0, -0.9, 0.9)
    else:
        a = make(shape, dtype, 0)
    check(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), a)
    check(lambda t: getattr(ember, name)(t), lambda t: getattr(torch, name)(t), a, grad=False)


@pytest.mark.parametrize("name", ["exp", "sqrt", "sin", "log", "sigmoid", "tanh"])
def test_unary_int_input_gives_float(name):
    a = np.array([1, 2, 3], dtype=np.int64)
    check(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), a, grad=False)


def test_unary_noncontiguous():
    a = make((4, 5), np.float32, 0, noncontig=True)
    check(lambda t: t.exp() * t.tanh(), lambda t: t.exp() * t.tanh(), a)


@pytest.mark.parametrize("kw", [dict(min=-0.5), dict(max=0.3), dict(min=-0.5, max=0.5)])
def test_clamp(kw):
    check(lambda t: t.clamp(**kw), lambda t: t.clamp(**kw), make((3, 4), np.float64, 1))


def test_clamp_tensor_bounds():
    check(lambda t, lo: t.clamp(min=lo), lambda t, lo: t.clamp(min=lo), make((3, 4), np.float64, 1),
          make((4,), np.float64, 2))


def test_round_half_even_and_decimals():
    a = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 1.2345], np.float32)
    check(lambda t: t.round(), lambda t: t.round(), a, grad=False)
    check(lambda t: t.round(decimals=2), lambda t: t.round(decimals=2), a, grad=False)


def test_nan_to_num_and_lerp():
    a = np.array([np.nan, 1.0, np.inf, -np.inf], np.float32)
    check(lambda t: t.nan_to_num(nan=0.5), lambda t: t.nan_to_num(nan=0.5), a, grad=False)
    check(lambda a, b: a.lerp(b, 0.3), lambda a, b: a.lerp(b, 0.3), make((3,), np.float64, 1),
          make((3,), np.float64, 2))


@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "sin", "log", "sqrt"])
def test_gradgradcheck_unary(name):
    x = ember.from_numpy(make((3,), np.float64, 4, 0.3, 2.0)).requires_grad_()
    assert ember.autograd.gradcheck(lambda t: getattr(t, name)(), (x,))
    assert ember.autograd.gradgradcheck(lambda t: getattr(t, name)(), (x,))


def test_gradgradcheck_binary():
    x = ember.from_numpy(make((2, 3), np.float64, 1)).requires_grad_()
    y = ember.from_numpy(make((3,), np.float64, 2, 0.5, 2)).requires_grad_()
    for f in (lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a.abs() ** b, lambda a, b: a - b * a):
        assert ember.autograd.gradcheck(f, (x, y))
        assert ember.autograd.gradgradcheck(f, (x, y))
