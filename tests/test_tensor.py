"""Tensor creation, dtypes, conversions, printing and randomness, against PyTorch."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember


def same(e, t):
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy() if not e.requires_grad else e.detach().numpy(),
                                  t.detach().numpy())


@pytest.mark.parametrize("expr", [
    "m.tensor([1, 2])", "m.tensor([1.0, 2.0])", "m.tensor([True, False])", "m.tensor(3.5)",
    "m.tensor([[1, 2], [3, 4]], dtype=m.float64)", "m.zeros(2, 3)", "m.ones((4,))", "m.full((2, 2), 7.5)",
    "m.full((2,), 3)", "m.full((2,), True)", "m.arange(5)", "m.arange(1, 10, 3)", "m.arange(0, 1, 0.25)",
    "m.arange(5.0)", "m.linspace(-1, 1, steps=5)", "m.logspace(0, 2, 3)", "m.eye(3)", "m.eye(2, 3)",
    "m.zeros_like(m.ones(2, dtype=m.int32))", "m.ones_like(m.zeros(3))", "m.full_like(m.zeros(2), 2.0)",
    "m.Tensor([0])", "m.Tensor(2, 3).zero_()", "m.tensor([1, 2]).new_zeros(3)", "m.ones(2).new_full((2,), 4)",
    "m.ones(2).new_tensor([1, 2])", "m.tensor(np.float64(2.5))",
    "m.tensor([], dtype=m.float32)", "m.zeros(0, 3)", "m.as_tensor([1, 2], dtype=m.float32)",
])
def test_creation(expr):
    same(eval(expr, {"m": ember, "np": np}), eval(expr, {"m": torch, "np": np}))


def test_from_numpy_shares_memory():
    a = np.arange(4, dtype=np.float32)
    t = ember.from_numpy(a)
    a[0] = 42
    t[1] = -1
    assert t.tolist() == [42.0, -1.0, 2.0, 3.0] and a[1] == -1
    assert ember.as_tensor(a).data_ptr() == t.data_ptr()


@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "short", "bool", "byte", "char"])
def test_conversions(method):
    v = [-1.7, -0.5, 0.0, 0.5, 2.9]
    same(getattr(ember.tensor(v), method)(), getattr(torch.tensor(v), method)())


def test_to_type_and_info():
    e, t = ember.tensor([1.5, 2.0]), torch.tensor([1.5, 2.0])
    same(e.to(ember.float64), t.to(torch.float64))
    same(e.to(dtype=ember.int16), t.to(dtype=torch.int16))
    same(e.to(ember.ones(1, dtype=ember.int64)), t.to(torch.ones(1, dtype=torch.int64)))
    assert e.to("cpu") is e
    assert e.type() == t.type() == "torch.FloatTensor"
    assert e.element_size() == 4 and e.numel() == 2 and e.dim() == 1 and e.size(0) == 2
    assert e.is_floating_point() and not ember.tensor([1]).is_floating_point()
    assert ember.int64.is_signed and not ember.uint8.is_signed
    assert str(e.device) == "cpu" and e.is_leaf and e.grad_fn is None
    assert repr(ember.Size([2, 3])) == repr(torch.Size([2, 3]))


def test_cuda_is_refused_clearly():
    assert not ember.cuda.is_available()
    assert not ember.backends.mps.is_available()
    with pytest.raises((AssertionError, RuntimeError), match="CUDA"):
        ember.ones(2).to("cuda")
    with pytest.raises((AssertionError, RuntimeError), match="CUDA"):
        ember.ones(2).cuda()


@pytest.mark.parametrize("expr", [
    "m.tensor([1.0, 2.5, -3.0])", "m.tensor([[1, 2], [3, 4]])", "m.tensor([0.1, 0.25]).double()",
    "m.arange(3.0).requires_grad_()", "m.tensor([12.])", "m.tensor(3.5)", "m.tensor([True, False])",
    "m.tensor([1e-5, 1.0])", "m.tensor([1e10, 1.0])", "m.tensor([float('nan'), float('inf'), 1.0])",
    "m.zeros(0, 3)", "m.tensor([], dtype=m.float32)", "m.arange(2000.0)", "m.tensor([1, 2], dtype=m.int32)",
    "m.arange(24.0).reshape(2, 3, 4)", "m.tensor([100.0, 0.5])", "m.linspace(0, 1, 30)",
    "m.tensor([1.0, 2.0], dtype=m.float16)", "m.tensor([-0.0001234, 5.0])",
])
def test_repr_matches_torch(expr):
    assert repr(eval(expr, {"m": ember})) == repr(eval(expr, {"m": torch}))


def test_repr_grad_fn():
    x = ember.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"


def test_item_tolist_bool_errors():
    assert ember.tensor([2.5]).item() == 2.5
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        ember.ones(2).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ember.ones(2))
    with pytest.raises(RuntimeError, match="numpy"):
        ember.ones(2, requires_grad=True).numpy()


def test_pickle_and_deepcopy_roundtrip():
    t = ember.tensor([1.0, 2.0], requires_grad=True)
    for r in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t)):
        assert r.tolist() == [1.0, 2.0] and r.requires_grad and r.data_ptr() != t.data_ptr()


def test_random_is_seeded_and_reproducible():
    ember.manual_seed(0)
    a = ember.randn(3, 4)
    ember.manual_seed(0)
    b = ember.randn(3, 4)
    assert ember.equal(a, b) and a.dtype is ember.float32
    g = ember.Generator().manual_seed(5)
    x = ember.rand(1000, generator=g)
    assert 0.0 <= x.min().item() and x.max().item() < 1.0 and abs(x.mean().item() - 0.5) < 0.05
    r = ember.randint(0, 10, (100,))
    assert r.dtype is ember.int64 and 0 <= r.min().item() and r.max().item() < 10
    assert sorted(ember.randperm(10).tolist()) == list(range(10))
    m = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 3, replacement=True)
    assert m.tolist() == [1, 1, 1]
    assert ember.bernoulli(ember.ones(5)).tolist() == [1.0] * 5
    n = ember.normal(2.0, 0.5, size=(2000,))
    assert abs(n.mean().item() - 2.0) < 0.05 and abs(n.std().item() - 0.5) < 0.05
    u = ember.empty(1000).uniform_(-1, 1)
    assert -1 <= u.min().item() and u.max().item() <= 1


def test_comparisons_match_torch():
    a, b = [1.0, 2.0, 3.0, 4.0], [4.0, 2.0, 1.0, 4.0]
    for expr in ("x == y", "x != y", "x < y", "x <= 2", "x > y", "x >= 2", "(x > 1) & (y > 1)",
                 "(x > 2) | (y > 3)", "~(x > 2)", "(x > 1) ^ (y > 1)", "m.isclose(x, y)",
                 "m.logical_and(x > 1, y > 1)", "m.isnan(x / 0 * 0)", "m.isinf(x / 0)", "m.isfinite(x / 0)",
                 "m.tensor([1, 2]) & m.tensor([3, 3])", "m.sign(x - 2)"):
        e = eval(expr, {"m": ember, "x": ember.tensor(a), "y": ember.tensor(b)})
        t = eval(expr, {"m": torch, "x": torch.tensor(a), "y": torch.tensor(b)})
        same(e, t)
    assert ember.equal(ember.tensor(a), ember.tensor(a)) and not ember.equal(ember.tensor(a), ember.tensor(b))
    assert ember.allclose(ember.tensor(a), ember.tensor(a) + 1e-7)


def test_bad_inputs_raise_pytorch_types():
    with pytest.raises(TypeError):
        ember.zeros("a")
    with pytest.raises(ValueError):
        ember.tensor([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        ember.tensor([1, 2]).requires_grad_()
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.ones(2, 3).transpose(0, 5)
    with pytest.raises(RuntimeError, match="shape '\\[4, 2\\]' is invalid for input of size 6"):
        ember.ones(2, 3).reshape(4, 2)


def test_out_and_size_keywords_are_honoured():
    x = ember.arange(6.0).view(2, 3)
    o = ember.empty(3)
    assert ember.sum(x, 0, out=o) is o and o.tolist() == [3.0, 5.0, 7.0]
    v, i = ember.empty(2), ember.empty(2, dtype=ember.int64)
    ember.max(x, 1, out=(v, i))
    assert v.tolist() == [2.0, 5.0] and i.tolist() == [2, 2]
    t = ember.empty(2)
    assert ember.zeros(3, out=t) is t and t.tolist() == [0.0, 0.0, 0.0]
    assert tuple(ember.empty(size=(2, 3)).shape) == tuple(torch.empty(size=(2, 3)).shape)
    assert tuple(ember.randn(size=(4,)).shape) == (4,)


def test_import_ember_stays_light():
    """The compiler, optimizers, FFTs, serving and the optional extras load on first use."""
    import subprocess
    import sys
    code = ("import sys, ember; heavy = [m for m in sys.modules if m.startswith(("
            "'ember._compile.api', 'ember.fx', 'ember.optim', 'ember.fft', 'ember.ops.spectral', 'ember.linalg', "
            "'scipy', 'torch', 'starlette', 'onnx', 'tensorboard', 'mpi4py'))]; print(heavy)")
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": root})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
