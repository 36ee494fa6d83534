"""scaled_dot_product_attention and nn.MultiheadAttention against PyTorch (values and gradients)."""
import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import ember.nn.functional as EF

from module_oracle import compare, compare_modules, module_pair, to_np as _np


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "scale", "bcast_bool"])
def test_sdpa(dtype, kind):
    rng = np.random.default_rng(0)
    q = rng.standard_normal((2, 3, 5, 4)).astype(dtype)
    k = rng.standard_normal((2, 3, 6, 4)).astype(dtype)
    v = rng.standard_normal((2, 3, 6, 7)).astype(dtype)
    arrays = [q, k, v]
    kw = {}
    if kind == "causal":
        kw["is_causal"] = True
    elif kind == "scale":
        kw["scale"] = 0.3
    elif kind == "bool":
        m = rng.random((2, 3, 5, 6)) > 0.4
        m[..., 0] = True
        arrays.append(m)
    elif kind == "bcast_bool":
        m = rng.random((5, 6)) > 0.4
        m[..., 0] = True
        arrays.append(m)
    elif kind == "float":
        arrays.append(rng.standard_normal((5, 6)).astype(dtype))
    compare(lambda *t: EF.scaled_dot_product_attention(*t, **kw),
            lambda *t: torch.nn.functional.scaled_dot_product_attention(*t, **kw), arrays,
            dtype=dtype, seed=11)


def test_sdpa_gqa_and_3d():
    rng = np.random.default_rng(1)
    q = rng.standard_normal((1, 4, 3, 8))
    k = rng.standard_normal((1, 2, 5, 8))
    v = rng.standard_normal((1, 2, 5, 8))
    f = "scaled_dot_product_attention"
    compare(lambda *t: getattr(EF, f)(*t, enable_gqa=True),
            lambda *t: getattr(torch.nn.functional, f)(*t, enable_gqa=True), [q, k, v], seed=11)
    compare(getattr(EF, f), getattr(torch.nn.functional, f),
            [q[0], k[0, :1].repeat(4, 0), v[0, :1].repeat(4, 0)], seed=11)


def test_sdpa_dropout_statistics():
    ember.manual_seed(0)
    q = ember.ones(1, 1, 4, 8)
    v = ember.ones(1, 1, 4, 8)
    out = EF.scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    vals = np.unique(np.round(_np(out), 5))
    assert set(vals.tolist()) <= {0.0, 0.5, 1.0, 1.5, 2.0}


def _mha_pair(dtype=np.float64, **kw):
    # a non-zero bias everywhere, so bias gradients and placements are checked too
    return module_pair("MultiheadAttention", dtype=dtype, weights="uniform", **kw)


CASES = [
    dict(),
    dict(batch_first=True),
    dict(bias=False),
    dict(kdim=3, vdim=5),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True),
    dict(add_bias_kv=True, add_zero_attn=True, batch_first=True),
]


@pytest.mark.parametrize("kw", CASES)
@pytest.mark.parametrize("masks", ["none", "kpm_bool", "attn2d_bool", "attn3d_float",
                                   "both_float"])
def test_mha_cross_attention(kw, masks):
    dtype = np.float64
    E, H, L, S, B = 8, 2, 4, 5, 3
    em, tm = _mha_pair(dtype, embed_dim=E, num_heads=H, **kw)
    rng = np.random.default_rng(4)
    bf = kw.get("batch_first", False)
    kd, vd = kw.get("kdim", E), kw.get("vdim", E)
    q = rng.standard_normal((B, L, E) if bf else (L, B, E))
    k = rng.standard_normal((B, S, kd) if bf else (S, B, kd))
    v = rng.standard_normal((B, S, vd) if bf else (S, B, vd))
    arrays = [q, k, v]
    names = []
    if masks in ("kpm_bool",):
        kpm = np.zeros((B, S), bool)
        kpm[1, 3:] = True
        arrays.append(kpm)
        names.append("key_padding_mask")
    if masks == "attn2d_bool":
        am = np.triu(np.ones((L, S), bool), 2)
        arrays.append(am)
        names.append("attn_mask")
    if masks == "attn3d_float":
        arrays.append(rng.standard_normal((B * H, L, S)))
        names.append("attn_mask")
    if masks == "both_float":
        kpm = np.zeros((B, S))
        kpm[0, -1] = -np.inf
        arrays += [kpm, rng.standard_normal((L, S))]
        names += ["key_padding_mask", "attn_mask"]

    compare_modules(em, tm, arrays, lambda m, q, k, v, *ms: m(q, k, v, **dict(zip(names, ms))),
                    dtype=dtype, seed=11)


