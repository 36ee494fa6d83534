"""env:// rendezvous for processes that no MPI launcher started (multiprocessing.spawn, a
launcher of the user's own): rank 0 serves MPI's process-manager interface, PMI.

MPICH's processes learn their rank, the job's size and each other's addresses from a process
manager that speaks PMI-1, a line protocol over a socket (``mpiexec`` is one). Here rank 0
plays that part on MASTER_ADDR:MASTER_PORT, where torch.distributed would put its TCPStore:
each rank connects with ``PMI_PORT``/``PMI_ID``, MPI_Init asks for its rank and size, puts
and gets its address card and meets the others at a barrier. From then on every byte moves
through MPI; this server only answers those few questions (and MPI_Finalize).

The server runs as a small child process of rank 0 (this file run as a script, stdlib only):
rank 0's own MPI_Init blocks with the GIL held, so a thread could not answer it. It exits
when every rank has finalized (or gone), and dies with rank 0.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

__all__ = ["prepare"]


class _Server:
    """A PMI-1 server for ``size`` ranks (the subset of the protocol MPICH's MPI_Init uses)."""

    def __init__(self, sock, size, timeout):
        self.sock = sock
        self.size = size
        self.timeout = timeout
        self.kvs = {}
        # NOTE: unique per job: MPICH names its shared-memory segment after it, and a job
        # that was killed leaves its segment behind.
        self.kvsname = f"ember_{os.getpid()}_{os.urandom(4).hex()}"
        self.cond = threading.Condition()
        self.arrived = 0
        self.generation = 0
        self.finalized = 0          # ranks other than 0 that finalized or went away
        self.parent_gone = False    # rank 0 (this server's parent) closed its connection
        self.gone = 0               # ranks whose connection closed
        self.exiting = set()        # ranks that reached exit
        self.decision = None        # at exit: "finalize" (all came) or "skip"
        self.ids = set()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = conn.makefile("rwb", buffering=0)
        client, rank = False, -1
        try:
            for raw in f:
                fields = dict(p.split("=", 1) for p in raw.decode().split() if "=" in p)
                if fields.get("cmd") == "initack":
                    rank = int(fields.get("pmiid", -1))
                if fields.get("cmd") == "ember_exit":
                    f.write(self._exit(int(fields["rank"]), float(fields["grace"])).encode())
                    break
                reply = self._answer(fields.get("cmd"), fields)
                client = True
                if reply is not None:
                    f.write(reply.encode() + b"\n")
        except (OSError, ValueError):
            pass
        finally:
            # A rank is gone when its connection closes (MPICH keeps it open until exit);
            # barriers then stop waiting for it.
            if client:
                with self.cond:
                    if rank == 0:
                        self.parent_gone = True
                    else:
                        self.finalized += 1
                    self.gone += 1
                    self._release()
                    self.cond.notify_all()
            conn.close()

    def _exit(self, rank, grace):
        """One decision for all ranks: finalize MPI if every rank reaches exit within
        ``grace`` seconds of each other, else every rank just exits."""
        with self.cond:
            self.exiting.add(rank)
            if self.decision is None and len(self.exiting) == self.size:
                self.decision = "finalize"
                self.cond.notify_all()
            if not self.cond.wait_for(lambda: self.decision is not None, grace):
                self.decision = "skip"
                self.cond.notify_all()
            return self.decision + "\n"

    def _release(self):
        if self.arrived and self.arrived >= self.size - self.gone:
            self.arrived = 0
            self.generation += 1
            self.cond.notify_all()

    def _answer(self, cmd, f):
        n = self.size
        if cmd == "initack":        # PMI_ID handshake: this process's rank and the job's size
            rank = int(f.get("pmiid", -1))
            with self.cond:
                if rank in self.ids or not 0 <= rank < n:
                    return f"cmd=initack rc=-1 msg=rank_{rank}_is_taken_or_out_of_range"
                self.ids.add(rank)
            return f"cmd=initack\ncmd=set size={n}\ncmd=set rank={rank}\ncmd=set debug=0"
        if cmd == "init":
            return "cmd=response_to_init pmi_version=1 pmi_subversion=1 rc=0"
        if cmd == "get_maxes":
            return "cmd=maxes kvsname_max=256 keylen_max=256 vallen_max=1024 rc=0"
        if cmd == "get_appnum":
            return "cmd=appnum appnum=0 rc=0"
        if cmd == "get_my_kvsname":
            return f"cmd=my_kvsname kvsname={self.kvsname} rc=0"
        if cmd == "get_universe_size":
            return f"cmd=universe_size size={n} rc=0"
        if cmd == "put":
            with self.cond:
                self.kvs[f.get("key")] = f.get("value", "")
            return "cmd=put_result rc=0"
        if cmd == "get":
            with self.cond:
                value = self.kvs.get(f.get("key"))
            if value is None:
                return "cmd=get_result rc=-1 msg=key_not_found"
            return f"cmd=get_result rc=0 value={value}"
        if cmd == "barrier_in":
            with self.cond:
                gen = self.generation
                self.arrived += 1
                self._release()
                if not self.cond.wait_for(lambda: self.generation != gen, self.timeout):
                    return "cmd=barrier_out rc=-1 msg=timed_out_waiting_for_the_other_ranks"
            return "cmd=barrier_out rc=0"
        if cmd == "finalize":
            return "cmd=finalize_ack rc=0"
        if cmd == "abort":
            return None
        return f"cmd={cmd}_result rc=-1 msg=not_supported_by_ember"

    def serve_until_done(self):
        # NOTE: a process whose PMI server is gone crashes in MPICH's exit code, so the server
        # outlives every rank: it tells rank 0 when the others are done (rank 0 waits for that
        # after its own MPI_Finalize), then stays until rank 0's connection closes at its exit.
        threading.Thread(target=self._accept, name="ember-pmi", daemon=True).start()
        with self.cond:
            self.cond.wait_for(lambda: self.finalized >= self.size - 1)
        print("done", flush=True)
        with self.cond:
            self.cond.wait_for(lambda: self.parent_gone, 60)


_SERVER = None      # rank 0: the server process


def _resolve(addr):
    return "127.0.0.1" if addr in ("localhost", "") else socket.gethostbyname(addr)


def _die_with_parent():
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def prepare(rank, world_size, addr, port, timeout):
    """Point this process's MPI_Init at rank 0's PMI server (started here on rank 0).

    Called before MPI is initialized; on the other ranks it waits (up to ``timeout``) until
    rank 0's server answers."""
    global _SERVER
    host = _resolve(addr)
    if rank == 0:
        _SERVER = subprocess.Popen(
            [sys.executable, "-I", os.path.abspath(__file__), host, str(port), str(world_size),
             str(timeout)], stdout=subprocess.PIPE, preexec_fn=_die_with_parent)
        line = _SERVER.stdout.readline()
        if not line.startswith(b"ready"):
            _SERVER.wait()
            raise RuntimeError(f"init_process_group: rank 0 cannot listen on {addr}:{port} "
                               f"(MASTER_ADDR:MASTER_PORT): {line.decode().strip()}")
    else:
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection((host, port), timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"init_process_group: rank {rank} found no rank 0 at {addr}:{port} "
                        f"(MASTER_ADDR:MASTER_PORT) within {timeout:g} s") from None
                time.sleep(0.05)
    global _ADDRESS
    _ADDRESS = (host, port)
    os.environ["PMI_PORT"] = f"{host}:{port}"
    os.environ["PMI_ID"] = str(rank)
    for k in ("PMI_FD", "PMI_RANK", "PMI_SIZE"):
        os.environ.pop(k, None)


def finish(timeout):
    """At exit on rank 0: wait until the other ranks have finished (or ``timeout``): the
    job ends when every rank has, and they still need the server until then."""
    if _SERVER is not None:
        import select
        ready, _, _ = select.select([_SERVER.stdout], [], [], timeout)
        if ready:
            _SERVER.stdout.readline()


_ADDRESS = None


def exit_vote(rank, grace):
    """At exit: True when every rank is exiting too (then all finalize MPI together)."""
    try:
        with socket.create_connection(_ADDRESS, timeout=grace + 10) as s:
            s.sendall(f"cmd=ember_exit rank={rank} grace={grace}\n".encode())
            return s.makefile("rb").readline().strip() == b"finalize"
    except OSError:
        return False


def _main(host, port, size, timeout):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, int(port)))
        sock.listen(max(int(size), 16))
    except OSError as exc:
        print(f"error {exc}", flush=True)
        return 1
    print("ready", flush=True)
    _Server(sock, int(size), float(timeout)).serve_until_done()
    return 0


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:5]))
