"""Products: matmul/@, mm, bmm, mv, dot, outer, linear, addmm, einsum, tensordot, kron, trace."""
import string

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ._util import sum_to


def _dtype_check(op, a, b):
    if a._data.dtype != b._data.dtype:  # NOTE: equal dtypes need not be the same object
        raise RuntimeError(f"{op}: expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name} != {b.dtype.name}")


def _mm_error(a, b):
    sa = "x".join(map(str, a.shape))
    sb = "x".join(map(str, b.shape))
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


class MatMul(Function):
    def forward(ctx, a, b):
        if a.ndim > 2 and b.ndim == 2:
            # NOTE: fold the batch into rows: one GEMM instead of one per matrix of the stack.
            return np.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[1],))
        if a.ndim > 2 or b.ndim > 2:
            a, b = _blas_operand(a), _blas_operand(b)
        return np.matmul(a, b)

    def backward(ctx, g):
        a, b = ctx.inputs
        ea, eb = ctx._edges
        na, nb = a._data.ndim, b._data.ndim
        if not MODE.grad_enabled and nb == 2 and na >= 2:
            gd, ad, bd = g._data, a._data, b._data
            rows = gd.size // gd.shape[-1] if gd.shape[-1] else int(np.prod(gd.shape[:-1]))
            g2 = gd.reshape(rows, gd.shape[-1])
            a2 = ad.reshape(rows, ad.shape[-1])
            return (_wrap((g2 @ bd.T).reshape(ad.shape)) if ea is not None else None,
                    _wrap(a2.T @ g2) if eb is not None else None)
        if not MODE.grad_enabled and na > 2 and na == nb and a._data.shape[:-2] == b._data.shape[:-2]:
            gd, ad, bd = _blas_operand(g._data), a._data, b._data
            return (_wrap(np.matmul(gd, _blas_operand(np.swapaxes(bd, -1, -2)))) if ea is not None else None,
                    _wrap(np.matmul(_blas_operand(np.swapaxes(ad, -1, -2)), gd)) if eb is not None else None)
        if na == 1 and nb == 1:
            return (g * b if ea else None), (g * a if eb else None)
        a2 = a.unsqueeze(0) if na == 1 else a
        b2 = b.unsqueeze(-1) if nb == 1 else b
        g2 = g
        if na == 1:
            g2 = g2.unsqueeze(-2)
        if nb == 1:
            g2 = g2.unsqueeze(-1)
        ga = gb = None
        if ea is not None:
            ga = g2.matmul(b2.mT)
            if na == 1:
                ga = ga.squeeze(-2)
            ga = sum_to(ga, a._data.shape)
        if eb is not None:
            if nb >= 2 and na >= 2 and g2._data.ndim > 2 and b._data.ndim == 2:
                # NOTE: fold the batch into rows so the weight gradient is one 2-d GEMM.
                k, rows = a2.shape[-1], int(np.prod(a2.shape[:-1]))
                gb = a2.reshape(rows, k).t().matmul(g2.reshape(rows, g2.shape[-1]))
            else:
                gb = a2.mT.matmul(g2)
                if nb == 1:
                    gb = gb.squeeze(-1)
                gb = sum_to(gb, b._data.shape)
        return ga, gb


def _blas_operand(a):
    """A stack of matrices as NumPy's matmul runs it fastest: column-major matrices whose
    columns lie apart (a transposed view into a wider array, as attention's k.transpose(-2, -1)
    of a fused qkv projection) are copied contiguous first; row-major ones (q, v) and tightly
    packed transposes (softmax(...).mT) go to BLAS as they are, with its transpose flag.
    Measured on attention's six products: 1.20 ms against 1.53 ms copying every strided one."""
    if a.flags.c_contiguous or a.ndim < 2:
        return a
    s, it = a.strides, a.itemsize
    if s[-2] == it and s[-1] != a.shape[-2] * it:
        return np.ascontiguousarray(a)
    if s[-1] != it and s[-2] != it:
        return np.ascontiguousarray(a)          # no unit stride: not a BLAS operand at all
    return a


