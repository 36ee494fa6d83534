"""torch.fft: discrete Fourier transforms, on SciPy's pocketfft (``scipy.fft`` keeps float32 data
in complex64, where ``numpy.fft`` would compute in complex128).

Three Functions do all the work: ``C2C`` (fftn/ifftn), ``R2C`` (rfftn) and ``C2R`` (irfftn);
hfft/ihfft are conjugated irfft/rfft with the normalisation swapped, as in NumPy and PyTorch.
Each backward is written with the same public transforms, so create_graph works.

Gradients follow PyTorch's convention for complex numbers (see ``Function.complex_rule``):
``C2C`` is C-linear (y = c F P x, P the cut or zero-pad to ``s``), so its rule is the plain
transpose ``P^T c F g`` (F is symmetric) and the engine conjugates that into ``P^T conj(c F) g``.
``R2C`` and ``C2R`` are only R-linear and write their rules themselves: the one-sided spectrum
counts each bin strictly between DC and Nyquist twice in the real signal, so the adjoints halve
(r2c) or double (c2r) those bins.
"""
import numpy as np
import scipy.fft as _sfft

from .. import _dtype
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.function import Function
from ..ops.complex import _tname

__all__ = [
    "fft",
    "fft2",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "hfft2",
    "hfftn",
    "ifft",
    "ifft2",
    "ifftn",
    "ifftshift",
    "ihfft",
    "ihfft2",
    "ihfftn",
    "irfft",
    "irfft2",
    "irfftn",
    "rfft",
    "rfft2",
    "rfftfreq",
    "rfftn",
]

_NORMS = {None: "backward", "backward": "backward", "ortho": "ortho", "forward": "forward"}
# The adjoint of a transform scaled by c is the opposite transform scaled by c: swap the names.
_DUAL = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


# --- the three transforms ---------------------------------------------------------------------
class C2C(Function):
    """n-dimensional complex FFT (``forward``) or inverse FFT over ``dims``, sizes ``s``."""
    saved_inputs = ()

    def forward(ctx, x, s, dims, norm, forward):
        ctx.shape, ctx.real, ctx.dims, ctx.norm, ctx.fwd = x.shape, x.dtype.kind != "c", dims, norm, forward
        if ctx.real:
            return _real_fftn(x, s, dims, norm, forward)
        return (_sfft.fftn if forward else _sfft.ifftn)(x, s, dims, norm=norm)

    def backward(ctx, g):
        # NOTE: the plain transpose (no conjugation): the engine conjugates it, see the module doc.
        gx = _resize(_c2c(g, None, ctx.dims, ctx.norm, ctx.fwd), ctx.dims, ctx.shape)
        return gx.real if ctx.real else gx


class R2C(Function):
    """n-dimensional FFT of a real tensor, the last of ``dims`` one-sided (s[-1] // 2 + 1 bins)."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, x, s, dims, norm):
        ctx.shape, ctx.s, ctx.dims, ctx.norm = x.shape, s, dims, norm
        return _sfft.rfftn(x, s, dims, norm=norm)

    def backward(ctx, g):
        # grad_x = Re(R^H g) with g zero-filled to the full spectrum; c2r reads each middle bin
        # twice (as itself and its mirror), so halve them first.
        h = g * _bin_weights(g, ctx.s[-1], ctx.dims[-1], 0.5)
        return _resize(_c2r(h, ctx.s, ctx.dims, _DUAL[ctx.norm]), ctx.dims, ctx.shape)


class C2R(Function):
    """Inverse of R2C: a one-sided spectrum to a real tensor of sizes ``s`` over ``dims``."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, x, s, dims, norm):
        ctx.shape, ctx.s, ctx.dims, ctx.norm = x.shape, s, dims, norm
        return _sfft.irfftn(x, s, dims, norm=norm)

    def backward(ctx, g):
        # y = c (x_0 + 2 Re sum_mid x_j w^jk + x_nyq (-1)^k): the gradient of a middle bin is
        # twice the r2c of g; DC and Nyquist once (their imaginary parts do not reach y).
        G = _r2c(g, ctx.s, ctx.dims, _DUAL[ctx.norm])
        G = G * _bin_weights(G, ctx.s[-1], ctx.dims[-1], 2.0)
        return _resize(G, ctx.dims, ctx.shape)


