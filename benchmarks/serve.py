"""ember serve under load: `hey` against ember serve and against the course's recipe.

    python benchmarks/serve.py            # one to two minutes
    python benchmarks/serve.py --quick    # fewer requests

The model is the 784-256-256-10 MLP; every request is one JSON row (batch 1), at concurrency
32. Three servers on 127.0.0.1, measured in turn for 3 rounds (medians) in the same run with the
same load generator (hey, a Debian package):

- ember serve, dynamic batching (--max-batch-size 32 --max-delay-ms 2);
- ember serve, batching off (--max-batch-size 1);
- the baseline: FastAPI + uvicorn + PyTorch eager, one forward per request, JSON body
  (pip install fastapi; PyTorch as in requirements-test.txt).

Then the soak: 10,000 requests at concurrency 64 to ember serve with a new version copied into
the repository in the middle; it counts non-200 answers and compares resident memory after
with before. Targets: >= 3x the baseline's throughput with a lower p99; the soak with 0 errors
and memory within 10%. Writes benchmarks/results/serve.md. Never part of the unit tests.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

BASELINE = r'''
import sys
import torch
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                            torch.nn.ReLU(), torch.nn.Linear(256, 10)).eval()
app = FastAPI()


class Tensor(BaseModel):
    name: str
    datatype: str
    shape: list[int]
    data: list[float]


class InferRequest(BaseModel):
    inputs: list[Tensor]


@app.post("/v2/models/mlp/infer")
def infer(req: InferRequest):
    t = req.inputs[0]
    x = torch.tensor(t.data, dtype=torch.float32).reshape(t.shape)
    with torch.no_grad():
        y = model(x)
    return {"model_name": "mlp", "outputs": [{"name": "output", "datatype": "FP32",
            "shape": list(y.shape), "data": y.flatten().tolist()}]}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def hey(url, body, n, c, extra=()):
    out = subprocess.run(["hey", "-n", str(n), "-c", str(c), "-t", "30", "-m", "POST", "-T",
                          "application/json", "-D", body, *extra, url],
                         capture_output=True, text=True, timeout=600).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: float(v) * 1000 for p, v in re.findall(r"(\d+)% in ([\d.]+) secs", out)}
    codes = {int(k): int(v) for k, v in re.findall(r"\[(\d+)\]\s+(\d+) responses", out)}
    return {"rps": rps, "p50": pct.get("50"), "p99": pct.get("99"), "codes": codes,
            "raw": out}


def make_repo(folder, version=1, seed=0):
    sys.path.insert(0, ROOT)
    import ember
    from ember import export, nn
    ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10)).eval()
    ep = export.export(model, (ember.randn(2, 784),), input_names=["x"],
                       dynamic_shapes={"input": {0: export.Dim("batch", min=1, max=1024)}})
    tmp = os.path.join(folder, "mlp", f"tmp{version}")
    os.makedirs(tmp, exist_ok=True)
    export.save(ep, os.path.join(tmp, "model.pt2"))
    os.rename(tmp, os.path.join(folder, "mlp", str(version)))


def start_ember(repo, port, *args):
    proc = subprocess.Popen([sys.executable, "-m", "ember", "serve", repo, "--port", str(port),
                             "--log-level", "warning", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/v2/health/ready", proc)
    return proc


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if shutil.which("hey") is None:
        sys.exit("needs hey: apt-get install hey")
    n = 1500 if args.quick else 3000
    rounds = 3
    work = tempfile.mkdtemp(prefix="ember-serve-bench-")
    repo = os.path.join(work, "models")
    make_repo(repo)
    body = os.path.join(work, "body.json")
    import numpy as np
    x = np.random.default_rng(0).random((1, 784), dtype=np.float32)
    with open(body, "w") as f:
        json.dump({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 784],
                               "data": x.ravel().tolist()}]}, f)
    configs = [("ember serve, batching (32 rows, 2 ms)", "ember", ["--max-batch-size", "32",
                                                                     "--max-delay-ms", "2"]),
               ("ember serve, no batching", "ember", ["--max-batch-size", "1"]),
               ("FastAPI + uvicorn + PyTorch eager", "baseline", [])]
    # All three servers run at once (idle when not loaded) and are measured in turn, round after
    # round: a machine shared with other work then slows each of them alike. Medians of rounds.
    servers = []
    try:
        for label, kind, extra in configs:
            port = free_port()
            if kind == "ember":
                proc = start_ember(repo, port, *extra)
            else:
                script = os.path.join(work, "baseline.py")
                with open(script, "w") as f:
                    f.write(BASELINE)
                proc = subprocess.Popen([sys.executable, script, str(port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wait_http(f"http://127.0.0.1:{port}/docs", proc)
            url = f"http://127.0.0.1:{port}/v2/models/mlp/infer"
            servers.append((label, proc, url))
            hey(url, body, 300, 32)                       # warm-up
        results = {label: [] for label, _, _ in servers}
        for rnd in range(rounds):
            for label, _, url in servers:
                r = hey(url, body, n, 32)
                results[label].append(r)
                print(f"round {rnd + 1}: {label:40s} {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  "
                      f"p99 {r['p99']:6.1f} ms  codes {r['codes']}", flush=True)
    finally:
        for _, proc, _ in servers:
            stop(proc)
    rows = []
    for label, rs in results.items():
        codes = {}
        for r in rs:
            for k, v in r["codes"].items():
                codes[k] = codes.get(k, 0) + v
        rows.append((label, {"rps": statistics.median(r["rps"] for r in rs),
                             "p50": statistics.median(r["p50"] for r in rs),
                             "p99": statistics.median(r["p99"] for r in rs),
                             "codes": codes, "sent": len(rs) * (n // 32 * 32)}))

    # The soak: 10,000 requests at concurrency 64, a new version in the middle.
    port = free_port()
    proc = start_ember(repo, port, "--poll-interval", "0.5")
    url = f"http://127.0.0.1:{port}/v2/models/mlp/infer"
    soak_n = 3000 if args.quick else 10000
    try:
        hey(url, body, 1000, 64)                          # warm-up, then measure memory
        before = rss_kib(proc.pid)
        load = subprocess.Popen(["hey", "-n", str(soak_n), "-c", "64", "-t", "30", "-m", "POST",
                                 "-T", "application/json", "-D", body, url],
                                stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        make_repo(repo, version=2, seed=1)
        out, _ = load.communicate(timeout=600)
        with urllib.request.urlopen(urllib.request.Request(
                url, data=open(body, "rb").read(), method="POST"), timeout=10) as resp:
            version = json.loads(resp.read())["model_version"]
        after = rss_kib(proc.pid)
    finally:
        stop(proc)
    codes = {int(k): int(v) for k, v in re.findall(r"\[(\d+)\]\s+(\d+) responses", out)}
    failed = soak_n // 64 * 64 - codes.get(200, 0)
    soak = (f"{soak_n // 64 * 64} requests at concurrency 64, version 1 -> {version} swapped in the middle: "
            f"{failed} failed (codes {codes}); resident memory {before / 1024:.1f} MiB before, "
            f"{after / 1024:.1f} MiB after ({(after - before) / before * 100:+.1f}%)")
    print(soak)

    base = rows[-1][1]
    lines = ["# ember serve: 784-256-256-10 MLP, batch-1 JSON requests, hey at concurrency 32", "",
             f"Medians of {rounds} rounds of {n} requests per server (servers measured in turn "
             f"within each round, after 300 requests to warm up); {os.cpu_count()} cores; the "
             f"machine may be shared with other work (load average {os.getloadavg()[0]:.1f} at "
             f"the end).",
             "", "| server | req/s | p50 ms | p99 ms | vs baseline | non-200 |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, r in rows:
        # hey sends n rounded down to a multiple of the concurrency.
        bad = r["sent"] - r["codes"].get(200, 0)
        lines.append(f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                     f"{r['rps'] / base['rps']:.2f}x | {bad} |")
    lines += ["", "Targets: >= 3x the baseline's req/s, and a lower p99.", "", "Soak: " + soak,
              "(target: 0 failed, memory within 10%)", ""]
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "serve.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