def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting (1-d operands are vectors)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        return _foreign_matmul(input, other)
    if input._data.ndim == 0 or other._data.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{input.ndim}D and {other.ndim}D")
    _dtype_check("matmul", input, other)
    try:
        r = MatMul.apply(input, other)
    except ValueError:
        if input.ndim <= 2 and other.ndim <= 2:
            raise _mm_error(input if input.ndim == 2 else input.reshape(1, -1),
                            other if other.ndim == 2 else other.reshape(-1, 1)) from None
        raise RuntimeError(f"matmul: shapes {list(input.shape)} and {list(other.shape)} cannot be "
                           "multiplied (inner dimensions must match and batch dimensions "
                           "broadcast)") from None
    if out is not None:
        out.copy_(r)
        return out
    return r


def _foreign_matmul(a, b):
    """A sparse COO operand goes to ember.sparse.mm (the one place that knows its layout)."""
    if hasattr(a, "to_dense") or hasattr(b, "to_dense"):
        from ..sparse import mm as sparse_mm
        return sparse_mm(a, b)
    raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(b).__name__}"
                    if isinstance(a, Tensor) else
                    f"matmul(): argument 'input' must be Tensor, not {type(a).__name__}")


def mm(input, mat2, *, out=None):
    if not isinstance(input, Tensor) or not isinstance(mat2, Tensor):
        return _foreign_matmul(input, mat2)
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors, got {input.ndim}D and {mat2.ndim}D")
    if input.shape[1] != mat2.shape[0]:
        raise _mm_error(input, mat2)
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor (bmm got {input.ndim}D and {mat2.ndim}D)")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, "
                           f"{mat2.shape[1]}].")
    return matmul(input, mat2, out=out)


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x"
                           f"{input.shape[1]}), vec ({vec.shape[0]})")
    return matmul(input, vec)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    return matmul(input, other)


def inner(input, other, *, out=None):
    """Sum over the last dims of both (a 0-d operand multiplies)."""
    if input.ndim == 0 or other.ndim == 0:
        r = input * other
    else:
        if input.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                               f"shapes {list(input.shape)} and {list(other.shape)}")
        r = tensordot(input, other, ([input.ndim - 1], [other.ndim - 1]))
    if out is not None:
        out.copy_(r)
        return out
    return r


def vdot(input, other, *, out=None):
    """The dot product of conj(input) and other (1-D)."""
    from .complex import conj
    r = dot(conj(input), other)
    if out is not None:
        out.copy_(r)
        return out
    return r


def outer(input, vec2):
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


