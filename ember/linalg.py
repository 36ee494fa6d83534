"""torch.linalg: norms, solve, inv, det, qr, svd, eigh, cholesky on float32/float64.

Gradients: norms, solve, inv, det/slogdet, cholesky and eigh (symmetric eigenvectors with
distinct eigenvalues) are differentiable; qr and svd are forward only in ember (a documented
limit: their backward raises a RuntimeError naming the op).
"""
import numpy as np

from . import _dtype
from ._tensor import _wrap
from .autograd.function import Function
from .autograd.grad_mode import MODE
from .ops.reduce import vector_norm, _tname


def _float_check(op, A):
    if not (A.is_floating_point() or A.is_complex()):
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
    """Matrix norms over the two dims ``dim``: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2."""
    if dtype is not None:
        A = A.to(dtype)
    if not (A.is_floating_point() or A.is_complex()):
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_tname(A)}")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    from ._tensor import _wrap_dim
    d0, d1 = (_wrap_dim(d, A.ndim, "matrix_norm") for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        sv = svdvals(A.movedim((d0, d1), (-2, -1)))
        r = sv.sum(-1) if ord == "nuc" else sv.amax(-1) if ord == 2 else sv.amin(-1)
        if keepdim:
            r = r.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return r
    if ord in (float("inf"), float("-inf"), 1, -1):
        red, over = (d1, d0) if abs(ord) == float("inf") else (d0, d1)
        sums = A.abs().sum(red, keepdim=True)
        r = sums.amax(over, keepdim=True) if ord > 0 else sums.amin(over, keepdim=True)
        return r if keepdim else r.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm, or a matrix norm when ``dim`` names two dims (or ``ord`` is given for a
    2-d input without ``dim``)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or dim is None and ord is not None and A.ndim == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim if dim is not None else (-2, -1),
                           keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: ord {ord!r} needs a 2-d input or a 2-tuple dim")
    if dim is None and ord is not None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                           f"2D. Got {A.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


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
        y, = _saved(ctx, inv, ctx.y)
        yt = y.mT
        return -(yt @ g @ yt)


def inv(A):
    _square("inv", A)
    return Inv.apply(A)


def _saved(ctx, recompute, *arrays):
    """What a decomposition's backward reads of its outputs: the saved arrays in a plain
    backward; under create_graph the outputs recomputed from the input, differentiably, so
    that second derivatives flow through them (a constant would cut them off)."""
    if MODE.grad_enabled:
        r = recompute(ctx.inputs[0])
        return r if isinstance(r, tuple) else (r,)
    return tuple(_wrap(a) for a in arrays)


class Det(Function):
    def forward(ctx, a):
        return np.linalg.det(a)

    def backward(ctx, g):
        a = ctx.inputs[0]
        return (g * det(a)).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def det(A):
    _square("det", A)
    return Det.apply(A)


class SlogDet(Function):
    n_diff_outputs = 2
    complex_rule = True

    def forward(ctx, a):
        sign, la = np.linalg.slogdet(a)
        ctx.sign = np.asarray(sign, a.dtype)
        return ctx.sign, np.asarray(la, a.real.dtype)

    def backward(ctx, gsign, gla):
        # NOTE: log det A = logabsdet + i arg(sign) and d log det = tr(A^-1 dA), so the gradient
        # is q A^-H with q = gla - i Im(conj(gsign) sign); a real sign is piecewise constant.
        q = gla
        if ctx.sign.dtype.kind == "c":
            q = gla - 1j * (gsign.conj() * _wrap(ctx.sign)).imag
        return q.unsqueeze(-1).unsqueeze(-1) * inv(ctx.inputs[0]).mH


def slogdet(A):
    _square("slogdet", A)
    import collections
    sign, la = SlogDet.apply(A)
    return collections.namedtuple("slogdet", ("sign", "logabsdet"))(sign, la)


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
    complex_rule = True     # Hermitian: conjugate transposes below

    def forward(ctx, a, upper):
        try:
            L = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed because the "
                               "input is not positive-definite.") from None
        ctx.L, ctx.upper = L, upper
        return np.conj(np.swapaxes(L, -1, -2)) if upper else L

    def backward(ctx, g):
        # NOTE: Murray (2016): phi(L^H gL) with phi taking the lower triangle, half diagonal.
        L, = _saved(ctx, lambda a: Cholesky.apply(a, upper=False), ctx.L)
        if ctx.upper:
            g = g.mH
        P = L.mH @ g
        P = P.tril() - 0.5 * P.diagonal(0, -2, -1).diag_embed() if P.ndim == 2 else \
            P.tril() - 0.5 * _diag_embed(P)
        Linv = inv(L)
        S = Linv.mH @ P @ Linv
        return 0.5 * (S + S.mH)


