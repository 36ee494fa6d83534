"""torch.utils.data: batches, order and collate structure compared with PyTorch."""
import collections

import numpy as np
import pytest
import torch

import ember
from ember.utils import data as edata
from torch.utils import data as tdata

X = np.random.default_rng(0).standard_normal((23, 3)).astype(np.float32)
Y = np.arange(23)


def _tolist(b):
    if isinstance(b, (torch.Tensor, ember.Tensor)):
        return ("T", str(b.dtype), b.tolist())
    if isinstance(b, dict):
        return {k: _tolist(v) for k, v in b.items()}
    if isinstance(b, tuple) and hasattr(b, "_fields"):
        return (type(b).__name__,) + tuple(_tolist(v) for v in b)
    if isinstance(b, (list, tuple)):
        return (type(b).__name__, [_tolist(v) for v in b])
    return b


def _batches(lib, ds, **kw):
    return [_tolist(b) for b in lib.utils.data.DataLoader(ds, **kw)]


@pytest.mark.parametrize("bs,drop_last", [(4, False), (4, True), (1, False), (23, False), (30, True)])
def test_tensor_dataset_sequential_matches_torch(bs, drop_last):
    te = edata.TensorDataset(ember.from_numpy(X.copy()), ember.from_numpy(Y.copy()))
    tt = tdata.TensorDataset(torch.from_numpy(X.copy()), torch.from_numpy(Y.copy()))
    a = _batches(ember, te, batch_size=bs, drop_last=drop_last)
    b = _batches(torch, tt, batch_size=bs, drop_last=drop_last)
    assert a == b
    assert len(edata.DataLoader(te, batch_size=bs, drop_last=drop_last)) == len(b)


def test_batches_do_not_alias_dataset():
    x = ember.zeros(4, 2)
    b = next(iter(edata.DataLoader(edata.TensorDataset(x), batch_size=2)))[0]
    b += 1
    assert x.sum().item() == 0


class _Structured:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        P = collections.namedtuple("P", "a b")
        return {"f": float(i) / 2, "i": i, "flag": i % 2 == 0, "s": f"s{i}", "arr": np.full(2, i, np.float32),
                "np_scalar": np.float32(i), "tup": (i, [i, i + 1]), "nt": P(i, float(i)), "nested": {"k": i}}


def test_default_collate_structure_matches_torch():
    a = _batches(ember, _Structured(7), batch_size=3)
    b = _batches(torch, _Structured(7), batch_size=3)
    assert a == b


def test_no_batching_uses_default_convert():
    a = _batches(ember, _Structured(3), batch_size=None)
    b = _batches(torch, _Structured(3), batch_size=None)
    assert a == b
    assert edata.default_convert(np.ones(2)).dtype is ember.float64


def test_collate_errors():
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        edata.default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="equal size"):
        edata.default_collate([[1, 2], [1]])


def test_shuffle_is_a_permutation_and_reproducible():
    ds = edata.TensorDataset(ember.arange(50))
    g = ember.Generator().manual_seed(3)
    order1 = [v for b in edata.DataLoader(ds, batch_size=7, shuffle=True, generator=g) for v in b[0].tolist()]
    order2 = [v for b in edata.DataLoader(ds, batch_size=7, shuffle=True,
                                          generator=ember.Generator().manual_seed(3)) for v in b[0].tolist()]
    assert sorted(order1) == list(range(50)) and order1 == order2 and order1 != list(range(50))
    ember.manual_seed(1)
    o1 = list(edata.RandomSampler(range(10)))
    ember.manual_seed(1)
    assert o1 == list(edata.RandomSampler(range(10)))


