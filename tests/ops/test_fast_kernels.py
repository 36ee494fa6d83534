"""The shortcuts hot kernels take (ops/_rowsum.py, softmax's shared shift, GELU's erf fit,
cross_entropy's saved exponentials), each against NumPy or PyTorch on the inputs that could
break them: rows far apart, -inf/NaN/inf entries, float16, empty and long rows."""
import numpy as np
import pytest
import torch

import ember
from ember.ops._rowsum import _MAX_ROW, trailing_mean, trailing_sum


@pytest.mark.parametrize("shape, axes", [((5, 64), 1), ((5, 64), -1), ((2, 3, 16), (1, 2)),
                                         ((2, 3, 16), (2,)), ((3,), 0), ((4, _MAX_ROW + 1), 1),
                                         ((4, 4), 0), ((2, 3, 4), (0, 2)), ((6, 3), 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_trailing_sum_and_mean_are_numpys(shape, axes, dtype):
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    for keep in (True, False):
        got, want = trailing_sum(a, axes, keepdims=keep), a.sum(axes, keepdims=keep)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=2e-3, atol=2e-3)
    got, want = trailing_mean(a, axes), np.mean(a, axes, keepdims=True)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=2e-3, atol=2e-3)


def test_trailing_sum_propagates_inf_and_nan():
    a = np.zeros((3, 16), np.float32)
    a[0, 1], a[1, 2], a[1, 3], a[2, 0] = np.inf, np.inf, -np.inf, np.nan
    np.testing.assert_array_equal(trailing_sum(a, 1)[:, 0], [np.inf, np.nan, np.nan])


def _attention_scores(rng, scale=3.0):
    mask = np.tril(np.ones((64, 64), bool))
    return np.where(mask, rng.standard_normal((4, 4, 64, 64)) * scale, -np.inf).astype(np.float32)


def test_softmax_rows_far_from_the_shared_shift():
    rng = np.random.default_rng(1)
    x = _attention_scores(rng)
    x[0, 0, 5, :6] -= 1000.0       # a row whose max is far below the array's max
    x[0, 1, 7, :] = -np.inf        # a row of -inf only: NaN, as PyTorch
    x[1, 2, 9, :] += 30.0          # raises the shared shift above every other row
    x[2, 3, 4, :] = np.float32(-3.4e38)
    for t in (x, x[:, :, :, :]):
        got = ember.softmax(ember.from_numpy(t), -1).numpy()
        want = torch.softmax(torch.from_numpy(t), -1).numpy()
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_softmax_with_special_values_matches_torch(special):
    x = _attention_scores(np.random.default_rng(2))
    x[1, 1, 10, 3] = special
    a = ember.from_numpy(x).requires_grad_()
    got = ember.softmax(a, -1)
    want = torch.softmax(torch.from_numpy(x), -1).numpy()
    np.testing.assert_array_equal(np.isnan(got.detach().numpy()), np.isnan(want))
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-5, atol=1e-7)


def test_softmax_gradient_after_shared_shift():
    x = _attention_scores(np.random.default_rng(3))
    x[0, 0, 5, :6] -= 1000.0
    g = np.random.default_rng(4).standard_normal(x.shape).astype(np.float32)
    a, b = ember.from_numpy(x).requires_grad_(), torch.from_numpy(x).requires_grad_()
    ember.softmax(a, -1).backward(ember.from_numpy(g))
    torch.softmax(b, -1).backward(torch.from_numpy(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_exact_gelu_matches_torch_everywhere():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.standard_normal(50000) * 4, np.linspace(-12, 12, 4001),
                        [0.0, -0.0, 1e-30, -1e-30, 40, -40]]).astype(np.float32)
    a, b = ember.from_numpy(x).requires_grad_(), torch.from_numpy(x).requires_grad_()
    ya, yb = ember.nn.functional.gelu(a), torch.nn.functional.gelu(b)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-5, atol=2e-6)
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=2e-6)
    special = np.array([np.nan, np.inf, -np.inf], np.float32)
    got = ember.nn.functional.gelu(ember.from_numpy(special)).numpy()
    assert np.isnan(got[0]) and got[1] == np.inf and np.isnan(got[2])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("layout", ["2d", "spatial"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_saved_exponentials_match_torch(reduction, layout, weighted):
    rng = np.random.default_rng(6)
    shape, tshape = ((40, 300), (40,)) if layout == "2d" else ((6, 300, 3, 2), (6, 3, 2))
    x = (rng.standard_normal(shape) * 5).astype(np.float32)
    t = rng.integers(0, 300, tshape)
    t.reshape(-1)[::7] = -100
    w = rng.random(300).astype(np.float32) if weighted else None
    a, b = ember.from_numpy(x).requires_grad_(), torch.from_numpy(x).requires_grad_()
    la = ember.nn.functional.cross_entropy(a, ember.from_numpy(t), None if w is None else ember.from_numpy(w),
                                           reduction=reduction)
    lb = torch.nn.functional.cross_entropy(b, torch.from_numpy(t), None if w is None else torch.from_numpy(w),
                                           reduction=reduction)
    np.testing.assert_allclose(la.detach().numpy(), lb.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(lb.shape).astype(np.float32)
    la.backward(ember.from_numpy(g))
    lb.backward(torch.from_numpy(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape", [(4, 3, 8, 8), (2, 2, 7, 9), (3, 2, 6, 6, 6), (2, 3, 9)])
def test_tiled_max_pool_gradient_ties_go_to_the_first_maximum(shape):
    # integer values: most windows hold ties, and PyTorch gives the gradient to the first
    x = np.random.default_rng(7).integers(0, 3, shape).astype(np.float32)
    nd = len(shape) - 2
    a, b = ember.from_numpy(x).requires_grad_(), torch.from_numpy(x).requires_grad_()
    ya = getattr(ember.nn.functional, f"max_pool{nd}d")(a, 2)
    yb = getattr(torch.nn.functional, f"max_pool{nd}d")(b, 2)
    g = np.random.default_rng(8).standard_normal(yb.shape).astype(np.float32)
    ya.backward(ember.from_numpy(g))
    yb.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
