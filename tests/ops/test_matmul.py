import numpy as np
import pytest
import torch

import ember
from oracle import check, make

PAIRS = [((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 5)), ((3, 4), (4,)), ((2, 3, 4), (4, 5)),
         ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 2)), ((5, 2, 3, 4), (4,)), ((0, 4), (4, 3))]


@pytest.mark.parametrize("shapes", PAIRS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul(shapes, dtype):
    check(lambda a, b: a @ b, lambda a, b: a @ b, make(shapes[0], dtype, 1), make(shapes[1], dtype, 2))


def test_matmul_noncontiguous():
    check(lambda a, b: a @ b, lambda a, b: a @ b, make((3, 4), np.float32, 1, noncontig=True),
          make((4, 5), np.float32, 2, noncontig=True))


def test_named_products():
    a, b, v = make((3, 4), np.float64, 1), make((4, 5), np.float64, 2), make((4,), np.float64, 3)
    check(lambda x, y: x.mm(y), lambda x, y: x.mm(y), a, b)
    check(lambda x, y: x.mv(y), lambda x, y: x.mv(y), a, v)
    check(lambda x, y: x.dot(y), lambda x, y: x.dot(y), v, v * 2)
    check(lambda x, y: x.outer(y), lambda x, y: x.outer(y), v, v)
    check(lambda x, y: x.kron(y), lambda x, y: x.kron(y), a[:2, :2], b[:2, :3])
    check(lambda x: x.trace(), lambda x: x.trace(), a)
    bb = make((2, 3, 4), np.float64, 4), make((2, 4, 2), np.float64, 5)
    check(lambda x, y: x.bmm(y), lambda x, y: x.bmm(y), *bb)


EQS = [("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]), ("i,j->ij", [(3,), (4,)]),
       ("ij->", [(3, 4)]), ("ij->j", [(3, 4)]), ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)]),
       ("...ij,...jk", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(3, 3)]), ("ij,ij->i", [(3, 4), (3, 4)])]


@pytest.mark.parametrize("eq,shapes", EQS)
def test_einsum(eq, shapes):
    arrs = [make(s, np.float64, i) for i, s in enumerate(shapes)]
    check(lambda *t: ember.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), *arrs)


def test_tensordot_cdist_linalg():
    a, b = make((3, 4, 5), np.float64, 1), make((4, 5, 2), np.float64, 2)
    check(lambda x, y: ember.tensordot(x, y, 2), lambda x, y: torch.tensordot(x, y, 2), a, b)
    x1, x2 = make((5, 3), np.float64, 3), make((4, 3), np.float64, 4)
    check(lambda x, y: ember.cdist(x, y), lambda x, y: torch.cdist(x, y), x1, x2)
    m = make((4, 4), np.float64, 5) + 4 * np.eye(4)
    spd = m @ m.T
    rhs = make((4, 2), np.float64, 6)
    check(lambda x: ember.linalg.inv(x), lambda x: torch.linalg.inv(x), m)
    check(lambda x: ember.linalg.det(x), lambda x: torch.linalg.det(x), m)
    check(lambda x, y: ember.linalg.solve(x, y), lambda x, y: torch.linalg.solve(x, y), m, rhs)
    check(lambda x: ember.linalg.cholesky(x), lambda x: torch.linalg.cholesky(x), spd)
    check(lambda x: ember.linalg.eigh(x)[0], lambda x: torch.linalg.eigh(x)[0], spd)
    check(lambda x: ember.linalg.vector_norm(x, 3), lambda x: torch.linalg.vector_norm(x, 3), m)
    check(lambda x: ember.linalg.svd(x)[1], lambda x: torch.linalg.svd(x)[1], m, grad=False)


def test_matmul_gradgradcheck():
    a = ember.from_numpy(make((2, 3), np.float64, 1)).requires_grad_()
    b = ember.from_numpy(make((3, 2), np.float64, 2)).requires_grad_()
    assert ember.autograd.gradgradcheck(lambda x, y: x @ y, (a, b))
    assert ember.autograd.gradgradcheck(lambda x, y: ember.einsum("ij,jk->ik", x, y), (a, b))


def test_matmul_errors():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        ember.ones(2, 3) @ ember.ones(4, 5)
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.ones(2, 3) @ ember.ones(3, 2, dtype=ember.float64)
