"""ember: a PyTorch-compatible deep-learning framework on NumPy.

``import ember as torch`` is enough for ordinary programs; ``ember run script.py`` makes an
unmodified script's ``import torch`` resolve to ember.
"""
import numpy as _np

from . import _allocator

_allocator.tune()

# NOTE: PyTorch gives inf/nan silently (log(0), 0/0); NumPy would warn on every such op.
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

from ._dtype import (bool_ as bool, uint8, int8, int16, int32, int64, float16, float32, float64,  # noqa: E402
                     bfloat16, complex64, complex128, dtype, get_default_dtype, set_default_dtype,
                     promote_types)
from ._dtype import result_type as _result_type  # noqa: E402
from ._device import (device, strided, sparse_coo, memory_format, contiguous_format,  # noqa: E402
                      preserve_format, channels_last, channels_last_3d)
from ._tensor import Tensor, Size  # noqa: E402
from . import _methods  # noqa: E402,F401  (attaches the ops to Tensor)
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled,  # noqa: E402
                                 inference_mode, is_inference_mode_enabled)
from . import autograd  # noqa: E402
from .autograd import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_detect_anomaly  # noqa: E402,F401
from .ops.creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full,  # noqa: E402
                           zeros_like, ones_like, empty_like, full_like, arange, linspace, logspace,
                           eye, scalar_tensor)
from .ops.arith import (add, sub, subtract, rsub, mul, multiply, div, divide, true_divide,  # noqa: E402
                        floor_divide, remainder, fmod, pow, float_power, maximum, minimum, fmax,
                        fmin, atan2, arctan2, lerp)
from .ops.pointwise import (exp, exp2, expm1, log, log1p, log2, log10, sqrt, rsqrt, sin, cos, tan,  # noqa: E402
                            asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, arcsin, arccos,
                            arctan, arcsinh, arccosh, arctanh, sigmoid, erf, erfc, erfinv, lgamma,
                            digamma, reciprocal, neg, negative, abs, absolute, sign, sgn, floor, ceil,
                            trunc, fix, frac, square, relu, round, clamp, clip, clamp_min, clamp_max,
                            nan_to_num, xlogy)
from .ops.compare import (eq, ne, lt, le, gt, ge, greater, greater_equal, less, less_equal,  # noqa: E402
                          not_equal, logical_and, logical_or, logical_xor, logical_not, bitwise_and,
                          bitwise_or, bitwise_xor, bitwise_not, bitwise_left_shift,
                          bitwise_right_shift, isnan, isinf, isposinf, isneginf, isfinite, isreal,
                          signbit, isclose, allclose, equal, where)
from .ops.reduce import (sum, nansum, mean, nanmean, prod, max, min, amax, amin, aminmax, argmax,  # noqa: E402
                         argmin, var, std, var_mean, std_mean, norm, logsumexp, cumsum, cumprod,
                         cummax, cummin, all, any, count_nonzero, median, nanmedian, quantile,
                         nanquantile, mode)
from .ops.matmul import (matmul, mm, bmm, mv, dot, inner, vdot, outer, ger, addmm, addmv, baddbmm,  # noqa: E402
                         addbmm, addr, addcmul, addcdiv, einsum, tensordot, kron, trace, cdist, cross,
                         chain_matmul)
from .ops.shape import (reshape,  # noqa: E402
                        permute, transpose, swapaxes, swapdims, t, adjoint, movedim, moveaxis,
                        squeeze, unsqueeze, flatten, unflatten, ravel, broadcast_to, broadcast_tensors,
                        broadcast_shapes, cat, concat, concatenate, stack, hstack, vstack, row_stack,
                        dstack, column_stack, atleast_1d, atleast_2d, atleast_3d, split, tensor_split,
                        chunk, unbind, narrow, select, flip, fliplr, flipud, roll, rot90, tile,
                        repeat_interleave, tril, triu, tril_indices, triu_indices, diag, diagonal,
                        diag_embed, meshgrid, cartesian_prod, as_strided)
from .ops.index import (gather, scatter, scatter_add, scatter_reduce, index_select, index_add,  # noqa: E402
                        index_copy, index_fill, index_put, masked_fill, masked_select, masked_scatter,
                        take, take_along_dim, nonzero, argwhere, sort, argsort, msort, topk,
                        kthvalue, unique, unique_consecutive, bincount, histc, searchsorted,
                        bucketize, slice_scatter, select_scatter, diagonal_scatter, index_reduce,
                        histogram, histogramdd, unravel_index)
