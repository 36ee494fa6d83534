"""torch.fft against PyTorch: values, dtypes, shapes, norms, n/s padding and cutting, dims,
gradients (first and second order, by PyTorch's complex convention), gradcheck, out= and errors."""
import numpy as np
import pytest
import torch

import ember

NORMS = (None, "ortho", "forward")
TOL = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5),
       "complex128": (1e-7, 1e-7)}


def _array(shape, complex_, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if complex_:
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(np.result_type(dtype, np.complex64) if complex_ else dtype)


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return t.detach().numpy()


def _real(t, lib):
    if t.is_complex():
        return lib.view_as_real(t.resolve_conj() if lib is torch else t)
    return t


def spectral_check(fe, ft, *arrays, grad=True, order2=False, tol=None, seed=1):
    """fe(ember tensors) against ft(torch tensors) over the same arrays: dtype, shape, values;
    with ``grad`` the gradient of sum(view_as_real(out) * w) for every input (PyTorch's
    convention for complex inputs); ``order2`` also the gradient of sum(grad * v)."""
    te = [ember.tensor(a, requires_grad=grad) for a in arrays]
    tt = [torch.tensor(a, requires_grad=grad) for a in arrays]
    ye, yt = fe(*te), ft(*tt)
    assert str(ye.dtype) == str(yt.dtype), (ye.dtype, yt.dtype)
    assert tuple(ye.shape) == tuple(yt.shape), (ye.shape, yt.shape)
    rtol, atol = tol or TOL[str(yt.dtype)[6:]]
    np.testing.assert_allclose(_np(ye), _np(yt), rtol=rtol, atol=atol)
    if not grad:
        return ye
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(tuple(_real(yt, torch).shape))
    le = (_real(ye, ember) * ember.tensor(w)).sum()
    lt = (_real(yt, torch) * torch.tensor(w)).sum()
    ge = ember.autograd.grad(le, te, create_graph=order2)
    gt = torch.autograd.grad(lt, tt, create_graph=order2)
    for a, b in zip(ge, gt):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-7, atol=1e-9)
    if order2:
        vs = [rng.standard_normal(tuple(_real(b, torch).shape)) for b in gt]
        le2 = sum((_real(a, ember) * ember.tensor(v)).sum() for a, v in zip(ge, vs))
        lt2 = sum((_real(b, torch) * torch.tensor(v)).sum() for b, v in zip(gt, vs))
        if lt2.requires_grad:
            g2e = ember.autograd.grad(le2, te, allow_unused=True)
            g2t = torch.autograd.grad(lt2, tt, allow_unused=True)
            for a, b in zip(g2e, g2t):
                if b is None:
                    assert a is None or not _np(a).any()
                else:
                    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-7, atol=1e-9)
    return ye


# (name, kwargs, takes complex input)
C2C_CASES = [("fft", {}), ("fft", {"n": 9}), ("fft", {"n": 3, "dim": 0}), ("fft", {"dim": -2}),
             ("ifft", {"n": 7}), ("ifft", {}), ("fftn", {}), ("fftn", {"s": (3, 8)}),
             ("fftn", {"s": (2, -1), "dim": (0, -1)}), ("fft2", {}), ("fft2", {"dim": (0, 2)}),
             ("ifft2", {"s": (7, 3)}), ("ifftn", {"dim": (-1, 0)})]
C2R_CASES = [("irfft", {}), ("irfft", {"n": 9}), ("irfft", {"n": 4}), ("irfft", {"n": 13, "dim": 0}),
             ("irfftn", {}), ("irfft2", {"s": (3, 7)}), ("irfftn", {"s": (5, 4, 10)}),
             ("irfftn", {"dim": (0,)}), ("hfft", {}), ("hfft", {"n": 7}), ("hfft", {"dim": 1}),
             ("hfft2", {"s": (4, 9)}), ("hfftn", {"dim": (0, 1)}), ("hfftn", {})]
R2C_CASES = [("rfft", {}), ("rfft", {"n": 9}), ("rfft", {"n": 3}), ("rfft", {"n": 8, "dim": 1}),
             ("rfftn", {}), ("rfft2", {"s": (3, 7)}), ("rfftn", {"s": (6, 5, 9)}),
             ("rfftn", {"dim": (-3, -1)}), ("ihfft", {}), ("ihfft", {"n": 7}), ("ihfft2", {}),
             ("ihfftn", {"s": (2, 3)}), ("ihfftn", {})]

SHAPE = (5, 4, 6)


def _fns(name, kw, norm):
    kw = dict(kw, norm=norm)
    return (lambda x: getattr(ember.fft, name)(x, **kw)), (lambda x: getattr(torch.fft, name)(x, **kw))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("name,kw", C2C_CASES + C2R_CASES)
def test_complex_or_real_input(name, kw, complex_, norm):
    spectral_check(*_fns(name, kw, norm), _array(SHAPE, complex_))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,kw", R2C_CASES)
def test_real_input(name, kw, norm):
    spectral_check(*_fns(name, kw, norm), _array(SHAPE, False))