def _diag_embed(P):
    eye = _wrap(np.eye(P.shape[-1], dtype=P._data.dtype))
    return P * eye


def cholesky(A, *, upper=False):
    _square("cholesky", A)
    return Cholesky.apply(A, upper=upper)


class Eigh(Function):
    n_diff_outputs = 2
    complex_rule = True      # Hermitian: the rule below uses conjugate transposes (mH)

    def forward(ctx, a, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.w, ctx.v, ctx.uplo = w, v, uplo
        return w, v

    def backward(ctx, gw, gv):
        w, v = _saved(ctx, lambda a: Eigh.apply(a, uplo=ctx.uplo), ctx.w, ctx.v)
        F = _inverse_gaps(w.unsqueeze(-2) - w.unsqueeze(-1))
        inner = (v.mH @ gv) * F
        ga = v @ (_diag_from(gw) + inner) @ v.mH
        return 0.5 * (ga + ga.mH)


def _inverse_gaps(diff):
    """1 / diff where it is nonzero, else 0 (the diagonal, repeated values), in Tensor ops so
    that a second derivative flows through it."""
    from .ops.compare import where
    zero = diff == 0
    return where(zero, 0.0, 1 / where(zero, 1.0, diff))


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


def _right_solve_t(X, R):
    """X @ R^-H, through a differentiable solve."""
    return solve(R, X.mH).mH


class QR(Function):
    n_diff_outputs = 2
    complex_rule = True

    def forward(ctx, a, mode):
        q, r = np.linalg.qr(a, mode="reduced" if mode == "r" else mode)
        ctx.mode, ctx.q, ctx.r = mode, q, r
        if mode == "r":
            return np.zeros(a.shape[:-2] + (0,), a.dtype), r
        return q, r

    def backward(ctx, gq, gr):
        m, n = ctx.inputs[0].shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                               "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going "
                               "to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        Q, R = _saved(ctx, lambda a: QR.apply(a, mode=ctx.mode), ctx.q, ctx.r)
        if m >= n:
            return _qr_grad_square_or_tall(Q, R, gq, gr)
        # NOTE: wide A = [X | Y] with X square: Q, U = qr(X) and V = Q^T Y.
        from .ops.shape import cat
        Y = ctx.inputs[0][..., m:]
        U, dU, dV = R[..., :m], gr[..., :m], gr[..., m:]
        gX = _qr_grad_square_or_tall(Q, U, gq + Y @ dV.mH, dU)
        return cat([gX, Q @ dV], -1)


def _qr_grad_square_or_tall(Q, R, gq, gr):
    # NOTE: with M = Q^T gQ and N = R gR^T, gA = Q (gR + tril(M - M^T + N - N^T) R^-T)
    # + (gQ - Q M) R^-T (Walter & Lehmann; as TensorFlow's QrGrad).
    qdq = Q.mH @ gq
    rdr = R @ gr.mH
    low = (qdq - qdq.mH + rdr - rdr.mH).tril()
    if low.is_complex():    # R's diagonal is real: half of its imaginary part belongs there
        low = low - 0.5j * low.diagonal(0, -2, -1).imag.diag_embed()
    return Q @ (gr + _right_solve_t(low, R)) + _right_solve_t(gq - Q @ qdq, R)


def qr(A, mode="reduced"):
    _float_check("qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           "(default), 'r', or 'complete'")
    import collections
    q, r = QR.apply(A, mode=mode)
    return collections.namedtuple("qr", ("Q", "R"))(q, r)


class SVD(Function):
    n_diff_outputs = 3
    complex_rule = True

    def forward(ctx, a, full):
        u, s, vh = np.linalg.svd(a, full_matrices=full)
        ctx.u, ctx.s, ctx.vh, ctx.full = u, s, vh, full
        return u, s, vh

    def backward(ctx, gu, gs, gvh):
        # NOTE: Townsend (2016), real case, reduced factors; a full_matrices completion carries
        # no gradient (PyTorch narrows to k columns too).
        k = ctx.s.shape[-1]
        m, n = ctx.u.shape[-2], ctx.vh.shape[-1]
        U, S, Vh = _saved(ctx, lambda a: SVD.apply(a, full=ctx.full), ctx.u, ctx.s, ctx.vh)
        U, Vh = U[..., :k], Vh[..., :k, :]
        gU, gVh = gu[..., :k], gvh[..., :k, :]
        V, gV = Vh.mH, gVh.mH
        S2 = S * S
        F = _inverse_gaps(S2.unsqueeze(-2) - S2.unsqueeze(-1))
        F = F * _wrap(~np.eye(k, dtype=bool))
        UtgU, VtgV = U.mH @ gU, V.mH @ gV
        J = F * (UtgU - UtgU.mH)
        K = F * (VtgV - VtgV.mH)
        inner = J * S.unsqueeze(-2) + S.unsqueeze(-1) * K + _diag_from(gs)
        if UtgU.is_complex():   # the phase gauge of the singular vectors (PyTorch's term)
            inner = inner + (0.5j * UtgU.diagonal(0, -2, -1).imag / S).diag_embed()
        gA = U @ inner @ Vh
        if m > k:
            gA = gA + ((gU - U @ UtgU) / S.unsqueeze(-2)) @ Vh
        if n > k:
            gA = gA + U @ ((gV - V @ VtgV) / S.unsqueeze(-2)).mH
        return gA


def svd(A, full_matrices=True):
    _float_check("svd", A)
    import collections
    u, s, vh = SVD.apply(A, full=full_matrices)
    return collections.namedtuple("svd", ("U", "S", "Vh"))(u, s, vh)


class SVDVals(Function):
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.u, ctx.vh = u, vh
        return s

    def backward(ctx, gs):
        u, _, vh = _saved(ctx, lambda a: SVD.apply(a, full=False), ctx.u, None, ctx.vh)
        return u @ _diag_from(gs).to(u.dtype) @ vh


def svdvals(A):
    _float_check("svdvals", A)
    return SVDVals.apply(A)


def _tolerances(A, atol, rtol, rcond=None):
    """PyTorch's (atol, rtol) for rank cut-offs: rtol defaults to eps * max(m, n), or to 0 when
    only a positive atol is given."""
    if rcond is not None:
        rtol = rcond
    a = 0.0 if atol is None else (atol._data if hasattr(atol, "_data") else atol)
    if rtol is None:
        given = atol is not None and np.any(np.asarray(a) > 0)
        r = 0.0 if given else np.finfo(A._data.dtype).eps * max(A.shape[-2], A.shape[-1])
    else:
        r = rtol._data if hasattr(rtol, "_data") else rtol
    return np.asarray(a, np.float64), np.asarray(r, np.float64)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    if tol is not None:
        atol, rtol = tol, 0.0
    a, r = _tolerances(A, atol, rtol)
    x = A._data
    s = np.abs(np.linalg.eigvalsh(x)) if hermitian else np.linalg.svd(x, compute_uv=False)
    smax = s.max(-1, initial=0.0)
    cut = np.maximum(a, r * smax)
    return _wrap(np.asarray((s > cut[..., None]).sum(-1), np.int64))


class Pinv(Function):
    saves_output = True
    complex_rule = True

    def forward(ctx, a, atol, rtol, hermitian):
        ctx.args = (atol, rtol, hermitian)
        if hermitian:
            w, v = np.linalg.eigh(a)
            cut = np.maximum(atol, rtol * np.abs(w).max(-1, initial=0.0))[..., None]
            wi = np.where(np.abs(w) > cut, 1.0 / np.where(w == 0, 1, w), 0.0).astype(a.dtype)
            y = (v * wi[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2))
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            cut = np.maximum(atol, rtol * s.max(-1, initial=0.0))[..., None]
            si = np.where(s > cut, 1.0 / np.where(s == 0, 1, s), 0.0).astype(a.dtype)
            y = np.conj(np.swapaxes(vh, -1, -2)) @ (si[..., :, None] * np.conj(np.swapaxes(u, -1, -2)))
        ctx.y = y.astype(a.dtype)
        return ctx.y

    def backward(ctx, g):
        # NOTE: the derivative of the pseudo-inverse at fixed rank (Golub & Pereyra, 1973).
        A = ctx.inputs[0]
        X, = _saved(ctx, lambda a: Pinv.apply(a, atol=ctx.args[0], rtol=ctx.args[1],
                                              hermitian=ctx.args[2]), ctx.y)
        Xt, gt = X.mH, g.mH
        m, n = A.shape[-2:]
        if m <= n:
            K = gt @ X
            KXt = K @ Xt
            return -(X @ K).mH + KXt - (A @ X) @ KXt + (Xt @ X) @ (gt - K @ A)
        K = X @ gt
        XtK = Xt @ K
        return -(K @ X).mH + XtK - XtK @ X @ A + (gt - A @ K) @ X @ Xt


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None):
    """Moore-Penrose pseudo-inverse (singular values below max(atol, rtol * s_max) dropped)."""
    _float_check("pinv", A)
    a, r = _tolerances(A, atol, rtol, rcond)
    return Pinv.apply(A, atol=a, rtol=r, hermitian=hermitian)


class _Identity(Function):
    """The identity matrix as a function of A: PyTorch's matrix_power(A, 0) has a (zero)
    gradient."""
    saved_inputs = ()

    def forward(ctx, a):
        ctx.shape = a.shape
        return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()

    def backward(ctx, g):
        return g * 0


def matrix_power(A, n):
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they "
                           f"are {A.shape[-2] if A.ndim > 1 else 1} by {A.shape[-1] if A.ndim else 1} matrices")
    if n == 0:
        return _Identity.apply(A)
    if n < 0:
        A, n = inv(A), -n
    r = A
    for _ in range(n - 1):
        r = r @ A
    return r


