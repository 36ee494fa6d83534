"""Complex tensors against PyTorch: dtypes, promotion, printing, views, autograd by PyTorch's
convention, linalg.eig, save/load, errors, and a rotary-embedding attention block that trains
with the same losses."""
import io

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck


def E(a, **kw):
    return ember.tensor(np.asarray(a), **kw)


def T(a, **kw):
    return torch.tensor(np.asarray(a), **kw)


def close(e, t, **kw):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().resolve_conj().numpy(), **kw)


# --- dtypes, promotion, printing ------------------------------------------------------------
@pytest.mark.parametrize("a,b", [("float32", "complex64"), ("float64", "complex64"),
                                 ("int64", "complex128"), ("float16", "complex64"),
                                 ("complex64", "complex128"), ("bool", "complex64")])
def test_promote_types(a, b):
    got = ember.promote_types(getattr(ember, a), getattr(ember, b))
    assert str(got) == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "complex64"])
@pytest.mark.parametrize("scalar", [1j, 2.5 - 1j])
def test_scalar_promotion(dtype, scalar):
    e = ember.ones(3, dtype=getattr(ember, dtype)) * scalar
    t = torch.ones(3, dtype=getattr(torch, dtype)) * scalar
    assert str(e.dtype) == str(t.dtype)
    close(e, t)


def test_default_complex_follows_default_float():
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1j]).dtype is ember.complex128
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1j]).dtype is ember.complex64
    assert ember.cfloat is ember.complex64 and ember.cdouble is ember.complex128


@pytest.mark.parametrize("data", [[1 + 2j, 3 - 1j], [1.5 + 2j, 3 - 1.25j], [[1e-5 + 2j, 3e5 - 1j]],
                                  [0j, 1j], [-1.5 - 2.25j, 10 + 100j], 1.5 - 2j,
                                  [complex("nan+1j"), complex("inf-2j")]])
def test_printing(data):
    assert repr(ember.tensor(data)) == repr(torch.tensor(data))
    assert repr(ember.tensor(data, dtype=ember.complex128)) == \
        repr(torch.tensor(data, dtype=torch.complex128))


def test_printing_wide_and_grad():
    e = ember.arange(30.).reshape(3, 10) * (1 + 0.5j)
    t = torch.arange(30.).reshape(3, 10) * (1 + 0.5j)
    assert repr(e) == repr(t)
    assert repr(E([[1 + 2j, 2], [3, 4 - 1j]]).requires_grad_()) == \
        repr(T([[1 + 2j, 2], [3, 4 - 1j]]).requires_grad_())


def test_is_complex_and_casts():
    z = ember.tensor([1 + 1j])
    assert z.is_complex() and ember.is_complex(z) and not z.is_floating_point()
    assert ember.ones(2).cfloat().dtype is ember.complex64
    assert ember.ones(2).cdouble().dtype is ember.complex128


# --- construction and views --------------------------------------------------------------------
def test_complex_polar_real_imag():
    re, im = np.array([1., -2., 0.5], np.float32), np.array([0.5, 3., -1.], np.float32)
    close(ember.complex(E(re), E(im)), torch.complex(T(re), T(im)))
    close(ember.polar(E(re).abs(), E(im)), torch.polar(T(re).abs(), T(im)), rtol=1e-6)
    z = ember.complex(E(re), E(im))
    close(z.real, T(re))
    close(z.imag, T(im))
    close(z.angle(), torch.complex(T(re), T(im)).angle(), rtol=1e-6)
    close(z.abs(), torch.complex(T(re), T(im)).abs(), rtol=1e-6)
    close(z.sgn(), torch.complex(T(re), T(im)).sgn(), rtol=1e-6)
    close(z.conj(), torch.complex(T(re), T(im)).conj())


def test_views_share_memory():
    z = ember.tensor([1 + 2j, 3 - 4j])
    r = ember.view_as_real(z)
    assert r.shape == (2, 2)
    r[0, 1] = 7.0
    assert z[0].item() == 1 + 7j
    z.real.mul_(2)
    z.imag[1] = 0.5
    assert z.tolist() == [2 + 7j, 6 + 0.5j]
    x = ember.arange(8.).reshape(2, 2, 2)
    c = ember.view_as_complex(x)
    x[1, 1, 0] = -1.0
    assert c[1, 1].item() == -1 + 7j


