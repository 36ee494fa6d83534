"""What every operation returns and how it is waited for: Work, and polling with a timeout.

Every operation is posted as a non-blocking MPI request and waited for by polling
(``_wait``): a peer that died or stopped calling collectives then makes this rank raise
``DistBackendError`` after the group's timeout instead of blocking forever inside MPI.
"""
import os
import time
from datetime import timedelta

from . import _mpi

__all__ = ["Work", "DistError", "DistBackendError", "DistNetworkError", "DistStoreError",
           "default_pg_timeout"]

default_pg_timeout = timedelta(minutes=30)      # PyTorch's default for CPU backends


class DistError(RuntimeError):
    """Base class of the errors ember.distributed raises (PyTorch's name)."""


class DistBackendError(DistError):
    """The engine failed or a peer did not answer within the timeout."""


class DistNetworkError(DistError):
    pass


class DistStoreError(DistError):
    pass


for _cls in (DistError, DistBackendError, DistNetworkError, DistStoreError):
    _cls.__module__ = "ember.distributed"
del _cls


def _timeout_seconds(timeout):
    if timeout is None:
        return default_pg_timeout.total_seconds()
    if isinstance(timeout, timedelta):
        return timeout.total_seconds()
    return float(timeout)


def _wait(reqs, pg, what, timeout=None, status=None):
    """Complete MPI requests, raising DistBackendError after the timeout.

    NOTE: polling with Test instead of MPI's blocking Wait is what makes timeouts possible
    (a blocked MPI call cannot be interrupted). It spins for 2 ms, as a blocking MPI call does
    (yielding sooner loses the CPU to other processes on a busy machine for a whole slice),
    then yields the CPU between polls (ranks often outnumber free cores), and after 20 ms
    sleeps a little between polls, so that a rank waiting for a slow peer leaves it the CPU.
    """
    MPI = _mpi.MPI
    if len(reqs) == 1:
        req = reqs[0]
        if req.Test(status):
            return
        test = lambda: req.Test(status)     # noqa: E731
    else:
        if MPI.Request.Testall(reqs):
            return
        test = lambda: MPI.Request.Testall(reqs)    # noqa: E731
    limit = pg._timeout if timeout is None else _timeout_seconds(timeout)
    now = time.monotonic
    t0 = now()
    deadline, spin_until, yield_until = t0 + limit, t0 + 2e-3, t0 + 0.02
    nap = 5e-5
    while not test():
        t = now()
        if t < spin_until:
            continue
        if t < yield_until:
            _yield()
            continue
        if t > deadline:
            raise DistBackendError(
                f"[rank {pg._ranks[pg._rank]}] {what} timed out after {limit:g} s (the process "
                f"group's timeout): a peer process may have died or stopped calling "
                f"collectives. ranks={pg._ranks}")
        time.sleep(nap)
        nap = min(nap * 2, 1e-3)


_yield = getattr(os, "sched_yield", lambda: time.sleep(0))


class Work:
    """What an ``async_op=True`` call returns: ``wait()`` blocks until the result is in place."""

    def __init__(self, reqs, pg, what, finish=(), result=None, status=None):
        self._reqs = reqs
        self._pg = pg
        self._what = what
        self._finish = finish           # callables run once, after the requests complete
        self._result = result
        self._status = status
        self._done = False

    def wait(self, timeout=None):
        if not self._done:
            if self._reqs:
                _wait(self._reqs, self._pg, self._what, timeout, self._status)
            self._complete()
        return True

    def _complete(self):
        self._done = True
        finish, self._finish = self._finish, ()
        for f in finish:
            f()

    def is_completed(self):
        if not self._done and _mpi.MPI.Request.Testall(self._reqs):
            self._complete()
        return self._done

    def is_success(self):
        return self.is_completed()

    def exception(self):
        return None

    def synchronize(self):
        self.wait()

    def result(self):
        self.wait()
        return list(self._result or [])

    def source_rank(self):
        self.wait()
        if self._status is None:
            raise RuntimeError("source_rank() is only available on a recv from any source")
        return self._pg._ranks[self._status.Get_source()]

    def get_future(self):
        return _Future(self)

    def _run(self, async_op):
        """Return the handle for ``async_op=True``; otherwise complete now and return None."""
        if async_op:
            return self
        self.wait()
        return None


class _Future:
    """``work.get_future()``: ``wait()``/``value()`` give the output tensors; ``then(fn)``."""

    def __init__(self, work):
        self._work = work

    def wait(self):
        return self._work.result()

    value = wait

    def done(self):
        return self._work.is_completed()

    def then(self, callback):
        done = _DoneFuture(callback(self))
        return done


class _DoneFuture:
    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value

    value = wait

    def done(self):
        return True