class MatrixExp(Function):
    def forward(ctx, a):
        from scipy.linalg import expm
        return expm(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)).astype(a.dtype)

    def backward(ctx, g):
        # NOTE: d exp(A)[G] = the top-right block of exp([[A^T, G], [0, A^T]]) (Mathias, 1996).
        from .ops.shape import cat
        from .ops.creation import zeros_like
        At = ctx.inputs[0].mT
        n = At.shape[-1]
        big = cat([cat([At, g], -1), cat([zeros_like(At), At], -1)], -2)
        return matrix_exp(big)[..., :n, n:]


def matrix_exp(A):
    _square("matrix_exp", A)
    return MatrixExp.apply(A)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least squares through the pseudo-inverse (differentiable in A and B); ``rank`` and
    ``singular_values`` are filled for the drivers that report them on the CPU, as PyTorch."""
    import collections
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, "
                           f"gelsd, gelss), but got {driver}")
    m, n = A.shape[-2:]
    vec = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vec else B
    eps_r = None if rcond is None else rcond
    X = pinv(A, rtol=eps_r) @ Bm
    batch = tuple(A.shape[:-2])
    empty = _wrap(np.zeros((0,), A._data.real.dtype))
    sv = np.linalg.svd(A._data, compute_uv=False)
    r = np.finfo(A._data.dtype).eps * max(m, n) if rcond is None else rcond
    rank = (sv > r * sv.max(-1, initial=0.0)[..., None]).sum(-1).astype(np.int64)
    res = empty
    if m > n and driver != "gelsy" and np.all(rank == n):
        res = ((A @ X - Bm).abs() ** 2).sum(-2)
        if vec:
            res = res.squeeze(-1)
    rank_t = empty.long() if driver == "gels" else _wrap(np.asarray(rank).reshape(batch))
    sv_t = _wrap(sv) if driver in ("gelsd", "gelss") else empty
    return collections.namedtuple("lstsq", ("solution", "residuals", "rank", "singular_values"))(
        X.squeeze(-1) if vec else X, res, rank_t, sv_t)



class Eig(Function):
    """Eigen-decomposition of a general square matrix: complex values and unit vectors
    (LAPACK's geev, as PyTorch's CPU build)."""
    n_diff_outputs = 2
    complex_rule = True

    def forward(ctx, a):
        ctx.real_input = a.dtype.kind != "c"
        w, v = np.linalg.eig(a)      # dgeev for real input: PyTorch's vectors, not zgeev's
        c = _dtype.from_np(a.dtype).to_complex().np
        w, v = w.astype(c), v.astype(c)
        ctx.w, ctx.v = w, v
        return w, v

    def backward(ctx, gw, gv):
        # PyTorch's rule: with Econj[i, j] = conj(L_j - L_i) (1 on the diagonal), project
        # V^H gV onto V's tangent space, gA = V^-H (that / Econj + diag(gL)) V^H.
        w, v = _saved(ctx, Eig.apply, ctx.w, ctx.v)
        wc = w.conj()
        E = wc.unsqueeze(-2) - wc.unsqueeze(-1)
        n = w.shape[-1]
        E = E + _wrap(np.eye(n, dtype=ctx.w.dtype)) * (1 - E)
        vhgv = v.mH @ gv
        vhgv = vhgv - v.mH @ (v * vhgv.diagonal(0, -2, -1).real.unsqueeze(-2))
        inner = vhgv / E + _diag_from(gw)
        ga = solve(v.mH, inner @ v.mH)
        return ga.real if ctx.real_input else ga


def eig(A):
    """(eigenvalues, eigenvectors), complex, as ``torch.linalg.eig``."""
    _square("eig", A)
    import collections
    w, v = Eig.apply(A)
    return collections.namedtuple("eig", ("eigenvalues", "eigenvectors"))(w, v)


def eigvals(A):
    return eig(A).eigenvalues


def vecdot(x, y, *, dim=-1):
    """sum(conj(x) * y) over ``dim``."""
    return (x.conj() * y).sum(dim)


def cross(input, other, *, dim=-1):
    from .ops.matmul import cross as _c
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    return _c(input, other, dim)


def multi_dot(tensors):
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
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


# --- triangular systems, LU, Cholesky solves (differentiable through solve) -------------------
def _tri(A, upper, unitriangular=False):
    T = A.triu() if upper else A.tril()
    if unitriangular:
        from .ops.creation import eye
        T = T - T.diagonal(0, -2, -1).diag_embed() + eye(A.shape[-1], dtype=A.dtype)
    return T


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solve T X = B (or X T = B) for the triangle T of A; only T's entries get gradients."""
    _float_check("solve_triangular", A)
    T = _tri(A, upper, unitriangular)
    X = solve(T, B) if left else solve(T.mT, B.mT).mT
    if out is not None:
        out.copy_(X)
        return out
    return X


