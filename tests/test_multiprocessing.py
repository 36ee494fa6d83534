"""ember.multiprocessing: Python's multiprocessing plus spawn; tensors travel by pickling."""
import pytest

import ember
import ember.multiprocessing as mp


def _put(i, q):
    q.put((i, ember.ones(2) * i))


def _fail(i):
    raise ValueError(f"boom in {i}")


def test_spawn_and_queue():
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    mp.spawn(_put, args=(q,), nprocs=2)
    got = sorted((i, t.tolist()) for i, t in (q.get(timeout=30) for _ in range(2)))
    assert got == [(0, [0.0, 0.0]), (1, [1.0, 1.0])]


def test_spawn_reports_errors():
    with pytest.raises(mp.ProcessRaisedException, match="boom in 0"):
        mp.spawn(_fail, nprocs=1)


def test_reexports():
    assert mp.Process is __import__("multiprocessing").Process
    assert callable(mp.Queue) and callable(mp.Pool) and callable(mp.set_start_method)
    with mp.get_context("fork").Pool(2) as pool:
        assert [t.tolist() for t in pool.map(ember.ones, [1, 2])] == [[1.0], [1.0, 1.0]]
