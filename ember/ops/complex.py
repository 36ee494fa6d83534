"""Complex numbers: complex/polar, real/imag views, view_as_real/view_as_complex, conj, angle, sgn.

Gradients follow PyTorch's convention: for a real loss L of a complex z = x + iy, ``z.grad`` is
dL/dx + i dL/dy (twice the conjugate Wirtinger derivative).  Holomorphic ops get that from
their ordinary rule (see ``Function.complex_rule``); the ops here are not holomorphic, so each
writes its complex rule itself.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap, _wrap_view
from ..autograd.function import Function
from ._util import scalar_type_name, sum_to

_NO_CHALF = ("ember has no complex32 (chalf): NumPy has no complex half-precision type; use "
             "float32 parts for complex64")
_REAL = {np.dtype(np.complex64): np.dtype(np.float32), np.dtype(np.complex128): np.dtype(np.float64)}
_COMPLEX = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}


def _is_complex(t):
    return t._data.dtype.kind == "c"


# --- building complex tensors ---------------------------------------------------------------
class Complex(Function):
    """``real + i imag`` of two real tensors; each gets the matching part of the gradient."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, re, im):
        ctx.sa, ctx.sb = re.shape, im.shape
        out = np.empty(np.broadcast_shapes(re.shape, im.shape), _COMPLEX[re.dtype])
        out.real = re
        out.imag = im
        return out

    def backward(ctx, g):
        return sum_to(real(g), ctx.sa), sum_to(imag(g), ctx.sb)


def complex(real, imag, *, out=None):  # noqa: A001  (PyTorch's name)
    """``torch.complex(real, imag)``: a complex tensor from float or double parts."""
    for name, t in (("real", real), ("imag", imag)):
        if not isinstance(t, Tensor):
            raise TypeError(f"complex(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if real._data.dtype != imag._data.dtype:
        raise RuntimeError(f"Expected object of scalar type {_tname(real)} but got scalar type "
                           f"{_tname(imag)} for second argument")
    if real._data.dtype == np.float16:
        raise RuntimeError(_NO_CHALF)
    if real._data.dtype not in _COMPLEX:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_tname(real)} and {_tname(imag)}")
    r = Complex.apply(real, imag)
    if out is not None:
        if out.dtype is not r.dtype:
            raise RuntimeError(f"Expected object of scalar type {_tname(r)} but got scalar type "
                               f"{_tname(out)} for argument 'out'")
        out.copy_(r)
        return out
    return r


def polar(abs, angle, *, out=None):  # noqa: A002
    """``abs * (cos(angle) + i sin(angle))``."""
    from .pointwise import cos, sin
    for name, t in (("abs", abs), ("angle", angle)):
        if not isinstance(t, Tensor):
            raise TypeError(f"polar(): argument '{name}' must be Tensor, not {type(t).__name__}")
    return complex(abs * cos(angle), abs * sin(angle), out=out)


_tname = scalar_type_name


# --- real and imaginary parts (views) ---------------------------------------------------------
class Real(Function):
    """The real part, a view: the gradient is real, as a complex tensor."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, z):
        return z.real

    def backward(ctx, g):
        return g.to(_dtype.from_np(g._data.dtype).to_complex())


class Imag(Function):
    """The imaginary part, a view: the gradient ``i g``."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, z):
        return z.imag

    def backward(ctx, g):
        return complex(g * 0, g)


def _view_of(r, base):
    """Make the op's output share ``base``'s version counter, as PyTorch's views do."""
    r._vbox = base._vbox
    r._base = base if base._base is None else base._base
    return r


def real(input):
    """The real part of a complex tensor (a view); a real tensor is returned as it is."""
    if not _is_complex(input):
        return input
    return _view_of(Real.apply(input), input)


def imag(input):
    """The imaginary part of a complex tensor (a view)."""
    if not _is_complex(input):
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _view_of(Imag.apply(input), input)