def _ex(op_name, fn):
    import collections
    cls = collections.namedtuple(op_name, ("result", "info")) if op_name != "cholesky_ex" else \
        collections.namedtuple(op_name, ("L", "info"))

    def op(A, *args, check_errors=False, **kw):
        r = fn(A, *args, **kw)
        return cls(r, _wrap(np.zeros(A.shape[:-2], np.int32)))
    op.__name__ = op_name
    return op


cholesky_ex = _ex("cholesky_ex", lambda A, upper=False: cholesky(A, upper=upper))
inv_ex = _ex("inv_ex", lambda A: inv(A))
solve_ex = _ex("solve_ex", lambda A, B, left=True: solve(A, B, left=left))


def cholesky_solve(B, L, upper=False):
    """X with (L L^H) X = B, from the Cholesky factor L (U^H U for upper)."""
    if upper:
        L = L.mH
    Y = solve_triangular(L, B, upper=False)
    return solve_triangular(L.mH, Y, upper=True)


def cholesky_inverse(L, upper=False):
    from .ops.creation import eye
    n = L.shape[-1]
    return cholesky_solve(eye(n, dtype=L.dtype).expand(tuple(L.shape)), L, upper)


def _lu_arrays(a):
    """Packed LU and 1-based LAPACK pivots of each matrix (rectangular allowed)."""
    from scipy.linalg import lu_factor
    m, n = a.shape[-2:]
    k = min(m, n)
    flat = a.reshape((-1, m, n))
    lus = np.empty_like(flat)
    pivs = np.empty((flat.shape[0], k), np.int32)
    for i, mat in enumerate(flat):
        if m == 0 or n == 0:
            lus[i], pivs[i] = mat, np.arange(1, k + 1)
            continue
        lu, piv = lu_factor(mat, check_finite=False)
        lus[i], pivs[i] = lu, piv[:k] + 1
    return lus.reshape(a.shape), pivs.reshape(a.shape[:-2] + (k,))


