"""clip_grad_norm_, clip_grad_value_, parameters_to_vector against PyTorch."""
import math

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, make

import ember.nn as enn
import torch.nn as tnn


def params(lib, nn, scale=1.0):
    ps = []
    for i, shape in enumerate([(3, 4), (4,), (2, 2, 2)]):
        a = make(shape, seed=i)
        p = nn.Parameter(lib.tensor(a))
        p.grad = lib.tensor(make(shape, seed=10 + i) * scale)
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    pe, pt = params(ember, enn), params(torch, tnn)
    nt = float(norm_type) if norm_type == "inf" else norm_type
    te = enn.utils.clip_grad_norm_(pe, max_norm, norm_type=nt)
    tt = tnn.utils.clip_grad_norm_(pt, max_norm, norm_type=nt)
    assert_close(te, tt)
    assert te.dtype == ember.float32
    for a, b in zip(pe, pt):
        assert_close(a.grad, b.grad)


def test_clip_grad_norm_edge_cases():
    p = enn.Parameter(ember.ones(3))
    assert enn.utils.clip_grad_norm_([p], 1.0).item() == 0.0  # no grads
    p.grad = ember.tensor([float("nan"), 1.0, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        enn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    q = enn.Parameter(ember.ones(2))
    q.grad = ember.tensor([3.0, 4.0])
    assert enn.utils.clip_grad_norm_(q, 1.0, foreach=True).item() == pytest.approx(5.0)
    assert np.allclose(q.grad.numpy(), [0.6, 0.8], atol=1e-5)


def test_clip_grad_value():
    pe, pt = params(ember, enn, 3.0), params(torch, tnn, 3.0)
    enn.utils.clip_grad_value_(pe, 1.5)
    tnn.utils.clip_grad_value_(pt, 1.5)
    for a, b in zip(pe, pt):
        assert_close(a.grad, b.grad)


def test_parameters_vector_roundtrip():
    pe, pt = params(ember, enn), params(torch, tnn)
    ve = enn.utils.parameters_to_vector(pe)
    vt = tnn.utils.parameters_to_vector(pt)
    assert_close(ve, vt)
    enn.utils.vector_to_parameters(ve.detach() * 2, pe)
    tnn.utils.vector_to_parameters(vt.detach() * 2, pt)
    for a, b in zip(pe, pt):
        assert_close(a, b)
        assert isinstance(a, enn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        enn.utils.vector_to_parameters([1.0], pe)
