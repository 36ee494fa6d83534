"""The Starlette application: KServe V2 REST routes over a model repository.

Every error is ``{"error": "..."}`` with its status: 400 for a request the model cannot take,
404 for an unknown model, version or route, 413 for a body over the limit, 503 while a model
is not ready, 408 when the body takes longer than the request timeout to arrive and 504 when the
result does.
"""
import asyncio
import contextlib
import gzip
import logging
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from .metrics import Metrics
from .protocol import (
    TRITON_CONFIG_TYPES,
    ProtocolError,
    decode_inputs,
    dumps,
    encode_response,
    requested_outputs,
    split_body,
)
from .repository import Repository

log = logging.getLogger("ember.serve")

_JSON = "application/json"


def _json(doc, status=200):
    return Response(dumps(doc), status, media_type=_JSON)


def _error(message, status):
    return _json({"error": message}, status)


async def _read_body(request, limit):
    # NOTE: a body over the limit is read on and dropped (up to a bound) before the 413, so
    # that an ordinary client, still sending, gets the answer rather than a broken pipe.
    drain = 2 * limit + (1 << 20)
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ProtocolError(f"Content-Length is not an integer: {length!r}")
        if int(length) > drain:
            raise ProtocolError(f"request body of {int(length)} bytes is over the limit of "
                                f"{limit} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            chunks = None
            if size > drain:
                break
        elif chunks is not None:
            chunks.append(chunk)
    if chunks is None:
        raise ProtocolError(f"request body of {size}{'+' if size > drain else ''} bytes is over "
                            f"the limit of {limit} bytes", 413)
    body = b"".join(chunks)
    encoding = request.headers.get("content-encoding")
    if encoding:
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(encoding.lower())
        if wbits is None:
            raise ProtocolError(f"unsupported Content-Encoding {encoding!r} (gzip, deflate)", 415)
        d = zlib.decompressobj(wbits)
        try:
            body = d.decompress(body, limit + 1)
        except zlib.error as exc:
            raise ProtocolError(f"body is not valid {encoding}: {exc}") from None
        if len(body) > limit or d.unconsumed_tail:
            raise ProtocolError(f"decompressed request body is over the limit of {limit} "
                                f"bytes", 413)
    return body


class _Server:
    """Holds what the routes share: the repository, the metrics, the settings."""

    def __init__(self, repository, metrics, max_request_bytes, request_timeout, model_control):
        self.repo = repository
        self.metrics = metrics
        self.max_request_bytes = max_request_bytes
        self.request_timeout = request_timeout
        self.model_control = model_control
        self.shutting_down = False
        self._counters = {}           # (model, version, status) -> metric child, looked up once
        self._latency = {}

    # -- server and model metadata ------------------------------------------------------------
    async def server_metadata(self, request):
        from .. import __version__
        ext = ["binary_tensor_data"] + (["model_repository"] if self.model_control else [])
        return _json({"name": "ember", "version": __version__.split("+")[0], "extensions": ext})

    async def live(self, request):
        return _json({"live": True})

    async def ready(self, request):
        if self.shutting_down:
            return _json({"ready": False, "error": "the server is shutting down"}, 503)
        if not self.repo.ready():
            waiting = sorted(n for n in self.repo.expected
                             if not (self.repo.models.get(n) and self.repo.models[n].versions))
            return _json({"ready": False, "error": f"models not ready: {waiting}"}, 503)
        return _json({"ready": True})

    def _version(self, request):
        p = request.path_params
        return self.repo.get(p["model"], p.get("version"))

    async def model_metadata(self, request):
        try:
            mv = self._version(request)
        except ProtocolError as exc:
            return _error(str(exc), exc.status)
        return _json(mv.metadata(sorted(self.repo.models[mv.name].versions)))

    async def model_ready(self, request):
        try:
            mv = self._version(request)
        except ProtocolError as exc:
            return _error(str(exc), exc.status)
        return _json({"name": mv.name, "version": str(mv.version), "ready": True})

    async def model_config(self, request):
        # Triton's model configuration (tritonclient's get_model_config), the fields that apply.
        try:
            mv = self._version(request)
        except ProtocolError as exc:
            return _error(str(exc), exc.status)
        limit = self.repo._batch_limit(mv)

        def t(s):
            return {"name": s["name"], "data_type": TRITON_CONFIG_TYPES[s["datatype"]],
                    "dims": [-1 if d is None else d for d in s["shape"]]}
        return _json({"name": mv.name, "platform": "ember", "backend": "ember",
                      "max_batch_size": 0, "input": [t(s) for s in mv.inputs],
                      "output": [t(s) for s in mv.outputs],
                      "dynamic_batching": {"max_batch_size": limit,
                                           "max_queue_delay_microseconds":
                                               int(self.repo.max_delay * 1e6)}})

    # -- inference ----------------------------------------------------------------------------
    async def infer(self, request):
        t0 = time.perf_counter()
        name = request.path_params["model"]
        version_label = ""        # set once the version is known: no label per bad path
        mv = None
        status = 200
        try:
            try:
                body = await asyncio.wait_for(_read_body(request, self.max_request_bytes),
                                              self.request_timeout)
            except TimeoutError:
                raise ProtocolError(f"the request body did not arrive within the request "
                                    f"timeout of {self.request_timeout:g} s", 408) from None
            mv = self._version(request)
            version_label = str(mv.version)
            doc, binary = split_body(body, request.headers.get("inference-header-content-length"))
            arrays, datatypes = decode_inputs(doc, binary)
            wanted = requested_outputs(doc, mv.output_names)
            ordered, rows, key = mv.check(arrays, datatypes)
            # NOTE: no await between looking the version up and queueing on it, so a swap
            # cannot slip in between: this request runs on the version it looked up.
            fut = mv.batcher.submit(ordered, rows, key)
            timeout = self.request_timeout
            asked = (doc.get("parameters") or {}).get("timeout")   # Triton's, in microseconds
            if type(asked) is int and asked > 0:
                timeout = min(timeout, asked / 1e6)
            try:
                outs = await asyncio.wait_for(fut, timeout)
            except TimeoutError:
                raise ProtocolError(f"no result within the request timeout of {timeout:g} s",
                                    504) from None
            by_name = dict(zip(mv.output_names, outs))
            # The request's id, or one of ours: some V2 clients read "id" unconditionally.
            header = {"model_name": mv.name, "model_version": str(mv.version),
                      "id": doc["id"] if "id" in doc else uuid.uuid4().hex}
            payload, head_len = encode_response(
                header, [(n, mv.datatypes[n], by_name[n], b) for n, b in wanted])
            headers = {}
            if head_len is not None:
                headers["Inference-Header-Content-Length"] = str(head_len)
            accept = request.headers.get("accept-encoding", "")
            if len(payload) > 4096 and accept:
                if "gzip" in accept:
                    payload, headers["Content-Encoding"] = gzip.compress(payload, 1), "gzip"
                elif "deflate" in accept:
                    payload, headers["Content-Encoding"] = zlib.compress(payload, 1), "deflate"
            media = _JSON if head_len is None else "application/octet-stream"
            response = Response(payload, 200, headers=headers, media_type=media)
        except ProtocolError as exc:
            status = exc.status
            response = _error(str(exc), status)
        except Exception as exc:   # the model itself failed on this request's values
            status = 400 if isinstance(exc, (ValueError, IndexError, TypeError)) else 500
            log.warning("model '%s' failed on a request: %s: %s", name, type(exc).__name__, exc)
            response = _error(f"model '{name}' failed on this request: "
                              f"{type(exc).__name__}: {exc}", status)
        if mv is not None:
            mv.stats.request(status == 200, time.perf_counter() - t0)
        if self.metrics is not None and name in self.repo.models:
            key = (name, version_label, status)
            counter = self._counters.get(key)
            if counter is None:
                counter = self._counters[key] = self.metrics.requests.labels(
                    name, version_label, str(status))
            counter.inc()
            if status == 200:
                hist = self._latency.get(key)
                if hist is None:
                    hist = self._latency[key] = self.metrics.latency.labels(name, version_label)
                hist.observe(time.perf_counter() - t0)
        return response

    async def model_stats(self, request):
        p = request.path_params
        if "model" not in p:
            rows = [mv.stats.as_dict(n, v) for n, m in sorted(self.repo.models.items())
                    for v, mv in sorted(m.versions.items())]
        else:
            try:
                if p.get("version"):
                    versions = [self._version(request)]
                else:
                    self.repo.get(p["model"])          # 404 / 503 as for metadata
                    versions = [mv for _, mv in sorted(self.repo.models[p["model"]].versions.items())]
            except ProtocolError as exc:
                return _error(str(exc), exc.status)
            rows = [mv.stats.as_dict(mv.name, mv.version) for mv in versions]
        return _json({"model_stats": rows})

    # -- model control (off unless asked for) -------------------------------------------------
    def _control_off(self):
        return _error("model control is off: start the server with --model-control "
                      "(model_control=True) to use the repository endpoints", 403)

    async def repo_index(self, request):
        if not self.model_control:
            return self._control_off()
        return _json(self.repo.index())

    async def repo_load(self, request):
        if not self.model_control:
            return self._control_off()
        name = request.path_params["model"]
        for key in [k for k in self.repo.refused if k[0] == name]:
            del self.repo.refused[key]      # an explicit load tries refused files again
        try:
            await self.repo.sync(only=name)
        except ProtocolError as exc:
            return _error(str(exc), exc.status)
        model = self.repo.models.get(name)
        if model is None or not model.versions:
            reasons = [r for (n, _), (_, r) in self.repo.refused.items() if n == name]
            return _error(f"failed to load model '{name}': {'; '.join(reasons) or 'no versions'}",
                          400)
        self.repo.expected.add(name)
        return _json({})

    async def repo_unload(self, request):
        if not self.model_control:
            return self._control_off()
        try:
            await self.repo.unload(request.path_params["model"])
        except ProtocolError as exc:
            return _error(str(exc), exc.status)
        return _json({})

    async def metrics_page(self, request):
        return Response(self.metrics.render(), media_type=self.metrics.content_type)


async def _http_error(request, exc):
    where = f"{request.method} {request.url.path}"
    message = {404: f"no such endpoint: {where}",
               405: f"method not allowed: {where}"}.get(exc.status_code, f"{where}: {exc.detail}")
    return _error(message, exc.status_code)


def create_app(model_path, *, name=None, max_batch_size=32, max_delay_ms=2.0, poll_interval=2.0,
               version_policy="latest:1", model_control=False, max_request_bytes=64 << 20,
               request_timeout=60.0, loader=None, on_ready=None):
    """The ASGI application serving ``model_path`` over the KServe V2 REST protocol.

    ``model_path`` is one exported file (``model.pt2``, served as ``name`` or its stem, version
    1) or a repository folder ``<name>/<version>/model.pt2``, which is polled every
    ``poll_interval`` seconds (0: never) for new versions. ``loader(path)`` returns the program
    (default ``ember.export.load``). ``on_ready(repository)`` is called once the models loaded.
    Run it with any ASGI server::

        import uvicorn
        from ember.serve import create_app
        uvicorn.run(create_app("models/", max_batch_size=32), host="127.0.0.1", port=8000)
    """
    metrics = Metrics()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ember-serve-compute")
    repo = Repository(model_path, name=name, loader=loader, executor=executor, metrics=metrics,
                      max_batch_size=max_batch_size, max_delay=max_delay_ms / 1000.0,
                      version_policy=version_policy)
    server = _Server(repo, metrics, int(max_request_bytes), float(request_timeout), model_control)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await repo.start()
        poller = None
        if poll_interval and not repo.single_file:
            poller = asyncio.get_running_loop().create_task(repo.poll(poll_interval))
        if on_ready is not None:
            on_ready(repo)
        try:
            yield
        finally:
            server.shutting_down = True
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            await repo.close()
            executor.shutdown(wait=True)

    s = server
    model = "/v2/models/{model}"
    version = model + "/versions/{version}"
    # The router tries routes in order: inference first, it is nearly all the traffic.
    routes = [Route(model + "/infer", s.infer, methods=["POST"]),
              Route(version + "/infer", s.infer, methods=["POST"]),
              Route("/v2/models/stats", s.model_stats)]
    for base in (model, version):
        routes += [Route(base, s.model_metadata), Route(base + "/ready", s.model_ready),
                   Route(base + "/config", s.model_config), Route(base + "/stats", s.model_stats)]
    routes += [
        Route("/v2", s.server_metadata), Route("/v2/", s.server_metadata),
        Route("/v2/health/live", s.live), Route("/v2/health/ready", s.ready),
        Route("/metrics", s.metrics_page),
        Route("/v2/repository/index", s.repo_index, methods=["POST", "GET"]),
        Route("/v2/repository/models/{model}/load", s.repo_load, methods=["POST"]),
        Route("/v2/repository/models/{model}/unload", s.repo_unload, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error})
    app.state.repository = repo
    app.state.metrics = metrics
    return app