@pytest.mark.parametrize("name,kw", [C2C_CASES[1], C2C_CASES[7], C2R_CASES[1], C2R_CASES[5],
                                     C2R_CASES[11], R2C_CASES[1], R2C_CASES[5], R2C_CASES[10]])
def test_second_order(name, kw):
    cplx = name not in ("rfft", "rfft2", "ihfft", "ihfft2")
    spectral_check(*_fns(name, kw, "ortho"), _array(SHAPE, cplx), order2=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.bool_])
@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "ihfft", "fft2", "rfftn", "irfft", "hfft"])
def test_dtypes(name, dtype):
    a = (np.arange(24).reshape(4, 6) % 5).astype(dtype)
    spectral_check(*_fns(name, {}, None), a, grad=False)


@pytest.mark.parametrize("name", ["fft", "ifft", "irfft", "hfft", "fftn", "irfftn"])
def test_complex64_input(name):
    spectral_check(*_fns(name, {}, None), _array((3, 8), True, np.float32), grad=False)


def test_default_dtype_float64_for_integers():
    prev = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.fft.fft(ember.arange(4)).dtype == ember.complex128
        assert ember.fft.rfft(ember.arange(4)).dtype == ember.complex128
    finally:
        ember.set_default_dtype(prev)


def test_zero_dim_and_batched_shapes():
    x = ember.tensor(2.0)
    assert ember.fft.fftn(x).dtype == ember.complex64 and ember.fft.fftn(x).shape == ()
    spectral_check(*_fns("rfft", {}, None), _array((2, 3, 16), False))
    spectral_check(*_fns("fft", {"n": 1}, None), _array((2, 3), True))


def test_float16_names_the_op():
    for name in ("fft", "rfft", "fftn", "irfft", "hfft", "ihfft"):
        with pytest.raises(RuntimeError, match=f"Unsupported dtype Half.*torch.fft.{name}.*chalf"):
            getattr(ember.fft, name)(ember.ones(4, dtype=ember.float16))


def _same_error(fn, exc=RuntimeError):
    """ember raises the same exception type with torch's message."""
    with pytest.raises(exc) as want:
        fn(torch)
    with pytest.raises(exc) as got:
        fn(ember)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.fft.fft(m.ones(4), norm="bad"), RuntimeError),
    (lambda m: m.fft.rfftn(m.ones(4, 4), norm="Ortho"), RuntimeError),
    (lambda m: m.fft.fft(m.ones(4), n=0), RuntimeError),
    (lambda m: m.fft.irfft(m.ones(4), n=-1), RuntimeError),
    (lambda m: m.fft.irfft(m.ones(1, dtype=m.complex64)), RuntimeError),
    (lambda m: m.fft.fftn(m.ones(4, 5), s=(3, 0)), RuntimeError),
    (lambda m: m.fft.fft(m.ones(4, 5), dim=2), IndexError),
    (lambda m: m.fft.fft2(m.ones(4)), IndexError),
    (lambda m: m.fft.fft(m.tensor(1.0)), IndexError),
    (lambda m: m.fft.fftn(m.ones(4, 5), s=(3,), dim=(0, 1)), RuntimeError),
    (lambda m: m.fft.fftn(m.ones(4, 5), dim=(0, 0)), RuntimeError),
    (lambda m: m.fft.fftn(m.ones(4, 5), s=(2, 3, 3)), RuntimeError),
    (lambda m: m.fft.rfft(m.ones(4, dtype=m.complex64)), RuntimeError),
    (lambda m: m.fft.ihfft2(m.ones(4, 4, dtype=m.complex128)), RuntimeError),
    (lambda m: m.fft.fft(m.ones(0)), RuntimeError),
    (lambda m: m.fft.fftfreq(5, dtype=m.int64), RuntimeError),
    (lambda m: m.fft.fftfreq(5, dtype=m.complex64), NotImplementedError),
    (lambda m: m.fft.fft(m.ones(4), out=m.empty(4)), RuntimeError),
    (lambda m: m.fft.rfft2(m.ones(4, 4), out=m.empty(4, dtype=m.int64)), RuntimeError),
    (lambda m: m.fft.irfft(m.ones(3, dtype=m.complex64), out=m.empty(4, dtype=m.complex64)),
     RuntimeError),
    (lambda m: m.fft.hfft2(m.ones(3, 3, dtype=m.complex64), out=m.empty(4, dtype=m.complex64)),
     RuntimeError),
    (lambda m: m.fft.fftshift(m.tensor(1.0)), RuntimeError),
    (lambda m: m.fft.rfft2(m.ones(4, 4, dtype=m.complex64)), RuntimeError),
    (lambda m: m.fft.rfftn(m.ones(4, 4), dim=()), RuntimeError),
    (lambda m: m.fft.irfft2(m.ones(4, 4), dim=()), RuntimeError),
    (lambda m: m.fft.hfft2(m.ones(4, 4), dim=()), RuntimeError),
    (lambda m: m.fft.fft(m.ones(4), n=2.0), TypeError),
])
def test_errors(call, exc):
    _same_error(call, exc)