def test_conj_bit():
    z = ember.tensor([1 + 2j])
    assert z.conj().is_conj() and not z.is_conj()
    assert not z.conj().resolve_conj().is_conj()
    x = ember.ones(2)
    assert x.conj() is x and not x.conj().is_conj()


def test_errors():
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        ember.view_as_complex(ember.ones(3, 3))
    with pytest.raises(RuntimeError, match="stride 1"):
        ember.view_as_complex(ember.ones(2, 4)[:, ::2].unsqueeze(-1).expand(2, 2, 2))
    with pytest.raises(RuntimeError, match="only supported for float and double"):
        ember.view_as_complex(ember.ones(3, 2, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="complex tensors"):
        ember.view_as_real(ember.ones(2))
    with pytest.raises(RuntimeError, match="torch.sgn"):
        ember.tensor([1j]).sign()
    with pytest.raises(RuntimeError, match="Double"):
        ember.complex(ember.ones(2), ember.ones(2, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="complex32"):
        ember.complex(ember.ones(2, dtype=ember.float16), ember.ones(2, dtype=ember.float16))
    with pytest.raises(RuntimeError, match="non-complex"):
        ember.ones(2).imag
    with pytest.raises(RuntimeError, match="real scalar"):
        (ember.tensor([1j], requires_grad=True) * 2).sum().backward()


# --- autograd --------------------------------------------------------------------------------
_FUNCS = {
    "mul": lambda z, w: z * w, "div": lambda z, w: z / (w + 3), "exp": lambda z, w: z.exp(),
    "log": lambda z, w: z.log(), "sin": lambda z, w: z.sin(), "tanh": lambda z, w: z.tanh(),
    "sqrt": lambda z, w: z.sqrt(), "pow": lambda z, w: z ** 3, "abs": lambda z, w: z.abs(),
    "angle": lambda z, w: z.angle(), "real_imag": lambda z, w: z.real * z.imag,
    "conj": lambda z, w: z.conj() * w, "sgn": lambda z, w: z.sgn(), "matmul": lambda z, w: z @ w.t(),
    "mH": lambda z, w: z.mH @ z, "sum_mean": lambda z, w: z.sum(0) + z.mean(),
    "view_as_real": lambda z, w: ember_or_torch(z).view_as_real(z).sin(),
    "var": lambda z, w: z.var(0), "norm": lambda z, w: ember_or_torch(z).linalg.vector_norm(z, dim=1),
    "index_cat": lambda z, w: ember_or_torch(z).cat([z[[0, 2]], w[:1]]),
    "reciprocal": lambda z, w: z.reciprocal(), "where": lambda z, w: ember_or_torch(z).where(
        z.real > 0, z, w),
    "polar": lambda z, w: ember_or_torch(z).polar(z.abs(), w.angle()),
    "det": lambda z, w: ember_or_torch(z).linalg.det(z[:, :3]),
    "inv": lambda z, w: ember_or_torch(z).linalg.inv(z[:, :3]),
    "eigvals": lambda z, w: ember_or_torch(z).linalg.eigvals(z[:, :3]),
}


def ember_or_torch(z):
    return ember if isinstance(z, ember.Tensor) else torch


def _zw(seed=0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    w = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    return z, w


@pytest.mark.parametrize("name", sorted(_FUNCS))
def test_gradients_match_torch(name):
    f = _FUNCS[name]
    z, w = _zw()
    ze, we = E(z, requires_grad=True), E(w, requires_grad=True)
    zt, wt = T(z, requires_grad=True), T(w, requires_grad=True)
    oe, ot = f(ze, we), f(zt, wt)
    rng = np.random.default_rng(1)
    v = rng.standard_normal(tuple(ot.shape) + ((2,) if ot.is_complex() else ()))
    le = ((ember.view_as_real(oe) if oe.is_complex() else oe) * E(v)).sum()
    lt = ((torch.view_as_real(ot) if ot.is_complex() else ot) * T(v)).sum()
    ge = ember.autograd.grad(le, [ze, we], allow_unused=True)
    gt = torch.autograd.grad(lt, [zt, wt], allow_unused=True)
    for a, b in zip(ge, gt):
        if b is None:
            assert a is None or not np.any(a.numpy())
        else:
            close(a, b, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["mul", "div", "exp", "sin", "abs", "angle", "sgn", "matmul",
                                  "view_as_real", "var", "polar", "inv"])
def test_gradcheck(name):
    z, w = _zw(2)
    ze, we = E(z, requires_grad=True), E(w, requires_grad=True)
    assert gradcheck(_FUNCS[name], (ze, we))


def test_gradcheck_fails_on_a_wrong_rule(monkeypatch):
    from ember.ops.arith import Mul
    monkeypatch.setattr(Mul, "complex_rule", True)   # no conjugation: the wrong convention
    z, w = _zw(3)
    assert not gradcheck(lambda a, b: a * b, (E(z, requires_grad=True), E(w)),
                         raise_exception=False)


def test_real_leaf_gets_real_gradient():
    x = ember.tensor([1.0, -2.0], requires_grad=True)
    (x * (1 + 2j)).abs().sum().backward()
    xt = torch.tensor([1.0, -2.0], requires_grad=True)
    (xt * (1 + 2j)).abs().sum().backward()
    assert x.grad.dtype is ember.float32
    close(x.grad, xt.grad)


def test_create_graph_second_order():
    z, _ = _zw(4)
    ze, zt = E(z, requires_grad=True), T(z, requires_grad=True)
    (ge,) = ember.autograd.grad((ze * ze).abs().sum(), [ze], create_graph=True)
    (gt,) = torch.autograd.grad((zt * zt).abs().sum(), [zt], create_graph=True)
    (hh_e,) = ember.autograd.grad(ge.abs().sum(), [ze])
    (hh_t,) = torch.autograd.grad(gt.abs().sum(), [zt])
    close(hh_e, hh_t, rtol=1e-7)


# --- linalg.eig, save/load ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_eig_matches_torch(dtype):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((2, 4, 4))
    if "complex" in dtype:
        a = a + 1j * rng.standard_normal((2, 4, 4))
    we, ve = ember.linalg.eig(E(a).to(getattr(ember, dtype)))
    wt, vt = torch.linalg.eig(T(a).to(getattr(torch, dtype)))
    assert str(we.dtype) == str(wt.dtype) and str(ve.dtype) == str(vt.dtype)
    tol = 1e-4 if dtype in ("float32", "complex64") else 1e-10
    close(we, wt, rtol=tol, atol=tol)
    # eigenvectors are unique up to a unit factor (LAPACK's sign can differ in float32)
    vt_, ve_ = vt.numpy(), ve.numpy()
    phase = np.sign(np.sum(np.conj(ve_) * vt_, axis=-2, keepdims=True))
    np.testing.assert_allclose(ve_ * phase, vt_, rtol=tol, atol=tol)
    assert np.allclose(np.abs(phase), 1)


def test_save_load_both_ways(tmp_path):
    z = torch.tensor([[1 + 2j, 3 - 4j]])
    zz = torch.tensor([0.5j], dtype=torch.complex128)
    torch.save({"z": z, "zz": zz}, tmp_path / "t.pt")
    got = ember.load(tmp_path / "t.pt")
    assert got["z"].dtype is ember.complex64 and got["zz"].dtype is ember.complex128
    close(got["z"], z)
    ember.save({"z": got["z"] * 2, "zz": got["zz"]}, tmp_path / "e.pt")
    back = torch.load(tmp_path / "e.pt")
    close(ember.tensor(back["z"].numpy()), z * 2)
    assert back["zz"].dtype == torch.complex128
    from safetensors.torch import load_file as t_load, save_file as t_save
    from ember.utils.safetensors import load_file, save_file
    t_save({"z": z}, tmp_path / "t.st")
    close(load_file(tmp_path / "t.st")["z"], z)
    save_file({"z": got["z"] * 3}, tmp_path / "e.st")
    close(ember.tensor(t_load(tmp_path / "e.st")["z"].numpy()), z * 3)


# --- a rotary-embedding attention block trains as in PyTorch ------------------------------------
def _rotary_block(lib):
    nn, F = lib.nn, lib.nn.functional

    def freqs(dim, seq, theta=10000.0):
        f = 1.0 / (theta ** (lib.arange(0, dim, 2)[: dim // 2].float() / dim))
        t = lib.arange(seq).float()
        return lib.polar(lib.ones(seq, dim // 2), lib.outer(t, f))

    def rotate(x, fc):
        xc = lib.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
        return lib.view_as_real(xc * fc).flatten(-2).type_as(x)

    class Block(nn.Module):
        def __init__(self, d=16, heads=2, seq=6):
            super().__init__()
            self.h, self.hd = heads, d // heads
            self.qkv = nn.Linear(d, 3 * d, bias=False)
            self.out = nn.Linear(d, d, bias=False)
            self.register_buffer("fc", freqs(d // heads, seq), persistent=False)

        def forward(self, x):
            b, s, d = x.shape
            q, k, v = self.qkv(x).view(b, s, 3, self.h, self.hd).unbind(2)
            fc = self.fc[:s].view(1, s, 1, -1)
            q, k = rotate(q, fc), rotate(k, fc)
            q, k, v = (t.transpose(1, 2) for t in (q, k, v))
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.out(a.transpose(1, 2).reshape(b, s, d))
    return Block()


def test_rotary_attention_trains_like_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 6, 16)).astype(np.float32)
    y = rng.standard_normal((4, 6, 16)).astype(np.float32)
    be, bt = _rotary_block(ember), _rotary_block(torch)
    for (n, pe), (_, pt) in zip(be.named_parameters(), bt.named_parameters()):
        w = rng.standard_normal(tuple(pt.shape)).astype(np.float32) * 0.3
        pe.data = ember.tensor(w)
        with torch.no_grad():
            pt.copy_(torch.tensor(w))
    close(be.fc, bt.fc, rtol=1e-5, atol=1e-6)
    oe = ember.optim.Adam(be.parameters(), lr=1e-2)
    ot = torch.optim.Adam(bt.parameters(), lr=1e-2)
    le_all, lt_all = [], []
    for _ in range(5):
        for opt, blk, lib, store in ((oe, be, ember, le_all), (ot, bt, torch, lt_all)):
            opt.zero_grad()
            loss = ((blk(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
            loss.backward()
            opt.step()
            store.append(loss.item())
    np.testing.assert_allclose(le_all, lt_all, rtol=1e-4)
    assert le_all[-1] < le_all[0]


# --- complex parameters train as in PyTorch ---------------------------------------------------
@pytest.mark.parametrize("opt_name,kw", [
    ("SGD", dict(lr=0.05, momentum=0.9)), ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.05)), ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05)), ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1)), ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5)), ("Adadelta", dict(lr=1.0)), ("Adamax", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05)), ("RAdam", dict(lr=0.05)), ("ASGD", dict(lr=0.05)),
    ("Rprop", dict(lr=0.05))])
def test_complex_parameter_optimizers(opt_name, kw):
    rng = np.random.default_rng(7)
    w0 = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    x = rng.standard_normal((5, 3)) + 1j * rng.standard_normal((5, 3))
    y = rng.standard_normal((5, 2)) + 1j * rng.standard_normal((5, 2))
    losses = {}
    for lib in (ember, torch):
        w = lib.nn.Parameter(lib.tensor(w0.astype(np.complex64)))
        opt = getattr(lib.optim, opt_name)([w], **kw)
        xs, ys = lib.tensor(x.astype(np.complex64)), lib.tensor(y.astype(np.complex64))
        out = []
        for _ in range(4):
            opt.zero_grad()
            loss = (xs @ w - ys).abs().pow(2).mean()
            loss.backward()
            opt.step()
            out.append(loss.item())
        losses[lib.__name__] = (out, w.detach().numpy().copy())
    np.testing.assert_allclose(losses["ember"][0], losses["torch"][0], rtol=1e-5)
    np.testing.assert_allclose(losses["ember"][1], losses["torch"][1], rtol=1e-4, atol=1e-6)


# --- compiled graphs give eager's complex gradients ----------------------------------------------
def test_compiled_complex_gradients():
    ember.manual_seed(0)
    w = ember.nn.Parameter(ember.randn(4, 4).to(ember.cfloat))

    def f(x):
        y = ember.view_as_complex(x.reshape(2, 4, 2)) @ w
        return ember.view_as_real(y * y.conj().exp()).pow(2).sum()
    x = ember.randn(2, 8, requires_grad=True)
    got = []
    cf = ember.compile(f)
    for fn in (f, cf, cf, cf):       # eager, the trace, then two replays
        x.grad = w.grad = None
        fn(x).backward()
        got.append((x.grad.numpy().copy(), w.grad.numpy().copy()))
    for gx, gw in got[1:]:
        np.testing.assert_allclose(gx, got[0][0], rtol=1e-5)
        np.testing.assert_allclose(gw, got[0][1], rtol=1e-5)


# --- random complex tensors are PyTorch's, bit for bit ------------------------------------------
def test_complex_random_bit_identical():
    got = {}
    for lib in (torch, ember):
        lib.manual_seed(3)
        a = lib.randn(3, dtype=lib.cfloat)
        b = lib.randn(20, dtype=lib.cdouble)
        c = lib.rand(5, dtype=lib.cfloat)
        d = lib.empty(17, dtype=lib.cfloat).normal_(1.0, 2.0)
        e = lib.empty(4, dtype=lib.cdouble).uniform_(-1, 1)
        f = lib.randn_like(a)
        g = lib.rand(2)          # the stream continues where torch's does
        got[lib.__name__] = [x.numpy().copy() for x in (a, b, c, d, e, f, g)]
    for x, y in zip(got["torch"], got["ember"]):
        assert x.dtype == y.dtype and np.array_equal(x, y)


@pytest.mark.parametrize("call", [
    lambda z: z < z, lambda z: z >= 1, lambda z: z.max(), lambda z: z.max(0), lambda z: z.min(),
    lambda z: z.maximum(z), lambda z: z.clamp(0, 1), lambda z: z.sort(), lambda z: z.argmax(),
    lambda z: z.argmin(), lambda z: z % 2, lambda z: z // 2, lambda z: z.fmod(2),
    lambda z: z.amin(), lambda z: z.amax(), lambda z: z.median(), lambda z: z.mode(),
    lambda z: z.topk(1), lambda z: z.kthvalue(1)])
def test_ordering_ops_refuse_complex_as_torch(call):
    zt, ze = torch.tensor([1j, 2]), ember.tensor([1j, 2])
    with pytest.raises(Exception) as want:
        call(zt)
    with pytest.raises(Exception) as got:
        call(ze)
    assert type(got.value) is type(want.value)
    assert str(got.value).strip() == str(want.value).strip()


# --- a Fourier-neural-operator layer (complex weights, rfft2, einsum, slice writes) -------------
def _fno(lib):
    nn, F = lib.nn, lib.nn.functional

    class SpectralConv2d(nn.Module):
        def __init__(self, cin, cout, m1, m2):
            super().__init__()
            self.m1, self.m2 = m1, m2
            scale = 1 / (cin * cout)
            self.w1 = nn.Parameter(scale * lib.rand(cin, cout, m1, m2, dtype=lib.cfloat))
            self.w2 = nn.Parameter(scale * lib.rand(cin, cout, m1, m2, dtype=lib.cfloat))

        def forward(self, x):
            x_ft = lib.fft.rfft2(x)
            out = lib.zeros(x.shape[0], self.w1.shape[1], x.size(-2), x.size(-1) // 2 + 1,
                            dtype=lib.cfloat)
            out[:, :, :self.m1, :self.m2] = lib.einsum("bixy,ioxy->boxy",
                                                       x_ft[:, :, :self.m1, :self.m2], self.w1)
            out[:, :, -self.m1:, :self.m2] = lib.einsum("bixy,ioxy->boxy",
                                                        x_ft[:, :, -self.m1:, :self.m2], self.w2)
            return lib.fft.irfft2(out, s=(x.size(-2), x.size(-1)))

    class FNO(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc0, self.conv = nn.Linear(3, 8), SpectralConv2d(8, 8, 4, 4)
            self.w, self.fc1 = nn.Conv2d(8, 8, 1), nn.Linear(8, 1)

        def forward(self, x):
            x = self.fc0(x).permute(0, 3, 1, 2)
            x = F.gelu(self.conv(x) + self.w(x))
            return self.fc1(x.permute(0, 2, 3, 1))
    lib.manual_seed(0)          # the same seed gives the same (complex) initial weights
    return FNO()


@pytest.mark.parametrize("compiled", [False, True])
def test_fourier_layer_trains_like_torch(compiled):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 16, 16, 3)).astype(np.float32)
    y = rng.standard_normal((4, 16, 16, 1)).astype(np.float32)
    losses = {}
    for lib in (torch, ember):
        m = _fno(lib)
        fwd = ember.compile(m) if compiled and lib is ember else m
        opt = lib.optim.Adam(m.parameters(), lr=1e-2)
        out = []
        for _ in range(6):
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(fwd(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            out.append(loss.item())
        losses[lib.__name__] = out
    np.testing.assert_allclose(losses["ember"], losses["torch"], rtol=1e-5)