def real_pairs(a):
    """A complex array's memory seen as real pairs, shape (..., 2) (writable, shared)."""
    r = a.real
    return np.lib.stride_tricks.as_strided(r, a.shape + (2,), a.strides + (r.itemsize,))


class ViewAsReal(Function):
    """A complex tensor's memory seen as real pairs: shape (..., 2)."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, z):
        return real_pairs(z)

    def backward(ctx, g):
        return view_as_complex(g.contiguous())


class ViewAsComplex(Function):
    """Real pairs (..., 2) seen as complex numbers."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, x):
        if x.size == 0:
            return np.zeros(x.shape[:-1], _COMPLEX[x.dtype])
        return x.view(_COMPLEX[x.dtype])[..., 0]

    def backward(ctx, g):
        return view_as_real(g)


def view_as_real(input):
    if not _is_complex(input):
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _view_of(ViewAsReal.apply(input), input)


def view_as_complex(input):
    a = input._data
    if a.dtype == np.float16:
        raise RuntimeError(_NO_CHALF)
    if a.dtype not in _COMPLEX:
        raise RuntimeError("view_as_complex is only supported for float and double tensors, but got "
                           f"a tensor of scalar type: {_tname(input)}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.size and a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if a.size and any((s // a.itemsize) % 2 for s in a.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if a.size and a.__array_interface__["data"][0] % (2 * a.itemsize):
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _view_of(ViewAsComplex.apply(input), input)


# --- conjugation ------------------------------------------------------------------------------
class Conj(Function):
    """conj(z): the gradient is conj(g)."""
    complex_rule = True
    saved_inputs = ()

    def forward(ctx, z):
        return np.conj(z)

    def backward(ctx, g):
        return conj_physical(g)


def conj(input):
    """The complex conjugate.  A real tensor is its own (returned as is, as PyTorch's)."""
    if not _is_complex(input):
        return input
    # NOTE: PyTorch's conj is a lazy view (a "conj bit"); ember conjugates at once and keeps
    # the bit only as a flag, so is_conj()/resolve_conj() answer as PyTorch's do.
    r = Conj.apply(input)
    r._conj_bit = True
    return r


def conj_physical(input):
    if not _is_complex(input):
        return input.clone()
    return Conj.apply(input)


def is_conj(input):
    return input.__dict__.get("_conj_bit", False)


def resolve_conj(input):
    return input.clone() if is_conj(input) else input


def resolve_neg(input):
    return input


def is_neg(input):
    return False


# --- magnitude and direction ------------------------------------------------------------------
def _safe_abs(z):
    """|z| with 1 where z is 0 (a denominator that keeps gradients finite there)."""
    from .compare import where
    a = z.abs()
    return where(a == 0, 1.0, a)


class Angle(Function):
    """arg(z) (real); for a real loss its gradient is ``g * i z / |z|^2`` (0 at z = 0)."""
    complex_rule = True

    def forward(ctx, z):
        return np.angle(z).astype(_REAL.get(z.dtype, z.dtype))

    def backward(ctx, g):
        z = ctx.inputs[0]
        d = _safe_abs(z)
        return g * (z * 1j) / (d * d)


def angle(input):
    """The argument of each element; pi where a real input is negative, else 0."""
    if _is_complex(input):
        return Angle.apply(input)
    from .arith import to_float
    from .compare import where
    x = to_float(input)
    return where(x < 0, np.pi, where(x.isnan(), x, x * 0))


def sgn(input, *, out=None):
    """z / |z| (0 at 0) for complex tensors; the sign for real ones."""
    if not _is_complex(input):
        from .pointwise import _sign
        return _sign(input, out=out)
    from .compare import where
    r = where(input == 0, 0j, input / _safe_abs(input))
    if out is not None:
        out.copy_(r)
        return out
    return r


def adjoint(input):
    """The conjugate transpose of the last two dims (``Tensor.mH``)."""
    return conj(input.transpose(-2, -1))
