"""DataLoader: sampler -> batch sampler -> fetch -> collate, in this process or in workers."""
import itertools
import multiprocessing as python_multiprocessing
import os
import queue

import numpy as np

from ..._tensor import _wrap
from ._utils.collate import default_collate, default_convert
from ._utils import worker as _worker
from ._utils.worker import ExceptionWrapper, _IterableDatasetStopIteration, get_worker_info
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, Sampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


class _InfiniteConstantSampler(Sampler):
    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Iterate over ``dataset`` in batches.

    >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    >>> for xb, yb in loader: ...

    ``num_workers > 0`` loads in worker processes (each seeded with ``base_seed + worker_id``);
    ``pin_memory`` is accepted and has no effect on the CPU.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.in_order = in_order
        self._is_iterable = isinstance(dataset, IterableDataset)

        if self._is_iterable:
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        if multiprocessing_context is not None:
            if num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 f"loading (num_workers > 0), but got num_workers={num_workers}")
            if isinstance(multiprocessing_context, str):
                valid = python_multiprocessing.get_all_start_methods()
                if multiprocessing_context not in valid:
                    raise ValueError("multiprocessing_context option should specify a valid start "
                                     f"method in {valid!r}, but got "
                                     f"multiprocessing_context={multiprocessing_context!r}")
                multiprocessing_context = python_multiprocessing.get_context(multiprocessing_context)
        self.multiprocessing_context = multiprocessing_context
        self._iterator = None
        self.__initialized = True

    def __setattr__(self, attr, val):
        if self.__dict__.get("_DataLoader__initialized") and attr in (
                "batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} "
                             "is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._iterator is None or self._iterator._shutdown:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset()
            return self._iterator
        return _MultiProcessIter(self)

    def __len__(self):
        if self._is_iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else -(-length // self.batch_size)
            return length
        return len(self._index_sampler)

    def __del__(self):
        it = self.__dict__.get("_iterator")
        if it is not None:
            it._shutdown_workers()


class _BaseIter:
    def __init__(self, loader):
        from ...ops.random import draw
        # PyTorch draws the workers' base seed (one int64 random_()) whenever an iterator
        # starts, with or without workers; the sampler draws later, at the first batch
        self._base_seed = int(draw(lambda s: s.from_to(1, 1 << 63, 0, np.int64), loader.generator)[0])
        self._loader = loader
        self._dataset = loader.dataset
        self._auto_collation = loader._auto_collation
        self._collate_fn = loader.collate_fn
        self._num_yielded = 0

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        ds = self._dataset
        self._fast = None
        # The lean path: a TensorDataset with default collation is one fancy index per field.
        if (type(ds) is TensorDataset and self._collate_fn is default_collate and self._auto_collation
                and not any(t.requires_grad for t in ds.tensors)):
            self._fast = [t._data for t in ds.tensors]
            bs = loader.batch_sampler
            if type(bs) is BatchSampler and bs._has_order():
                self._batches = _array_batches(bs)
            else:
                self._batches = iter(bs)
        elif loader._is_iterable:
            self._it = iter(ds)
        else:
            self._batches = iter(loader._index_sampler)

    def __next__(self):
        if self._fast is not None:
            idx = next(self._batches)
            self._num_yielded += 1
            if type(idx) is slice:  # copy: a batch must not alias the dataset
                return [_wrap(a[idx].copy()) for a in self._fast]
            if type(idx) is not np.ndarray:
                idx = np.asarray(idx, dtype=np.int64)
            return [_wrap(a[idx]) for a in self._fast]
        if self._loader._is_iterable:
            loader = self._loader
            if self._auto_collation:
                batch = list(itertools.islice(self._it, loader.batch_size))
                if not batch or (loader.drop_last and len(batch) < loader.batch_size):
                    raise StopIteration
                data = self._collate_fn(batch)
            else:
                data = self._collate_fn(next(self._it))
        else:
            idx = next(self._batches)
            if self._auto_collation:
                getitems = getattr(self._dataset, "__getitems__", None)
                data = self._collate_fn(getitems(idx) if getitems else [self._dataset[i] for i in idx])
            else:
                data = self._collate_fn(self._dataset[idx])
        self._num_yielded += 1
        return data


def _array_batches(bs):
    """Batches of a sequential/random sampler as index arrays (slices when sequential)."""
    order = bs._order()
    n, b = len(order), bs.batch_size
    stop = n - n % b if bs.drop_last else n
    if type(bs.sampler) is SequentialSampler:
        for i in range(0, stop, b):
            yield slice(i, min(i + b, n))
    else:
        for i in range(0, stop, b):
            yield order[i:i + b]


class _MultiProcessIter(_BaseIter):
    """Workers each get ``prefetch_factor`` tasks ahead; results come back in task order."""

    def __init__(self, loader):
        super().__init__(loader)
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        ctx = loader.multiprocessing_context or python_multiprocessing
        self._result_queue = ctx.Queue()
        self._index_queues, self._workers = [], []
        for wid in range(self._num_workers):
            iq = ctx.Queue()
            iq.cancel_join_thread()
            w = ctx.Process(target=_worker.worker_loop, daemon=True,
                            args=(self._dataset, loader._is_iterable, self._auto_collation,
                                  self._collate_fn, loader.drop_last, loader.batch_size, iq,
                                  self._result_queue, self._base_seed + wid, loader.worker_init_fn,
                                  wid, self._num_workers, os.getpid()))
            w.start()
            self._index_queues.append(iq)
            self._workers.append(w)
        self._shutdown = False
        self._epoch = -1
        self._reset(first=True)

    def _reset(self, first=False):
        self._epoch += 1
        self._sampler_iter = iter(self._loader._index_sampler)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_worker = {}
        self._reorder = {}
        self._active = [True] * self._num_workers
        self._next_worker = itertools.cycle(range(self._num_workers))
        self._num_yielded = 0
        for _ in range(self._prefetch * self._num_workers):
            self._put_task()

    def _put_task(self):
        if not any(self._active):
            return
        try:
            indices = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            w = next(self._next_worker)
            if self._active[w]:
                break
        self._index_queues[w].put((self._epoch, self._send_idx, indices))
        self._task_worker[self._send_idx] = w
        self._send_idx += 1

    def _get(self):
        timeout = self._timeout if self._timeout > 0 else 5.0
        while True:
            try:
                return self._result_queue.get(timeout=timeout)
            except queue.Empty:
                if self._timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) "
                                       "exited unexpectedly") from None

    def __next__(self):
        while True:
            if self._rcvd_idx >= self._send_idx:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if self._rcvd_idx in self._reorder:
                data = self._reorder.pop(self._rcvd_idx)
                self._task_worker.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
                if isinstance(data, _IterableDatasetStopIteration):
                    self._active[data.worker_id] = False
                    continue
                self._put_task()
                if isinstance(data, ExceptionWrapper):
                    self._shutdown_workers()
                    data.reraise()
                self._num_yielded += 1
                return data
            epoch, task_id, data = self._get()
            if epoch == self._epoch:
                self._reorder[task_id] = data

    def _shutdown_workers(self):
        if getattr(self, "_shutdown", True):
            return
        self._shutdown = True
        for q in self._index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for w in self._workers:
            w.join(timeout=5.0)
            if w.is_alive():
                w.terminate()
        for q in self._index_queues:
            q.close()
        self._result_queue.cancel_join_thread()
        self._result_queue.close()

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:
            pass