def _perm_from_pivots(piv, m):
    """Row permutation P (as an index array) with A = P L U from 1-based pivots."""
    flat = piv.reshape((-1, piv.shape[-1]))
    perms = np.tile(np.arange(m), (flat.shape[0], 1))
    for b, row in enumerate(flat):
        p = perms[b]
        for i, j in enumerate(row - 1):
            p[i], p[j] = p[j], p[i]
    return perms.reshape(piv.shape[:-1] + (m,))


def _perm_matrix(perm, dtype):
    m = perm.shape[-1]
    P = np.zeros(perm.shape[:-1] + (m, m), dtype)
    idx = np.indices(perm.shape)
    P[tuple(idx[:-1]) + (perm, idx[-1])] = 1
    return P


def _unpack(LU, m, n):
    from .ops.creation import eye
    k = min(m, n)
    L = LU[..., :, :k].tril(-1) + eye(m, k, dtype=LU.dtype)
    U = LU[..., :k, :].triu()
    return L, U


class LUFactor(Function):
    """Packed LU with partial pivoting; the gradient for square A (PyTorch's formula)."""
    n_diff_outputs = 1

    def forward(ctx, a):
        lu, piv = _lu_arrays(a)
        ctx.piv = piv
        return lu, piv

    def backward(ctx, glu, gpiv):
        from .ops.shape import cat
        A = ctx.inputs[0]
        m, n = A.shape[-2:]
        k = min(m, n)
        LU = LUFactor.apply(A)[0] if MODE.grad_enabled else _wrap(_lu_arrays(A._data)[0])
        L, U = _unpack(LU, m, n)
        gL, gU = glu[..., :, :k].tril(-1), glu[..., :k, :].triu()
        P = _wrap(_perm_matrix(_perm_from_pivots(ctx.piv, m), A._data.dtype))
        # NOTE: square A = P L U: gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T. A wide A
        # adds U2 = L^-1 P^T A2 (so gA2 = P L^-T gU2 and L^T gL gains -gU2 U2^T); a tall A adds
        # L2 = B2 U^-1 for B = P^T A (so gB2 = gL2 U^-T and gU U^T gains -L2^T gL2).
        L1, U1 = L[..., :k, :], U[..., :, :k]
        low = L1.mT @ gL[..., :k, :]
        up = gU[..., :, :k] @ U1.mT
        if n > k:
            U2, gU2 = U[..., :, k:], gU[..., :, k:]
            low = low - gU2 @ U2.mT
        if m > k:
            L2, gL2 = L[..., k:, :], gL[..., k:, :]
            up = up - L2.mT @ gL2
        X = solve_triangular(L1.mT, low.tril(-1) + up.triu(), upper=True, unitriangular=True)
        g1 = solve_triangular(U1.mT, X, upper=False, left=False)
        if n > k:
            g2 = solve_triangular(L1.mT, gU2, upper=True, unitriangular=True)
            return P @ cat([g1, g2], -1)
        if m > k:
            g2 = solve_triangular(U1.mT, gL2, upper=False, left=False)
            return P @ cat([g1, g2], -2)
        return P @ g1


