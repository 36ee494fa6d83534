"""ember against PyTorch on the same machine, in one command.

    python benchmarks/run.py            # full run (a few minutes)
    python benchmarks/run.py --quick    # smoke run: one repetition, short timings (about a minute)
    python benchmarks/run.py --only mlp,gpt --reps 5

Every workload in benchmarks/workloads.py is written once against the PyTorch API and runs in
a fresh process per (workload, library, repetition), with single-threaded BLAS for both
(OMP/OPENBLAS/MKL_NUM_THREADS=1 and torch.set_num_threads(1)). The two libraries alternate
(interleaved runs, the order flipping every repetition) so that a slow phase of a shared machine
hits both; each number is the median over repetitions of a median over timed chunks. Prints one
table and writes it, with a description of the machine, to benchmarks/results/latest.md (and
the raw samples to latest.json). Never part of the unit tests.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIBS = ("torch", "ember")
# Compiled variants: "<lib>:model" compiles the model, "<lib>:step" the whole step function.
COMPILED = ("torch:model", "ember:model", "ember:step")
# Targets for compiled ember (its best variant) / PyTorch eager, same run.
COMPILE_TARGETS = {"op_overhead": 0.35, "tiny_mlp": 0.5, "mlp_infer_b1": 0.3, "mlp": 0.9,
                   "cnn": 1.0, "gpt": 0.9, "lstm": 1.0}
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

# (kind, bound): the ratio is ember/PyTorch (time, memory), or ember/NumPy GFLOP/s for matmul.
TARGETS = {
    "op_overhead": ("<=", 1.0), "tiny_mlp": ("<=", 1.0), "mlp": ("<=", 1.1), "cnn": ("<=", 1.5),
    "gpt": ("<=", 1.2), "lstm": ("<=", 1.5), "mlp_infer_b1": ("<=", 1.0),
    "matmul": (">=", 0.95), "import": ("<=", 0.2), "rss": ("<=", 0.5),
}
UNITS = {"import": "s wall", "rss": "MiB peak", "matmul": "GFLOP/s"}
ALL = ["op_overhead", "tiny_mlp", "mlp", "cnn", "gpt", "lstm", "mlp_infer_b1", "matmul", "import", "rss"]
LABELS = {"op_overhead": "op_overhead (per iter)", "tiny_mlp": "tiny_mlp (per step)",
          "mlp": "mlp (per step)", "cnn": "cnn (per step)", "gpt": "gpt (per step)",
          "lstm": "lstm (per step)", "mlp_infer_b1": "mlp_infer_b1 (latency)",
          "matmul": "matmul 1024² f32 (GFLOP/s)", "import": "import time (wall)",
          "rss": "peak RSS, mlp 100 steps"}


# --------------------------------------------------------------------------------------------
# child: one workload, one library, one process
# --------------------------------------------------------------------------------------------
def _import_lib(lib):
    if lib == "torch":
        import torch
    else:
        import ember as torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    return torch


def child(lib, workload, budget):
    sys.path.insert(0, HERE)
    import workloads
    lib, _, mode = lib.partition(":")
    workloads.MODE["compile"] = mode or None
    torch = _import_lib(lib)
    if workload == "matmul":
        lib_rate, numpy_rate = workloads.matmul_gflops(torch, seconds=budget / 6)
        return {"value": lib_rate, "numpy": numpy_rate}
    if workload == "rss":
        return {"value": workloads.mlp_rss(torch)}
    step = getattr(workloads, "setup_" + workload)(torch)
    if mode == "step":
        step = torch.compile(step)
    # the first call traces and compiles (compiled modes): its time, less a steady call's, is
    # the compile time reported
    t_first = time.perf_counter()
    step()
    first = time.perf_counter() - t_first
    # warm-up (at least 3 iterations, about a fifth of the budget), which also sizes the chunks
    n, t0 = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < budget * 0.2:
        step()
        n += 1
    per_iter = (time.perf_counter() - t0) / n
    chunks = 5
    iters = max(1, int(budget * 0.8 / chunks / per_iter))
    samples = []
    for _ in range(chunks):
        t = time.perf_counter()
        for _ in range(iters):
            step()
        samples.append((time.perf_counter() - t) / iters)
    value = statistics.median(samples)
    return {"value": value, "samples": samples, "iters": iters, "first_call": first,
            "compile_s": max(0.0, first - value)}


# --------------------------------------------------------------------------------------------
# parent
# --------------------------------------------------------------------------------------------
def child_env():
    env = dict(os.environ)
    for v in THREAD_VARS:
        env[v] = "1"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")   # this checkout's ember
    return env


def run_child(lib, workload, budget, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", lib, workload, "--budget", str(budget)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout}s"}
    if p.returncode != 0:
        lines = [ln for ln in p.stderr.strip().splitlines() if ln.strip()]
        return {"error": lines[-1][:200] if lines else f"exit status {p.returncode}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def time_import(lib, timeout=120):
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", f"import {lib}"], env=child_env(), cwd=ROOT,
                       capture_output=True, text=True, timeout=timeout)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        lines = p.stderr.strip().splitlines()
        return {"error": lines[-1][:200] if lines else f"exit status {p.returncode}"}
    return {"value": dt}


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    import numpy
    blas = "unknown BLAS"
    try:
        cfg = numpy.show_config(mode="dicts")
        b = cfg["Build Dependencies"]["blas"]
        blas = f"{b.get('name')} {b.get('version', '')}".strip()
    except Exception:
        pass

    def version(dist):
        try:
            from importlib.metadata import version as v
            return v(dist)
        except Exception:
            return "not installed"
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except Exception:
        commit = "unknown"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": f"{os.cpu_count()} logical, {usable} usable",
        "os": platform.platform(), "python": platform.python_version(),
        "numpy": f"{numpy.__version__} ({blas})", "torch": version("torch"),
        "ember": f"{version('ember')} (commit {commit})",
        "load_average_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def fmt(workload, v):
    if v is None:
        return "error"
    if workload == "matmul":
        return f"{v:.1f}"
    if workload == "rss":
        return f"{v:.0f} MiB"
    if workload == "import":
        return f"{v:.2f} s"
    if v < 1e-3:
        return f"{v * 1e6:.1f} µs"
    if v < 1:
        return f"{v * 1e3:.2f} ms"
    return f"{v:.2f} s"


def summarise(results):
    rows = []
    for w, per_lib in results.items():
        med = {}
        for lib in LIBS:
            vals = [r["value"] for r in per_lib[lib] if "value" in r]
            med[lib] = statistics.median(vals) if vals else None
        errors = sorted({f"{lib}: {r['error']}" for lib in LIBS for r in per_lib[lib] if "error" in r})
        note = ""
        if w == "matmul":
            numpy_rates = [r["numpy"] for r in per_lib["ember"] if "numpy" in r]
            ref = statistics.median(numpy_rates) if numpy_rates else None
            ratio = med["ember"] / ref if med["ember"] and ref else None
            note = f"ratio = ember / NumPy in the same process (NumPy {ref:.1f} GFLOP/s)" if ref else ""
        else:
            ratio = med["ember"] / med["torch"] if med["ember"] and med["torch"] else None
        kind, bound = TARGETS[w]
        met = None if ratio is None else (ratio <= bound if kind == "<=" else ratio >= bound)
        if errors:
            note = "; ".join([note] + errors if note else errors)
        rows.append({"workload": w, "torch": med["torch"], "ember": med["ember"], "ratio": ratio,
                     "target": f"{kind} {bound}", "met": met, "note": note})
    return rows


def _median(per_lib, lib, key="value"):
    vals = [r[key] for r in per_lib.get(lib, []) if key in r]
    return statistics.median(vals) if vals else None


def summarise_compiled(results, timed):
    rows = []
    for w in timed:
        per = results[w]
        m = {lib: _median(per, lib) for lib in LIBS + COMPILED}
        best = min((v for v in (m["ember:model"], m["ember:step"]) if v), default=None)
        ratio = best / m["torch"] if best and m["torch"] else None
        bound = COMPILE_TARGETS[w]
        slower = [v for v in ("ember:model", "ember:step") if m[v] and m["ember"] and m[v] > m["ember"]]
        rows.append({"workload": w, **m, "ratio": ratio, "target": f"<= {bound}",
                     "met": None if ratio is None else ratio <= bound,
                     "vs_torch_compile": (best / m["torch:model"]) if best and m["torch:model"] else None,
                     "slower_than_eager": slower,
                     "compile_s": {v: _median(per, v, "compile_s") for v in COMPILED}})
    return rows


def compiled_table(rows):
    head = ["workload", "PyTorch", "PyTorch compile", "ember", "ember compile(model)",
            "ember compile(step)", "ratio", "target", "met", "vs PyTorch compile",
            "first call: torch / ember model / ember step"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        w = r["workload"]
        met = "—" if r["met"] is None else ("yes" if r["met"] else "**no**")
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        vs = "—" if r["vs_torch_compile"] is None else f"{r['vs_torch_compile']:.2f}"
        cs = " / ".join("—" if r["compile_s"][v] is None else f"{r['compile_s'][v]:.2f} s"
                        for v in COMPILED)
        lines.append(f"| {LABELS[w]} | {fmt(w, r['torch'])} | {fmt(w, r['torch:model'])} | "
                     f"{fmt(w, r['ember'])} | {fmt(w, r['ember:model'])} | {fmt(w, r['ember:step'])} "
                     f"| {ratio} | {r['target']} | {met} | {vs} | {cs} |")
    return "\n".join(lines)


def table(rows):
    head = ["workload", "PyTorch", "ember", "ratio", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes = []
    for r in rows:
        met = "—" if r["met"] is None else ("yes" if r["met"] else "**no**")
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        label = LABELS[r["workload"]]
        if r["note"]:
            notes.append(f"- {r['workload']}: {r['note']}")
        lines.append(f"| {label} | {fmt(r['workload'], r['torch'])} | {fmt(r['workload'], r['ember'])} "
                     f"| {ratio} | {r['target']} | {met} |")
    return "\n".join(lines), notes


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one repetition, short timings: a smoke run")
    ap.add_argument("--reps", type=int, help="repetitions per workload and library (default 3, quick 1)")
    ap.add_argument("--budget", type=float, help="seconds of timing per child process (default 2, quick 0.5)")
    ap.add_argument("--only", help="comma-separated workloads: " + ",".join(ALL))
    ap.add_argument("--no-compile", action="store_true", help="eager columns only")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.md"))
    ap.add_argument("--child", nargs=2, metavar=("LIB", "WORKLOAD"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.budget or 2.0)))
        return 0

    reps = args.reps or (1 if args.quick else 3)
    budget = args.budget or (0.5 if args.quick else 2.0)
    chosen = args.only.split(",") if args.only else ALL
    unknown = [w for w in chosen if w not in ALL]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    info = machine()
    print(f"{info['cpu']}, {info['cores']}; Python {info['python']}, NumPy {info['numpy']}, "
          f"torch {info['torch']}, ember {info['ember']}; load {info['load_average_start']}", flush=True)
    print(f"{reps} repetition(s), {budget:g} s of timing per process, single-threaded BLAS\n", flush=True)

    timed = [w for w in chosen if w in COMPILE_TARGETS] if not args.no_compile else []
    results = {w: {lib: [] for lib in LIBS + (COMPILED if w in timed else ())} for w in chosen}
    t_start = time.perf_counter()
    for rep in range(reps):
        order = LIBS if rep % 2 == 0 else LIBS[::-1]
        for w in chosen:
            variants = list(order)
            if w in timed:
                # PyTorch's own compiler takes seconds per process: once per workload.
                variants += [v for v in COMPILED if rep == 0 or not v.startswith("torch")]
            for lib in variants:
                if w == "import":
                    r = time_import(lib)
                else:
                    r = run_child(lib, w, budget, timeout=600 if not args.quick else 180)
                results[w][lib].append(r)
                shown = fmt(w, r["value"]) if "value" in r else "error: " + r["error"]
                if "compile_s" in r and ":" in lib:
                    shown += f" (first call {r['first_call']:.2f} s)"
                print(f"  [{rep + 1}/{reps}] {w:13s} {lib:11s} {shown}", flush=True)
    elapsed = time.perf_counter() - t_start
    info["load_average_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())

    rows = summarise(results)
    tab, notes = table(rows)
    crows = summarise_compiled(results, timed)
    ctab = compiled_table(crows)
    print("\n" + tab)
    if crows:
        print("\n" + ctab)
    for n in notes:
        print(n)

    cmd = "python benchmarks/run.py" + (" --quick" if args.quick else "") + \
          (f" --only {args.only}" if args.only else "") + (f" --reps {args.reps}" if args.reps else "")
    md = [f"# Benchmark results: ember vs PyTorch", "",
          f"Command: `{cmd}` ({reps} repetition(s), {budget:g} s of timing per process, "
          f"{elapsed:.0f} s in all), {info['date']}.", "",
          "Machine:", "",
          f"- CPU: {info['cpu']} ({info['cores']})",
          f"- OS: {info['os']}",
          f"- Python {info['python']}; NumPy {info['numpy']}; PyTorch {info['torch']}; ember {info['ember']}",
          f"- Load average at start {info['load_average_start']}, at end {info['load_average_end']} "
          "(the machine may be shared: other processes add noise to every number)",
          "- BLAS single-threaded for both libraries (OMP/OPENBLAS/MKL_NUM_THREADS=1, torch.set_num_threads(1))",
          "", "Ratio: ember / PyTorch (lower is better) for times and memory; for matmul, ember's "
          "GFLOP/s / NumPy's in the same process (higher is better).", "", tab, ""]
    if crows:
        md += ["## Compiled", "",
               "`torch.compile`: PyTorch's (inductor, model compiled; one repetition, its compile "
               "takes seconds), ember's with the model compiled and with the whole step "
               "compiled (`torch.compile(step)`: forward, backward and optimizer call in one "
               "generated function). Ratio: ember's best compiled variant / PyTorch eager. "
               "First call: the call that traces and compiles (its time less a steady call's).",
               "", ctab, ""]
    if notes:
        md += ["Notes:", ""] + notes + [""]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(md))
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({"machine": info, "reps": reps, "budget": budget, "results": results,
                   "rows": rows, "compiled_rows": crows}, f, indent=1)
    print(f"\nwritten to {os.path.relpath(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
