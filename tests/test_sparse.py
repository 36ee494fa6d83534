"""Sparse COO basics against PyTorch."""
import numpy as np
import pytest
import torch

import ember

I = [[0, 1, 1, 0, 2], [2, 0, 2, 2, 1]]
V = [3.0, 4.0, 5.0, 1.0, -2.0]


def test_construct_coalesce_dense():
    for_t = torch.sparse_coo_tensor(I, V, (3, 3))
    e = ember.sparse_coo_tensor(I, V, (3, 3))
    assert e.is_sparse and e.layout is ember.sparse_coo and e.shape == (3, 3) and e._nnz() == 5
    assert not e.is_coalesced()
    with pytest.raises(RuntimeError, match="uncoalesced"):
        e.indices()
    c, tc = e.coalesce(), for_t.coalesce()
    assert c.indices().tolist() == tc.indices().tolist()
    assert c.values().tolist() == tc.values().tolist()
    np.testing.assert_array_equal(e.to_dense().numpy(), for_t.to_dense().numpy())
    assert ember.sparse_coo_tensor(I, V).shape == (3, 3)


def test_to_sparse_round_trip():
    d = np.array([[0, 1.5, 0], [0, 0, 0], [-2, 0, 3]], np.float32)
    e, t = ember.from_numpy(d).to_sparse(), torch.from_numpy(d).to_sparse()
    assert e.is_coalesced() and e.indices().tolist() == t.indices().tolist()
    assert e.values().tolist() == t.values().tolist()
    np.testing.assert_array_equal(e.to_dense().numpy(), d)
    assert not ember.ones(2).is_sparse


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sparse_mm_forward_and_grad(dtype):
    rng = np.random.default_rng(0)
    dense = rng.standard_normal((3, 4)).astype(dtype)
    vals = np.array(V, dtype)
    tv = torch.tensor(vals, requires_grad=True)
    td = torch.tensor(dense, requires_grad=True)
    ev = ember.tensor(vals, requires_grad=True)
    ed = ember.tensor(dense, requires_grad=True)
    to = torch.sparse.mm(torch.sparse_coo_tensor(I, tv, (3, 3)), td)
    eo = ember.sparse.mm(ember.sparse_coo_tensor(I, ev, (3, 3)), ed)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=tol, atol=tol)
    w = rng.standard_normal((3, 4)).astype(dtype)
    (to * torch.from_numpy(w)).sum().backward()
    (eo * ember.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(ed.grad.numpy(), td.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(ev.grad.numpy(), tv.grad.numpy(), rtol=tol, atol=tol)


def test_matmul_operators_and_arith():
    s = ember.sparse_coo_tensor(I, V, (3, 3))
    d = ember.arange(6.).reshape(3, 2)
    dense = s.to_dense()
    np.testing.assert_allclose((s @ d).numpy(), (dense @ d).numpy())
    np.testing.assert_allclose(ember.sparse.mm(d.t(), s).numpy(), (d.t() @ dense).numpy())
    np.testing.assert_allclose((s + s).to_dense().numpy(), (2 * dense).numpy())
    np.testing.assert_allclose((s * 3).to_dense().numpy(), (3 * dense).numpy())
    np.testing.assert_allclose(s.t().to_dense().numpy(), dense.t().numpy())
    assert ember.sparse.sum(s).item() == pytest.approx(sum(V))


def test_errors():
    with pytest.raises(RuntimeError, match="size is inconsistent"):
        ember.sparse_coo_tensor([[0, 3]], [1.0, 2.0], (3,))
    with pytest.raises(RuntimeError, match="same nnz"):
        ember.sparse_coo_tensor([[0, 1]], [1.0], (3,))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        ember.sparse.mm(ember.sparse_coo_tensor(I, V, (3, 3)), ember.ones(2, 2))
