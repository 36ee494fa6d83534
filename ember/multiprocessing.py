"""torch.multiprocessing: Python's multiprocessing, plus ``spawn``.

Tensors pickle by value (``Tensor.__reduce_ex__``), so they move between processes through
queues and pipes as copies; ember has no shared-memory tensor storage (``share_memory_`` is a
no-op), so a tensor changed in a child is not seen by the parent.
"""
import multiprocessing as _mp
import sys
import traceback
from multiprocessing import *  # noqa: F401,F403

__all__ = list(_mp.__all__) + ["spawn", "start_processes", "ProcessContext", "ProcessRaisedException",
                               "ProcessExitedException", "get_sharing_strategy", "set_sharing_strategy",
                               "get_all_sharing_strategies"]

_sharing_strategy = ["file_descriptor"]


def get_all_sharing_strategies():
    return {"file_descriptor", "file_system"}


def get_sharing_strategy():
    return _sharing_strategy[0]


def set_sharing_strategy(new_strategy):
    if new_strategy not in get_all_sharing_strategies():
        raise AssertionError(f"unknown sharing strategy {new_strategy!r}")
    _sharing_strategy[0] = new_strategy


class ProcessException(Exception):
    def __init__(self, msg, error_index, pid):
        super().__init__(msg)
        self.msg, self.error_index, self.pid = msg, error_index, pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A spawned process raised: the message carries its traceback."""


class ProcessExitedException(ProcessException):
    """A spawned process exited with a non-zero code (or a signal)."""

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _wrap(fn, i, args, error_queue):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        error_queue.put(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    def __init__(self, processes, error_queues):
        self.processes = processes
        self.error_queues = error_queues

    def pids(self):
        return [p.pid for p in self.processes]

    def join(self, timeout=None):
        """Wait for all processes; raise if one failed (after stopping the others)."""
        from multiprocessing.connection import wait
        alive = {p.sentinel: i for i, p in enumerate(self.processes) if p.exitcode is None}
        while alive:
            ready = wait(list(alive), timeout=timeout)
            if not ready:
                return False
            for s in ready:
                i = alive.pop(s)
                p = self.processes[i]
                p.join()
                if p.exitcode != 0:
                    for q in self.processes:
                        if q.is_alive():
                            q.terminate()
                        q.join()
                    if not self.error_queues[i].empty():
                        tb = self.error_queues[i].get()
                        raise ProcessRaisedException(
                            f"\n\n-- Process {i} terminated with the following error:\n{tb}", i, p.pid)
                    raise ProcessExitedException(f"process {i} terminated with exit code {p.exitcode}",
                                                 i, p.pid, p.exitcode)
        return True


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Run ``fn(i, *args)`` in ``nprocs`` processes, i = 0..nprocs-1."""
    ctx = _mp.get_context(start_method)
    processes, queues = [], []
    for i in range(nprocs):
        q = ctx.SimpleQueue()
        p = ctx.Process(target=_wrap, args=(fn, i, args, q), daemon=daemon)
        p.start()
        processes.append(p)
        queues.append(q)
    context = ProcessContext(processes, queues)
    if not join:
        return context
    while not context.join():
        pass
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """``torch.multiprocessing.spawn``: like start_processes with the 'spawn' start method.

    >>> torch.multiprocessing.spawn(train, args=(world_size,), nprocs=world_size)
    """
    return start_processes(fn, args, nprocs, join, daemon, start_method)
