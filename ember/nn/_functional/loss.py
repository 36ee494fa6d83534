"""Loss functions (torch.nn.functional): cross_entropy, nll_loss, mse_loss, bce, kl_div, ...

cross_entropy is one Function (log_softmax and nll fused, closed-form gradient
``softmax - onehot``); the rarer losses are compositions of differentiable ops.
"""
import math
import warnings

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd.function import Function
from ...autograd.grad_mode import MODE
from ...ops._rowsum import trailing_sum
from ...ops.compare import where
from .activation import _legacy_name, logsigmoid, softplus
from .basic import pairwise_distance

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "hinge_embedding_loss", "multi_margin_loss",
           "multilabel_margin_loss", "ctc_loss", "linear_cross_entropy"]


def _legacy_reduction(size_average, reduce, reduction="mean"):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _check_reduction(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _tname(t):
    return _legacy_name(t)


def _check_target_size(name, input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({input.shape[-1]}) must match the size of "
                               f"tensor b ({target.shape[-1]}) at non-singleton dimension "
                               f"{input.ndim - 1}") from None


# --- cross entropy / nll ---------------------------------------------------------------------
def _class_layout(x):
    """(M, C) view of an (N, C, d1, ...) / (N, C) / (C,) array, class dim last."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_class_layout(g2, shape):
    if len(shape) <= 2:
        return g2.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(g2.reshape(moved), -1, 1)


def _log_softmax2(x2):
    s = x2 - x2.max(axis=1, keepdims=True)
    lse = np.exp(s)
    s -= np.log(trailing_sum(lse, 1))
    return s


class CrossEntropy(Function):
    """Fused log_softmax + weighted nll (+ label smoothing) over class indices."""
    saved_inputs = ()
    node_name = "NllLossBackward0"

    def forward(ctx, x, t, w=None, *, ignore_index, smoothing, reduction, from_logits):
        ctx.reduction, ctx.from_logits = reduction, from_logits
        x2 = _class_layout(x)
        C = x2.shape[1]
        tt = t.reshape(-1)
        mask = tt != ignore_index
        rows = np.arange(tt.shape[0])
        if w is None and not smoothing and mask.all():
            ts, wt = tt, None       # every weight 1: the sums below need no weight array
        else:
            ts = np.where(mask, tt, 0)
            wt = (w[ts] if w is not None else np.ones(tt.shape, x2.dtype)) * mask
        ctx.total = None
        if from_logits and not smoothing:
            # The log-probabilities are needed only at the targets: keep exp(x - max) and its
            # row sums instead, so the backward's softmax is one multiply (no second exp).
            lp = x2 - x2.max(axis=1, keepdims=True)
            picked = lp[rows, ts]
            np.exp(lp, out=lp)
            ctx.total = trailing_sum(lp, 1)
            picked -= np.log(ctx.total[:, 0])
        else:
            lp = _log_softmax2(x2) if from_logits else x2
            picked = lp[rows, ts]
        a = wt * (1.0 - smoothing) if smoothing else wt
        loss = -picked * a if a is not None else -picked
        b = None
        if smoothing:
            b = mask.astype(x2.dtype) * (smoothing / C)
            smooth = -(lp @ w) if w is not None else -lp.sum(1)
            loss = loss + b * smooth
        denom = None
        if reduction == "mean":
            denom = wt.sum() if wt is not None else x2.dtype.type(len(tt))
            out = np.asarray(loss.sum() / denom, dtype=x2.dtype)
        elif reduction == "sum":
            out = np.asarray(loss.sum(), dtype=x2.dtype)
        else:
            out = loss.reshape(t.shape).astype(x2.dtype, copy=False)
        ctx.w = w
        ctx.cache = (lp, ts, rows, a.astype(x2.dtype, copy=False) if a is not None else None, b,
                     denom, x.shape)
        return out

    def backward(ctx, g):
        lp, ts, rows, a, b, denom, shape = ctx.cache
        w = ctx.w
        gd = g._data
        if ctx.reduction == "none":
            gm = gd.reshape(-1)
        else:
            v = gd / denom if denom is not None else gd
            gm = np.full(rows.shape, v, v.dtype)    # (np.broadcast_to costs ~10 us)
        ga = gm * a if a is not None else gm  # coefficient of (softmax - onehot) per row
        if ctx.from_logits and b is None and not MODE.grad_enabled:
            # softmax * ga - onehot * ga in one new array: the sum below without its zero terms
            gx = lp * (ga[:, None] / ctx.total)    # lp holds exp(x - max) here
            gx[rows, ts] -= ga
            return (_wrap(_from_class_layout(gx, shape)), None, None)[:len(ctx.inputs)]
        const = np.zeros_like(lp)
        const[rows, ts] -= ga
        pcoef = ga
        if b is not None:
            gb = gm * b
            const -= gb[:, None] * (w[None, :] if w is not None else 1.0)
            pcoef = ga + gb * (w.sum() if w is not None else lp.shape[1])
        n = len(ctx.inputs)
        if not ctx.from_logits:
            return (_wrap(_from_class_layout(const, shape)), None, None)[:n]
        if not MODE.grad_enabled:
            const += np.exp(lp) * pcoef[:, None]
            return (_wrap(_from_class_layout(const, shape)), None, None)[:n]
        # create_graph: differentiable in x through softmax
        from ...ops.softmax import softmax
        x = ctx.inputs[0]
        p = softmax(x, 1 if x.ndim > 1 else 0)
        pc = np.ascontiguousarray(np.broadcast_to(pcoef[:, None], lp.shape)).astype(lp.dtype)
        gx = p * _wrap(_from_class_layout(pc, shape)) + _wrap(_from_class_layout(const, shape))
        return (gx, None, None)[:n]


class SoftTargetCE(Function):
    """Cross entropy against class probabilities (soft targets)."""
    node_name = "SumBackward0"

    def forward(ctx, x, t, w=None, *, smoothing, reduction):
        ctx.reduction, ctx.smoothing = reduction, smoothing
        x2 = _class_layout(x)
        t2 = _class_layout(t)
        C = x2.shape[1]
        if smoothing:
            t2 = t2 * (1 - smoothing) + smoothing / C
        tw = t2 * w if w is not None else t2
        lp = _log_softmax2(x2)
        loss = -(lp * tw).sum(1)
        if reduction == "mean":
            out = np.asarray(loss.sum() / x2.shape[0], dtype=x2.dtype)
        elif reduction == "sum":
            out = np.asarray(loss.sum(), dtype=x2.dtype)
        else:
            out = loss.reshape((x.shape[0],) + x.shape[2:] if x.ndim > 1 else ()).astype(x2.dtype)
        ctx.cache = (lp, tw, x.shape)
        return out

    def backward(ctx, g):
        if MODE.grad_enabled:
            return _soft_ce_grads(ctx, g)
        lp, tw, shape = ctx.cache
        gd = g._data
        M = lp.shape[0]
        gm = gd.reshape(-1) if ctx.reduction == "none" else np.broadcast_to(
            gd / M if ctx.reduction == "mean" else gd, (M,))
        e = ctx._edges
        gx = gt = None
        if e[0] is not None:
            g2 = (np.exp(lp) * tw.sum(1, keepdims=True) - tw) * gm[:, None]
            gx = _wrap(_from_class_layout(g2.astype(lp.dtype), shape))
        if e[1] is not None:
            w = ctx.inputs[2]._data if len(ctx.inputs) > 2 else 1.0
            s = 1 - ctx.smoothing if ctx.smoothing else 1.0
            g2 = -lp * w * s * gm[:, None]
            gt = _wrap(_from_class_layout(g2.astype(lp.dtype), shape))
        return (gx, gt, None)[:len(ctx.inputs)]


def _soft_ce_grads(ctx, g):
    """SoftTargetCE's gradient under create_graph: the same loss in Tensor ops, differentiated
    with create_graph, so that second derivatives are PyTorch's too."""
    from ...autograd import grad
    from ...ops.softmax import log_softmax
    x, t = ctx.inputs[0], ctx.inputs[1]
    w = ctx.inputs[2] if len(ctx.inputs) > 2 else None
    cdim = 1 if x.ndim > 1 else 0
    C = x.shape[cdim]
    if ctx.smoothing:
        t = t * (1 - ctx.smoothing) + ctx.smoothing / C
    if w is not None:
        t = t * w.reshape((C,) + (1,) * (x.ndim - cdim - 1))
    loss = -(log_softmax(x, cdim) * t).sum(cdim)
    if ctx.reduction == "mean":
        loss = loss.sum() / (x.numel() // C)
    elif ctx.reduction == "sum":
        loss = loss.sum()
    want = [i for i in (0, 1) if ctx._edges[i] is not None]
    got = grad(loss, [ctx.inputs[i] for i in want], g, create_graph=True, allow_unused=True)
    out = [None] * len(ctx.inputs)
    for i, gi in zip(want, got):
        out[i] = gi
    return tuple(out)


def _check_ce_args(name, input, target, weight):
    if input.ndim == 0:
        raise RuntimeError(f"{name}: input tensor should be 1D or more")
    C = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != C):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes "
                           f"but got weight tensor of shape: {list(weight.shape)}")
    return C


