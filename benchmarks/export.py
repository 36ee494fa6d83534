"""Latency of a loaded exported program vs eager ember, torch.compile'd ember and PyTorch eager.

    python benchmarks/export.py            # writes benchmarks/results/export.md
    python benchmarks/export.py --quick

Workloads: ``mlp_infer_b1`` (benchmarks/workloads.py's 784-256-256-10 MLP, batch 1, no_grad)
and ``cnn_infer_b64`` (its two-block CNN, eval, batch 64).  Each library runs in its own
process with single-threaded BLAS; each variant is timed in interleaved rounds and the table
gives the median per call.  The exported program is saved to a file and loaded back (the
model's class is not used by the loaded program).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
_ENV = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _models(torch):
    sys.path.insert(0, HERE)
    from workloads import _mlp
    nn = torch.nn
    mlp = _mlp(torch, [784, 256, 256, 10]).eval()
    cnn = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10)).eval()
    return {"mlp_infer_b1": (mlp, torch.randn(1, 784)),
            "cnn_infer_b64": (cnn, torch.randn(64, 1, 28, 28))}


def _time(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def child(lib, rounds, calls):
    if lib == "torch":
        import torch
    else:
        sys.path.insert(0, ROOT)
        import ember as torch
        from ember.export import Dim, export, load, save
    torch.manual_seed(0)
    out = {}
    for name, (model, x) in _models(torch).items():
        variants = {}

        def eager(model=model, x=x):
            with torch.no_grad():
                model(x)
        variants["eager"] = eager
        if lib == "ember":
            compiled = torch.compile(model)

            def comp(compiled=compiled, x=x):
                with torch.no_grad():
                    compiled(x)
            variants["compile"] = comp
            ep = export(model, (x,), dynamic_shapes=({0: Dim("batch", max=4096)},))
            with tempfile.TemporaryDirectory() as d:
                save(ep, os.path.join(d, "m.pt2"))
                loaded = load(os.path.join(d, "m.pt2")).module()

            def exported(loaded=loaded, x=x):
                with torch.no_grad():
                    loaded(x)
            variants["export"] = exported
        n = calls if name == "mlp_infer_b1" else max(calls // 20, 5)
        for fn in variants.values():
            _time(fn, max(n // 5, 3))          # warm up (compiles, caches)
        samples = {k: [] for k in variants}
        for _ in range(rounds):
            for k, fn in variants.items():
                samples[k].append(_time(fn, n))
        out[name] = {k: sorted(v)[len(v) // 2] for k, v in samples.items()}
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--child", default=None)
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--calls", type=int, default=None)
    a = p.parse_args()
    rounds = a.rounds or (3 if a.quick else 7)
    calls = a.calls or (200 if a.quick else 1000)
    if a.child:
        return child(a.child, rounds, calls)
    res = {}
    for lib in ("ember", "torch"):
        r = subprocess.run([sys.executable, __file__, "--child", lib, "--rounds", str(rounds),
                            "--calls", str(calls)], capture_output=True, text=True,
                           env=dict(os.environ, **_ENV))
        if r.returncode:
            print(r.stderr, file=sys.stderr)
            raise SystemExit(f"{lib} run failed")
        res[lib] = json.loads(r.stdout.strip().splitlines()[-1])
    lines = ["# Exported program latency", "",
             "Median time per call, single-threaded BLAS (`python benchmarks/export.py`).", "",
             "| workload | ember eager | ember torch.compile | ember exported (loaded) | PyTorch eager |",
             "|---|---|---|---|---|"]
    for name in res["ember"]:
        e, t = res["ember"][name], res["torch"][name]
        lines.append(f"| {name} | {_fmt(e['eager'])} | {_fmt(e['compile'])} | "
                     f"{_fmt(e['export'])} | {_fmt(t['eager'])} |")
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "export.md"), "w") as f:
        f.write(text)


def _fmt(s):
    return f"{s * 1e6:.1f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
