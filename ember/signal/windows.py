"""torch.signal.windows: the window functions of PyTorch (and SciPy), as 1-d tensors.

``sym=True`` gives a symmetric window (filter design); ``sym=False`` a periodic one (spectral
analysis): the window of length M + 1 without its last point.  Computed in float64, rounded
once to ``dtype``.
"""
import math

import numpy as np

from .. import _dtype
from .._device import strided
from ..ops.creation import _finish


def _window(name, M, sym, dtype, layout, device, requires_grad, make):
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    dt = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if dt.name not in ("float32", "float64"):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: torch.{dt.name}")
    if M <= 1:
        w = np.ones(M)
    else:
        w = np.asarray(make(np.arange(M, dtype=np.float64), M if not sym else M - 1), np.float64)
    return _finish(w.astype(dt.np), requires_grad, device)


def general_cosine(M, *, a, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """w[n] = sum_i (-1)^i a_i cos(2 pi i n / N), N = M - 1 (sym) or M."""
    if M > 1 and not isinstance(a, (list, tuple)):
        raise TypeError("Coefficients must be a list/tuple")
    if M > 1 and not a:
        raise ValueError("Coefficients cannot be empty")

    def make(n, N):
        return sum((-1) ** i * c * np.cos(2 * math.pi * i * n / N) for i, c in enumerate(a))
    return _window("general_cosine", M, sym, dtype, layout, device, requires_grad, make)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=strided, device=None,
                    requires_grad=False):
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """The triangular window 1 - |2n/N - 1|."""
    return _window("bartlett", M, sym, dtype, layout, device, requires_grad,
                   lambda n, N: 1 - np.abs(2 * n / N - 1))


def cosine(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """sin(pi (n + 1/2) / N') with N' = M (sym) or M + 1."""
    return _window("cosine", M, sym, dtype, layout, device, requires_grad,
                   lambda n, N: np.sin(math.pi * (n + 0.5) / (N + 1)))


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=strided, device=None,
                requires_grad=False):
    """exp(-|n - center| / tau), centred by default."""
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")

    def make(n, N):
        c = N / 2.0 if center is None else center
        return np.exp(-np.abs(n - c) / tau)
    return _window("exponential", M, sym, dtype, layout, device, requires_grad, make)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """exp(-(n - N/2)^2 / (2 std^2))."""
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    return _window("gaussian", M, sym, dtype, layout, device, requires_grad,
                   lambda n, N: np.exp(-((n - N / 2.0) / std) ** 2 / 2))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """I0(beta sqrt(1 - (2n/N - 1)^2)) / I0(beta)."""
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")

    def make(n, N):
        from scipy.special import i0
        k = np.minimum(-beta + n * (2.0 * beta / N), beta)
        return i0(np.sqrt(np.maximum(beta * beta - k * k, 0.0))) / i0(beta)
    return _window("kaiser", M, sym, dtype, layout, device, requires_grad, make)