class Linear(Function):
    """``x @ W.T + b`` in one node: one GEMM forward, two GEMMs backward."""

    def forward(ctx, x, w, b=None):
        if x.ndim > 2:
            # NOTE: one (N*T, in) GEMM; np.matmul on a stack would run one small GEMM per item.
            lead = x.shape[:-1]
            y = np.matmul(x.reshape(-1, x.shape[-1]), w.T).reshape(lead + (w.shape[0],))
        else:
            y = np.matmul(x, w.T)
        if b is not None:
            y += b
        return y

    def backward(ctx, g):
        x, w = ctx.inputs[0], ctx.inputs[1]
        e = ctx._edges
        if not MODE.grad_enabled:
            gd, xd = g._data, x._data
            g2 = gd if gd.ndim == 2 else gd.reshape(-1, gd.shape[-1])
            x2 = xd if xd.ndim == 2 else xd.reshape(-1, xd.shape[-1])
            return (_wrap((g2 @ w._data).reshape(xd.shape)) if e[0] is not None else None,
                    _wrap(g2.T @ x2) if e[1] is not None else None,
                    _wrap(g2.sum(0)) if len(e) > 2 and e[2] is not None else None)
        gx = g.matmul(w) if e[0] is not None else None
        gw = gb = None
        if e[1] is not None:
            if g._data.ndim == 2:
                gw = g.t().matmul(x)
            else:
                gw = g.reshape(-1, g.shape[-1]).t().matmul(x.reshape(-1, x.shape[-1]))
        if len(e) > 2 and e[2] is not None:
            gb = g.sum(tuple(range(g._data.ndim - 1))) if g._data.ndim > 1 else g
        return gx, gw, gb


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (``torch.nn.functional.linear``)."""
    if input.shape[-1:] != weight.shape[-1:] if weight.ndim == 2 else False:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ("
                           f"{'x'.join(map(str, (int(np.prod(input.shape[:-1])), input.shape[-1])))} and "
                           f"{'x'.join(map(str, weight.shape[::-1]))})")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.name.capitalize()} "
                           f"and {weight.dtype.name.capitalize()}")
    if weight.ndim != 2 or input.ndim == 0:
        r = matmul(input, weight.t())
        return r + bias if bias is not None else r
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)


def _add_scaled(input, prod, beta, alpha):
    """beta * input + alpha * prod, as PyTorch: integer results take beta/alpha as integers,
    and beta == 0 ignores input (NaN and inf in it do not propagate)."""
    if prod._data.dtype.kind == "b":
        r = prod & bool(alpha)
        return r | (input & bool(beta)) if beta else r.expand(
            np.broadcast_shapes(tuple(input.shape), tuple(r.shape)))
    if not (prod.is_floating_point() or prod.is_complex()):
        beta, alpha = int(beta), int(alpha)
    r = prod * alpha if alpha != 1 else prod
    if beta == 0:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(r.shape))
        return r.expand(shape) if tuple(r.shape) != shape else r
    return r + (input * beta if beta != 1 else input)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    r = _add_scaled(input, mm(mat1, mat2), beta, alpha)
    if out is not None:
        out.copy_(r)
        return out
    return r


def addmv(input, mat, vec, *, beta=1, alpha=1):
    return _add_scaled(input, mv(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return _add_scaled(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return _add_scaled(input, bmm(batch1, batch2).sum(0), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    return _add_scaled(input, outer(vec1, vec2), beta, alpha)


def addcmul(input, tensor1, tensor2, *, value=1):
    return input + value * tensor1 * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    return input + value * tensor1 / tensor2


# --- einsum ------------------------------------------------------------------------------------
def _parse_einsum(eq, operands):
    eq = eq.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs, out = eq, None
    specs = lhs.split(",")
    if len(specs) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(specs) else
                           "einsum(): fewer operands were provided than specified in the equation")
    if any("..." in s for s in specs) or (out and "..." in out):
        free = [c for c in string.ascii_letters if c not in eq]
        nell = max(operands[i].ndim - (len(s) - 3) for i, s in enumerate(specs) if "..." in s)
        ell = "".join(free[:nell])
        new = []
        for i, s in enumerate(specs):
            if "..." in s:
                k = operands[i].ndim - (len(s) - 3)
                s = s.replace("...", ell[nell - k:])
            new.append(s)
        specs = new
        if out is not None:
            out = out.replace("...", ell)
        else:
            out = ell + "".join(sorted(c for c in set("".join(specs)) if c not in ell and
                                       "".join(specs).count(c) == 1))
    if out is None:
        joined = "".join(specs)
        out = "".join(sorted(c for c in set(joined) if joined.count(c) == 1))
    return specs, out


class Einsum(Function):
    def forward(ctx, *xs, specs, out):
        ctx.specs, ctx.out = specs, out
        return np.einsum(",".join(specs) + "->" + out, *xs, optimize=len(xs) > 2)

    def backward(ctx, g):
        xs = ctx.inputs
        grads = []
        for i, (x, s) in enumerate(zip(xs, ctx.specs)):
            if ctx._edges[i] is None:
                grads.append(None)
                continue
            others = [(xs[j], ctx.specs[j]) for j in range(len(xs)) if j != i]
            avail = set(ctx.out).union(*[set(sp) for _, sp in others])
            uniq = "".join(dict.fromkeys(s))
            keep = "".join(c for c in uniq if c in avail)
            gi = einsum(",".join([ctx.out] + [sp for _, sp in others]) + "->" + keep,
                        g, *[t for t, _ in others])
            sizes = {c: x.shape[k] for k, c in enumerate(s)}
            if uniq == s and tuple(gi.shape) != tuple(x.shape) and keep == uniq:
                # a size-1 dim that einsum broadcast: sum where x has 1, expand where x has n
                red = tuple(k for k, (n, m) in enumerate(zip(x.shape, gi.shape)) if n == 1 and m != 1)
                gi = (gi.sum(red, keepdim=True) if red else gi).expand(tuple(x.shape))
            if keep != uniq:
                shape = [sizes[c] if c in keep else 1 for c in uniq]
                perm_src = [c for c in uniq if c in keep]
                gi = gi.reshape(tuple(sizes[c] for c in perm_src))
                gi = gi.reshape(tuple(shape)).expand(tuple(sizes[c] for c in uniq))
            if uniq != s:
                # Repeated letters (a diagonal such as "ii"): place the gradient on it.
                grid = np.indices([sizes[c] for c in s])
                first = [s.index(c) for c in uniq]
                gi = gi[tuple(_wrap(grid[k]) for k in first)] * _delta(s, sizes, x._data.dtype)
            grads.append(gi)
        return tuple(grads)


def _delta(spec, sizes, dtype):
    shape = [sizes[c] for c in spec]
    idx = np.indices(shape)
    m = np.ones(shape, bool)
    for a in range(len(spec)):
        for b in range(a + 1, len(spec)):
            if spec[a] == spec[b]:
                m &= idx[a] == idx[b]
    return _wrap(m.astype(dtype))


def einsum(equation, *operands):
    """Einstein summation, e.g. ``torch.einsum('bij,bjk->bik', a, b)``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    specs, out = _parse_einsum(equation, operands)
    for t, s in zip(operands, specs):
        if t.ndim != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not "
                               f"match the number of dimensions ({t.ndim}) for operand "
                               f"{specs.index(s)} and no ellipsis was given")
    dt = operands[0].dtype
    for t in operands[1:]:
        if t.dtype is not dt:
            from .. import _dtype
            dt = _dtype.promote_types(dt, t.dtype)
    operands = [t.to(dt) for t in operands]
    try:
        return Einsum.apply(*operands, specs=specs, out=out)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e} (operand shapes {[list(t.shape) for t in operands]})") from None


