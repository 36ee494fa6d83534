"""PackedSequence and pack/pad utilities against PyTorch (values, gradients, errors)."""
import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as TR

import ember
from ember.nn.utils import rnn as ER
from oracle import assert_close, make


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [([5, 3, 2], True), ([2, 5, 3], False), ([4, 4, 1], True)])
def test_pack_pad_roundtrip(batch_first, lengths, enforce_sorted):
    x = make((5, 3, 2))
    if batch_first:
        x = np.ascontiguousarray(x.transpose(1, 0, 2))
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    pe = ER.pack_padded_sequence(xe, ember.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
    pt = TR.pack_padded_sequence(xt, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert isinstance(pe, ER.PackedSequence) and pe._fields == pt._fields
    assert_close(pe.data, pt.data)
    assert pe.batch_sizes.tolist() == pt.batch_sizes.tolist() and pe.batch_sizes.dtype == ember.int64
    for f in ("sorted_indices", "unsorted_indices"):
        a, b = getattr(pe, f), getattr(pt, f)
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()
    oe, le = ER.pad_packed_sequence(pe, batch_first=batch_first, padding_value=-3.0, total_length=6)
    ot, lt = TR.pad_packed_sequence(pt, batch_first=batch_first, padding_value=-3.0, total_length=6)
    assert_close(oe, ot)
    assert le.tolist() == lt.tolist()
    w = make(tuple(ot.shape), seed=5)
    (oe * ember.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    assert_close(xe.grad, xt.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    seqs = [make((n, 3), seed=n) for n in (2, 4, 1)]
    se = [ember.tensor(s, requires_grad=True) for s in seqs]
    st = [torch.tensor(s, requires_grad=True) for s in seqs]
    oe = ER.pad_sequence(se, batch_first=batch_first, padding_value=7.0, padding_side=side)
    ot = TR.pad_sequence(st, batch_first=batch_first, padding_value=7.0, padding_side=side)
    assert_close(oe, ot)
    (oe * oe).sum().backward()
    (ot * ot).sum().backward()
    for a, b in zip(se, st):
        assert_close(a.grad, b.grad)
    with pytest.raises(ValueError, match="padding_side"):
        ER.pad_sequence(se, padding_side="middle")


def test_pack_sequence_unpack_unpad():
    seqs = [make((n, 2), seed=n) for n in (3, 5, 1)]
    pe = ER.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    pt = TR.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    assert_close(pe.data, pt.data)
    for a, b in zip(ER.unpack_sequence(pe), TR.unpack_sequence(pt)):
        assert_close(a, b)
    padded = ER.pad_sequence([ember.tensor(s) for s in seqs])
    for a, s in zip(ER.unpad_sequence(padded, ember.tensor([3, 5, 1])), seqs):
        assert_close(a, torch.tensor(s))


def test_errors_and_methods():
    x = ember.zeros(4, 2, 1)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        ER.pack_padded_sequence(x, [2, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        ER.pack_padded_sequence(x, [2, 0])
    p = ER.pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        ER.pad_packed_sequence(p, total_length=2)
    assert p.double().data.dtype == ember.float64 and p.to(ember.float64).data.dtype == ember.float64
    data, batch_sizes, si, ui = p
    assert batch_sizes.tolist() == [2, 2, 1] and si is None and ui is None
