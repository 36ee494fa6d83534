"""Transformer layers, stacks and nn.Transformer against PyTorch after copying the state_dict:
outputs and gradients of inputs and every parameter, with masks, norm_first both ways."""
import functools

import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
from module_oracle import compare_modules, module_pair, to_np as _np

TOL = {np.float32: (5e-4, 5e-5), np.float64: (1e-8, 1e-10)}
_pair = functools.partial(module_pair, weights="uniform", low=-0.4, high=0.4)
# src / tgt / memory (width 8) require grad, the masks do not
_compare = functools.partial(compare_modules, tol=TOL, seed=9,
                             grad_inputs=lambda a: a.ndim >= 2 and a.shape[-1] == 8)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "module_gelu"])
def test_encoder_layer(norm_first, batch_first, activation):
    def make(nn):
        act = nn.GELU() if activation == "module_gelu" else activation
        return nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=act,
                                          batch_first=batch_first, norm_first=norm_first)
    em, tm = _pair(make)
    rng = np.random.default_rng(0)
    src = rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8))
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    mask = np.triu(np.ones((5, 5), bool), 1)
    _compare(em, tm, [src], lambda m, s: m(s))
    _compare(em, tm, [src, mask, kpm],
             lambda m, s, a, k: m(s, src_mask=a, src_key_padding_mask=k))


def test_encoder_layer_eval_float32_callable_activation():
    def make(nn):
        return nn.TransformerEncoderLayer(8, 4, 12, dropout=0.3, batch_first=True,
                                          activation=nn.functional.silu, bias=False)
    em, tm = _pair(make, dtype=np.float32, eval_mode=True)
    src = np.random.default_rng(1).standard_normal((2, 6, 8)).astype(np.float32)
    _compare(em, tm, [src], lambda m, s: m(s), dtype=np.float32)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer(norm_first):
    def make(nn):
        return nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first)
    em, tm = _pair(make)
    rng = np.random.default_rng(2)
    tgt = rng.standard_normal((4, 3, 8))
    mem = rng.standard_normal((6, 3, 8))
    tmask = np.triu(np.full((4, 4), -np.inf), 1)
    mkpm = np.zeros((3, 6), bool)
    mkpm[2, 4:] = True
    _compare(em, tm, [tgt, mem, tmask, mkpm],
             lambda m, t, s, a, k: m(t, s, tgt_mask=a, memory_key_padding_mask=k))


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_stack_with_norm(norm_first):
    def make(nn):
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True,
                                           norm_first=norm_first)
        return nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    em, tm = _pair(make)
    src = np.random.default_rng(3).standard_normal((2, 5, 8))
    causal = np.triu(np.full((5, 5), -np.inf), 1)
    _compare(em, tm, [src], lambda m, s: m(s))
    _compare(em, tm, [src, causal], lambda m, s, c: m(s, mask=c, is_causal=True))
    _compare(em, tm, [src, causal], lambda m, s, c: m(s, mask=c))


def test_decoder_stack():
    def make(nn):
        layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        return nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8))
    em, tm = _pair(make)
    rng = np.random.default_rng(4)
    tgt, mem = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 5, 8))
    _compare(em, tm, [tgt, mem], lambda m, t, s: m(t, s))


@pytest.mark.parametrize("batch_first", [False, True])
def test_full_transformer(batch_first):
    def make(nn):
        return nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=batch_first)
    em, tm = _pair(make)
    rng = np.random.default_rng(5)
    shape = (lambda L: (2, L, 8)) if batch_first else (lambda L: (L, 2, 8))
    src, tgt = rng.standard_normal(shape(6)), rng.standard_normal(shape(4))
    tmask = enn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64).numpy()
    skpm = np.zeros((2, 6), bool)
    skpm[0, 5] = True

    def call(m, s, t, a, k):
        return m(s, t, tgt_mask=a, src_key_padding_mask=k, memory_key_padding_mask=k)
    _compare(em, tm, [src, tgt, tmask, skpm], call)


def test_state_dict_keys_repr_and_init():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for make in (lambda nn: nn.Transformer(8, 2, 1, 2, 16),
                     lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 3),
                     lambda nn: nn.TransformerDecoderLayer(8, 2, 16, bias=False)):
            em, tm = make(enn), make(torch.nn)
            assert list(em.state_dict()) == list(tm.state_dict())
            assert [tuple(v.shape) for v in em.state_dict().values()] == \
                [tuple(v.shape) for v in tm.state_dict().values()]
            assert repr(em) == repr(tm)
    m = enn.Transformer(8, 2, 1, 1, 16)
    w = _np(m.encoder.layers[0].linear1.weight)
    assert np.abs(w).max() <= np.sqrt(6 / 24)
    enc = enn.TransformerEncoder(enn.TransformerEncoderLayer(8, 2, 16), 2)
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    np.testing.assert_array_equal(_np(enc.layers[0].linear1.weight),
                                  _np(enc.layers[1].linear1.weight))


def test_square_subsequent_mask():
    a = enn.Transformer.generate_square_subsequent_mask(4).numpy()
    b = torch.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32


def test_dropout_training_runs():
    layer = enn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = ember.randn(5, 2, 8, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad is not None and layer.linear1.weight.grad is not None


def test_errors():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        enn.TransformerEncoderLayer(8, 2, activation="tanh")
    m = enn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        m(ember.randn(3, 2, 8), ember.randn(3, 4, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal"):
        m(ember.randn(3, 2, 8), ember.randn(3, 2, 6))
