"""Would preallocated outputs (``out=`` buffers kept across calls) speed up generated code?

    OPENBLAS_NUM_THREADS=1 python benchmarks/preallocation.py

The compiler's generated code reuses a dying input's buffer within a call (``np.add(a, b,
out=a)``) but allocates each op's fresh output anew at every call.  This measures, in plain
NumPy with ember's allocator settings (ember/_allocator.py), the two workloads where keeping
those outputs across calls could matter: the batch-1 MLP inference of benchmarks/ (latency
bound) and a transformer MLP block at training size (bandwidth bound).  Each is written twice,
allocating and with every intermediate preallocated, and timed alternately in this process.
"""
import itertools
import os
import statistics
import sys
import timeit

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import ember  # noqa: F401  (its allocator settings, as generated code runs with them)


def mlp_b1():
    rng = np.random.default_rng(0)
    sizes = [784, 256, 256, 10]
    ws = [rng.standard_normal((o, i)).astype(np.float32) for i, o in itertools.pairwise(sizes)]
    bs = [np.zeros(o, np.float32) for o in sizes[1:]]
    x = rng.standard_normal((1, 784)).astype(np.float32)
    bufs = [np.empty((1, o), np.float32) for o in sizes[1:]]

    def allocating():
        h = x
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = np.matmul(h, w.T)
            h += b
            if i < 2:
                np.maximum(h, 0, out=h)
        return h

    def preallocated():
        h = x
        for i, (w, b, buf) in enumerate(zip(ws, bs, bufs)):
            np.matmul(h, w.T, out=buf)
            np.add(buf, b, out=buf)
            if i < 2:
                np.maximum(buf, 0, out=buf)
            h = buf
        return h.copy()         # the caller's output must not be a reused buffer
    return allocating, preallocated, 20000


def transformer_mlp():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1024, 128)).astype(np.float32)
    w1, w2 = (rng.standard_normal(s).astype(np.float32) for s in ((512, 128), (128, 512)))
    b1 = np.zeros(512, np.float32)
    hidden, out = np.empty((1024, 512), np.float32), np.empty((1024, 128), np.float32)

    def allocating():
        h = np.matmul(x, w1.T)
        h += b1
        np.maximum(h, 0, out=h)
        return np.matmul(h, w2.T)

    def preallocated():
        np.matmul(x, w1.T, out=hidden)
        np.add(hidden, b1, out=hidden)
        np.maximum(hidden, 0, out=hidden)
        np.matmul(hidden, w2.T, out=out)
        return out.copy()
    return allocating, preallocated, 200


def main():
    print(f"{'workload':<16} {'allocating':>12} {'preallocated':>13} {'ratio':>6}")
    for name, make in (("mlp_infer_b1", mlp_b1), ("transformer_mlp", transformer_mlp)):
        a, p, n = make()
        ta, tp = [], []
        for r in range(9):
            for label, f in ((("a", a), ("p", p)) if r % 2 else (("p", p), ("a", a))):
                (ta if label == "a" else tp).append(timeit.timeit(f, number=n) / n)
        ma, mp = statistics.median(ta), statistics.median(tp)
        print(f"{name:<16} {ma * 1e6:>9.1f} µs {mp * 1e6:>10.1f} µs {mp / ma:>6.2f}")


if __name__ == "__main__":
    main()
