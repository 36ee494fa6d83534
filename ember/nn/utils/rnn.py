"""Packed sequences: PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence, ...

A PackedSequence stores the time steps of a batch of variable-length sequences back to back:
``data[sum(batch_sizes[:t]) + b]`` is step t of the b-th longest sequence.
"""
from collections import namedtuple

import numpy as np

from ..._tensor import Tensor, _wrap

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence", "invert_permutation"]


def invert_permutation(permutation):
    if permutation is None:
        return None
    p = permutation._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _wrap(out)


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                     "unsorted_indices"])):
    """Holds ``data`` (sum of lengths, *) and ``batch_sizes`` (max length,) of a packed batch."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes))
            data, batch_sizes = data[0], data[1]
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _wrap(np.asarray(batch_sizes, dtype=np.int64))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _replace_data(self, data):
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace_data(data)

    def cpu(self, *args, **kwargs):
        return self

    def cuda(self, *args, **kwargs):
        raise AssertionError("Torch not compiled with CUDA enabled")

    def double(self):
        return self._replace_data(self.data.double())

    def float(self):
        return self._replace_data(self.data.float())

    def half(self):
        return self._replace_data(self.data.half())

    def long(self):
        return self._replace_data(self.data.long())

    def int(self):
        return self._replace_data(self.data.int())

    def pin_memory(self):
        return self

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray([int(x) for x in lengths], dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) given each sequence's length."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if lens.size > 1 and np.any(lens[:-1] < lens[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
        order = None
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _wrap(order.astype(np.int64))
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T = input.shape[0]
    if lens.size and lens[0] > T:
        raise RuntimeError(f"Expected sequence length to be larger than 0 in RNN; lengths "
                           f"{lens.tolist()} exceed the padded length {T}")
    if input.shape[1] != lens.size:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lens.size} (batch_size={input.shape[1]})")
    max_len = int(lens[0]) if lens.size else 0
    mask = np.arange(max_len)[:, None] < lens[None, :]
    t_idx, b_idx = np.nonzero(mask)
    if order is not None:
        b_idx = order[b_idx]
    data = input[_wrap(t_idx), _wrap(b_idx)]
    batch_sizes = _wrap(mask.sum(1).astype(np.int64))
    return PackedSequence(data, batch_sizes, sorted_indices, invert_permutation(sorted_indices))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: returns (padded, lengths)."""
    from ...ops.shape import cat
    from ...ops.creation import full
    data, bs = sequence.data, sequence.batch_sizes._data.astype(np.int64)
    max_len = bs.size
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_len}")
    else:
        total_length = max_len
    B = int(bs[0]) if bs.size else 0
    lengths = (bs[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    mask = np.arange(total_length)[:, None] < lengths[None, :]
    N = data.shape[0]
    idx = np.full((total_length, B), N, dtype=np.int64)
    idx[mask] = np.arange(N)
    pad = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = cat([data, pad])[_wrap(idx)]
    if sequence.unsorted_indices is not None:
        u = sequence.unsorted_indices
        padded = padded.index_select(1, u)
        lengths = lengths[u._data]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _wrap(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length tensors (L_i, *) into (T, B, *) (or (B, T, *)), padding the ends."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    from ...ops.shape import cat, stack
    from ...ops.creation import full
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    T = max(s.shape[0] for s in sequences)
    out = []
    for s in sequences:
        n = T - s.shape[0]
        if n:
            pad = full((n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = cat([s, pad]) if padding_side == "right" else cat([pad, s])
        out.append(s)
    return stack(out, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of the given lengths."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_array(lengths)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length tensors (longest first unless enforce_sorted=False)."""
    lengths = [v.shape[0] for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
