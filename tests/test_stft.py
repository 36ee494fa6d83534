"""torch.stft / torch.istft / Tensor.stft / the *_window factories against PyTorch: values,
shapes, every option, gradients (signal and window), errors, and a spectrogram front end
(stft -> abs -> log -> Conv2d) that trains with PyTorch's losses."""
import warnings

import numpy as np
import pytest
import torch
from test_fft import _array, _np, spectral_check

import ember

STFT_CASES = [
    {"n_fft": 16}, {"n_fft": 16, "hop_length": 5}, {"n_fft": 16, "win_length": 10},
    {"n_fft": 16, "win_length": 9, "hop_length": 3, "center": False},
    {"n_fft": 16, "win_length": 7, "center": False, "align_to_window": True},
    {"n_fft": 16, "win_length": 16, "center": False, "align_to_window": False},
    {"n_fft": 15, "normalized": True}, {"n_fft": 16, "pad_mode": "constant"},
    {"n_fft": 16, "pad_mode": "replicate"}, {"n_fft": 16, "pad_mode": "circular"},
    {"n_fft": 16, "onesided": False}, {"n_fft": 50, "center": False},
    {"n_fft": 16, "return_complex": False}, {"n_fft": 17, "hop_length": 17},
]


def _quiet(f):
    def g(*a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return f(*a)
    return g


def _stft_pair(kw, with_window):
    kw = dict(kw)
    kw.setdefault("return_complex", True)

    def fe(x, *w):
        return ember.stft(x, window=w[0] if w else None, **kw)

    def ft(x, *w):
        return torch.stft(x, window=w[0] if w else None, **kw)
    return _quiet(fe), _quiet(ft)


@pytest.mark.parametrize("with_window", [True, False])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("shape", [(50,), (2, 50)])
@pytest.mark.parametrize("kw", STFT_CASES, ids=str)
def test_stft(kw, shape, complex_, with_window):
    if complex_ and kw.get("return_complex") is False:
        pytest.skip("return_complex=False is for real inputs")
    win = kw.get("win_length", kw["n_fft"])
    arrays = [_array(shape, complex_)] + ([np.random.default_rng(3).random(win) + 0.5]
                                          if with_window else [])
    spectral_check(*_stft_pair(kw, with_window), *arrays)


def test_stft_float32_and_method():
    x = _array((3, 400), False, np.float32)
    w = np.hanning(64).astype(np.float32)
    got = ember.tensor(x).stft(64, window=ember.tensor(w), return_complex=True)
    want = torch.tensor(x).stft(64, window=torch.tensor(w), return_complex=True)
    assert got.dtype == ember.complex64 and tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(_np(got), _np(want), rtol=1e-5, atol=2e-5)
    # float32 signal with a float64 window: promoted as PyTorch's
    spectral_check(*_stft_pair({"n_fft": 16}, True), x[:, :60], np.hanning(16), grad=False,
                   tol=(1e-5, 1e-5))


def test_stft_second_order():
    spectral_check(*_stft_pair({"n_fft": 16, "win_length": 12, "hop_length": 4}, True),
                   _array((2, 40), False), np.random.default_rng(0).random(12) + 0.5, order2=True)


ISTFT_CASES = [{"n_fft": 16}, {"n_fft": 16, "hop_length": 5}, {"n_fft": 16, "win_length": 10},
               {"n_fft": 15, "normalized": True}, {"n_fft": 16, "length": 45}, {"n_fft": 16, "length": 60},
               {"n_fft": 16, "center": False}, {"n_fft": 16, "onesided": False},
               {"n_fft": 16, "onesided": False, "return_complex": True}]


@pytest.mark.parametrize("shape", [(50,), (2, 50)])
@pytest.mark.parametrize("kw", ISTFT_CASES, ids=str)
def test_istft(kw, shape):
    spec_kw = {k: v for k, v in kw.items() if k in ("n_fft", "hop_length", "win_length",
                                                     "normalized", "onesided", "center")}
    win = kw.get("win_length", kw["n_fft"])
    w = np.random.default_rng(1).random(win) + 0.5
    x = torch.tensor(_array(shape, bool(kw.get("return_complex"))))
    S = torch.stft(x, window=torch.tensor(w), return_complex=True, **spec_kw).numpy()
    spectral_check(_quiet(lambda s, w: ember.istft(s, window=w, **kw)),
                   _quiet(lambda s, w: torch.istft(s, window=w, **kw)), S, w)


def test_istft_inverts_stft_and_method():
    x = ember.randn(3, 500, dtype=ember.float64)
    w = ember.hann_window(64, dtype=ember.float64)
    S = x.stft(64, hop_length=16, window=w, return_complex=True)
    assert ember.allclose(S.istft(64, hop_length=16, window=w, length=500), x)


def _same_error(call, exc=RuntimeError):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc) as want:
            call(torch)
        with pytest.raises(exc) as got:
            call(ember)
    assert str(got.value).split("\n")[0] == str(want.value).split("\n")[0]


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.stft(m.ones(100), 16), RuntimeError),
    (lambda m: m.stft(m.ones(100, dtype=m.complex64), 16, onesided=True, return_complex=True),
     RuntimeError),
    (lambda m: m.stft(m.ones(2, 100), 16, win_length=20, return_complex=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 100), 16, hop_length=0, return_complex=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 100), 0, return_complex=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 100), 200, center=False, return_complex=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 100), 16, window=m.ones(10), return_complex=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 2, 100), 16, return_complex=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 100), 16, pad_mode="bad", return_complex=True),
     NotImplementedError),
    (lambda m: m.stft(m.ones(2, 100), 16, return_complex=True, align_to_window=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 100, dtype=m.int64), 16, return_complex=True), RuntimeError),
    (lambda m: m.stft(m.ones(2, 4), 16, return_complex=True), RuntimeError),
    (lambda m: m.istft(m.ones(9, 26), 16), RuntimeError),
    (lambda m: m.istft(m.ones(9, 26, dtype=m.complex64), 16, return_complex=True), RuntimeError),
    (lambda m: m.istft(m.ones(9, 26, dtype=m.complex64), 16, onesided=False), RuntimeError),
    (lambda m: m.istft(m.ones(10, 26, dtype=m.complex64), 16), RuntimeError),
    (lambda m: m.istft(m.ones(9, 26, dtype=m.complex64), 16, window=m.zeros(16)), RuntimeError),
    (lambda m: m.istft(m.ones(9, 26, dtype=m.complex64), 16, window=m.ones(10)), RuntimeError),
])
def test_errors(call, exc):
    _same_error(call, exc)


