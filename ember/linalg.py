"""torch.linalg: norms, solve, inv, det, qr, svd, eigh, cholesky on float32/float64.

Gradients: norms, solve, inv, det/slogdet, cholesky and eigh (symmetric eigenvectors with
distinct eigenvalues) are differentiable; qr and svd are forward only in ember (a documented
limit: their backward raises a RuntimeError naming the op).
"""
import numpy as np

from ._tensor import _wrap
from .autograd.function import Function
from .ops.reduce import vector_norm, _tname


def _float_check(op, A):
    if not A.is_floating_point():
        raise RuntimeError(f"linalg.{op}: Expected a floating point or complex tensor as input. "
                           f"Got {_tname(A)}")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{op}: The input tensor A must have at least 2 dimensions.")


def _square(op, A):
    _float_check(op, A)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord == "nuc":
        return svdvals(A).sum(-1)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


class Inv(Function):
    saves_output = True
    saved_inputs = ()

    def forward(ctx, a):
        try:
            y = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise RuntimeError("linalg.inv: The diagonal element 1 is zero, the inversion could not "
                               "be completed because the input matrix is singular.") from None
        ctx.y = y
        return y

    def backward(ctx, g):
        y = _wrap(ctx.y)
        yt = y.mT
        return -(yt @ g @ yt)


def inv(A):
    _square("inv", A)
    return Inv.apply(A)


class Det(Function):
    def forward(ctx, a):
        return np.linalg.det(a)

    def backward(ctx, g):
        a = ctx.inputs[0]
        return (g * det(a)).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def det(A):
    _square("det", A)
    return Det.apply(A)


def slogdet(A):
    _square("slogdet", A)
    s, _ = np.linalg.slogdet(A._data)
    la = det(A).abs().log()
    import collections
    return collections.namedtuple("slogdet", ("sign", "logabsdet"))(_wrap(s.astype(A._data.dtype)), la)


def logdet(A):
    return det(A).log()


class Solve(Function):
    def forward(ctx, a, b, vec):
        ctx.vec = vec
        if vec:
            return np.linalg.solve(a, b[..., None])[..., 0]
        return np.linalg.solve(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        gb = solve(a.mT, g)
        x = solve(a, b)
        if ctx.vec:
            ga = -(gb.unsqueeze(-1) @ x.unsqueeze(-2))
        else:
            ga = -(gb @ x.mT)
        from .ops._util import sum_to
        return sum_to(ga, a._data.shape), sum_to(gb, b._data.shape)


def solve(A, B, *, left=True):
    """Solve ``A X = B`` for X."""
    _square("solve", A)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_tname(A)} and B of type {_tname(B)} instead")
    vec = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    try:
        return Solve.apply(A, B, vec=vec)
    except np.linalg.LinAlgError:
        raise RuntimeError("linalg.solve: The solver failed because the input matrix is singular.") from None


class Cholesky(Function):
    saves_output = True
    saved_inputs = ()

    def forward(ctx, a, upper):
        try:
            L = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed because the "
                               "input is not positive-definite.") from None
        ctx.L, ctx.upper = L, upper
        return np.swapaxes(L, -1, -2).copy() if upper else L

    def backward(ctx, g):
        # NOTE: Murray (2016): phi(L^T gL) with phi taking the lower triangle, half diagonal.
        L = _wrap(ctx.L)
        if ctx.upper:
            g = g.mT
        P = L.mT @ g
        P = P.tril() - 0.5 * P.diagonal(0, -2, -1).diag_embed() if P.ndim == 2 else \
            P.tril() - 0.5 * _diag_embed(P)
        Linv = inv(L)
        S = Linv.mT @ P @ Linv
        return 0.5 * (S + S.mT)


def _diag_embed(P):
    eye = _wrap(np.eye(P.shape[-1], dtype=P._data.dtype))
    return P * eye


def cholesky(A, *, upper=False):
    _square("cholesky", A)
    return Cholesky.apply(A, upper=upper)


