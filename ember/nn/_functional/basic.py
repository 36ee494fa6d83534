"""Basic functional ops: linear, bilinear, dropout family, embedding, one_hot, distances."""
import numpy as np

from ..._tensor import TRACERS, Tensor, _wrap
from ...autograd.function import Function
from ...autograd.grad_mode import MODE
from ...ops.index import one_hot  # noqa: F401  (re-exported as F.one_hot)
from ...ops.matmul import linear  # noqa: F401  (the fused Linear Function)
from ...ops.random import draw

__all__ = ["linear", "bilinear", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout", "embedding", "embedding_bag", "one_hot", "normalize",
           "cosine_similarity", "pairwise_distance", "pdist", "identity"]


def identity(input):
    return input


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1^T W_k x2 + b_k``; e.g. ``F.bilinear(a, b, w)`` with w of shape (out, in1, in2)."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input sizes do not match weight: input1 {list(input1.shape)}, "
                           f"input2 {list(input2.shape)}, weight {list(weight.shape)}")
    from ...ops.matmul import einsum
    y = einsum("...i,kij,...j->...k", input1, weight, input2)
    return y + bias if bias is not None else y


# --- dropout ---------------------------------------------------------------------------------
class _MaskMul(Function):
    """``x * mask`` with a constant mask (dropout); the mask already holds the 1/(1-p) scale."""
    saved_inputs = ()
    node_name = "MulBackward0"

    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    def backward(ctx, g):
        if not MODE.grad_enabled:
            return _wrap(g._data * ctx.mask)
        return g * _wrap(ctx.mask)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_mask(shape, p, dtype):
    if p == 1.0:
        return np.zeros(shape, dtype=dtype)

    def sample(s):
        # PyTorch's CPU dropout: noise = bernoulli_(1 - p) in the input's dtype, then / (1 - p)
        keep = s.bernoulli_scalar(int(np.prod(shape, dtype=np.int64)), 1.0 - p).reshape(shape)
        return keep.astype(dtype) / dtype.type(1.0 - p)
    return draw(sample)


def _apply_mask(input, mask, inplace):
    if inplace:
        if (MODE.grad_enabled and input.requires_grad) or TRACERS:
            return input.mul_(_wrap(mask))
        input._data *= mask
        input._vbox[0] += 1
        return input
    return _MaskMul.apply(input, mask=mask)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _apply_mask(input, _dropout_mask(input.shape, p, input._data.dtype), inplace)


