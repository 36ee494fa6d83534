"""Recurrent layers: RNN, LSTM, GRU and their single-step cells, with PyTorch's names and layout.

Per layer and direction: one GEMM projects the inputs of all time steps (``F.linear``), then the
fused ``RNNSequence`` Function runs the recurrence (one GEMM per step) and its closed-form BPTT.
Inputs may be padded (T, B, I) / (B, T, I), unbatched (T, I), or a PackedSequence.
"""
import math
import numbers
import warnings

import numpy as np

from ..._tensor import _wrap
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter
from .._functional.rnn import rnn_sequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _packed_cls():
    try:
        from ..utils.rnn import PackedSequence
    except ImportError:
        return None
    return PackedSequence


def _empty_param(shape, dtype):
    from ...ops.creation import empty
    return Parameter(empty(*shape, dtype=dtype))


def _zeros(shape, like):
    from ...ops.creation import zeros
    return zeros(*shape, dtype=like.dtype)


def _linear(x, w, b):
    from ...ops.matmul import linear
    return linear(x, w, b)


def _stack(ts):
    from ...ops.shape import stack
    return stack(ts, 0)


def _cat(ts, dim):
    from ...ops.shape import cat
    return cat(ts, dim)


class RNNBase(Module):
    """Base of RNN, LSTM and GRU: parameters ``weight_ih_l{k}[_reverse]`` etc. as PyTorch."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if not isinstance(num_layers, int) or isinstance(num_layers, bool):
            raise TypeError(f"num_layers should be of type int, got: {type(num_layers).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden = proj_size if proj_size > 0 else hidden_size
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [_empty_param((gate_size, layer_input), dtype),
                          _empty_param((gate_size, real_hidden), dtype)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [_empty_param((gate_size,), dtype), _empty_param((gate_size,), dtype)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(_empty_param((proj_size, hidden_size), dtype))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for n, p in zip(names, params):
                    setattr(self, n, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op: weights are used as they are (there is no cuDNN buffer to compact)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for w in self.parameters():
                w.uniform_(-stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # --- checks with PyTorch's messages ---------------------------------------------------
    def check_input(self, input, batch_sizes):
        w = getattr(self, self._flat_weights_names[0])
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.shape[0] if self.batch_first else input.shape[1]
        nd = 2 if self.bidirectional else 1
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * nd, mini_batch, h)

    @staticmethod
    def check_hidden_size(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    # --- the forward pass -----------------------------------------------------------------
    def forward(self, input, hx=None):
        lstm = self.mode == "LSTM"
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        nd = 2 if self.bidirectional else 1
        PS = _packed_cls()
        packed = PS is not None and isinstance(input, PS)
        real_h = self.proj_size if self.proj_size > 0 else self.hidden_size
        if packed:
            x, bs_t, sorted_indices, unsorted_indices = (input.data, input.batch_sizes,
                                                        input.sorted_indices,
                                                        input.unsorted_indices)
            batch_sizes = tuple(int(v) for v in np.asarray(bs_t._data).tolist())
            max_batch = batch_sizes[0]
            is_batched = True
            if hx is not None:
                hx = ((self.permute_hidden(hx[0], sorted_indices),
                       self.permute_hidden(hx[1], sorted_indices)) if lstm
                      else self.permute_hidden(hx, sorted_indices))
            self.check_input(x, batch_sizes)
        else:
            sorted_indices = unsorted_indices = None
            if input.dim() not in (2, 3):
                tail = "" if lstm or self.mode == "GRU" else " tensor"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D"
                                 f"{tail} instead")
            is_batched = input.dim() == 3
            if not is_batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
                if hx is not None:
                    if lstm:
                        if hx[0].dim() != 2 or hx[1].dim() != 2:
                            raise RuntimeError(
                                "For unbatched 2-D input, hx and cx should also be 2-D but got "
                                f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                        hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
                    else:
                        if hx.dim() != 2:
                            raise RuntimeError("For unbatched 2-D input, hx should also be 2-D "
                                               f"but got {hx.dim()}-D tensor")
                        hx = hx.unsqueeze(1)
            elif hx is not None:
                if lstm:
                    if hx[0].dim() != 3 or hx[1].dim() != 3:
                        raise RuntimeError(
                            "For batched 3-D input, hx and cx should also be 3-D but got "
                            f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                elif hx.dim() != 3:
                    raise RuntimeError("For batched 3-D input, hx should also be 3-D but got "
                                       f"{hx.dim()}-D tensor")
            self.check_input(input, None)
            if self.batch_first:
                input = input.transpose(0, 1)
            T, max_batch = input.shape[0], input.shape[1]
            batch_sizes = (max_batch,) * T
            x = input.reshape(T * max_batch, self.input_size)
        expected = (self.num_layers * nd, max_batch, real_h)
        if hx is None:
            h0 = _zeros(expected, x)
            c0 = _zeros((self.num_layers * nd, max_batch, self.hidden_size), x) if lstm else None
        elif lstm:
            h0, c0 = hx
            self.check_hidden_size(h0, expected, "Expected hidden[0] size {}, got {}")
            self.check_hidden_size(c0, (self.num_layers * nd, max_batch, self.hidden_size),
                                   "Expected hidden[1] size {}, got {}")
        else:
            h0, c0 = hx, None
            self.check_hidden_size(h0, expected)

        hns, cns = [], []
        layer_in = x
        training_dropout = self.dropout > 0 and self.training
        for layer in range(self.num_layers):
            outs = []
            for d in range(nd):
                names = self._all_weights[layer * nd + d]
                ps = [getattr(self, n) for n in names]
                w_ih, w_hh = ps[0], ps[1]
                b_ih, b_hh = (ps[2], ps[3]) if self.bias else (None, None)
                w_hr = ps[-1] if self.proj_size > 0 else None
                k = layer * nd + d
                xp = _linear(layer_in, w_ih, b_ih)
                res = rnn_sequence(self.mode, xp, h0[k], c0[k] if lstm else None, w_hh, b_hh,
                                   batch_sizes, reverse=d == 1, w_hr=w_hr)
                outs.append(res[0])
                hns.append(res[1])
                if lstm:
                    cns.append(res[2])
            layer_in = outs[0] if nd == 1 else _cat(outs, 1)
            if training_dropout and layer < self.num_layers - 1:
                from .. import functional as F
                layer_in = F.dropout(layer_in, p=self.dropout, training=True)
        h_n = _stack(hns)
        c_n = _stack(cns) if lstm else None

        if packed:
            output = PS(layer_in, input.batch_sizes, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_n = h_n.index_select(1, unsorted_indices)
                if lstm:
                    c_n = c_n.index_select(1, unsorted_indices)
            return output, ((h_n, c_n) if lstm else h_n)
        output = layer_in.reshape(len(batch_sizes), max_batch, nd * real_h)
        if self.batch_first:
            output = output.transpose(0, 1)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
            if lstm:
                c_n = c_n.squeeze(1)
        return output, ((h_n, c_n) if lstm else h_n)


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu).

    >>> rnn = nn.RNN(10, 20, 2); out, h_n = rnn(torch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        nl = self.nonlinearity
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nl


class LSTM(RNNBase):
    """Long short-term memory; gates i, f, g, o; optional projections (``proj_size``).

    >>> lstm = nn.LSTM(10, 20, 2); out, (h_n, c_n) = lstm(torch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit; gates r, z, n with ``n = tanh(W_in x + b_in + r*(W_hn h + b_hn))``.

    >>> gru = nn.GRU(10, 20, 2); out, h_n = gru(torch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# --- cells -------------------------------------------------------------------------------------
class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = _empty_param((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = _empty_param((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _empty_param((num_chunks * hidden_size,), dtype)
            self.bias_hh = _empty_param((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.__dict__.get("bias", True) is not True:
            s += ", bias={bias}"
        if self.__dict__.get("nonlinearity", "tanh") != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for w in self.parameters():
                w.uniform_(-stdv, stdv)

    def _step(self, name, mode, input, hx, lstm=False):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        hs = hx if not lstm or hx is None else hx[0]
        if hx is not None:
            for i, h in enumerate(hx if lstm else (hx,)):
                if h.dim() not in (1, 2):
                    what = f"hx[{i}]" if lstm else "hidden"
                    raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D "
                                     "instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        B = input.shape[0]
        if hx is None:
            h0 = _zeros((B, self.hidden_size), input)
            c0 = _zeros((B, self.hidden_size), input) if lstm else None
        elif lstm:
            h0, c0 = hx
            if not is_batched:
                h0, c0 = h0.unsqueeze(0), c0.unsqueeze(0)
        else:
            h0, c0 = (hs.unsqueeze(0) if not is_batched else hs), None
        for i, h in enumerate((h0, c0) if lstm else (h0,)):
            if tuple(h.shape) != (B, self.hidden_size):
                if h.shape[0] != B:
                    raise RuntimeError(f"Input batch size {B} doesn't match hidden{i} batch "
                                       f"size {h.shape[0]}")
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got "
                                   f"{h.shape[1]}, expected {self.hidden_size}")
        xp = _linear(input, self.weight_ih, self.bias_ih)
        res = rnn_sequence(mode, xp, h0, c0, self.weight_hh, self.bias_hh, (B,))
        if lstm:
            h, c = res[1], res[2]
            return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))
        h = res[1]
        return h if is_batched else h.squeeze(0)


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._step("RNNCell", mode, input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step("LSTMCell", "LSTM", input, hx, lstm=True)


class GRUCell(RNNCellBase):
    """One GRU step: returns ``h'``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step("GRUCell", "GRU", input, hx)