def test_samplers():
    g = ember.Generator().manual_seed(0)
    s = list(edata.RandomSampler(range(5), replacement=True, num_samples=12, generator=g))
    assert len(s) == 12 and all(0 <= i < 5 for i in s)
    s = list(edata.RandomSampler(range(5), num_samples=12, generator=g))
    assert sorted(s[:5]) == list(range(5)) and sorted(s[5:10]) == list(range(5))
    assert sorted(edata.SubsetRandomSampler([3, 7, 9], generator=g)) == [3, 7, 9]
    w = list(edata.WeightedRandomSampler([0, 0, 1.0, 0], 6, generator=g))
    assert w == [2] * 6
    assert sorted(edata.WeightedRandomSampler([1, 1, 1], 3, replacement=False)) == [0, 1, 2]
    bs = edata.BatchSampler(edata.SequentialSampler(range(10)), 3, False)
    assert list(bs) == list(tdata.BatchSampler(tdata.SequentialSampler(range(10)), 3, False))
    assert len(bs) == 4 and len(edata.BatchSampler(range(10), 3, True)) == 3
    assert list(edata.BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        edata.BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        edata.RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        edata.WeightedRandomSampler([1.0], 0)


def test_distributed_sampler_matches_torch_without_shuffle():
    for n, reps, drop in ((10, 3, False), (10, 3, True), (2, 4, False)):
        for rank in range(reps):
            a = list(edata.DistributedSampler(range(n), num_replicas=reps, rank=rank, shuffle=False, drop_last=drop))
            b = list(tdata.DistributedSampler(range(n), num_replicas=reps, rank=rank, shuffle=False, drop_last=drop))
            assert a == b
    parts = [list(edata.DistributedSampler(range(12), 3, r, shuffle=True, seed=5)) for r in range(3)]
    assert sorted(sum(parts, [])) == list(range(12))
    s = edata.DistributedSampler(range(12), 3, 0)
    first = list(s)
    s.set_epoch(1)
    assert list(s) != first and len(s) == 4
    with pytest.raises(ValueError, match="Invalid rank"):
        edata.DistributedSampler(range(4), num_replicas=2, rank=2)


def test_datasets():
    a, b = edata.TensorDataset(ember.arange(3)), edata.TensorDataset(ember.arange(3, 5))
    c = a + b
    assert isinstance(c, edata.ConcatDataset) and len(c) == 5 and c[3][0].item() == 3 and c[-1][0].item() == 4
    with pytest.raises(ValueError, match="absolute value of index"):
        c[-6]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        edata.TensorDataset(ember.ones(3), ember.ones(4))
    sub = edata.Subset(c, [4, 0])
    assert [s[0].item() for s in sub] == [4, 0]
    st = edata.StackDataset(range(3), "abc")
    assert st[1] == (1, "b") and edata.StackDataset(x=range(2), y=range(2))[1] == {"x": 1, "y": 1}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        edata.StackDataset(range(2), range(3))


def test_random_split():
    g = ember.Generator().manual_seed(42)
    parts = edata.random_split(range(10), [0.7, 0.3], generator=g)
    assert [len(p) for p in parts] == [7, 3]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    parts = edata.random_split(range(10), [3, 3, 4], generator=g)
    assert [len(p) for p in parts] == [3, 3, 4]
    assert [len(p) for p in edata.random_split(range(5), [0.5, 0.5])] == [3, 2]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        edata.random_split(range(10), [3, 3])


class _Stream(edata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = edata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


class _TStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def test_iterable_dataset():
    a = _batches(ember, _Stream(10), batch_size=4)
    b = _batches(torch, _TStream(10), batch_size=4)
    assert a == b
    assert _batches(ember, _Stream(10), batch_size=4, drop_last=True) == b[:2]
    assert len(edata.DataLoader(_Stream(10), batch_size=4)) == 3
    assert list(edata.ChainDataset([_Stream(2), _Stream(3)])) == [0, 1, 0, 1, 2]


@pytest.mark.parametrize("kwargs", [
    dict(sampler=[0, 1], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_size=None, drop_last=True),
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(persistent_workers=True),
])
def test_bad_arguments_raise_like_torch(kwargs):
    with pytest.raises(ValueError) as t:
        tdata.DataLoader(range(4), **kwargs)
    with pytest.raises(ValueError) as e:
        edata.DataLoader(range(4), **kwargs)
    assert str(e.value) == str(t.value)


def test_iterable_bad_arguments():
    for kw in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
            edata.DataLoader(_Stream(3), **kw)


def _init_fn(worker_id):
    import ember as e
    info = e.utils.data.get_worker_info()
    assert info.id == worker_id


class _SeedEcho:
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = edata.get_worker_info()
        return ember.tensor([i, info.id, info.seed % 1000, int(ember.randint(0, 10**9, ()).item())])


def test_workers_produce_the_same_batches():
    te = edata.TensorDataset(ember.from_numpy(X.copy()), ember.from_numpy(Y.copy()))
    single = _batches(ember, te, batch_size=4)
    multi = _batches(ember, te, batch_size=4, num_workers=2, worker_init_fn=_init_fn)
    assert multi == single  # in order, too
    out = [b for b in edata.DataLoader(_SeedEcho(), batch_size=2, num_workers=2)]
    rows = np.concatenate([b.numpy() for b in out])
    assert rows[:, 0].tolist() == list(range(8))
    assert set(rows[:, 1].tolist()) == {0, 1}
    seeds = {wid: s for _, wid, s, _ in rows.tolist()}
    assert seeds[0] != seeds[1]  # each worker seeded differently
    assert len(set(rows[:, 3].tolist())) == 8


def test_workers_iterable_and_persistent():
    got = sorted(v for b in edata.DataLoader(_Stream(11), batch_size=3, num_workers=2) for v in b.tolist())
    assert got == list(range(11))
    ds = edata.TensorDataset(ember.arange(20))
    loader = edata.DataLoader(ds, batch_size=3, shuffle=True, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(v for b in loader for v in b[0].tolist()) == list(range(20))
    it = loader._iterator
    assert it is not None and all(w.is_alive() for w in it._workers)
    it._shutdown_workers()


class _Failing:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise KeyError("bad index 2")
        return i


def test_worker_exception_is_reraised():
    with pytest.raises(KeyError, match="bad index 2"):
        list(edata.DataLoader(_Failing(), batch_size=1, num_workers=2))
