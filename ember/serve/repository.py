"""The model repository: which models and versions serve, loading, hot swap, unloading.

Two layouts: one file (``model.pt2``: one model, version 1), or a folder
``models/<name>/<version>/model.pt2`` with integer version folders (a folder that itself holds
version folders is one model named after it). A version loads beside the serving ones, warms up
on the artifact's sample inputs and must reproduce its sample outputs; only then does it become
visible (one dict assignment on the event loop, so a request sees the old or the new version,
never a half-loaded one). Versions that fall out of the version policy stop taking requests and
finish the ones they hold before they go. A version that fails is refused with a log line; the
serving one keeps serving, and the same file is not retried until it changes.
"""
import asyncio
import logging
import os
import time

from .batcher import Batcher
from .model import ServedVersion
from .protocol import ProtocolError

log = logging.getLogger("ember.serve")

ARTIFACT = "model.pt2"


def _default_loader(path):
    from ember import export
    return export.load(path)


def _stamp(path):
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size)


class Model:
    """A model name and its loaded versions; requests without a version go to the newest."""

    def __init__(self, name):
        self.name = name
        self.versions = {}            # int -> ServedVersion, only ready ones

    @property
    def default(self):
        return self.versions[max(self.versions)] if self.versions else None


class Repository:
    def __init__(self, path, *, name=None, loader=None, executor=None, metrics=None,
                 max_batch_size=32, max_delay=0.002, version_policy="latest:1"):
        self.path = os.path.abspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"no model file or repository at {path}")
        self.single_name = name
        self.loader = loader or _default_loader
        self.executor = executor
        self.metrics = metrics
        self.max_batch_size = int(max_batch_size)
        self.max_delay = float(max_delay)
        self.keep = self._parse_policy(version_policy)
        self.models = {}              # name -> Model
        self.refused = {}             # (name, version) -> (file stamp, reason)
        self.expected = set()         # model names found on disk at startup
        self._lock = None
        self._tasks = set()

    @property
    def single_file(self):
        return os.path.isfile(self.path)

    @staticmethod
    def _parse_policy(policy):
        if policy == "all":
            return None
        if policy.startswith("latest"):
            n = policy.partition(":")[2] or "1"
            if n.isdigit() and int(n) >= 1:
                return int(n)
        raise ValueError(f"version policy must be 'all' or 'latest[:N]', got {policy!r}")

    # -- what is on disk ----------------------------------------------------------------------
    @staticmethod
    def _versions_in(folder):
        out = {}
        try:
            entries = os.listdir(folder)
        except OSError:
            return out
        for v in entries:
            f = os.path.join(folder, v, ARTIFACT)
            if v.isdigit() and os.path.isfile(f):
                out[int(v)] = f
        return out

    def scan(self):
        """{model name: {version: artifact path}} as the disk has it now."""
        if os.path.isfile(self.path):
            name = self.single_name or os.path.splitext(os.path.basename(self.path))[0]
            return {name: {1: self.path}}
        if not os.path.isdir(self.path):
            raise FileNotFoundError(f"no model file or repository at {self.path}")
        own = self._versions_in(self.path)
        if own:
            return {self.single_name or os.path.basename(self.path.rstrip(os.sep)): own}
        found = {}
        for name in sorted(os.listdir(self.path)):
            vs = self._versions_in(os.path.join(self.path, name))
            if vs:
                found[name] = vs
        return found

    # -- lookups (event loop) -----------------------------------------------------------------
    def get(self, name, version=None):
        """The ServedVersion for a request, or a ProtocolError (404 unknown, 503 not ready)."""
        model = self.models.get(name)
        if model is None or (not model.versions and name not in self.expected):
            raise ProtocolError(f"unknown model '{name}'", 404)
        if version is None or version == "":
            mv = model.default
            if mv is None:
                raise ProtocolError(f"model '{name}' has no version ready", 503)
            return mv
        if not str(version).isdigit():
            raise ProtocolError(f"model version must be a non-negative integer, got '{version}'")
        mv = model.versions.get(int(version))
        if mv is None:
            raise ProtocolError(f"unknown version '{version}' of model '{name}' (serving: "
                                f"{sorted(model.versions)})", 404)
        return mv

    def ready(self):
        return all(self.models.get(n) is not None and self.models[n].versions for n in self.expected)

    def index(self):
        rows = []
        for name, vs in sorted(self.scan().items()):
            model = self.models.get(name)
            for v in sorted(vs):
                if model is not None and v in model.versions:
                    rows.append({"name": name, "version": str(v), "state": "READY"})
                elif (name, v) in self.refused:
                    rows.append({"name": name, "version": str(v), "state": "UNAVAILABLE",
                                 "reason": self.refused[(name, v)][1]})
                else:
                    rows.append({"name": name, "version": str(v), "state": "UNAVAILABLE",
                                 "reason": "not loaded"})
        return rows

    # -- loading ------------------------------------------------------------------------------
    async def start(self):
        self._lock = asyncio.Lock()
        found = self.scan()
        self.expected = set(found)
        for name in found:
            self.models.setdefault(name, Model(name))
        await self.sync(found)

    async def sync(self, found=None, only=None):
        """Loads what the disk has that does not serve yet, newest first within the policy, and
        unloads versions whose folders are gone. ``only`` limits it to one model name."""
        async with self._lock:
            found = self.scan() if found is None else found
            for name, vs in found.items():
                if only is not None and name != only:
                    continue
                model = self.models.setdefault(name, Model(name))
                # Newest first, passing over refused files, until the policy's count serves.
                serving = 0
                for v in sorted(vs, reverse=True):
                    if self.keep is not None and serving >= self.keep:
                        break
                    if v in model.versions:
                        serving += 1
                        continue
                    try:
                        stamp = _stamp(vs[v])
                    except OSError:
                        continue
                    refusal = self.refused.get((name, v))
                    if refusal is not None and refusal[0] == stamp:
                        continue
                    if await self._load(model, v, vs[v], stamp):
                        serving += 1
                gone = [v for v in model.versions if v not in vs]
                for v in gone:
                    await self._retire(model, v, "its folder is gone")
                self._apply_policy(model)
            if only is not None and only not in found:
                raise ProtocolError(f"no model '{only}' in the repository", 404)

    async def _load(self, model, version, path, stamp):
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        try:
            # NOTE: loading and warm-up run on the compute thread, like every forward: ember's
            # grad mode and tracers are process-wide, so two threads must never run it at once.
            mv, notes = await loop.run_in_executor(self.executor, self._build, model.name,
                                                   version, path)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            self.refused[(model.name, version)] = (stamp, reason)
            if self.metrics:
                self.metrics.loads.labels(model.name, str(version), "refused").inc()
            serving = sorted(model.versions)
            log.error("refused model '%s' version %d from %s: %s%s", model.name, version, path,
                      reason, f" (still serving version {serving[-1]})" if serving else "")
            return False
        mv.batcher = Batcher(self._runner(mv), self.executor, self._batch_limit(mv),
                             self.max_delay, self._observer(mv)).start()
        old = model.default
        model.versions[version] = mv         # the swap: visible to the next request
        mv.state = "READY"
        self.refused.pop((model.name, version), None)
        if self.metrics:
            self.metrics.loads.labels(model.name, str(version), "loaded").inc()
            self.metrics.ready.labels(model.name, str(version)).set(1)
        for n in notes:
            log.warning("model '%s' version %d: %s", model.name, version, n)
        batching = (f"batching up to {self._batch_limit(mv)} rows" if mv.batch_max
                    and self.max_batch_size > 1 else "no batching")
        log.info("loaded model '%s' version %d from %s in %.2f s (warmed up, sample outputs "
                 "reproduce; %s)", model.name, version, path, time.perf_counter() - t0, batching)
        if old is not None and model.default is mv:
            log.info("swapped model '%s': version %d -> %d", model.name, old.version, version)
        return True

    def _build(self, name, version, path):
        program = self.loader(path)
        mv = ServedVersion(name, version, program, path)
        notes = mv.warm_up(self.max_batch_size)
        return mv, notes

    def _batch_limit(self, mv):
        return int(min(self.max_batch_size, mv.batch_max)) if mv.batch_max else 1

    def _runner(self, mv):
        hist = self.metrics.forward.labels(mv.name, str(mv.version)) if self.metrics else None

        def run(items):
            t0 = time.perf_counter()
            out = mv.run_batch(items)
            dt = time.perf_counter() - t0
            if hist is not None:
                hist.observe(dt)
            mv.stats.executed(sum(it.rows for it in items), len(items), dt)
            return out
        return run

    def _observer(self, mv):
        if not self.metrics:
            return mv.stats.queued
        sizes = self.metrics.batch_size.labels(mv.name, str(mv.version))
        delay = self.metrics.queue_delay.labels(mv.name, str(mv.version))

        def observe(rows, delays):
            sizes.observe(rows)
            for d in delays:
                delay.observe(d)
            mv.stats.queued(rows, delays)
        return observe

    def _apply_policy(self, model):
        if self.keep is None:
            return
        for v in sorted(model.versions, reverse=True)[self.keep:]:
            # The loop holds tasks weakly: keep a reference until the retirement is done.
            task = asyncio.get_running_loop().create_task(
                self._retire(model, v, f"a newer version serves (policy latest:{self.keep})"))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _retire(self, model, version, why):
        mv = model.versions.pop(version, None)
        if mv is None:
            return
        mv.state = "UNLOADING"
        if self.metrics:
            self.metrics.ready.labels(model.name, str(version)).set(0)
        queued = len(mv.batcher)
        await mv.batcher.close()       # in-flight requests finish on this version
        log.info("unloaded model '%s' version %d: %s (%d queued requests finished first)",
                 model.name, version, why, queued)

    async def unload(self, name):
        model = self.models.get(name)
        if model is None:
            raise ProtocolError(f"unknown model '{name}'", 404)
        async with self._lock:
            for v in list(model.versions):
                await self._retire(model, v, "unload requested")
            self.expected.discard(name)

    async def poll(self, interval):
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sync()
            except Exception as exc:      # a repository being edited: try again next time
                log.warning("polling the model repository failed: %s", exc)

    async def close(self):
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for model in self.models.values():
            for v in list(model.versions):
                await self._retire(model, v, "server shutting down")