def test_return_complex_false_warns_and_is_real_pairs():
    x = ember.randn(100)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        r = ember.stft(x, 16, window=ember.hann_window(16), return_complex=False)
    assert r.dtype == ember.float32 and r.shape[-1] == 2
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(x, 16, return_complex=True)


WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("n", [0, 1, 2, 5, 16])
@pytest.mark.parametrize("name", WINDOWS)
def test_windows(name, n, periodic, dtype):
    want = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
    got = getattr(ember, name)(n, periodic, dtype=getattr(ember, dtype))
    assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == tuple(want.shape)
    # NOTE: float16 windows are computed in float64 and rounded once; PyTorch computes them
    # step by step in half precision, so they differ by a few half-precision steps.
    tol = (2e-3, 2e-3) if dtype == "float16" else (1.3e-6, 1e-5)
    np.testing.assert_allclose(_np(got).astype(np.float64), _np(want).astype(np.float64),
                               rtol=tol[0], atol=tol[1])


def test_window_options():
    for args in [(5, True, 0.3), (5, False, 0.3, 0.2)]:
        np.testing.assert_allclose(_np(ember.hamming_window(*args)),
                                   _np(torch.hamming_window(*args)), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_np(ember.kaiser_window(7, True, 5.0)),
                               _np(torch.kaiser_window(7, True, 5.0)), rtol=1e-6, atol=1e-7)
    w = ember.hann_window(4, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(RuntimeError, match="non-negative window_length"):
        ember.hann_window(-1)
    with pytest.raises(RuntimeError, match="expects floating point dtypes"):
        ember.blackman_window(3, dtype=ember.int64)


def test_spectrogram_frontend_trains_like_pytorch():
    """stft -> |.| -> log -> Conv2d -> ReLU -> mean-pool -> Linear, SGD: PyTorch's losses."""
    rng = np.random.default_rng(0)
    audio = rng.standard_normal((8, 1024)).astype(np.float32)
    labels = rng.integers(0, 3, 8)
    conv_w = (rng.standard_normal((4, 1, 3, 3)) * 0.3).astype(np.float32)
    conv_b = np.zeros(4, np.float32)
    lin_w = (rng.standard_normal((3, 4)) * 0.3).astype(np.float32)
    lin_b = np.zeros(3, np.float32)

    def run(lib):
        conv, lin = lib.nn.Conv2d(1, 4, 3), lib.nn.Linear(4, 3)
        with lib.no_grad():
            for p, a in ((conv.weight, conv_w), (conv.bias, conv_b), (lin.weight, lin_w),
                         (lin.bias, lin_b)):
                p.copy_(lib.tensor(a))
        opt = lib.optim.SGD(list(conv.parameters()) + list(lin.parameters()), lr=0.1)
        window = lib.hann_window(128)
        x, y = lib.tensor(audio), lib.tensor(labels)
        losses = []
        for _ in range(5):
            spec = lib.stft(x, 128, hop_length=32, window=window, return_complex=True)
            feat = lib.log(spec.abs() + 1e-6).unsqueeze(1)          # (B, 1, 65, 33)
            h = lib.relu(conv(feat)).mean((2, 3))
            loss = lib.nn.functional.cross_entropy(lin(h), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        return losses

    le, lt = run(ember), run(torch)
    np.testing.assert_allclose(le, lt, rtol=1e-4)
    assert le[-1] < le[0]
