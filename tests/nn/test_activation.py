"""Activation functions and modules against PyTorch: values, gradients, reprs, inplace."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, check, make

import ember.nn as enn
import ember.nn.functional as EF
import torch.nn as tnn
import torch.nn.functional as TF

ELEMENTWISE = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}),
    ("selu", {}), ("celu", {"alpha": 1.3}), ("gelu", {}), ("gelu", {"approximate": "tanh"}),
    ("silu", {}), ("mish", {}), ("sigmoid", {}), ("tanh", {}), ("softplus", {"beta": 2.0, "threshold": 3.0}),
    ("softsign", {}), ("hardtanh", {"min_val": -0.5, "max_val": 0.7}), ("hardsigmoid", {}),
    ("hardswish", {}), ("tanhshrink", {}), ("hardshrink", {"lambd": 0.4}), ("softshrink", {"lambd": 0.3}),
    ("logsigmoid", {}), ("threshold", {"threshold": 0.1, "value": -2.0}),
]


@pytest.mark.parametrize("name,kw", ELEMENTWISE, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functional_elementwise(name, kw, dtype):
    a = make((4, 7), dtype, low=-5, high=5)
    check(lambda x: getattr(EF, name)(x, **kw), lambda x: getattr(TF, name)(x, **kw), a)


@pytest.mark.parametrize("name,kw", [("gelu", {}), ("silu", {}), ("elu", {}), ("softplus", {}),
                                     ("mish", {}), ("hardswish", {}), ("logsigmoid", {})])
def test_double_backward(name, kw):
    a = make((3, 5), np.float64, low=-3, high=3)
    xe = ember.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    ge, = ember.autograd.grad(getattr(EF, name)(xe, **kw).sum(), xe, create_graph=True)
    gt, = torch.autograd.grad(getattr(TF, name)(xt, **kw).sum(), xt, create_graph=True)
    assert_close(ge, gt, np.float64)
    (ge * ge).sum().backward()
    (gt * gt).sum().backward()
    assert_close(xe.grad, xt.grad, np.float64, "double backward")


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family(dim):
    a = make((3, 4, 5), np.float32)
    for name in ("softmax", "log_softmax", "softmin"):
        check(lambda x: getattr(EF, name)(x, dim=dim), lambda x: getattr(TF, name)(x, dim=dim), a)


def test_glu_and_prelu():
    check(lambda x: EF.glu(x, 1), lambda x: TF.glu(x, 1), make((2, 6, 3)))
    check(lambda x, w: EF.prelu(x, w), lambda x, w: TF.prelu(x, w), make((2, 3, 4)), make((3,), seed=2))
    check(lambda x, w: EF.prelu(x, w), lambda x, w: TF.prelu(x, w), make((2, 3)), make((1,), seed=3))
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        EF.glu(ember.zeros(2, 5))


MODULES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("ReLU6", (), {}), ("LeakyReLU", (0.1,), {}),
    ("LeakyReLU", (), {"inplace": True}), ("PReLU", (), {}), ("PReLU", (3,), {"init": 0.1}),
    ("ELU", (), {"alpha": 0.5}), ("SELU", (), {}), ("CELU", (), {}), ("GELU", (), {}),
    ("GELU", (), {"approximate": "tanh"}), ("SiLU", (), {}), ("Mish", (), {}), ("Sigmoid", (), {}),
    ("Tanh", (), {}), ("Softplus", (), {"beta": 2.0}), ("Softsign", (), {}), ("Hardtanh", (-2.0, 2.0), {}),
    ("Hardsigmoid", (), {}), ("Hardswish", (), {}), ("Softmax", (), {"dim": 1}), ("LogSoftmax", (), {"dim": -1}),
    ("Softmin", (), {"dim": 0}), ("Threshold", (0.1, 20.0), {}), ("Tanhshrink", (), {}),
    ("Hardshrink", (), {}), ("Softshrink", (0.3,), {}), ("LogSigmoid", (), {}), ("GLU", (), {"dim": -1}),
]


@pytest.mark.parametrize("name,args,kw", MODULES, ids=lambda v: str(v))
def test_modules(name, args, kw):
    me = getattr(enn, name)(*args, **kw)
    mt = getattr(tnn, name)(*args, **kw)
    assert repr(me) == repr(mt)
    a = make((2, 3, 4), low=-4, high=4)
    xe = ember.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    if kw.get("inplace"):
        xe, xt = xe * 1, xt * 1
    oe, ot = me(xe), mt(xt)
    assert_close(oe, ot)
    oe.sum().backward()
    ot.sum().backward()
    for (n1, p1), (n2, p2) in zip(me.named_parameters(), mt.named_parameters()):
        assert n1 == n2
        assert_close(p1.grad, p2.grad, what=n1)
    assert list(me.state_dict()) == list(mt.state_dict())


def test_inplace_writes_input():
    x = ember.tensor([-1.0, 2.0, -3.0])
    y = enn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0, 0.0]
    x = ember.tensor([-1.0, 2.0])
    EF.leaky_relu_(x, 0.5)
    assert x.tolist() == [-0.5, 2.0]
    x = ember.tensor([-1.0, 2.0])
    EF.elu(x, inplace=True)
    assert abs(x.tolist()[0] - (np.exp(-1) - 1)) < 1e-6


def test_bad_inputs():
    with pytest.raises(RuntimeError, match="approximate"):
        EF.gelu(ember.zeros(2), approximate="fast")
    with pytest.raises(NotImplementedError, match="Long"):
        EF.gelu(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        EF.prelu(ember.zeros(2, 4), ember.zeros(3))