def _check_class_target(name, input, target, C, ignore_index):
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {_tname(target)}")
    if input.ndim == 1:
        if target.ndim != 0:
            raise RuntimeError("1D target tensor expected, multi-target not supported")
    elif input.ndim == 2:
        if target.ndim == 0:  # PyTorch reads a 0-d target as an empty batch here
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             "batch_size (0).")
        if target.ndim != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target.shape[0] != input.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({target.shape[0]}).")
    else:
        want = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != want:
            if target.shape[:1] != input.shape[:1]:
                raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                                 f"batch_size ({target.shape[0] if target.ndim else 1}).")
            raise RuntimeError(f"Expected target size {list(want)}, got {list(target.shape)}")
    t = target._data
    if t.size and (t.min() < 0 or t.max() >= C):
        valid = t[t != ignore_index]
        if valid.size and (valid.max() >= C or valid.min() < 0):
            bad = valid[(valid >= C) | (valid < 0)][0]
            raise IndexError(f"Target {bad} is out of bounds.")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy of logits ``input`` (N, C, ...) against class indices or probabilities.

    Example: ``F.cross_entropy(torch.randn(3, 5), torch.tensor([1, 0, 4]))``"""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    C = _check_ce_args("cross_entropy", input, target, weight)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f'"log_softmax_lastdim_kernel_impl" not implemented for \'{_tname(input)}\'')
    args = (input, target) if weight is None else (input, target, weight)
    if target._data.dtype.kind == "f":
        if target.shape != input.shape:
            if target.ndim == input.ndim - 1 or (input.ndim == 2 and target.ndim == 1):
                raise RuntimeError(f"expected scalar type Long but found {_tname(target)}")
            raise RuntimeError(f"Expected target size {list(input.shape)}, got {list(target.shape)}")
        if target._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected scalar type {_tname(input)} but found {_tname(target)}")
        return SoftTargetCE.apply(*args, smoothing=label_smoothing, reduction=reduction)
    _check_class_target("cross_entropy", input, target, C, ignore_index)
    return CrossEntropy.apply(*args, ignore_index=ignore_index, smoothing=label_smoothing,
                              reduction=reduction, from_logits=True)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    C = _check_ce_args("nll_loss", input, target, weight)
    _check_class_target("nll_loss", input, target, C, ignore_index)
    args = (input, target) if weight is None else (input, target, weight)
    return CrossEntropy.apply(*args, ignore_index=ignore_index, smoothing=0.0, reduction=reduction,
                              from_logits=False)


# --- regression ------------------------------------------------------------------------------
class MSE(Function):
    """Mean/sum/none squared error as one node."""
    node_name = "MseLossBackward0"

    def forward(ctx, x, t, *, reduction):
        ctx.reduction = reduction
        d = x - t
        ctx.d = d
        sq = d * d
        if reduction == "mean":
            return np.asarray(sq.mean(), dtype=sq.dtype)
        if reduction == "sum":
            return np.asarray(sq.sum(), dtype=sq.dtype)
        return sq

    def backward(ctx, g):
        x, t = ctx.inputs
        e = ctx._edges
        n = ctx.d.size
        if not MODE.grad_enabled:
            gd = g._data
            k = 2.0 / n if ctx.reduction == "mean" else 2.0
            gg = (ctx.d * (gd * k)).astype(ctx.d.dtype, copy=False)
            from ...ops._util import np_sum_to
            gx = _wrap(np_sum_to(gg, x.shape)) if e[0] is not None else None
            gt = _wrap(np_sum_to(-gg, t.shape)) if e[1] is not None else None
            return gx, gt
        from ...ops._util import sum_to
        d = x - t
        gg = d * (g * (2.0 / n if ctx.reduction == "mean" else 2.0))
        return (sum_to(gg, x.shape) if e[0] is not None else None,
                sum_to(-gg, t.shape) if e[1] is not None else None)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Squared error ``(input - target)**2``, reduced."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_target_size("mse_loss", input, target)
    if weight is not None:
        return _reduce((input - target) ** 2 * weight, reduction)
    if input._data.dtype != target._data.dtype:
        return _reduce((input - target) ** 2, reduction)
    return MSE.apply(input, target, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_target_size("l1_loss", input, target)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0,
                   weight=None):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _check_target_size("smooth_l1_loss", input, target)
    d = input - target
    ad = d.abs()
    if beta == 0.0:
        loss = ad
    else:
        loss = where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_target_size("huber_loss", input, target)
    d = input - target
    ad = d.abs()
    loss = where(ad < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# --- binary ----------------------------------------------------------------------------------
class BCE(Function):
    node_name = "BinaryCrossEntropyBackward0"

    def forward(ctx, x, t, w=None, *, reduction):
        ctx.reduction = reduction
        lx = np.maximum(np.log(x), -100)
        l1x = np.maximum(np.log1p(-x), -100)
        loss = -(t * lx + (1 - t) * l1x)
        if w is not None:
            loss = loss * w
        loss = loss.astype(x.dtype, copy=False)
        if reduction == "mean":
            return np.asarray(loss.mean(), dtype=x.dtype)
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=x.dtype)
        return loss

    def backward(ctx, g):
        x, t = ctx.inputs[0], ctx.inputs[1]
        w = ctx.inputs[2] if len(ctx.inputs) > 2 else None
        e = ctx._edges
        if ctx.reduction == "mean":
            g = g / x.numel()
        gx = gt = None
        if e[0] is not None:
            gx = g * (x - t) / ((1 - x) * x).clamp_min(1e-12)
            if w is not None:
                gx = gx * w
        if e[1] is not None:
            gt = g * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100))
            if w is not None:
                gt = gt * w
        return (gx, gt, None)[:len(ctx.inputs)]


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``-(t log x + (1-t) log(1-x))`` with logs clamped at -100."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    x = input._data
    if x.size and (x.min() < 0 or x.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None:
        if weight.shape != input.shape:
            weight = weight.expand(input.shape)
        return BCE.apply(input, target, weight, reduction=reduction)
    return BCE.apply(input, target, reduction=reduction)


class BCEWithLogits(Function):
    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    def forward(ctx, x, t, w, pw, *, reduction):
        ctx.reduction = reduction
        sp = np.logaddexp(0, -x)  # softplus(-x), stable
        if pw.size:
            lw = (pw - 1) * t + 1
            loss = (1 - t) * x + lw * sp
        else:
            loss = (1 - t) * x + sp
        if w.size:
            loss = loss * w
        loss = loss.astype(np.result_type(x, t), copy=False)
        if reduction == "mean":
            return np.asarray(loss.mean(), dtype=loss.dtype)
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=loss.dtype)
        return loss

    def backward(ctx, g):
        x, t, w, pw = ctx.inputs
        e = ctx._edges
        from ...ops._util import sum_to
        if ctx.reduction == "mean":
            g = g / max(int(np.prod(np.broadcast_shapes(x.shape, t.shape, w.shape if w.numel() else (),
                                                         pw.shape if pw.numel() else ()))), 1)
        gx = gt = None
        s = x.sigmoid()
        if e[0] is not None:
            if pw.numel():
                lw = (pw - 1) * t + 1
                gx = (1 - t) - lw * (1 - s)
            else:
                gx = s - t
            gx = g * gx
            if w.numel():
                gx = gx * w
            gx = sum_to(gx, x.shape)
        if e[1] is not None:
            if pw.numel():
                gt = -x + (pw - 1) * softplus(-x)
            else:
                gt = -x
            gt = g * gt
            if w.numel():
                gt = gt * w
            gt = sum_to(gt, t.shape)
        return gx, gt, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + BCE in one stable step; ``pos_weight`` weighs positive examples per class."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    empty = _wrap(np.empty((0,), dtype=input._data.dtype))
    return BCEWithLogits.apply(input, target, weight if weight is not None else empty,
                               pos_weight if pos_weight is not None else empty, reduction=reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with ``input`` as log-probabilities: ``target * (log target - input)``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        from ...ops.pointwise import xlogy
        loss = xlogy(target, target) - target * input
    if reduction == "batchmean":
        if input.ndim == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction)


# --- margin / embedding losses -------------------------------------------------------------------
def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.ndim != input2.ndim or input1.shape != input2.shape:
        raise RuntimeError(f"cosine_embedding_loss: input1 and input2 must have the same shape, got "
                           f"{list(input1.shape)} and {list(input2.shape)}")
    eps = 1e-12
    d = input1.ndim - 1
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / (m1 * m2).sqrt()
    zeros = cos * 0
    pos = where(target == 1, 1 - cos, zeros)
    neg = where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got "
                           f"sizes: input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same "
                           f"number of dimensions, but got: anchor {anchor.ndim}D, positive "
                           f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = d_neg.minimum(d_swap)
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _reduce(softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    C = input.shape[-1] if input.ndim else 1
    loss = loss.sum(-1) / C if input.ndim else loss
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target
        safe = where(t > 1, t, t * 0 + 1)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(t > 1, stirling, stirling * 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    _check_reduction(reduction)
    if not isinstance(var, Tensor):
        from ...ops.creation import full_like
        var = full_like(input, float(var))
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    # NOTE: PyTorch clamps var in place under no_grad, so the gradient passes as if unclamped.
    var = var + _wrap(np.maximum(var._data, eps) - var._data)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = input * 0
    out_margin = where(target != 1, (margin - input).clamp_min(0), zeros)
    out_self = where(target != -1, input, zeros)
    return _reduce(out_margin + out_self, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t = target.reshape(-1)
    C = x.shape[1]
    xy = x.gather(1, t.unsqueeze(1))
    z = (margin - xy + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    mask = np.ones(x.shape, dtype=x._data.dtype)
    mask[np.arange(x.shape[0]), t._data] = 0
    loss = (z * _wrap(mask)).sum(1) / C
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t = target._data.reshape(x.shape)
    N, C = x.shape
    is_target = np.zeros((N, C), dtype=bool)
    valid = np.zeros((N, C), dtype=bool)
    for i in range(N):  # targets end at the first -1
        row = t[i]
        stop = np.where(row < 0)[0]
        k = stop[0] if stop.size else C
        valid[i, :k] = True
        is_target[i, row[:k]] = True
    loss_rows = []
    from ...ops.shape import stack
    for i in range(N):
        ys = t[i][valid[i]]
        xi = x[i]
        nt = _wrap((~is_target[i]).astype(x._data.dtype))
        s = None
        for y in ys:
            term = ((1 - xi[int(y)] + xi).clamp_min(0) * nt).sum()
            s = term if s is None else s + term
        loss_rows.append((s if s is not None else xi.sum() * 0) / C)
    loss = stack(loss_rows)
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


class CTC(Function):
    """Connectionist temporal classification: alpha/beta recursions over time, vectorised
    over the batch and the extended label positions."""
    saved_inputs = ()
    node_name = "CtcLossBackward0"

    def forward(ctx, lp, *, targets, in_lens, tg_lens, blank, reduction, zero_infinity):
        unbatched = lp.ndim == 2
        if unbatched:
            lp = lp[:, None, :]
        T, N, C = lp.shape
        L = int(tg_lens.max()) if tg_lens.size else 0
        S = 2 * L + 1
        ext = np.full((N, S), blank, dtype=np.int64)
        ext[:, 1::2] = targets[:, :L] if L else ext[:, 1::2]
        s_idx = np.arange(S)
        valid_s = s_idx[None, :] < (2 * tg_lens[:, None] + 1)
        skip = np.zeros((N, S), dtype=bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        lpd = lp.astype(np.float64)
        rows = np.arange(N)[:, None]
        ninf = -np.inf
        alpha = np.full((T, N, S), ninf)
        emit0 = lpd[0][rows, ext]
        alpha[0, :, 0] = emit0[:, 0]
        if S > 1:
            alpha[0, :, 1] = np.where(tg_lens > 0, emit0[:, 1], ninf)
        for t in range(1, T):
            prev = alpha[t - 1]
            a1 = np.concatenate([np.full((N, 1), ninf), prev[:, :-1]], 1)
            a2 = np.concatenate([np.full((N, 2), ninf), prev[:, :-2]], 1)[:, :S]
            a2 = np.where(skip, a2, ninf)
            alpha[t] = np.logaddexp(np.logaddexp(prev, a1), a2) + lpd[t][rows, ext]
        alpha = np.where(valid_s[None], alpha, ninf)
        last = np.clip(in_lens - 1, 0, T - 1)
        aT = alpha[last, np.arange(N)]
        end = 2 * tg_lens
        ll = np.logaddexp(aT[np.arange(N), end], np.where(tg_lens > 0, aT[np.arange(N), np.maximum(end - 1, 0)], ninf))
        nll = -ll
        ctx.cache = (lpd, ext, skip, valid_s, alpha, nll, in_lens, tg_lens, unbatched, lp.dtype)
        ctx.reduction, ctx.zero_infinity = reduction, zero_infinity
        losses = nll.copy()
        if zero_infinity:
            losses = np.where(np.isinf(losses), 0.0, losses)
        if reduction == "mean":
            out = (losses / np.maximum(tg_lens, 1)).mean()
        elif reduction == "sum":
            out = losses.sum()
        else:
            out = losses[0] if unbatched else losses
        return np.asarray(out, dtype=lp.dtype)

    def backward(ctx, g):
        lpd, ext, skip, valid_s, alpha, nll, in_lens, tg_lens, unbatched, dt = ctx.cache
        T, N, C = lpd.shape
        S = ext.shape[1]
        rows = np.arange(N)[:, None]
        ninf = -np.inf
        beta = np.full((T, N, S), ninf)
        end = 2 * tg_lens
        skip_next = np.zeros((N, S), dtype=bool)
        skip_next[:, :-2] = skip[:, 2:]
        for t in range(T - 1, -1, -1):
            emit = lpd[t][rows, ext]
            init = np.full((N, S), ninf)
            init[np.arange(N), end] = emit[np.arange(N), end]
            has = tg_lens > 0
            init[np.arange(N)[has], end[has] - 1] = emit[np.arange(N)[has], end[has] - 1]
            if t < T - 1:
                nxt = beta[t + 1]
                b1 = np.concatenate([nxt[:, 1:], np.full((N, 1), ninf)], 1)
                b2 = np.concatenate([nxt[:, 2:], np.full((N, 2), ninf)], 1)[:, :S]
                b2 = np.where(skip_next, b2, ninf)
                rec = np.logaddexp(np.logaddexp(nxt, b1), b2) + emit
            else:
                rec = np.full((N, S), ninf)
            is_last = (t == in_lens - 1)[:, None]
            beta[t] = np.where(is_last, init, np.where((t < in_lens - 1)[:, None], rec, ninf))
        beta = np.where(valid_s[None], beta, ninf)
        ab = alpha + beta  # (T, N, S)
        lcab = np.full((T, N, C), ninf)
        for s in range(S):
            c = ext[:, s]
            cur = lcab[:, np.arange(N), c]
            lcab[:, np.arange(N), c] = np.logaddexp(cur, ab[:, :, s])
        with np.errstate(over="ignore", invalid="ignore"):
            grad = np.exp(lpd) - np.exp(lcab + nll[None, :, None] - lpd)
        tmask = (np.arange(T)[:, None] < in_lens[None, :])[:, :, None]
        grad = np.where(tmask, grad, 0.0)
        if ctx.zero_infinity:
            grad = np.where(np.isinf(nll)[None, :, None], 0.0, grad)
        gd = g._data.astype(np.float64)
        if ctx.reduction == "mean":
            scale = gd / np.maximum(tg_lens, 1) / N
        elif ctx.reduction == "sum":
            scale = np.broadcast_to(gd, (N,))
        else:
            scale = gd.reshape(-1) if not unbatched else np.broadcast_to(gd, (1,))
        grad = grad * scale[None, :, None]
        if unbatched:
            grad = grad[:, 0]
        return _wrap(grad.astype(dt))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """CTC loss of (T, N, C) log-probabilities against padded (N, S) or concatenated targets."""
    _check_reduction(reduction)

    def arr(x):
        return (x._data if isinstance(x, Tensor) else np.asarray(x)).astype(np.int64).reshape(-1)

    in_lens, tg_lens = arr(input_lengths), arr(target_lengths)
    t = targets._data.astype(np.int64) if isinstance(targets, Tensor) else np.asarray(targets, np.int64)
    N = 1 if log_probs.ndim == 2 else log_probs.shape[1]
    if in_lens.size != N:
        raise RuntimeError(f"input_lengths must be of size batch_size ({N}), got {in_lens.size}")
    if tg_lens.size != N:
        raise RuntimeError(f"target_lengths must be of size batch_size ({N}), got {tg_lens.size}")
    if (in_lens > log_probs.shape[0]).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {log_probs.shape[0]}, but got "
                           f"value {int(in_lens.max())}")
    L = int(tg_lens.max()) if tg_lens.size else 0
    if t.ndim == 2:
        padded = np.zeros((N, max(L, 1)), dtype=np.int64)
        padded[:, :min(L, t.shape[1])] = t[:, :L]
    else:
        padded = np.zeros((N, max(L, 1)), dtype=np.int64)
        off = np.concatenate([[0], np.cumsum(tg_lens)])
        for n in range(N):
            padded[n, :tg_lens[n]] = t.reshape(-1)[off[n]:off[n + 1]]
    return CTC.apply(log_probs, targets=padded, in_lens=in_lens, tg_lens=tg_lens, blank=blank,
                     reduction=reduction, zero_infinity=zero_infinity)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight, linear_bias), target): PyTorch's fused head
    (its chunking ``options`` change memory use, not the result)."""
    from ...ops.matmul import linear
    w = linear_weight
    if ignore_index is not None and target.is_floating_point():
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    if w.ndim > 2 and input.ndim < 2:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(w.shape)} "
                           f"requires batched input, (N, {w.shape[-1]}), got unbatched input")
    if w.ndim > 2:          # (*, H) x (C, ..., H): logits (*, C, ...) by one flattened GEMM
        logits = linear(input, w.reshape(-1, w.shape[-1]), None if linear_bias is None else
                        linear_bias.reshape(-1))
        logits = logits.reshape(tuple(input.shape[:-1]) + tuple(w.shape[:-1]))
    else:
        logits = linear(input, w, linear_bias)
    return cross_entropy(logits, target, weight, ignore_index=-100 if ignore_index is None
                         else ignore_index, reduction=reduction, label_smoothing=label_smoothing)