def tensordot(a, b, dims=2, out=None):
    if isinstance(dims, int):
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [None] * b.ndim
    for x, y in zip(da, db):
        sb[y] = sa[x]
    sb = [c if c is not None else next(letters) for c in sb]
    out_s = [c for i, c in enumerate(sa) if i not in da] + [c for i, c in enumerate(sb) if i not in db]
    r = einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out_s), a, b)
    if out is not None:
        out.copy_(r) if out.shape == r.shape else out.resize_as_(r).copy_(r)
        return out
    return r


def kron(input, other):
    a, b = input, other
    nd = max(a.ndim, b.ndim)
    a = a.reshape((1,) * (nd - a.ndim) + tuple(a.shape))
    b = b.reshape((1,) * (nd - b.ndim) + tuple(b.shape))
    ea, eb = [], []
    for i in range(nd):
        ea += [a.shape[i], 1]
        eb += [1, b.shape[i]]
    r = a.reshape(tuple(ea)) * b.reshape(tuple(eb))
    return r.reshape(tuple(a.shape[i] * b.shape[i] for i in range(nd)))


def trace(input):
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return input.diagonal().sum()


def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise ``p``-norm distances between the rows of ``x1`` and ``x2``."""
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    from .reduce import vector_norm
    return vector_norm(diff, p, dim=-1)


def cross(input, other, dim=None):
    if dim is None:
        dim = next(i for i, s in enumerate(input.shape) if s == 3)
    a = [input.select(dim, i) for i in range(3)]
    b = [other.select(dim, i) for i in range(3)]
    from .shape import stack
    return stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]], dim)


def chain_matmul(*matrices):
    r = matrices[0]
    for m in matrices[1:]:
        r = mm(r, m)
    return r