@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_self_attention_weights(need_weights, average, batch_first):
    dtype = np.float32
    em, tm = _mha_pair(dtype, embed_dim=8, num_heads=2, batch_first=batch_first)
    x = np.random.default_rng(5).standard_normal((2, 5, 8) if batch_first else (5, 2, 8))
    x = x.astype(dtype)
    causal = np.triu(np.ones((5, 5), bool), 1)

    def call(m, x, mask):
        return m(x, x, x, attn_mask=mask, need_weights=need_weights, average_attn_weights=average)
    compare_modules(em, tm, [x, causal], call, dtype=dtype, seed=11)


def test_mha_is_causal_and_unbatched():
    dtype = np.float64
    em, tm = _mha_pair(dtype, embed_dim=6, num_heads=3)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 6))
    causal = np.triu(np.ones((4, 4), bool), 1)

    for nw in (True, False):
        compare_modules(em, tm, [x, causal], lambda m, x, mask: m(
            x, x, x, attn_mask=mask, is_causal=True, need_weights=nw), dtype=dtype, seed=11)
    kpm = np.array([False, False, True, False])
    compare_modules(em, tm, [x, rng.standard_normal((5, 6)), kpm],
                    lambda m, q, kv, p: m(q, kv[:4], kv[:4], key_padding_mask=p), dtype=dtype,
                    seed=11)


def test_mha_eval_mode_matches_torch_fast_path():
    dtype = np.float32
    em, tm = _mha_pair(dtype, embed_dim=8, num_heads=2, batch_first=True, dropout=0.3)
    em.eval()
    tm.eval()
    x = np.random.default_rng(7).standard_normal((2, 5, 8)).astype(dtype)
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    with torch.no_grad():
        ot = tm(torch.tensor(x), torch.tensor(x), torch.tensor(x),
                key_padding_mask=torch.tensor(kpm), need_weights=False)[0]
    xe = ember.tensor(x)
    oe = em(xe, xe, xe, key_padding_mask=ember.tensor(kpm), need_weights=False)[0]
    np.testing.assert_allclose(_np(oe)[0], _np(ot)[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(oe)[1, :3], _np(ot)[1, :3], rtol=1e-4, atol=1e-5)


def test_mha_parameters_init_repr():
    for kw in [dict(), dict(kdim=3, vdim=5, add_bias_kv=True, bias=False)]:
        tm = torch.nn.MultiheadAttention(8, 2, **kw)
        em = enn.MultiheadAttention(8, 2, **kw)
        assert list(em.state_dict()) == list(tm.state_dict())
        assert [tuple(p.shape) for p in em.parameters()] == [tuple(p.shape) for p in tm.parameters()]
        assert repr(em) == repr(tm)
    em = enn.MultiheadAttention(16, 4)
    bound = np.sqrt(6.0 / (16 + 48))
    w = _np(em.in_proj_weight)
    assert np.abs(w).max() <= bound and w.std() > bound / 3
    assert not _np(em.in_proj_bias).any() and not _np(em.out_proj.bias).any()


def test_mha_dropout_trains():
    em = enn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = ember.randn(2, 5, 8, requires_grad=True)
    out, w = em(x, x, x)
    out.sum().backward()
    assert x.grad is not None and tuple(w.shape) == (2, 5, 5)


def test_mha_errors():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        enn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        enn.MultiheadAttention(0, 3)
    m = enn.MultiheadAttention(8, 2)
    x = ember.randn(4, 2, 8)
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 8, but got 6"):
        m(ember.randn(4, 2, 6), x, x)
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is .*should be \(4, 4\)"):
        m(x, x, x, attn_mask=ember.zeros(3, 4))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        m(x, ember.randn(4, 8), x)
    with pytest.raises(RuntimeError, match="should not be set when is_causal=True"):
        EF.scaled_dot_product_attention(x, x, x, attn_mask=ember.zeros(2, 2), is_causal=True)
