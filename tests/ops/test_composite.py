import numpy as np
import pytest
import torch

import ember
from oracle import check, make


def _m(t):
    return torch if isinstance(t, torch.Tensor) else ember


CASES = {
    "diff": lambda t: _m(t).diff(t, dim=1), "diff2": lambda t: t.diff(n=2, dim=0),
    "logaddexp": lambda t: _m(t).logaddexp(t, t * 2), "logcumsumexp": lambda t: _m(t).logcumsumexp(t, 1),
    "hypot": lambda t: _m(t).hypot(t, t + 1), "sinc": lambda t: _m(t).sinc(t),
    "cov": lambda t: _m(t).cov(t), "corrcoef": lambda t: _m(t).corrcoef(t),
    "block_diag": lambda t: _m(t).block_diag(t, t[:2, :3]), "trapezoid": lambda t: _m(t).trapezoid(t),
    "renorm": lambda t: t.renorm(2, 0, 1.0), "dist": lambda t: _m(t).dist(t, t * 0.5),
    "logit": lambda t: _m(t).logit(t.sigmoid()), "combinations": lambda t: _m(t).combinations(t[0], 2),
    "det": lambda t: _m(t).det(t[:4, :4]), "inverse": lambda t: (t[:4, :4] + 3 * _m(t).eye(4, dtype=t.dtype)).inverse(),
    "diagflat": lambda t: _m(t).diagflat(t[0]), "copysign": lambda t: _m(t).copysign(t, -t),
    "deg2rad": lambda t: t.deg2rad(), "addr": lambda t: t[:4, :4].addr(t[0, :4], t[1, :4], beta=0.5),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_composite_ops_match_torch(name):
    check(CASES[name], CASES[name], make((4, 5), np.float64, 3))


def test_forward_only_ones():
    x = make((4, 5), np.float64, 3)
    check(lambda t: _m(t).vander(t[0]), lambda t: _m(t).vander(t[0]), x, grad=False)
    check(lambda t: _m(t).svd(t)[1], lambda t: _m(t).svd(t)[1], x, grad=False)
    a = np.array([2, 4, 6, 9], np.int64)
    check(lambda t: _m(t).gcd(t, t * 0 + 6), lambda t: _m(t).gcd(t, t * 0 + 6), a, grad=False)
    check(lambda t: _m(t).isin(t, _m(t).tensor([4, 9])), lambda t: _m(t).isin(t, _m(t).tensor([4, 9])), a,
          grad=False)


def test_finfo_iinfo_match_torch():
    for d in ("float16", "float32", "float64"):
        e, t = ember.finfo(getattr(ember, d)), torch.finfo(getattr(torch, d))
        assert (e.eps, e.max, e.min, e.tiny, e.bits) == (t.eps, t.max, t.min, t.tiny, t.bits)
    for d in ("uint8", "int8", "int16", "int32", "int64"):
        e, t = ember.iinfo(getattr(ember, d)), torch.iinfo(getattr(torch, d))
        assert (e.max, e.min, e.bits) == (t.max, t.min, t.bits)


def test_post_accumulate_grad_hook():
    w = ember.ones(3, requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
    (w * 2).sum().backward()
    assert len(seen) == 1 and seen[0].tolist() == [2.0, 2.0, 2.0]
