"""``ember serve MODEL_OR_REPOSITORY [options]``: the command line of ember.serve."""
import argparse
import logging
import signal
import socket
import sys


def _parser():
    p = argparse.ArgumentParser(
        prog="ember serve",
        description="Serve an exported model (model.pt2) or a model repository "
                    "(<name>/<version>/model.pt2) over HTTP with the KServe V2 protocol.")
    p.add_argument("path", help="an exported model file, or a repository folder")
    p.add_argument("--name", help="model name (default: the file's stem or the folder's name)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--max-batch-size", type=int, default=32,
                   help="most rows in one batched forward (default 32; 1 turns batching off)")
    p.add_argument("--max-delay-ms", type=float, default=2.0,
                   help="longest a request waits for others to batch with (default 2)")
    p.add_argument("--poll-interval", type=float, default=2.0,
                   help="seconds between repository scans for new versions (default 2; 0: off)")
    p.add_argument("--version-policy", default="latest:1",
                   help="versions kept serving: latest[:N] or all (default latest:1)")
    p.add_argument("--model-control", action="store_true",
                   help="enable /v2/repository/index and the load/unload endpoints")
    p.add_argument("--max-request-mb", type=float, default=64.0,
                   help="largest request body in MiB (default 64)")
    p.add_argument("--request-timeout", type=float, default=60.0,
                   help="seconds a request may wait for its result (default 60)")
    p.add_argument("--blas-threads", type=int, default=1,
                   help="BLAS threads for the forward passes (default 1: batching, not BLAS "
                        "threads, is what uses the cores; 0 leaves BLAS's own default)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument("--access-log", action="store_true", help="log every request")
    return p


def _describe(repo, url):
    lines = [f"ember serve: serving on {url} (KServe V2 protocol; metrics at {url}/metrics)"]
    for name, model in sorted(repo.models.items()):
        for v, mv in sorted(model.versions.items()):
            def sig(specs):
                return ", ".join(f"{s['name']} {s['datatype']}"
                                 f"[{', '.join('-1' if d is None else str(d) for d in s['shape'])}]"
                                 for s in specs)
            lines.append(f"  model '{name}' version {v}: ({sig(mv.inputs)}) -> "
                         f"({sig(mv.outputs)})")
    for (name, v), (_, reason) in sorted(repo.refused.items()):
        lines.append(f"  refused model '{name}' version {v}: {reason}")
    if not repo.models or not any(m.versions for m in repo.models.values()):
        lines.append("  no model loaded")
    print("\n".join(lines), flush=True)


def _limit_blas(n):
    # NOTE: a multi-threaded BLAS on a busy machine makes a batch-16 forward of a small MLP
    # 10x slower (3.4 ms against 0.27 ms measured on 2 loaded cores): its threads spin against
    # the event loop and against each other.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        logging.getLogger("ember.serve").warning(
            "threadpoolctl is not installed: BLAS keeps its own thread count "
            "(pip install 'ember[serve]')")
        return
    threadpool_limits(limits=n, user_api="blas")


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        from . import require
        require()
    except ImportError as exc:
        print(f"ember serve: {exc}", file=sys.stderr)
        return 1
    import uvicorn

    from .app import create_app

    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.blas_threads > 0:
        _limit_blas(args.blas_threads)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"ember serve: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    sock.listen(2048)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    url = f"http://{host}:{port}"
    try:
        app = create_app(args.path, name=args.name, max_batch_size=args.max_batch_size,
                         max_delay_ms=args.max_delay_ms, poll_interval=args.poll_interval,
                         version_policy=args.version_policy, model_control=args.model_control,
                         max_request_bytes=int(args.max_request_mb * (1 << 20)),
                         request_timeout=args.request_timeout,
                         on_ready=lambda repo: _describe(repo, url))
    except (ValueError, FileNotFoundError) as exc:
        print(f"ember serve: {exc}", file=sys.stderr)
        return 2
    config = uvicorn.Config(app, log_level=args.log_level, access_log=args.access_log,
                            timeout_graceful_shutdown=30, timeout_keep_alive=30, backlog=2048,
                            lifespan="on")
    server = uvicorn.Server(config)
    # uvicorn stops on SIGTERM/SIGINT: no new connections, in-flight requests finish. Then it
    # raises the signal again with the handlers it found: these make that a clean exit 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    server.run(sockets=[sock])
    return 0 if server.started else 1
