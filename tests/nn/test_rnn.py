"""nn.RNN / LSTM / GRU and their cells against PyTorch: same state_dict, same inputs; outputs,
final states and gradients of inputs, initial states and every parameter."""
import numpy as np
import pytest
import torch

import ember
import ember.nn as enn

from module_oracle import compare_modules, module_pair, to_np as _np


@pytest.mark.parametrize("cls,kw", [
    ("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})])
@pytest.mark.parametrize("layers,bidir,batch_first", [
    (1, False, False), (2, True, False), (2, False, True), (1, True, True)])
def test_layers_match_torch(cls, kw, layers, bidir, batch_first):
    dtype = np.float64
    em, tm = module_pair(cls, 3, 5, num_layers=layers, bidirectional=bidir,
                         batch_first=batch_first, dtype=dtype, **kw)
    rng = np.random.default_rng(1)
    T, B = 4, 3
    x = rng.standard_normal((B, T, 3) if batch_first else (T, B, 3)).astype(dtype)
    compare_modules(em, tm, [x], lambda m, x: m(x), dtype=dtype, seed=5)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_initial_states_float32(cls):
    dtype = np.float32
    em, tm = module_pair(cls, 4, 6, num_layers=2, bidirectional=True, dtype=dtype)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 2, 4)).astype(dtype)
    h0 = rng.standard_normal((4, 2, 6)).astype(dtype)
    if cls == "LSTM":
        c0 = rng.standard_normal((4, 2, 6)).astype(dtype)
        compare_modules(em, tm, [x, h0, c0], lambda m, x, h, c: m(x, (h, c)),
                        dtype=dtype, seed=5)
    else:
        compare_modules(em, tm, [x, h0], lambda m, x, h: m(x, h), dtype=dtype, seed=5)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_unbatched(cls):
    dtype = np.float64
    em, tm = module_pair(cls, 3, 4, num_layers=2, dtype=dtype)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3))
    h0 = rng.standard_normal((2, 4))
    if cls == "LSTM":
        compare_modules(em, tm, [x, h0, h0 * 0.5], lambda m, x, h, c: m(x, (h, c)),
                        dtype=dtype, seed=5)
    else:
        compare_modules(em, tm, [x, h0], lambda m, x, h: m(x, h), dtype=dtype, seed=5)


def test_lstm_proj_size():
    dtype = np.float64
    em, tm = module_pair("LSTM", 3, 6, num_layers=2, proj_size=4, bidirectional=True, dtype=dtype)
    assert list(em.state_dict()) == list(tm.state_dict())
    x = np.random.default_rng(4).standard_normal((4, 2, 3))
    compare_modules(em, tm, [x], lambda m, x: m(x), dtype=dtype, seed=5)


def test_no_bias():
    em, tm = module_pair("GRU", 3, 4, bias=False)
    assert list(em.state_dict()) == list(tm.state_dict())
    compare_modules(em, tm, [np.random.default_rng(0).standard_normal((3, 2, 3))],
                    lambda m, x: m(x), dtype=np.float64, seed=5)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequence(cls, enforce_sorted):
    from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    from torch.nn.utils.rnn import pack_padded_sequence as tpack, pad_packed_sequence as tpad
    dtype = np.float64
    em, tm = module_pair(cls, 3, 4, num_layers=2, bidirectional=True, dtype=dtype)
    lengths = [5, 3, 4, 1] if not enforce_sorted else [5, 4, 3, 1]
    x = np.random.default_rng(6).standard_normal((5, 4, 3))
    h0 = np.random.default_rng(7).standard_normal((4, 4, 4))

    def call(m, x, h):
        lib = ember if isinstance(x, ember.Tensor) else torch
        pk, pd = ((pack_padded_sequence, pad_packed_sequence) if lib is ember else (tpack, tpad))
        p = pk(x, lib.tensor(lengths), enforce_sorted=enforce_sorted)
        out, st = m(p, (h, h * 0.3) if cls == "LSTM" else h)
        padded, lens = pd(out)
        return padded, st
    compare_modules(em, tm, [x, h0], call, dtype=dtype, seed=5)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells(cls, batched):
    dtype = np.float64
    em, tm = module_pair(cls, 3, 5, dtype=dtype)
    rng = np.random.default_rng(8)
    shp = (4,) if batched else ()
    x = rng.standard_normal(shp + (3,))
    h = rng.standard_normal(shp + (5,))
    if cls == "LSTMCell":
        compare_modules(em, tm, [x, h, h * 0.7], lambda m, x, h, c: m(x, (h, c)),
                        dtype=dtype, seed=5)
        compare_modules(em, tm, [x], lambda m, x: m(x), dtype=dtype, seed=5)
    else:
        compare_modules(em, tm, [x, h], lambda m, x, h: m(x, h), dtype=dtype, seed=5)
        compare_modules(em, tm, [x], lambda m, x: m(x), dtype=dtype, seed=5)