def _feature_dropout(input, p, training, inplace, nd, name):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input, but received a "
                           f"{input.ndim}D input")
    shape = input.shape[:-nd] + (1,) * nd
    return _apply_mask(input, _dropout_mask(shape, p, input._data.dtype), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if not training or p == 0.0:
        return input
    shape = input.shape[:-2] + (1, 1) if input.ndim >= 3 else input.shape[:-1] + (1,)
    return _apply_mask(input, _dropout_mask(shape, p, input._data.dtype), inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if not training or p == 0.0:
        return input
    shape = input.shape[:-3] + (1, 1, 1) if input.ndim >= 4 else input.shape
    return _apply_mask(input, _dropout_mask(shape, p, input._data.dtype), inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


def _alpha_dropout(input, p, training, feature):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0
    shape = input.shape[:2] + (1,) * (input.ndim - 2) if feature else input.shape
    dt = input._data.dtype.type
    n = int(np.prod(shape, dtype=np.int64))
    keep = draw(lambda s: s.bernoulli_scalar(n, 1.0 - p).reshape(shape).astype(dt))
    # PyTorch's arithmetic, step by step in the input's dtype
    alpha = _SELU_ALPHA
    a = 1.0 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    add = _wrap((keep - dt(1)) * dt(alpha * a) + dt(alpha * a * p))
    mul = _wrap(keep * dt(a))
    return input * mul + add


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    out = _alpha_dropout(input, p, training, False)
    return input.copy_(out) if inplace and out is not input else out


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    out = _alpha_dropout(input, p, training, True)
    return input.copy_(out) if inplace and out is not input else out


# --- embedding -------------------------------------------------------------------------------
class Embedding(Function):
    """Row gather ``weight[idx]``; the gradient scatter-adds rows (padding rows get none)."""
    saved_inputs = ()
    node_name = "EmbeddingBackward0"

    def forward(ctx, w, idx, padding_idx=None):
        ctx.idx = idx
        ctx.wshape = w.shape
        ctx.padding_idx = padding_idx
        return w[idx]

    def backward(ctx, g):
        idx = ctx.idx.reshape(-1)
        D = ctx.wshape[1]
        if ctx.padding_idx is not None:
            keep = idx != ctx.padding_idx
        else:
            keep = None
        if not MODE.grad_enabled:
            g2 = g._data.reshape(-1, D)
            if keep is not None:
                g2 = g2[keep]
                idx = idx[keep]
            out = _rows_sum(idx, g2, ctx.wshape)
            return _wrap(out), None
        from ...ops.creation import zeros
        g2 = g.reshape(-1, D)
        if keep is not None:
            g2 = g2 * _wrap(keep[:, None].astype(g._data.dtype))
        return zeros(ctx.wshape, dtype=g.dtype).index_add(0, _wrap(idx), g2), None


def _renorm_(weight, idx, max_norm, norm_type):
    rows = np.unique(idx.reshape(-1))
    w = weight._data
    norms = (np.abs(w[rows]) ** norm_type).sum(1) ** (1.0 / norm_type)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] *= scale[:, None]
    weight._vbox[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight`` by the integer ``input`` indices."""
    if not isinstance(input, Tensor) or input._data.dtype.kind not in "iu":
        dt = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {dt} instead (while checking arguments "
                           "for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    idx = input._data
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, input, padding_idx=padding_idx)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sum/mean/max of embedding bags (2-D input, or 1-D input with ``offsets``)."""
    if input.ndim == 2:
        bags = [input[i] for i in range(input.shape[0])]
        psw = [per_sample_weights[i] for i in range(input.shape[0])] if per_sample_weights is not None else None
    else:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        off = offsets._data.tolist()
        if include_last_offset:
            off = off[:-1]
        ends = off[1:] + [input.shape[0]] if not include_last_offset else offsets._data.tolist()[1:]
        bags = [input[s:e] for s, e in zip(off, ends)]
        psw = [per_sample_weights[s:e] for s, e in zip(off, ends)] if per_sample_weights is not None else None
    from ...ops.shape import stack
    from ...ops.creation import zeros
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]      # as PyTorch: counted from the end
    outs = []
    for i, b in enumerate(bags):
        w = psw[i] if psw is not None else None
        if padding_idx is not None:
            keep = b != padding_idx         # padding entries (and their weights) drop out
            b = b[keep]
            w = w[keep] if w is not None else None
        if b.numel() == 0:
            outs.append(zeros(weight.shape[1], dtype=weight.dtype))
            continue
        e = embedding(b, weight, None, max_norm, norm_type)
        if w is not None:
            e = e * w.unsqueeze(-1)
        if mode == "sum":
            outs.append(e.sum(0))
        elif mode == "mean":
            outs.append(e.mean(0))
        else:
            outs.append(e.max(0)[0])
    return stack(outs)


# --- distances -------------------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``x / max(||x||_p, eps)`` along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is not None:
        return out.copy_(input / denom)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along ``dim`` (broadcasting)."""
    if x1.shape != x2.shape:    # as PyTorch: broadcast first (a size-1 dim counts repeated)
        from ...ops.shape import broadcast_tensors
        x1, x2 = broadcast_tensors(x1, x2)
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dim."""
    d = x1.ndim if x1.ndim > x2.ndim else x2.ndim
    diff = x1 - x2 + eps
    if d == 0:
        return diff.abs()
    return diff.norm(p, -1, keepdim=keepdim)


def pdist(input, p=2):
    """Distances between all row pairs i < j of a 2-D input (condensed, as scipy's pdist)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    return (input[_wrap(i)] - input[_wrap(j)]).norm(p, 1)


def _rows_sum(idx, rows, shape):
    """``out[idx[i]] += rows[i]`` for an embedding gradient: sort the indices and sum each run
    with one ``np.add.reduceat`` (``np.add.at`` is an unbuffered per-row loop, ~10x slower)."""
    out = np.zeros(shape, dtype=rows.dtype)
    if idx.size == 0:
        return out
    order = np.argsort(idx, kind="stable")
    sidx = idx[order]
    starts = np.flatnonzero(np.concatenate(([True], sidx[1:] != sidx[:-1])))
    out[sidx[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out
