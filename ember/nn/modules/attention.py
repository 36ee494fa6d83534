"""nn.MultiheadAttention with PyTorch's parameters, initialisation, masks and layouts."""
import math

from ...autograd.grad_mode import no_grad
from ..parameter import Parameter
from .._functional.attention import _canonical_mask, multi_head_attention_forward
from .linear import NonDynamicallyQuantizableLinear
from .module import Module

__all__ = ["MultiheadAttention"]


def _empty(shape, dtype):
    from ...ops.creation import empty
    return Parameter(empty(*shape, dtype=dtype))


def _xavier_uniform_(t):
    fan_out, fan_in = t.shape[0], t.shape[1] if t.dim() > 1 else 1
    if t.dim() > 2:
        rf = 1
        for s in t.shape[2:]:
            rf *= s
        fan_in, fan_out = fan_in * rf, fan_out * rf
    a = math.sqrt(6.0 / float(fan_in + fan_out))
    with no_grad():
        t.uniform_(-a, a)


def _xavier_normal_(t):
    rf = 1
    for s in t.shape[2:]:
        rf *= s
    fan_in, fan_out = t.shape[1] * rf, t.shape[0] * rf
    std = math.sqrt(2.0 / float(fan_in + fan_out))
    with no_grad():
        t.normal_(0.0, std)


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads: ``out_proj(concat_h softmax(Q_h K_h^T / sqrt(d)) V_h)``.

    >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
    >>> x = torch.randn(2, 5, 16); out, weights = mha(x, x, x)
    """

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = _empty((embed_dim, embed_dim), dtype)
            self.k_proj_weight = _empty((embed_dim, self.kdim), dtype)
            self.v_proj_weight = _empty((embed_dim, self.vdim), dtype)
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = _empty((3 * embed_dim, embed_dim), dtype)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = _empty((3 * embed_dim,), dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k = _empty((1, 1, embed_dim), dtype)
            self.bias_v = _empty((1, 1, embed_dim), dtype)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            _xavier_uniform_(self.in_proj_weight)
        else:
            _xavier_uniform_(self.q_proj_weight)
            _xavier_uniform_(self.k_proj_weight)
            _xavier_uniform_(self.v_proj_weight)
        with no_grad():
            if self.in_proj_bias is not None:
                self.in_proj_bias.zero_()
                self.out_proj.bias.zero_()
        if self.bias_k is not None:
            _xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            _xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        state.setdefault("_qkv_same_embed_dim", True)
        self.__dict__.update(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        is_batched = query.dim() == 3
        dt = query._data.dtype
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", dt)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", dt)
        if self.batch_first and is_batched:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        sep = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=sep, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and is_batched:
            out = out.transpose(1, 0)
        return out, weights

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """Combine attn_mask and key_padding_mask into one (B, H, L, S) float mask."""
        batch_size, seq_len = query.shape[0], query.shape[1]
        mask_type = None
        merged = None
        dt = query._data.dtype
        if key_padding_mask is not None:
            mask_type = 1
            merged = key_padding_mask
        if attn_mask is not None:
            mask_type = 2
            if attn_mask.dim() == 3:
                am = attn_mask.reshape(batch_size, -1, seq_len, seq_len)
            else:
                am = attn_mask.reshape(1, 1, seq_len, seq_len).expand(
                    batch_size, self.num_heads, seq_len, seq_len)
            merged = _canonical_mask(am, "attn_mask", dt)
            if key_padding_mask is not None:
                kpm = _canonical_mask(key_padding_mask, "key_padding_mask", dt).reshape(
                    batch_size, 1, 1, seq_len).expand(batch_size, self.num_heads, seq_len,
                                                      seq_len)
                merged = merged + kpm
        return merged, mask_type