def _as_real_fn(f, complex_in):
    """A real-to-real function for gradcheck: real pairs in (complex inputs), real pairs out."""
    def g(x):
        y = f(ember.view_as_complex(x) if complex_in else x)
        return ember.view_as_real(y) if y.is_complex() else y
    return g


@pytest.mark.parametrize("name,kw", [C2C_CASES[1], C2C_CASES[7], C2C_CASES[11], C2R_CASES[1],
                                     C2R_CASES[6], C2R_CASES[8], C2R_CASES[11], R2C_CASES[1],
                                     R2C_CASES[6], R2C_CASES[9], R2C_CASES[11]])
@pytest.mark.parametrize("norm", NORMS)
def test_gradcheck(name, kw, norm):
    complex_in = name not in ("rfft", "rfft2", "rfftn", "ihfft", "ihfft2", "ihfftn")
    shape = (3, 4, 5) + ((2,) if complex_in else ())
    x = ember.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    f = _as_real_fn(lambda z: getattr(ember.fft, name)(z, **dict(kw, norm=norm)), complex_in)
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


def test_real_input_to_c2c_gets_a_real_gradient():
    x = ember.randn(8, dtype=ember.float64, requires_grad=True)
    ember.view_as_real(ember.fft.fft(x)).sum().backward()
    assert x.grad.dtype == ember.float64


@pytest.mark.parametrize("name,kw", [("fft", {}), ("rfft", {"n": 6}), ("irfft", {}),
                                     ("fftn", {"s": (2, 3)}), ("ihfft", {})])
def test_out(name, kw):
    a = _array((3, 8), name != "rfft" and name != "ihfft")
    want = getattr(torch.fft, name)(torch.tensor(a), **kw)
    out_e = ember.empty(0, dtype=getattr(ember, str(want.dtype)[6:]))
    r = getattr(ember.fft, name)(ember.tensor(a), **kw, out=out_e)
    assert r is out_e
    np.testing.assert_allclose(_np(out_e), _np(want), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("n", [0, 1, 4, 5])
@pytest.mark.parametrize("d", [1.0, 0.1])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_fftfreq(n, d, dtype):
    for name in ("fftfreq", "rfftfreq"):
        kt = {} if dtype is None else {"dtype": getattr(torch, dtype)}
        ke = {} if dtype is None else {"dtype": getattr(ember, dtype)}
        want = getattr(torch.fft, name)(n, d, **kt)
        got = getattr(ember.fft, name)(n, d, **ke)
        assert str(got.dtype) == str(want.dtype)
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6, atol=1e-7)
    r = ember.fft.fftfreq(4, requires_grad=True)
    assert r.requires_grad
    out = ember.empty(4)
    assert ember.fft.rfftfreq(6, out=out) is out


@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1), [1]])
@pytest.mark.parametrize("shape", [(5,), (4, 7), (3, 4, 6)])
def test_shifts(shape, dim):
    if dim not in (None, 0, -1) and len(shape) < 2:
        pytest.skip("dim past a 1-d input")
    for name in ("fftshift", "ifftshift"):
        fe, ft = getattr(ember.fft, name), getattr(torch.fft, name)
        spectral_check(lambda x, fe=fe: fe(x, dim=dim), lambda x, ft=ft: ft(x, dim=dim),
                       _array(shape, True))
        spectral_check(lambda x, fe=fe: fe(x, dim), lambda x, ft=ft: ft(x, dim),
                       _array(shape, False))


def test_roundtrips():
    x = ember.randn(4, 10, dtype=ember.float64)
    assert ember.allclose(ember.fft.irfft(ember.fft.rfft(x), n=10), x)
    assert ember.allclose(ember.fft.ifftn(ember.fft.fftn(x)).real, x)
    assert ember.allclose(ember.fft.hfft(ember.fft.ihfft(x), n=10), x)
    assert ember.allclose(ember.fft.fftshift(ember.fft.ifftshift(x)), x)


def test_lazy_module_and_docstring_example():
    import ember as t
    r = t.fft.fft(t.tensor([1., 2., 3., 4.]))
    assert r.tolist() == [10 + 0j, -2 + 2j, -2 + 0j, -2 - 2j]


@pytest.mark.parametrize("name,kw", [("fft", {}), ("ifft", {}), ("fftn", {}), ("fft2", {}),
                                     ("ifftn", {"dim": (0, 2)}), ("fft", {"n": 7})])
def test_real_input_signed_zeros_as_pytorch(name, kw):
    """Real input goes through a one-sided transform and Hermitian fill, as PyTorch's: the
    signs of exact zeros, and so angle(), agree."""
    a = np.ones((2, 4, 6))
    a[0, 0, 0] = 3.0
    got = _np(getattr(ember.fft, name)(ember.tensor(a), **kw))
    want = _np(getattr(torch.fft, name)(torch.tensor(a), **kw))
    np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(np.angle(got), np.angle(want), atol=1e-12)
