"""PyTorch and ember in one process, alternating: ratios that a noisy shared machine moves less.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        python benchmarks/same_process.py [--only gpt,lstm,mlp,cnn] [--rounds 9]

run.py gives each (workload, library) a fresh process, as a user runs it; a slow phase of the
host then lands on one library's process and not the other's.  Here every workload of
benchmarks/workloads.py is built four times in this one process (PyTorch eager, ember eager,
ember with the model compiled, ember with the whole step compiled) and timed in alternating
chunks of CPU time, the order reversed every round; prints the median per step and each
ember variant's ratio to PyTorch eager.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import torch
import workloads
from optimizer_step import interleaved

import ember


def build(lib, name, mode):
    workloads.MODE["compile"] = "model" if mode == "model" else None
    try:
        lib.manual_seed(0)
        step = getattr(workloads, "setup_" + name)(lib)
    finally:
        workloads.MODE["compile"] = None
    if mode == "step":
        step = lib.compile(step)
    for _ in range(3):
        step()
    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="gpt,lstm,mlp,cnn")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--chunk-s", type=float, default=0.15, help="seconds per timed chunk")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    for name in args.only.split(","):
        steps = {"torch": build(torch, name, "eager"), "ember": build(ember, name, "eager"),
                 "ember compile(model)": build(ember, name, "model"),
                 "ember compile(step)": build(ember, name, "step")}
        med = interleaved(steps, args.rounds, args.chunk_s)
        cells = ", ".join(f"{k} {v * 1e3:.3f} ms ({v / med['torch']:.2f})" for k, v in med.items())
        print(f"{name}: {cells}", flush=True)


if __name__ == "__main__":
    main()