def lu_factor(A, *, pivot=True, out=None):
    import collections
    _float_check("lu_factor", A)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, piv = LUFactor.apply(A)
    return collections.namedtuple("lu_factor", ("LU", "pivots"))(lu, piv)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    import collections
    lu, piv = lu_factor(A, pivot=pivot)
    return collections.namedtuple("lu_factor_ex", ("LU", "pivots", "info"))(
        lu, piv, _wrap(np.zeros(A.shape[:-2], np.int32)))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """(P, L, U) from a packed LU and its pivots (differentiable in LU_data)."""
    import collections
    m, n = LU_data.shape[-2:]
    P = _wrap(_perm_matrix(_perm_from_pivots(LU_pivots._data, m), LU_data._data.dtype)) \
        if unpack_pivots else _wrap(np.zeros((0,), LU_data._data.dtype))
    if unpack_data:
        L, U = _unpack(LU_data, m, n)
    else:
        L = U = _wrap(np.zeros((0,), LU_data._data.dtype))
    return collections.namedtuple("lu_unpack", ("P", "L", "U"))(P, L, U)


def lu(A, *, pivot=True, out=None):
    """P, L, U with A = P L U (differentiable for square A)."""
    import collections
    LU, piv = lu_factor(A, pivot=pivot)
    P, L, U = lu_unpack(LU, piv)
    return collections.namedtuple("lu", ("P", "L", "U"))(P, L, U)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve A X = B (A^T X = B with adjoint; X A = B with left=False) from lu_factor's output."""
    m = LU.shape[-1]
    P, L, U = lu_unpack(LU, pivots)
    A = P @ L @ U
    if adjoint:
        A = A.mH
    X = solve(A, B) if left else solve(A.mT, B.mT).mT
    if out is not None:
        out.copy_(X)
        return out
    return X if m else B.clone()


