"""What each graph pass of ember's compiler buys a compiled training step.

    OPENBLAS_NUM_THREADS=1 python benchmarks/passes.py [--only tiny_mlp,mlp,cnn,gpt] [--out FILE]

For each workload of benchmarks/workloads.py, one compiled step (``torch.compile(step)``:
forward, backward and optimizer) per variant: every pass on (the default), each pass switched
off alone (``torch._dynamo.config.disabled_passes = {name}`` while the step is traced), and all
passes off.  All variants run in this one process in alternating chunks (CPU time), so a busy
phase of a shared machine slows them alike.  Prints, per variant, the ops left in the graph
and the median time per step relative to the default (above 1: the pass saves that much).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import workloads
from optimizer_step import interleaved

import ember as torch
from ember._compile import api, passes


def compiled(name, disabled):
    torch.manual_seed(0)
    step = torch.compile(getattr(workloads, "setup_" + name)(torch))
    saved = set(torch._dynamo.config.disabled_passes)
    torch._dynamo.config.disabled_passes = set(disabled)
    try:
        step()          # the trace: the passes run here
    finally:
        torch._dynamo.config.disabled_passes = saved
    for _ in range(3):
        step()
    ops = sum(g.graph.op_count() for g in api._compiled_of(step).graphs())
    return step, ops


def measure(name, rounds, chunk_s):
    names = [p.__name__ for p in passes.PASSES]
    variants = [("all passes", ())] + [(f"without {n}", (n,)) for n in names] + [("no passes", names)]
    steps = [(label, *compiled(name, off)) for label, off in variants]
    med = interleaved({label: step for label, step, _ in steps}, rounds, chunk_s)
    return [(label, ops, med[label], med[label] / med["all passes"]) for label, _, ops in steps]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="tiny_mlp,mlp,cnn,gpt")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--chunk-s", type=float, default=0.1, help="seconds per timed chunk")
    ap.add_argument("--out", help="also write the tables as Markdown to this file")
    args = ap.parse_args()
    torch.set_num_threads(1)
    md = []
    for name in args.only.split(","):
        rows = measure(name, args.rounds, args.chunk_s)
        print(f"\n{name}\n{'variant':<44} {'ops':>5} {'per step':>11} {'vs all':>7}")
        md += [f"\n### {name}\n", "| variant | ops in the graph | time per step | vs all passes |",
               "|---|---|---|---|"]
        for label, ops, t, ratio in rows:
            print(f"{label:<44} {ops:>5} {t * 1e3:>8.3f} ms {ratio:>7.2f}", flush=True)
            md.append(f"| {label} | {ops} | {t * 1e3:.3f} ms | {ratio:.2f} |")
    if args.out:
        with open(args.out, "w") as f:
            f.write("# What each compiler pass buys (benchmarks/passes.py)\n\n"
                    f"Command: `OPENBLAS_NUM_THREADS=1 python benchmarks/passes.py --only "
                    f"{args.only} --rounds {args.rounds}`; median CPU time per compiled step; "
                    f"ratio above 1 means the step is slower without that pass.\n"
                    + "\n".join(md) + "\n")


if __name__ == "__main__":
    main()