class Eigh(Function):
    n_diff_outputs = 2

    def forward(ctx, a, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.w, ctx.v = w, v
        return w, v

    def backward(ctx, gw, gv):
        w, v = _wrap(ctx.w), _wrap(ctx.v)
        diff = w.unsqueeze(-2) - w.unsqueeze(-1)
        F = _wrap(np.where(np.abs(diff._data) > 0, 1.0 / np.where(diff._data == 0, 1, diff._data), 0)
                  .astype(diff._data.dtype))
        inner = (v.mT @ gv) * F
        ga = v @ (_diag_from(gw) + inner) @ v.mT
        return 0.5 * (ga + ga.mT)


def _diag_from(w):
    eye = _wrap(np.eye(w.shape[-1], dtype=w._data.dtype))
    return w.unsqueeze(-1) * eye


def eigh(A, UPLO="L"):
    _square("eigh", A)
    import collections
    w, v = Eigh.apply(A, uplo=UPLO)
    return collections.namedtuple("eigh", ("eigenvalues", "eigenvectors"))(w, v)


def eigvalsh(A, UPLO="L"):
    return eigh(A, UPLO).eigenvalues


class _ForwardOnly(Function):
    def backward(ctx, *g):
        raise RuntimeError(f"linalg.{ctx.op}: backward is not implemented in ember "
                           "(forward only; use eigh or cholesky where a gradient is needed)")


class QR(_ForwardOnly):
    op = "qr"

    def forward(ctx, a, mode):
        return tuple(np.linalg.qr(a, mode=mode))


def qr(A, mode="reduced"):
    _float_check("qr", A)
    import collections
    q, r = QR.apply(A, mode=mode)
    return collections.namedtuple("qr", ("Q", "R"))(q, r)


class SVD(_ForwardOnly):
    op = "svd"

    def forward(ctx, a, full):
        u, s, vh = np.linalg.svd(a, full_matrices=full)
        return u, s, vh


def svd(A, full_matrices=True):
    _float_check("svd", A)
    import collections
    u, s, vh = SVD.apply(A, full=full_matrices)
    return collections.namedtuple("svd", ("U", "S", "Vh"))(u, s, vh)


def svdvals(A):
    return svd(A, full_matrices=False).S


def matrix_rank(A, tol=None, hermitian=False):
    return _wrap(np.asarray(np.linalg.matrix_rank(A._data, tol=tol, hermitian=hermitian), np.int64))


def pinv(A, rcond=1e-15, hermitian=False):
    return _wrap(np.linalg.pinv(A._data, rcond=rcond, hermitian=hermitian))


def matrix_power(A, n):
    if n == 0:
        return _wrap(np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy())
    if n < 0:
        A, n = inv(A), -n
    r = A
    for _ in range(n - 1):
        r = r @ A
    return r


def matrix_exp(A):
    from scipy.linalg import expm
    return _wrap(expm(A._data))


def lstsq(A, B, rcond=None, *, driver=None):
    import collections
    x, res, rank, sv = np.linalg.lstsq(A._data, B._data, rcond=rcond)
    return collections.namedtuple("lstsq", ("solution", "residuals", "rank", "singular_values"))(
        _wrap(x), _wrap(res), _wrap(np.asarray(rank)), _wrap(sv))


def eig(A):
    w, v = np.linalg.eig(A._data)
    return _wrap(w.real.astype(A._data.dtype)), _wrap(v.real.astype(A._data.dtype))


def eigvals(A):
    return eig(A)[0]


def vecdot(x, y, *, dim=-1):
    return (x * y).sum(dim)


def cross(input, other, *, dim=-1):
    from .ops.matmul import cross as _c
    return _c(input, other, dim)


def multi_dot(tensors):
    r = tensors[0]
    for t in tensors[1:]:
        r = r @ t
    return r


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


matmul = None  # set below to avoid shadowing at import


def _late():
    global matmul
    from .ops.matmul import matmul as _mm
    matmul = _mm


_late()