def cond(A, p=None):
    """Condition number: s_max / s_min for p in (None, 2, -2), else norm(A) * norm(inv(A))."""
    if p in (None, 2, -2):
        s = svdvals(A)
        r = s.amax(-1) / s.amin(-1)
        return r if p != -2 else 1 / r
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def tensorinv(A, ind=2):
    import math
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape, in_shape = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = math.prod(out_shape), math.prod(in_shape)
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inv(A.reshape(rows, cols)).reshape(in_shape + out_shape)


def tensorsolve(A, B, dims=None):
    import math
    if dims is not None:
        nd = A.ndim
        dims = [d % nd for d in dims]
        A = A.movedim(dims, list(range(nd - len(dims), nd)))
    rest = tuple(A.shape[B.ndim:])
    return solve(A.reshape(B.numel(), math.prod(rest)), B.reshape(-1)).reshape(rest)


def vander(x, *, N=None):
    """Columns x^0, x^1, ..., x^(N-1) (increasing powers, unlike torch.vander)."""
    from .ops.shape import stack
    if x.ndim == 0:
        x = x.reshape(1)
    if x._data.dtype.kind in "biu":
        x = x.long()            # integer powers come back as int64, as PyTorch's
    N = x.shape[-1] if N is None else N
    if N <= 1:
        from .ops.creation import ones
        if N < 0:
            raise RuntimeError("N must be greater than 1.")
        return ones(tuple(x.shape) + (N,), dtype=x.dtype)
    return stack([x ** 0 if k == 0 else x ** k for k in range(N)], -1) if x.is_floating_point() \
        else stack([(x ** k) for k in range(N)], -1)


def geqrf(input):
    """LAPACK's QR in compact form: (a with R above and the reflectors below, tau)."""
    import collections
    h, tau = np.linalg.qr(input._data, mode="raw")
    a = np.ascontiguousarray(np.swapaxes(h, -1, -2))
    return collections.namedtuple("geqrf", ("a", "tau"))(_wrap(a), _wrap(tau.astype(a.dtype)))


def ormqr(input, tau, other, left=True, transpose=False):
    """op(Q) @ other (or other @ op(Q)) for the Q that geqrf's reflectors describe."""
    Q = _householder_q(input, tau)
    if transpose:
        Q = Q.mH
    return Q @ other if left else other @ Q


def _householder_q(A, tau):
    """The full m x m product H_1 ... H_k of A's Householder reflectors."""
    from .ops.creation import eye
    m = A.shape[-2]
    k = tau.shape[-1]
    Q = eye(m, dtype=A.dtype).expand(tuple(A.shape[:-2]) + (m, m))
    rows = np.arange(m)
    for i in range(k):
        below = _wrap((rows > i).astype(A._data.dtype))
        unit = _wrap((rows == i).astype(A._data.dtype))
        v = A[..., :, i] * below + unit
        Q = Q - tau[..., i, None, None] * ((Q @ v.unsqueeze(-1)) @ v.conj().unsqueeze(-2))
    return Q


def householder_product(A, tau):
    """Q = H_1 ... H_k with H_i = I - tau_i v_i v_i^H, v_i the i-th column of A below the diagonal
    with a unit diagonal entry (LAPACK's orgqr); differentiable in A and tau."""
    from .ops.creation import eye
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    Q = eye(m, dtype=A.dtype).expand(tuple(A.shape[:-2]) + (m, m))
    if k == 0:
        return Q[..., :, :n] + A * 0     # the identity, still connected to A (zero gradient)
    rows = np.arange(m)
    for i in range(k):
        below = _wrap((rows > i).astype(A._data.dtype))
        unit = _wrap((rows == i).astype(A._data.dtype))
        v = A[..., :, i] * below + unit
        H = eye(m, dtype=A.dtype) - tau[..., i, None, None] * (v.unsqueeze(-1) @ v.conj().unsqueeze(-2))
        Q = Q @ H
    return Q[..., :, :n]
