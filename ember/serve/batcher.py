"""Dynamic batching: concurrent requests to one model version become one forward pass.

Requests wait in arrival order. A batch starts with the oldest one and takes every later
request with the same non-batch shapes (``key``) while the rows fit in ``max_batch_size``; it
runs when full or when the oldest request has waited ``max_delay`` seconds. Requests with other
shapes stay queued for the next batch: shapes are never mixed. The forward runs on the compute
executor, so the event loop keeps accepting (and queueing) requests meanwhile; by the time it
returns, the next batch is usually already waiting.
"""
import asyncio
import time


class Item:
    __slots__ = ("arrays", "enqueued", "future", "key", "rows")

    def __init__(self, arrays, rows, key, future):
        self.arrays = arrays
        self.rows = rows
        self.key = key
        self.future = future
        self.enqueued = time.perf_counter()


class Batcher:
    """Queues requests for ``run_batch(items) -> [outputs or exception]`` and runs them in
    batches of at most ``max_batch_size`` rows, waiting at most ``max_delay`` seconds."""

    def __init__(self, run_batch, executor, max_batch_size=32, max_delay=0.002, observe=None):
        self.run_batch = run_batch
        self.executor = executor
        self.max_batch_size = max(1, int(max_batch_size))
        self.max_delay = max(0.0, float(max_delay))
        self.observe = observe          # observe(batch_rows, [queue delays]) for metrics
        self._pending = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._task = None
        self.busy = False

    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    def submit(self, arrays, rows, key):
        """A future for the outputs of one request (its arrays already checked)."""
        if self._closing and self._task is None:
            raise RuntimeError("this model version has been unloaded")
        fut = asyncio.get_running_loop().create_future()
        self._pending.append(Item(arrays, rows, key, fut))
        self._wakeup.set()
        return fut

    def __len__(self):
        return len(self._pending)

    async def close(self):
        """Stops taking new work after running everything already queued."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None

    def _take(self):
        """Removes and returns the next batch from the queue."""
        pending = self._pending
        first = pending[0]
        batch, rows, rest = [first], first.rows, []
        limit = self.max_batch_size
        for it in pending[1:]:
            if it.key == first.key and rows + it.rows <= limit:
                batch.append(it)
                rows += it.rows
            else:
                rest.append(it)
        self._pending = rest
        return batch, rows

    def _full(self):
        pending = self._pending
        first = pending[0]
        rows = 0
        for it in pending:
            if it.key == first.key:
                rows += it.rows
                if rows >= self.max_batch_size:
                    return True
        return False

    async def _loop(self):
        loop = asyncio.get_running_loop()
        while True:
            # Requests whose caller gave up (timeout, disconnect) are dropped unrun.
            self._pending = [it for it in self._pending if not it.future.done()]
            if not self._pending:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if self.max_batch_size > 1 and not self._closing:
                deadline = self._pending[0].enqueued + self.max_delay
                while not self._full() and not self._closing:
                    remaining = deadline - time.perf_counter()
                    if remaining <= 0:
                        break
                    self._wakeup.clear()
                    try:
                        await asyncio.wait_for(self._wakeup.wait(), remaining)
                    except TimeoutError:
                        break
            batch, rows = self._take()
            batch = [it for it in batch if not it.future.done()]
            if not batch:
                continue
            started = time.perf_counter()
            if self.observe is not None:
                self.observe(rows, [started - it.enqueued for it in batch])
            self.busy = True
            try:
                results = await loop.run_in_executor(self.executor, self.run_batch, batch)
            except Exception as exc:     # run_batch itself failed: every request gets the error
                results = [exc] * len(batch)
            finally:
                self.busy = False
            for it, res in zip(batch, results):
                if it.future.done():
                    continue
                if isinstance(res, BaseException):
                    it.future.set_exception(res)
                else:
                    it.future.set_result(res)
