"""torch.hann_window, hamming_window, blackman_window, bartlett_window, kaiser_window.

The formulas live once, in ``torch.signal.windows`` (ember/signal/windows.py); these are
PyTorch's older factory names over them: ``periodic=True`` (the default, for spectral
analysis) is signal.windows' ``sym=False``.  Computed in float64 and rounded once to ``dtype``
(float16 included, which these accept and signal.windows does not).
"""
from .. import _dtype
from .._device import strided
from ..signal import windows as _w
from .creation import _finish


def _make(name, fn, window_length, periodic, dtype, layout, device, requires_grad, **kw):
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if layout is not None and layout is not strided:
        raise RuntimeError(f"{name} is not implemented for sparse types, got: {layout}")
    dt = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: torch.{dt.name}")
    w = fn(window_length, sym=not periodic, dtype=_dtype.float64, **kw)._data
    return _finish(w.astype(dt.np), requires_grad, device)


def hann_window(window_length, periodic=True, *, dtype=None, layout=strided, device=None,
                pin_memory=False, requires_grad=False):
    """The Hann window 0.5 - 0.5 cos(2 pi n / N).

    >>> torch.hann_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _make("hann_window", _w.hann, window_length, periodic, dtype, layout, device,
                 requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=strided, device=None, pin_memory=False, requires_grad=False):
    """The generalised Hamming window alpha - beta cos(2 pi n / N).

    >>> torch.hamming_window(3, periodic=False)
    tensor([0.0800, 1.0000, 0.0800])
    """
    return _make("hamming_window", _w.general_cosine, window_length, periodic, dtype, layout,
                 device, requires_grad, a=[alpha, beta])


def blackman_window(window_length, periodic=True, *, dtype=None, layout=strided, device=None,
                    pin_memory=False, requires_grad=False):
    """The Blackman window 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)."""
    return _make("blackman_window", _w.blackman, window_length, periodic, dtype, layout, device,
                 requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=strided, device=None,
                    pin_memory=False, requires_grad=False):
    """The triangular window 1 - |2n / N - 1|.

    >>> torch.bartlett_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _make("bartlett_window", _w.bartlett, window_length, periodic, dtype, layout, device,
                 requires_grad)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=strided,
                  device=None, pin_memory=False, requires_grad=False):
    """The Kaiser window I0(beta sqrt(1 - (2n / N - 1)^2)) / I0(beta)."""
    return _make("kaiser_window", _w.kaiser, window_length, periodic, dtype, layout, device,
                 requires_grad, beta=beta)
