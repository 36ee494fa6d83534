"""torch.stft and torch.istft: framing, windowing and overlap-add around torch.fft.

stft = frames of the (padded) signal (a strided view) x window -> rfft / fft along the frame,
transposed to PyTorch's (freq, frames) layout.  istft = inverse FFT of each frame x window,
overlap-added and divided by the overlap-added squared window.  ``Frames`` and ``OverlapAdd``
are each other's adjoint, so both are differentiable to any order.
"""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function

_NO_WINDOW = ("A window was not provided. A rectangular window will be applied,which is known to "
              "cause spectral leakage. Other windows such as torch.hann_window or "
              "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
              "warning and use a rectangular window, explicitly set "
              "`window=torch.ones(n_fft, device=<device>)`.")


class Frames(Function):
    """(B, L) -> (B, T, n): frame t is x[:, t*hop : t*hop + n] (a strided copy)."""
    saved_inputs = ()

    def forward(ctx, x, n, hop, count):
        ctx.n, ctx.hop, ctx.len = n, hop, x.shape[-1]
        st = x.strides
        v = np.lib.stride_tricks.as_strided(x, x.shape[:-1] + (count, n), st[:-1] + (hop * st[-1], st[-1]))
        return np.ascontiguousarray(v)

    def backward(ctx, g):
        return OverlapAdd.apply(g, hop=ctx.hop, length=ctx.len)


