"""Worker processes for DataLoader(num_workers > 0)."""
import os
import queue
import random
import sys
import traceback

_worker_info = None


class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed``, ``dataset``."""
    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """In a DataLoader worker process: its WorkerInfo; in the main process: None."""
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, exc_info, where):
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _IterableDatasetStopIteration:
    def __init__(self, worker_id):
        self.worker_id = worker_id


def _seed_worker(seed, worker_id=0):
    random.seed(seed)
    from ....ops.random import manual_seed
    manual_seed(seed)
    if "numpy" in sys.modules:
        # as PyTorch: NumPy's global state from a SeedSequence over (worker id, base seed)
        import numpy as np
        base = seed - worker_id
        words = [worker_id, base & 0xFFFFFFFF, base >> 32, 0]
        np.random.seed(np.random.SeedSequence(words).generate_state(4))


def worker_loop(dataset, is_iterable, auto_collation, collate_fn, drop_last, batch_size,
                index_queue, result_queue, seed, init_fn, worker_id, num_workers, parent_pid):
    """Fetch what the main process asks for, ``(epoch, task_id, indices)``, and send back
    ``(epoch, task_id, batch)``; ``None`` asks the worker to exit."""
    global _worker_info
    try:
        _seed_worker(seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exc = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
        except Exception:
            init_exc = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")
        epoch, it, exhausted = None, None, False
        while True:
            try:
                task = index_queue.get(timeout=5.0)
            except queue.Empty:
                if os.getppid() != parent_pid:
                    return
                continue
            if task is None:
                break
            task_epoch, task_id, indices = task
            if init_exc is not None:
                result_queue.put((task_epoch, task_id, init_exc))
                continue
            if is_iterable and task_epoch != epoch:
                epoch, it, exhausted = task_epoch, iter(dataset), False
            try:
                if is_iterable:
                    if exhausted:
                        data = _IterableDatasetStopIteration(worker_id)
                    else:
                        data = _next_iterable(it, auto_collation, batch_size, drop_last, collate_fn)
                        if data is None:
                            exhausted = True
                            data = _IterableDatasetStopIteration(worker_id)
                elif auto_collation:
                    getitems = getattr(dataset, "__getitems__", None)
                    samples = getitems(indices) if getitems else [dataset[i] for i in indices]
                    data = collate_fn(samples)
                else:
                    data = collate_fn(dataset[indices])
            except Exception:
                data = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")
            result_queue.put((task_epoch, task_id, data))
            del data
    except KeyboardInterrupt:
        pass
    finally:
        try:
            result_queue.cancel_join_thread()
        except Exception:
            pass


def _next_iterable(it, auto_collation, batch_size, drop_last, collate_fn):
    """The next batch (or sample) from an iterable dataset; None at its end."""
    if not auto_collation:
        try:
            return collate_fn(next(it))
        except StopIteration:
            return None
    batch = []
    for x in it:
        batch.append(x)
        if len(batch) == batch_size:
            break
    if not batch or (drop_last and len(batch) < batch_size):
        return None
    return collate_fn(batch)
