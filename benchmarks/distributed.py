"""ember.distributed on this machine: all_reduce bandwidth against raw mpi4py, DDP step time.

    python benchmarks/distributed.py            # about a minute
    python benchmarks/distributed.py --quick    # smoke run, a few seconds

Each measurement runs in ranks started by ``ember run --nproc-per-node N`` (single-threaded
BLAS, as benchmarks/run.py). Raw mpi4py and ember alternate, repetition by repetition, on the
same buffers; every number is a median (the ratio: of paired chunks). Targets: ember's all_reduce and its DDP bucket path
reach >= 0.8x raw mpi4py's bandwidth; the table also gives the mlp workload's DDP step with
2 ranks (batch 128 each) against 1. Writes benchmarks/results/distributed.md. Needs mpi4py
(pip install 'ember[distributed]'). Never part of the unit tests.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIZES = [4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20]
TARGET = 0.8


def _timeit(fn, reps, inner):
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        out.append((time.perf_counter() - t) / inner)
    return out


def _paired(comm, raw, ours, reps, seconds=0.05):
    """Alternate raw and ember chunks of about ``seconds`` each, ranks in step (a Barrier
    before each chunk); returns the median time of each and the median of the paired
    ratios, which cancels the slow phases of a shared machine."""
    from mpi4py import MPI
    raw(), ours()                                   # warm up
    t = time.perf_counter()
    raw()
    once = max(time.perf_counter() - t, 1e-6)
    inner = max(1, min(1000, int(seconds / once)))
    inner = comm.allreduce(inner, op=MPI.MIN)       # same count on every rank
    raw_t, our_t, ratios = [], [], []
    for _ in range(reps):
        comm.Barrier()
        r = _timeit(raw, 1, inner)[0]
        comm.Barrier()
        o = _timeit(ours, 1, inner)[0]
        raw_t.append(r)
        our_t.append(o)
        ratios.append(r / o)
    return statistics.median(raw_t), statistics.median(our_t), statistics.median(ratios)


# --- children (one rank each) -------------------------------------------------------------
def child_allreduce(quick):
    import numpy as np
    import ember
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as DDP
    dist.init_process_group("mpi")
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    rows = []
    reps = 3 if quick else 21
    for nbytes in SIZES[:3] if quick else SIZES:
        arr = np.ones(nbytes // 4, np.float32)
        t = ember.from_numpy(arr)           # the same memory

        def raw():
            comm.Allreduce(MPI.IN_PLACE, arr)

        def emb():
            dist.all_reduce(t)
        r, o, ratio = _paired(comm, raw, emb, reps)
        rows.append({"bytes": nbytes, "raw": r, "ember": o, "ratio": ratio})

    # DDP's bucket path: the mlp's gradients, flattened into buckets, all-reduced, written back
    # (and with gradient_as_bucket_view=True, where .grad lives in the bucket).
    for as_view in (False, True):
        ddp = DDP(_mlp(ember, [784, 256, 256, 10]), gradient_as_bucket_view=as_view)
        r = ddp.reducer
        for p in r.params:
            p.grad = ember.ones_like(p)
        order = list(reversed(range(len(r.params))))

        def bucketed():
            r.pending = [1] * len(r.params)
            r.left = [len(b.members) for b in r.buckets]
            r.next, r.inflight, r.armed = 0, [], True
            for i in order:
                r._ready(i)
        bufs = [b.buf.copy() for b in r.buckets]

        def raw_buckets():
            for b in bufs:
                comm.Allreduce(MPI.IN_PLACE, b)
        nbytes = sum(b.nbytes for b in bufs)
        raw_t, emb_t, ratio = _paired(comm, raw_buckets, bucketed, reps)
        what = f"DDP buckets, mlp grads ({len(r.buckets)} bucket, {_size(nbytes)})"
        rows.append({"bytes": nbytes, "raw": raw_t, "ember": emb_t, "ratio": ratio,
                     "what": what + (", gradient_as_bucket_view" if as_view else "")})
    if dist.get_rank() == 0:
        print("RESULT " + json.dumps(rows))
    dist.destroy_process_group()


def _mlp(torch, sizes):
    nn = torch.nn
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def child_ddp_step(quick):
    import ember as torch
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as DDP
    F = torch.nn.functional
    torch.set_num_threads(1)
    distributed = int(os.environ.get("RANK", -1)) != -1
    model = _mlp(torch, [784, 256, 256, 10])
    if distributed:
        dist.init_process_group("gloo")
        model = DDP(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    for _ in range(5):
        step()
    samples = _timeit(step, 5 if quick else 21, 10)
    if distributed:
        mine = [statistics.median(samples)]
        every = [None] * dist.get_world_size()
        dist.all_gather_object(every, mine)
        if dist.get_rank() == 0:
            print("RESULT " + json.dumps(max(e[0] for e in every)))
        dist.destroy_process_group()
    else:
        print("RESULT " + json.dumps(statistics.median(samples)))


# --- parent -------------------------------------------------------------------------------
def _launch(args, nproc=None):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[v] = "1"
    cmd = [sys.executable, "-m", "ember", "run"]
    if nproc:
        cmd += ["--nproc-per-node", str(nproc), "--no-prefix"]
    p = subprocess.run(cmd + [os.path.abspath(__file__), *args], capture_output=True, text=True,
                       env=env, timeout=600)
    if p.returncode != 0:
        sys.exit(f"benchmark child failed ({' '.join(args)}):\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.exit(f"no result from {' '.join(args)}:\n{p.stdout[-2000:]}")


def _size(n):
    return f"{n / (1 << 20):.3g} MiB" if n >= 1 << 20 else f"{n >> 10} KiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child")
    a = ap.parse_args()
    if a.child == "allreduce":
        return child_allreduce(a.quick)
    if a.child == "ddp_step":
        return child_ddp_step(a.quick)
    q = ["--quick"] if a.quick else []
    rows = _launch(["--child", "allreduce", *q], nproc=2)
    one = _launch(["--child", "ddp_step", *q])
    one_ddp = _launch(["--child", "ddp_step", *q], nproc=1)
    two = _launch(["--child", "ddp_step", *q], nproc=2)
    lines = ["# ember.distributed benchmarks", "",
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
             f"2 ranks on one machine (MPI shared memory), single-threaded BLAS, load average "
             f"{os.getloadavg()[0]:.1f} at the end (a loaded machine makes these noisy).", "",
             "| all_reduce, float32 | raw mpi4py | ember | ember / raw (target >= 0.8) |",
             "|---|---|---|---|"]
    for r in rows:
        name = r.get("what", f"dist.all_reduce {_size(r['bytes'])}")
        bw = lambda t: r["bytes"] / t / 1e9     # noqa: E731
        lines.append(f"| {name} | {bw(r['raw']):.2f} GB/s | {bw(r['ember']):.2f} GB/s | "
                     f"{r['ratio']:.2f}x |")
    lines += ["", "| mlp 784-256-256-10, batch 128 per rank, SGD | step time |", "|---|---|",
              f"| 1 process, no DDP | {one * 1e3:.2f} ms |",
              f"| 1 rank, DDP | {one_ddp * 1e3:.2f} ms |",
              f"| 2 ranks, DDP (slowest rank) | {two * 1e3:.2f} ms ({two / one:.2f}x one process, "
              f"{2 * one / two:.2f}x its samples/s) |"]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "distributed.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