class OverlapAdd(Function):
    """(B, T, n) -> (B, length): the sum of the frames placed every ``hop`` samples."""
    saved_inputs = ()

    def forward(ctx, f, hop, length):
        ctx.hop, ctx.count, ctx.n = hop, f.shape[-2], f.shape[-1]
        T, n = ctx.count, ctx.n
        k = -(-n // hop)                  # chunks of hop samples per frame
        if k * hop != n:
            f = np.concatenate([f, np.zeros(f.shape[:-1] + (k * hop - n,), f.dtype)], -1)
        f = f.reshape(f.shape[:-2] + (T, k, hop))
        out = np.zeros(f.shape[:-3] + (T + k - 1, hop), f.dtype)
        for j in range(k):              # k = n / hop additions of whole (T, hop) blocks
            out[..., j:j + T, :] += f[..., :, j, :]
        out = out.reshape(out.shape[:-2] + (-1,))
        if out.shape[-1] >= length:
            return out[..., :length].copy()
        return np.concatenate([out, np.zeros(out.shape[:-1] + (length - out.shape[-1],), out.dtype)], -1)

    def backward(ctx, g):
        return Frames.apply(g, n=ctx.n, hop=ctx.hop, count=ctx.count)


class WindowedFrames(Function):
    """Frames of ``x`` times the window ``w`` in one pass (stft's hot path: no frame copy)."""

    def forward(ctx, x, w, hop, count):
        ctx.hop, ctx.count, ctx.len = hop, count, x.shape[-1]
        st = x.strides
        n = w.shape[0]
        v = np.lib.stride_tricks.as_strided(x, x.shape[:-1] + (count, n), st[:-1] + (hop * st[-1], st[-1]))
        return v * w

    def backward(ctx, g):
        x, w = ctx.inputs
        need_x, need_w = ctx.needs_input_grad
        gx = gw = None
        if need_x:
            gx = OverlapAdd.apply(g * w, hop=ctx.hop, length=ctx.len)
            if not x.is_complex() and gx.is_complex():
                gx = gx.real
        if need_w:
            f = Frames.apply(x, n=w.shape[0], hop=ctx.hop, count=ctx.count)
            gw = (f * g).sum(tuple(range(g.ndim - 1)))
            if not w.is_complex() and gw.is_complex():
                gw = gw.real
        return gx, gw


def _tensor_name(t):
    from .complex import _tname
    return f"torch.{_tname(t)}Tensor"


def _prefix(op, x, n_fft, hop, win, window, extra):
    from .complex import _tname
    w = "None" if window is None else f"{_tensor_name(window)}{{{list(window.shape)}}}"
    name = _tensor_name(x) if op == "stft" else f"CPU{_tname(x)}Type"    # as PyTorch prints them
    return (f"{op}({name}{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={w}, {extra})")


def _padded_window(window, win, n_fft, dtype):
    """The window (ones when None) zero-padded on both sides to n_fft, centred."""
    from .creation import ones
    if window is None:
        window = ones(win, dtype=dtype)
    if win < n_fft:
        from .copies import constant_pad_nd
        left = (n_fft - win) // 2
        window = constant_pad_nd(window, [left, n_fft - win - left])
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None) -> Tensor:
    """Short-time Fourier transform: (B?, n_fft // 2 + 1 or n_fft, frames) complex.

    >>> x = torch.randn(1000)
    >>> torch.stft(x, 64, window=torch.hann_window(64), return_complex=True).shape
    torch.Size([33, 63])
    """
    from .. import fft as _fft
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if window is None:
        warnings.warn(_NO_WINDOW, stacklevel=2)
    x = input
    if center:
        from ..nn.functional import pad
        nd = x.ndim
        if pad_mode not in ("reflect", "constant", "replicate", "circular"):
            raise NotImplementedError(f"Unrecognised padding mode {pad_mode}")
        p = n_fft // 2
        x = pad(x.reshape((1,) * (3 - nd) + tuple(x.shape)), [p, p], pad_mode)
        x = x.reshape(x.shape[3 - nd:])
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    complex_in = x.is_complex() or (window is not None and window.is_complex())
    rc = return_complex
    extra = (f"normalized={int(normalized)}, onesided={'None' if onesided is None else int(onesided)}, "
             f"return_complex={'None' if rc is None else int(rc)}, align_to_window="
             f"{'None' if align_to_window is None else int(align_to_window)}")
    if rc is None:
        if not complex_in:
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True in a "
                               "future PyTorch release.")
        rc = True
    elif not rc:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, "
                      "stft will return complex tensors for all inputs, and return_complex=False "
                      "will raise an error.\nNote: you can still call torch.view_as_real on the "
                      "complex output to recover the old return format.", stacklevel=2)
    err = _prefix("stft", x, n_fft, hop, win, window, extra) + " : "
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(err + "expected a tensor of floating point or complex values")
    if x.ndim not in (1, 2):
        raise RuntimeError(err + "expected a 1D or 2D tensor")
    L = x.shape[-1]
    if not 0 < n_fft <= L:
        raise RuntimeError(err + f"expected 0 < n_fft < {L}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(err + f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(err + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(err + f"expected a 1D window tensor of size equal to win_length={win}, "
                           f"but got window with size {list(window.shape)}")
    if onesided is None:
        onesided = not complex_in
    elif onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if x._data.dtype == np.float16:
        raise RuntimeError("stft: Unsupported dtype Half (its spectrum would be complex32, chalf, "
                           "which ember does not have); convert the input to float32 first")
    if window is not None and window.dtype != x.dtype:
        dt = _dtype.promote_types(x.dtype, window.dtype)
        x, window = x.to(dt), window.to(dt)
    batched = x.ndim == 2
    if not batched:
        x = x.unsqueeze(0)
    left = (n_fft - win) // 2
    if align_to_window:             # frames of win_length samples from the signal's start
        count = 1 + (L - win) // hop
        start = 0
    else:                           # frames of n_fft samples; only their centre is windowed
        count = 1 + (L - n_fft) // hop
        start = left
    if win < n_fft:
        x = x.narrow(-1, start, x.shape[-1] - start)
    if window is None:
        frames = Frames.apply(x, n=win, hop=hop, count=count)
    else:
        frames = WindowedFrames.apply(x, window, hop=hop, count=count)
    if win < n_fft:
        from .copies import constant_pad_nd
        frames = constant_pad_nd(frames, [left, n_fft - win - left])
    norm = "ortho" if normalized else "backward"
    if onesided:
        spec = _fft._r2c(frames, (n_fft,), (2,), norm)
    else:
        spec = _fft._c2c(frames, (n_fft,), (2,), norm, True)
    spec = spec.transpose(1, 2)
    if not batched:
        spec = spec.squeeze(0)
    if not rc:
        from .complex import view_as_real
        return view_as_real(spec.contiguous())
    return spec


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False) -> Tensor:
    """Inverse short-time Fourier transform (least squares overlap-add of the frames).

    >>> x = torch.randn(1000)
    >>> w = torch.hann_window(64)
    >>> y = torch.istft(torch.stft(x, 64, window=w, return_complex=True), 64, window=w, length=1000)
    >>> torch.allclose(x, y, atol=1e-5)
    True
    """
    from .. import fft as _fft
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please "
                      "provide the same window used by stft to make the inversion lossless.To "
                      "suppress this warning and use a rectangular window, explicitly set "
                      "`window=torch.ones(n_fft, device=<device>)`.", stacklevel=2)
    if not isinstance(input, Tensor) or not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from "
                           "stft with return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    extra = (f"center={int(center)}, normalized={int(normalized)}, onesided="
             f"{'None' if onesided is None else int(onesided)}, length={length}, "
             f"return_complex={int(return_complex)}")
    err = _prefix("istft", input, n_fft, hop, win, window, extra) + " : "
    if input.ndim not in (2, 3):
        raise RuntimeError(err + f"expected a tensor with 2 or 3 dimensions of complex, but got "
                           f"{input.ndim}")
    batched = input.ndim == 3
    x = input if batched else input.unsqueeze(0)
    bins, count = x.shape[1], x.shape[2]
    if onesided is None:
        onesided = bins != n_fft
    if onesided:
        if n_fft // 2 + 1 != bins:
            raise RuntimeError(err + "expected the frequency dimension (3rd to the last) of the "
                               "input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                               f"{bins}")
    elif n_fft != bins:
        raise RuntimeError(err + "expected the frequency dimension (3rd to the last) of the input "
                           f"tensor to match n_fft when onesided=False, but got {bins}")
    if not 0 < hop <= win:
        raise RuntimeError(err + "expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise RuntimeError(err + "expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(err + "Invalid window shape. window has to be 1D and length of "
                           "`win_length`")
    if return_complex and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if not return_complex and window is not None and window.is_complex():
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    real_dt = _dtype.from_np(x._data.dtype).to_real()
    w = _padded_window(window, win, n_fft, real_dt)
    norm = "ortho" if normalized else "backward"
    x = x.transpose(1, 2)                       # (B, frames, bins)
    if return_complex:
        frames = _fft._c2c(x, (n_fft,), (2,), norm, False)
    else:
        if not onesided:
            x = x.narrow(2, 0, n_fft // 2 + 1)
        frames = _fft._c2r(x, (n_fft,), (2,), norm)
    frames = frames * w
    total = n_fft + hop * (count - 1)
    y = OverlapAdd.apply(frames, hop=hop, length=total)
    env = OverlapAdd.apply((w * w).unsqueeze(0).expand(1, count, n_fft), hop=hop, length=total)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = total - n_fft // 2
    else:
        end = total
    stop = min(end, total)
    y = y.narrow(1, start, max(stop - start, 0))
    env = env.narrow(1, start, max(stop - start, 0))
    if env.numel() and bool((env.detach().abs() < 1e-11).any()):
        raise RuntimeError(err[:-3] + " window overlap add min: 1")
    y = y / env
    if end > total:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being "
                      "padded with zeros in the tail. Please check your center and hop_length "
                      "settings.", stacklevel=2)
        from .copies import constant_pad_nd
        y = constant_pad_nd(y, [0, end - total])
    return y if batched else y.squeeze(0)