from .ops.softmax import softmax, log_softmax  # noqa: E402
from .ops.composite import (finfo, iinfo, diff, dist, hypot, logaddexp, logaddexp2,  # noqa: E402
                            logcumsumexp, logit, sinc, deg2rad, rad2deg, heaviside, copysign,
                            positive, gcd, lcm, isin, cov, corrcoef, block_diag, diagflat,
                            trapezoid, trapz, cumulative_trapezoid, gradient, combinations, vander, pdist, renorm,
                            split_with_sizes, hsplit, vsplit, dsplit)
from .ops.random import (Generator, default_generator, manual_seed, seed, initial_seed,  # noqa: E402
                         get_rng_state, set_rng_state, rand, randn, randint, randperm, rand_like,
                         randn_like, randint_like, normal, bernoulli, poisson, multinomial)
from ._printing import set_printoptions  # noqa: E402
from .autograd.function import Function as _Function  # noqa: E402,F401

float = float32  # noqa: A001  (torch.float)
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128
uint16 = uint32 = uint64 = None
__version__ = "2.13.0+ember"


def _linalg():
    # NOTE: torch.linalg loads on first use (the module __getattr__ at the end imports it).
    from . import linalg
    return linalg


def det(input):
    return _linalg().det(input)


def inverse(input):
    return _linalg().inv(input)


def logdet(input):
    return _linalg().logdet(input)


def slogdet(input):
    return _linalg().slogdet(input)


def pinverse(input, rcond=1e-15):
    return _linalg().pinv(input, rcond=rcond)


def matrix_exp(input):
    return _linalg().matrix_exp(input)


def geqrf(input):
    return _linalg().geqrf(input)


def ormqr(input, input2, input3, left=True, transpose=False):
    return _linalg().ormqr(input, input2, input3, left, transpose)


def resize_as_(input, the_template, *, memory_format=None):
    return input.resize_as_(the_template)


