"""Attention: scaled_dot_product_attention and multi_head_attention_forward (PyTorch's math path).

Both are composed from ember ops (batched matmul, softmax, dropout): every piece is a large
GEMM or one vectorised pass, so a dedicated Function would not be faster, and the composite is
differentiable twice for free.  Masks that do not need gradients (bool masks, causal masks) are
turned into an additive float bias on arrays, without graph nodes.
"""
import math

import numpy as np

from ..._tensor import TRACERS, _wrap

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _softmax(x, dim):
    from ...ops.softmax import softmax
    return softmax(x, dim)


def _dropout(x, p, training=True):
    from .. import functional as F
    return F.dropout(x, p=p, training=training)


def _bool_to_bias(mask, dtype):
    """True = keep (SDPA's convention) -> 0, False -> -inf."""
    return np.where(mask, np.array(0, dtype), np.array(-np.inf, dtype))


def _const(arr):
    """A mask made from sizes only; while a trace runs, made by a creation function so the
    graph may keep it as a constant (a bare ``_wrap`` would be an opaque tensor)."""
    if TRACERS:
        from ...ops.creation import tensor
        return tensor(arr)
    return _wrap(arr)


def _bool_bias(mask, dtype, keep):
    """Additive bias of a bool mask: 0 where ``mask == keep``, -inf elsewhere.  While a trace
    runs it is built with graph ops, so it is recomputed from each call's mask."""
    if not TRACERS:
        m = mask._data if keep else ~mask._data
        return _wrap(_bool_to_bias(m, dtype))
    from ..._dtype import from_np
    from ...ops.creation import zeros
    return zeros(tuple(mask.shape), dtype=from_np(dtype)).masked_fill(
        mask.logical_not() if keep else mask, float("-inf"))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q K^T * scale + mask) V over the last two dims.

    >>> q = ember.randn(2, 4, 5, 8); out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must be at least "
                           f"2-D, got {query.ndim}-D, {key.ndim}-D and {value.ndim}-D")
    if query.dtype != key.dtype or query.dtype != value.dtype:
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: "
                           f"{value.dtype} instead.")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query's last dim {query.shape[-1]} "
                           f"must equal key's last dim {key.shape[-1]}")
    L, S = query.shape[-2], key.shape[-2]
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    dt = query._data.dtype
    scale_factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    att = query.matmul(key.transpose(-2, -1))
    att = att * scale_factor
    bias = None
    if is_causal:
        bias = _const(_bool_to_bias(np.tril(np.ones((L, S), dtype=bool)), dt))
    elif attn_mask is not None:
        if attn_mask._data.dtype.kind == "f":
            bias = attn_mask
        elif attn_mask._data.dtype == np.bool_:
            bias = _bool_bias(attn_mask, dt, True)
        else:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                               f"dtype, but got attn_mask.dtype: {attn_mask.dtype} and "
                               f"query.dtype: {query.dtype} instead.")
    if bias is not None:
        att = att + bias
    att = _softmax(att, -1)
    if dropout_p > 0.0:
        att = _dropout(att, dropout_p, True)
    return att.matmul(value)


def _canonical_mask(mask, name, target_dtype):
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind == "b":
        return _bool_bias(mask, target_dtype, False)
    if kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 1-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _linear(x, w, b):
    from ...ops.matmul import linear
    return linear(x, w, b)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """PyTorch's ``F.multi_head_attention_forward`` (sequence-first (L, N, E) layout)."""
    from ...ops.shape import cat
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    dt = query._data.dtype
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", dt)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", dt)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q = _linear(query, q_proj_weight, bq)
        k = _linear(key, k_proj_weight, bk)
        v = _linear(value, v_proj_weight, bv)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        E = embed_dim
        if key is value and query is key:
            proj = _linear(query, in_proj_weight, in_proj_bias)
            q, k, v = proj[..., :E], proj[..., E:2 * E], proj[..., 2 * E:]
        elif key is value:
            bq = bkv = None
            if in_proj_bias is not None:
                bq, bkv = in_proj_bias[:E], in_proj_bias[E:]
            q = _linear(query, in_proj_weight[:E], bq)
            kv = _linear(key, in_proj_weight[E:], bkv)
            k, v = kv[..., :E], kv[..., E:]
        else:
            bq = bk = bv = None
            if in_proj_bias is not None:
                bq, bk, bv = in_proj_bias.chunk(3)
            wq, wk, wv = in_proj_weight.chunk(3)
            q, k, v = _linear(query, wq, bq), _linear(key, wk, bk), _linear(value, wv, bv)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
         if static_k is None else static_k)
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
         if static_v is None else static_v)
    if add_zero_attn:
        z = _const(np.zeros((bsz * num_heads, 1, head_dim), dt))
        k = cat([k, z], 1)
        v = cat([v, z], 1)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = (key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
               .reshape(bsz * num_heads, 1, src_len))
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    q = q * math.sqrt(1.0 / float(head_dim))
    att = q.matmul(k.transpose(-2, -1))
    if attn_mask is not None:
        att = att + attn_mask
    elif is_causal:
        causal = np.triu(np.full((tgt_len, src_len), -np.inf, dt), 1)
        att = att + _const(causal)
    att = _softmax(att, -1)
    if dropout_p > 0.0:
        att = _dropout(att, dropout_p, True)
    out = att.matmul(v)
    out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias)
    out = out.reshape(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    w = att.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        w = w.mean(1)
    if not is_batched:
        w = w.squeeze(0)
    return out, w


def _pad_last(mask):
    """Append one zero column on the last dim (PyTorch's ``pad(mask, (0, 1))``)."""
    from ...ops.shape import cat
    z = _const(np.zeros(tuple(mask.shape[:-1]) + (1,), mask._data.dtype))
    return cat([mask, z], -1)