def test_rnn_cell_relu_and_sequence_of_steps():
    em, tm = module_pair("RNNCell", 3, 4, nonlinearity="relu")
    x = np.random.default_rng(9).standard_normal((6, 2, 3))

    def call(m, x):
        h = None
        outs = []
        for t in range(x.shape[0]):
            h = m(x[t], h)
            outs.append(h)
        return outs
    compare_modules(em, tm, [x], call, dtype=np.float64, seed=5)


def test_state_dict_keys_and_repr():
    for args, kw in [((3, 4), {}), ((3, 4, 2), {"bidirectional": True, "batch_first": True,
                                                 "dropout": 0.5, "bias": False})]:
        for cls in ("RNN", "LSTM", "GRU"):
            tm = getattr(torch.nn, cls)(*args, **kw)
            em = getattr(enn, cls)(*args, **kw)
            assert list(em.state_dict()) == list(tm.state_dict())
            assert [tuple(p.shape) for p in em.parameters()] == \
                [tuple(p.shape) for p in tm.parameters()]
            assert repr(em) == repr(tm)
    assert repr(enn.RNN(3, 4, nonlinearity="relu")) == repr(torch.nn.RNN(3, 4, nonlinearity="relu"))
    for cls in ("RNNCell", "LSTMCell", "GRUCell"):
        assert repr(getattr(enn, cls)(3, 4, bias=False)) == repr(getattr(torch.nn, cls)(3, 4, bias=False))
        assert list(getattr(enn, cls)(3, 4).state_dict()) == list(getattr(torch.nn, cls)(3, 4).state_dict())


def test_state_dict_round_trip_to_torch():
    em = enn.LSTM(3, 4, 2)
    tm = torch.nn.LSTM(3, 4, 2)
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(_np(em(ember.tensor(x))[0]), _np(tm(torch.tensor(x))[0]),
                               rtol=1e-5, atol=1e-6)


def test_default_init_range():
    m = enn.GRU(3, 16)
    for p in m.parameters():
        a = _np(p)
        assert np.abs(a).max() <= 0.25 and a.std() > 0.05


def test_dropout_between_layers():
    m = enn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = ember.randn(4, 2, 3)
    m.eval()
    a, b = m(x)[0], m(x)[0]
    np.testing.assert_array_equal(_np(a), _np(b))
    m.train()
    out, _ = m(x)
    out.sum().backward()
    assert m.weight_ih_l0.grad is not None
    with pytest.warns(UserWarning):
        enn.GRU(3, 4, dropout=0.2)


def test_flatten_parameters_noop_and_all_weights():
    m = enn.LSTM(3, 4, bidirectional=True)
    m.flatten_parameters()
    assert len(m.all_weights) == 2 and len(m.all_weights[0]) == 4


def test_double_backward_matches_torch():
    em, tm = module_pair("GRU", 2, 3)
    x = np.random.default_rng(1).standard_normal((3, 2, 2))
    res = []
    for lib, m in ((ember, em), (torch, tm)):
        xt = lib.tensor(x, requires_grad=True)
        out, h = m(xt)
        (g,) = lib.autograd.grad((out ** 2).sum() + h.sum(), [xt], create_graph=True)
        (g ** 2).sum().backward()
        res.append((_np(g), _np(xt.grad), _np(m.weight_hh_l0.grad)))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_errors():
    m = enn.LSTM(4, 5)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 4, got 3"):
        m(ember.randn(2, 3, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 3, 5\), got \[1, 3, 4\]"):
        m(ember.randn(2, 3, 4), (ember.zeros(1, 3, 4), ember.zeros(1, 3, 5)))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        m(ember.randn(1, 2, 3, 4))
    with pytest.raises(RuntimeError, match="Expected hidden size \\(1, 3, 5\\), got \\[2, 3, 5\\]"):
        enn.GRU(4, 5)(ember.randn(2, 3, 4), ember.zeros(2, 3, 5))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D"):
        enn.GRU(4, 5)(ember.randn(2, 3, 4), ember.zeros(3, 5))
    with pytest.raises(ValueError, match="RNN input dtype"):
        enn.RNN(4, 5)(ember.randn(2, 3, 4, dtype=ember.float64))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        enn.RNN(4, 5, nonlinearity="gelu")
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        enn.LSTM(4, 5, proj_size=5)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        enn.GRU(4, 0)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        enn.GRU(4, 3, dropout=1.5)
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 3 expected 4"):
        enn.GRUCell(4, 5)(ember.randn(2, 3))
    with pytest.raises(ValueError, match="RNNCell: Expected input to be 1D or 2D, got 3D"):
        enn.RNNCell(4, 5)(ember.randn(1, 2, 4))


def test_output_modified_in_place_then_backward():
    em, tm = module_pair("LSTM", 3, 4)
    x = np.random.default_rng(2).standard_normal((4, 2, 3))
    res = []
    for lib, m in ((ember, em), (torch, tm)):
        xt = lib.tensor(x, requires_grad=True)
        out, _ = m(xt)
        out.relu_()
        out.sum().backward()
        res.append(_np(xt.grad))
    np.testing.assert_allclose(res[0], res[1], rtol=1e-9, atol=1e-10)


def test_empty_sequence_error():
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0 in RNN"):
        enn.LSTM(3, 4)(ember.randn(0, 2, 3))