def _real_fftn(x, s, dims, norm, forward):
    """The full spectrum of a real array as PyTorch computes it: a one-sided r2c, the other half
    filled in by Hermitian symmetry (so exact zeros keep PyTorch's signs, and angle() its
    values); the inverse transform is the conjugate of the forward one with the dual norm."""
    if not forward:
        return np.conj(_real_fftn(x, s, dims, _DUAL[norm], True))
    half = _sfft.rfftn(x, s, dims, norm=norm)
    d = dims[-1]
    n, m = (x.shape[d] if s is None else s[-1]), half.shape[d]
    if n == m:
        return half
    # bin j >= m is conj(bin (-j) mod n) with every other transformed index k at (-k) mod size
    tail = np.flip(np.take(half, np.arange(1, n - m + 1), axis=d), axis=d)
    for e in dims[:-1]:
        size = tail.shape[e]
        tail = np.take(tail, -np.arange(size) % size, axis=e)
    return np.concatenate([half, np.conj(tail)], axis=d)


def _c2c(x, s, dims, norm, forward):
    return C2C.apply(x, s=s, dims=dims, norm=norm, forward=forward)


def _r2c(x, s, dims, norm):
    return R2C.apply(x, s=s, dims=dims, norm=norm)


def _c2r(x, s, dims, norm):
    return C2R.apply(x, s=s, dims=dims, norm=norm)


def _bin_weights(t, n, dim, w):
    """``w`` at the one-sided bins 1 .. n - n//2 - 1 (the ones with a mirror), 1 elsewhere,
    shaped to broadcast along ``dim`` of ``t``."""
    a = np.ones(t.shape[dim], _dtype.from_np(t._data.dtype).to_real().np)
    a[1:n - n // 2] = w
    return _wrap(a.reshape((-1,) + (1,) * (t.ndim - 1 - dim)))


def _resize(t, dims, shape):
    """Cut or zero-pad ``t`` at the end of each of ``dims`` to ``shape`` (the adjoint of the
    zero-pad or cut that the transform's ``s`` did)."""
    for d in dims:
        cur, want = t.shape[d], shape[d]
        if cur > want:
            t = t.narrow(d, 0, want)
        elif cur < want:
            from ..ops.copies import constant_pad_nd
            t = constant_pad_nd(t, [0, 0] * (t.ndim - 1 - d) + [0, want - cur])
    return t


# --- arguments: PyTorch's checks and messages -------------------------------------------------
def _norm(norm):
    try:
        return _NORMS[norm]
    except (KeyError, TypeError):
        raise RuntimeError(f'Invalid normalization mode: "{norm}"') from None


_REAL_1D = "{op} expects a real input tensor, but got {t}"
_REAL_RFFTN = "{op} expects a real-valued input tensor, but got {t}"
_REAL_IHFFTN = "Only supports floating-point dtypes, but found: {t}"


def _input(op, x, real=None, complex_=False):
    """PyTorch's dtype rules: integers and bool become the default float; float16 would need
    complex32 (chalf), which ember lacks; ``real`` ops refuse complex input."""
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    kind = x._data.dtype.kind
    if kind == "c":
        if real:
            raise RuntimeError(real.format(op=op, t=_tname(x)))
        return x
    if x._data.dtype == np.float16:
        raise RuntimeError(f"Unsupported dtype Half: torch.fft.{op} of a float16 tensor computes in "
                           "complex32 (chalf), which ember does not have (NumPy has no complex half "
                           "type); convert the input to float32 first")
    if kind in "biu":
        x = x.to(_dtype.get_default_dtype())
    if complex_:
        x = x.to(_dtype.from_np(x._data.dtype).to_complex())
    return x


def _int(op, name, v):
    if v is not None and not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"fft_{op}(): argument '{name}' must be int, not {type(v).__name__}")


def _dim1(op, x, n, dim):
    """One dim and its size for the 1-d transforms (``n`` None: the input's size)."""
    _int(op, "n", n)
    _int(op, "dim", dim)
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d] if n is None else int(n)
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n, d


def _tuple(v):
    return (int(v),) if isinstance(v, (int, np.integer)) else tuple(int(e) for e in v)


def _dims(x, s, dim):
    """PyTorch's canonical ``(s, dims)`` of the n-d transforms; ``s`` keeps its -1 entries."""
    nd = x.ndim
    dims = None
    if dim is not None:
        dims = tuple(_wrap_dim(d, nd) for d in _tuple(dim))
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = _tuple(s)
        if dims is not None:
            if len(s) != len(dims):
                raise RuntimeError("When given, dim and shape arguments must have the same length")
        elif len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} "
                               "dimensions.")
        else:
            dims = tuple(range(nd - len(s), nd))
    elif dims is None:
        dims = tuple(range(nd))
    if s is None:
        s = (-1,) * len(dims)
    return s, dims


