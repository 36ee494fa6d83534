"""What writing the optimizer update out as generated code buys a compiled training step.

    OPENBLAS_NUM_THREADS=1 python benchmarks/optimizer_step.py [--only tiny_mlp,mlp,cnn,gpt]

For each workload of benchmarks/workloads.py, two compiled steps over two copies of the same
model, one with ``opt.zero_grad()``/``opt.step()`` written out as generated lines (the default)
and one with them called (``torch._dynamo.config.generate_optimizer_steps = False``, how ember
compiled a step before).  Both run in this one process in alternating chunks, so a busy phase
of a shared machine slows both alike; prints the median CPU time per step of each and their
ratio (below 1: the generated update is faster).
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import workloads

import ember as torch


def compiled(name, generate):
    torch.manual_seed(0)
    step = torch.compile(getattr(workloads, "setup_" + name)(torch))
    torch._dynamo.config.generate_optimizer_steps = generate
    try:
        step()          # the trace
    finally:
        torch._dynamo.config.generate_optimizer_steps = True
    for _ in range(3):
        step()
    return step


def chunk(step, n):
    # NOTE: CPU time of this process, not wall time: on a shared machine another job's turn
    # on the core is not counted against either variant
    t = time.process_time()
    for _ in range(n):
        step()
    return (time.process_time() - t) / n


def interleaved(steps, rounds, chunk_s):
    """{label: median seconds per call} of ``steps`` ({label: callable}), timed in chunks of
    about ``chunk_s`` (sized on the first) that take turns, the order reversed every round, so
    that a slow phase of the machine falls on all of them alike."""
    first = next(iter(steps.values()))
    n = max(1, int(chunk_s / chunk(first, 3)))
    times = {label: [] for label in steps}
    order = list(steps.items())
    for r in range(rounds):
        for label, step in order if r % 2 else order[::-1]:
            times[label].append(chunk(step, n))
    return {label: statistics.median(v) for label, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="tiny_mlp,mlp,cnn")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--chunk-s", type=float, default=0.1, help="seconds per timed chunk")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"{'workload':<10} {'step() called':>14} {'step() generated':>17} {'ratio':>6}")
    for name in args.only.split(","):
        med = interleaved({"called": compiled(name, False), "generated": compiled(name, True)},
                          args.rounds, args.chunk_s)
        a, b = med["called"], med["generated"]
        print(f"{name:<10} {a * 1e6:>11.1f} µs {b * 1e6:>14.1f} µs {b / a:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