def zero_(input):
    return input.zero_()


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` (ember's memory is always row-major)."""
    size, physical_layout = tuple(size), tuple(physical_layout)
    if len(size) != len(physical_layout):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(size)} is not equal to "
                           f"len(physical_layout) = {len(physical_layout)}")
    if sorted(physical_layout) != _np.arange(len(size)).tolist():
        raise RuntimeError(f"Dimension out of range or repeated in physical_layout {list(physical_layout)}")
    return empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


def nonzero_static(input, *, size, fill_value=-1):
    from .ops.index import nonzero_static as _f
    return _f(input, size=size, fill_value=fill_value)


def lu(A, pivot=True, get_infos=False):
    """Old-style ``torch.lu``: (LU, pivots[, infos])."""
    r = _linalg().lu_factor_ex(A, pivot=pivot)
    return (r.LU, r.pivots, r.info) if get_infos else (r.LU, r.pivots)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    return _linalg().lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots)


def lu_solve(b, LU_data, LU_pivots):
    return _linalg().lu_solve(LU_data, LU_pivots, b)


def cholesky_solve(B, L, upper=False):
    return _linalg().cholesky_solve(B, L, upper)


def cholesky_inverse(L, upper=False):
    return _linalg().cholesky_inverse(L, upper)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """Old-style: (solution of op(T) X = b, a copy of A)."""
    import collections
    T = _linalg()._tri(A, upper, unitriangular)
    X = _linalg().solve(T.mT if transpose else T, b)
    return collections.namedtuple("triangular_solve", ("solution", "cloned_coefficient"))(X, A.clone())


def svd(input, some=True, compute_uv=True):
    """Old-style ``torch.svd``: returns (U, S, V) with V, not V^H."""
    u, s, vh = _linalg().svd(input, full_matrices=not some)
    return u, s, vh.mT


def qr(input, some=True):
    return _linalg().qr(input, "reduced" if some else "complete")


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    return nn.functional.cosine_similarity(x1, x2, dim, eps)


def range(start, end, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """Deprecated ``torch.range``: like arange but including ``end``; float by default."""
    from .ops.creation import range_
    return range_(start, end, step, dtype=dtype, requires_grad=requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, **kw):
    return empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    from ._dtype import to_dtype
    return from_numpy(_np.frombuffer(buffer, dtype=to_dtype(dtype).np, count=count, offset=offset))


def set_default_device(device):
    from ._device import check_device
    check_device(device)


def get_default_device():
    return device("cpu")


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()


def clone(input, *, memory_format=None):
    return input.clone()


def detach(input):
    return input.detach()


def result_type(tensor1, tensor2):
    items, scalars = [], []
    for x in (tensor1, tensor2):
        if isinstance(x, Tensor):
            items.append((x.dtype, x.ndim))
        else:
            scalars.append(x)
    return _result_type(items, scalars)


def can_cast(from_, to):
    return _np.can_cast(from_.np, to.np, "same_kind")


def view(input, *shape):
    return input.view(*shape)


def set_num_threads(n):
    """Sets BLAS threads where threadpoolctl is available (ember's own code is single-threaded)."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass


def get_num_threads():
    return 1


def set_num_interop_threads(n):
    pass


def get_num_interop_threads():
    return 1


def use_deterministic_algorithms(mode, *, warn_only=False):
    pass


def are_deterministic_algorithms_enabled():
    return True


def set_float32_matmul_precision(precision):
    pass


def get_float32_matmul_precision():
    return "highest"


def compile(model=None, **options):  # noqa: A001  (PyTorch's name)
    """``torch.compile``: trace, optimise and generate NumPy code (docs/compile.md); the
    compiler itself loads on the first call."""
    from ._compile.api import compile as _compile
    return _compile(model, **options)


def typename(obj):
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


class _LegacyTensorType:
    def __init__(self, dt):
        self.dtype = dt

    def __call__(self, *args):
        from .ops.creation import legacy_tensor_data
        return Tensor(legacy_tensor_data(*args)).to(self.dtype)

    def __instancecheck__(self, obj):
        return isinstance(obj, Tensor) and obj.dtype is self.dtype


FloatTensor = _LegacyTensorType(float32)
DoubleTensor = _LegacyTensorType(float64)
LongTensor = _LegacyTensorType(int64)
IntTensor = _LegacyTensorType(int32)
ByteTensor = _LegacyTensorType(uint8)
BoolTensor = _LegacyTensorType(bool)
HalfTensor = _LegacyTensorType(float16)

from .ops.pointwise import frexp, ldexp, nextafter  # noqa: E402
from .ops.copies import (alias_copy, as_strided_copy, diagonal_copy, expand_copy, narrow_copy,  # noqa: E402
                         permute_copy, split_with_sizes_copy, squeeze_copy, t_copy, transpose_copy,
                         unbind_copy, unfold_copy, unsqueeze_copy, view_copy, unsafe_chunk,
                         unsafe_split, fill, constant_pad_nd)
from .ops.complex import (complex, polar, real, imag, view_as_real, view_as_complex, conj,  # noqa: E402
                          conj_physical, resolve_conj, resolve_neg, is_conj, is_neg, angle)
from .special import i0, polygamma, mvlgamma, igamma, igammac  # noqa: E402
from . import cuda, backends, accelerator  # noqa: E402,F401
from . import nn  # noqa: E402,F401
# optim, utils, distributions, serialization, sparse, multiprocessing and onnx load on first
# use (ember._missing's module __getattr__ imports a submodule when its name is looked up):
# ``import ember`` stays a fraction of ``import torch``.


def save(obj, f, *args, **kwargs):
    """``torch.save``: PyTorch's zip checkpoint format (see ember.serialization.save)."""
    from .serialization import save as _save
    return _save(obj, f, *args, **kwargs)


def load(f, *args, **kwargs):
    """``torch.load``: weights-only (allowlisted) unpickling unless told otherwise."""
    from .serialization import load as _load
    return _load(f, *args, **kwargs)


def sparse_coo_tensor(indices, values, size=None, *args, **kwargs):
    from .sparse import sparse_coo_tensor as _f
    return _f(indices, values, size, *args, **kwargs)


def spmm(mat1, mat2):
    from .sparse import mm as _mm
    return _mm(mat1, mat2)


def _to_sparse(self, *args, **kwargs):
    from . import sparse  # attaches the real Tensor.to_sparse
    return sparse.to_sparse(self, *args, **kwargs)


Tensor.to_sparse = _to_sparse
Tensor.to_sparse_coo = _to_sparse
Tensor.to_dense = lambda self, dtype=None, *, masked_grad=None: self if dtype is None else self.to(dtype)
# stft/istft and the windows (like torch.fft) load on first use: SciPy's fft is 0.2 s of import.
_LAZY = {"stft": "ember.ops.spectral", "istft": "ember.ops.spectral",
         **{w: "ember.ops.windows" for w in ("hann_window", "hamming_window", "blackman_window",
                                             "bartlett_window", "kaiser_window")}}
from ember import _missing; _missing.install(__name__, _LAZY)  # noqa: E402,E702  (unknown names: "torch.X is not implemented in ember")