def _sizes(x, s, dims):
    out = tuple(x.shape[d] if n == -1 else n for n, d in zip(s, dims))
    for n in out:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return out


def _c2r_sizes(op, x, s, dims):
    """Output sizes of a c2r transform: the last one (None: not given) defaults to 2 * (bins - 1)."""
    if not dims:
        raise RuntimeError(f"{op} must transform at least one axis")
    last = s[-1]
    s = _sizes(x, s[:-1], dims[:-1])
    if last is None:
        last = 2 * (x.shape[dims[-1]] - 1)
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    return s + (last,)


def _out(op, r, out):
    if out is None:
        return r
    op = op.replace("2", "n")           # fft2 and the like check as fftn does
    if r.is_complex() and not out.is_complex():
        raise RuntimeError(f"{op} expects a complex output tensor, but got {_tname(out)}")
    if not r.is_complex() and not out.is_floating_point():
        raise RuntimeError(f"{op} expects a floating point output tensor, but got {_tname(out)}")
    if tuple(out.shape) != tuple(r.shape):
        out.resize_(r.shape)
    out.copy_(r)
    return out


# --- the public transforms ----------------------------------------------------------------------
def fft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The 1-d discrete Fourier transform along ``dim`` (``n``: cut or zero-pad to that size).

    >>> torch.fft.fft(torch.tensor([1., 2., 3., 4.]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    x = _input("fft", input)
    n, d = _dim1("fft", x, n, dim)
    return _out("fft", _c2c(x, (n,), (d,), _norm(norm), True), out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The 1-d inverse discrete Fourier transform.

    >>> torch.fft.ifft(torch.fft.fft(torch.tensor([1., 2.]))).real
    tensor([1., 2.])
    """
    x = _input("ifft", input)
    n, d = _dim1("ifft", x, n, dim)
    return _out("ifft", _c2c(x, (n,), (d,), _norm(norm), False), out)


def _nd_c2c(op, input, s, dim, norm, forward, out):
    x = _input(op, input)
    s, dims = _dims(x, s, dim)
    s = _sizes(x, s, dims)
    norm = _norm(norm)
    if not dims:        # a 0-d input, or dim=(): nothing to transform
        return _out(op, x.to(_dtype.from_np(x._data.dtype).to_complex()).clone(), out)
    return _out(op, _c2c(x, s, dims, norm, forward), out)


def fftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The n-d discrete Fourier transform over ``dim`` (all dims, or the last len(s)).

    >>> torch.fft.fftn(torch.ones(2, 2))
    tensor([[4.+0.j, 0.+0.j],
            [0.+0.j, 0.+0.j]])
    """
    return _nd_c2c("fftn", input, s, dim, norm, True, out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The n-d inverse discrete Fourier transform."""
    return _nd_c2c("ifftn", input, s, dim, norm, False, out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """The 2-d discrete Fourier transform (over the last two dims by default)."""
    return _nd_c2c("fft2", input, s, dim, norm, True, out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """The 2-d inverse discrete Fourier transform."""
    return _nd_c2c("ifft2", input, s, dim, norm, False, out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The one-sided FFT of a real signal: n // 2 + 1 bins.

    >>> torch.fft.rfft(torch.tensor([1., 2., 3., 4.]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    x = _input("rfft", input, real=_REAL_1D)
    n, d = _dim1("rfft", x, n, dim)
    return _out("rfft", _r2c(x, (n,), (d,), _norm(norm)), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The real signal of a one-sided spectrum; ``n`` (default 2 * (bins - 1)) samples.

    >>> torch.fft.irfft(torch.fft.rfft(torch.tensor([1., 2., 3., 4.])))
    tensor([1., 2., 3., 4.])
    """
    x = _input("irfft", input, complex_=True)
    d = _dim1("irfft", x, None, dim)[1]
    s = _c2r_sizes("irfft", x, (None if n is None else _n(n),), (d,))
    return _out("irfft", _c2r(x, s, (d,), _norm(norm)), out)


def _n(n):
    _int("irfft", "n", n)
    return int(n)


def _nd_r2c(op, input, s, dim, norm, out, hermitian=False):
    base = "ihfftn" if hermitian else "rfftn"
    x = _input(op, input, real=_REAL_IHFFTN if hermitian else _REAL_RFFTN.replace("{op}", base))
    s, dims = _dims(x, s, dim)
    if not dims:
        raise RuntimeError(f"{base} must transform at least one axis")
    s = _sizes(x, s, dims)
    norm = _norm(norm)
    if hermitian:
        return _out(op, _r2c(x, s, dims, _DUAL[norm]).conj(), out)
    return _out(op, _r2c(x, s, dims, norm), out)


def _nd_c2r(op, input, s, dim, norm, out, hermitian=False):
    x = _input(op, input, complex_=True)
    s, dims = _dims(x, s, dim)
    s = _c2r_sizes("hfftn" if hermitian else "irfftn", x, s[:-1] + (None if s[-1] == -1 else s[-1],) if s else s, dims)
    norm = _norm(norm)
    if hermitian:
        return _out(op, _c2r(x.conj(), s, dims, _DUAL[norm]), out)
    return _out(op, _c2r(x, s, dims, norm), out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The n-d FFT of a real tensor, one-sided in the last transformed dim."""
    return _nd_r2c("rfftn", input, s, dim, norm, out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """The 2-d FFT of a real tensor, one-sided in the last dim."""
    return _nd_r2c("rfft2", input, s, dim, norm, out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The inverse of rfftn: a real tensor of sizes ``s`` (last: 2 * (bins - 1) by default)."""
    return _nd_c2r("irfftn", input, s, dim, norm, out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """The inverse of rfft2."""
    return _nd_c2r("irfft2", input, s, dim, norm, out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The FFT of a Hermitian-symmetric signal given by its first half: a real spectrum.

    >>> torch.fft.hfft(torch.tensor([1., 2., 3.]))
    tensor([ 9., -2.,  1., -2.])
    """
    x = _input("hfft", input, complex_=True)
    d = _dim1("hfft", x, None, dim)[1]
    s = _c2r_sizes("hfft", x, (None if n is None else _n(n),), (d,))
    return _out("hfft", _c2r(x.conj(), s, (d,), _DUAL[_norm(norm)]), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None) -> Tensor:
    """The inverse of hfft: the one-sided inverse FFT of a real signal."""
    x = _input("ihfft", input, real=_REAL_1D)
    n, d = _dim1("ihfft", x, n, dim)
    return _out("ihfft", _r2c(x, (n,), (d,), _DUAL[_norm(norm)]).conj(), out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The n-d FFT of a Hermitian-symmetric signal given by its half (in the last dim)."""
    return _nd_c2r("hfftn", input, s, dim, norm, out, hermitian=True)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """The 2-d hfftn."""
    return _nd_c2r("hfft2", input, s, dim, norm, out, hermitian=True)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None) -> Tensor:
    """The inverse of hfftn."""
    return _nd_r2c("ihfftn", input, s, dim, norm, out, hermitian=True)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None) -> Tensor:
    """The inverse of hfft2."""
    return _nd_r2c("ihfft2", input, s, dim, norm, out, hermitian=True)


# --- frequencies and shifts ---------------------------------------------------------------------
def _freq(op, values, n, d, out, dtype, device, requires_grad):
    from ..ops.creation import _finish
    dt = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{op} requires a floating point or complex dtype")
    if dt.is_complex:       # PyTorch builds these with arange, which has no complex kernel
        raise NotImplementedError(f'"arange_cpu" not implemented for \'{_tname(_wrap(np.zeros(0, dt.np)))}\'')
    a = values / float(n * d)       # rfftfreq(0) is [nan], as PyTorch's
    return _finish(a.astype(dt.np), requires_grad, device, out=out)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """The sample frequencies of an n-point FFT with sample spacing ``d``.

    >>> torch.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    k = np.arange(n, dtype=np.float64)
    k[(n + 1) // 2:] -= n
    return _freq("fftfreq", k, n, d, out, dtype, device, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """The sample frequencies of an n-point rfft: n // 2 + 1 of them.

    >>> torch.fft.rfftfreq(4)
    tensor([0.0000, 0.2500, 0.5000])
    """
    return _freq("rfftfreq", np.arange(n // 2 + 1, dtype=np.float64), n, d, out, dtype, device,
                 requires_grad)


def _shift(input, dim, inverse):
    from ..ops.shape import roll
    dims = tuple(range(input.ndim)) if dim is None else _tuple(dim)
    if not dims:
        raise RuntimeError("`shifts` required")
    shifts = [(input.shape[d] + inverse) // 2 for d in dims]
    return roll(input, shifts, dims)


def fftshift(input, dim=None) -> Tensor:
    """Moves the zero frequency to the centre (a roll by n // 2 over ``dim``, all by default).

    >>> torch.fft.fftshift(torch.fft.fftfreq(4))
    tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    return _shift(input, dim, 0)


def ifftshift(input, dim=None) -> Tensor:
    """The inverse of fftshift (a roll by -(n // 2))."""
    return _shift(input, dim, 1)
