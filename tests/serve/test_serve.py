"""ember serve: the real command on a localhost port, driven by the real Triton HTTP client and
the `hey` load generator; the models are real exported files (ember.export.export + save)."""
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("prometheus_client")
httpclient = pytest.importorskip("tritonclient.http")
from tritonclient.utils import InferenceServerException

import ember
from ember import (
    export,
    nn,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BATCH = export.Dim("batch", min=1, max=64)
HEY = shutil.which("hey")


class Multi(nn.Module):
    """Two inputs (float features, int64 tokens of a dynamic length), a dict of two outputs."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 4)
        self.lin = nn.Linear(4, 3)

    def forward(self, x, tokens):
        pooled = self.emb(tokens).mean(1)
        return {"logits": self.lin(x + pooled), "pooled": pooled}


def _mlp(seed):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)).eval()


def _export_mlp(model, path, tamper=False):
    ep = export.export(model, (ember.randn(2, 8),), dynamic_shapes={"input": {0: BATCH}},
                       input_names=["x"])
    if tamper:      # sample outputs that the weights do not reproduce
        ep.sample_outputs = [o + 1 for o in ep.sample_outputs]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    export.save(ep, path)


def _eager(model, *arrays):
    with ember.no_grad():
        out = model(*[ember.from_numpy(a) for a in arrays])
    if isinstance(out, dict):
        return {k: v.numpy() for k, v in out.items()}
    return out.numpy()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    repo = tmp_path_factory.mktemp("repo")
    mlp = _mlp(0)
    _export_mlp(mlp, str(repo / "mlp" / "1" / "model.pt2"))
    ember.manual_seed(1)
    multi = Multi().eval()
    ep = export.export(multi, (ember.randn(2, 4), ember.randint(0, 20, (2, 5))),
                       dynamic_shapes={"x": {0: BATCH},
                                       "tokens": {0: BATCH, 1: export.Dim("seq", min=1, max=16)}})
    os.makedirs(repo / "multi" / "1")
    export.save(ep, str(repo / "multi" / "1" / "model.pt2"))
    return {"repo": repo, "mlp": mlp, "multi": multi}


class Server:
    """`python -m ember serve ...` on a free port; stopped with SIGTERM."""

    def __init__(self, path, *args, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ember", "serve", str(path), "--port", "0", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.banner = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip())
            m = re.search(r"serving on http://([\d.]+:\d+)", line)
            if m:
                self.address = m.group(1)
                self.url = "http://" + self.address
                threading.Thread(target=self._drain, daemon=True).start()
                self._wait_ready()
                return
        self.stop()
        raise RuntimeError(f"ember serve did not start: {self.banner}\n{self.logs()}")

    def _drain(self):
        for line in self.proc.stdout:
            self.banner.append(line.rstrip())

    def _wait_ready(self):
        for _ in range(200):
            try:
                if get(self.url + "/v2/health/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)

    def logs(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def request(url, body=None, headers=None, method=None):
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def get(url):
    return request(url)


def post_json(url, doc, headers=None):
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return request(url, body, {"Content-Type": "application/json", **(headers or {})}, "POST")


def metric(url, name, **labels):
    text = get(url + "/metrics")[1].decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.fixture(scope="module")
def server(models, tmp_path_factory):
    log = tmp_path_factory.mktemp("log") / "serve.log"
    srv = Server(models["repo"], "--max-batch-size", "16", "--max-delay-ms", "5",
                 "--poll-interval", "0.3", "--max-request-mb", "1", log_path=log)
    yield srv
    rc = srv.stop()
    assert rc == 0, srv.logs()
    assert "Application shutdown complete" in srv.logs()


@pytest.fixture
def client(server):
    c = httpclient.InferenceServerClient(server.address, concurrency=4)
    yield c
    c.close()


def _inputs(arrays, binary):
    out = []
    for name, a in arrays.items():
        dt = {"float32": "FP32", "int64": "INT64"}[str(a.dtype)]
        i = httpclient.InferInput(name, list(a.shape), dt)
        i.set_data_from_numpy(a, binary_data=binary)
        out.append(i)
    return out


def test_banner_health_and_metadata(server, client):
    assert any("model 'mlp' version 1" in line for line in server.banner)
    assert any("model 'multi' version 1" in line for line in server.banner)
    assert client.is_server_live() and client.is_server_ready()
    assert client.is_model_ready("mlp") and client.is_model_ready("multi", "1")
    assert not client.is_model_ready("nope") and not client.is_model_ready("mlp", "7")
    meta = client.get_server_metadata()
    assert meta["name"] == "ember" and "binary_tensor_data" in meta["extensions"]
    m = client.get_model_metadata("multi")
    assert m["versions"] == ["1"]
    assert m["inputs"] == [{"name": "x", "datatype": "FP32", "shape": [-1, 4]},
                           {"name": "tokens", "datatype": "INT64", "shape": [-1, -1]}]
    assert m["outputs"] == [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]},
                            {"name": "pooled", "datatype": "FP32", "shape": [-1, 4]}]
    assert client.get_model_metadata("mlp", "1")["inputs"][0]["shape"] == [-1, 8]
    assert client.get_model_config("mlp")["input"][0]["data_type"] == "TYPE_FP32"
    for path in ("/v2/models/nope", "/v2/models/mlp/versions/9", "/v2/nothing"):
        status, body = get(server.url + path)
        assert status == 404 and json.loads(body)["error"], path


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_infer_equals_eager(server, client, models, binary):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 8)).astype(np.float32)
    res = client.infer("mlp", _inputs({"x": x}, binary),
                       outputs=[httpclient.InferRequestedOutput("output", binary_data=binary)])
    np.testing.assert_allclose(res.as_numpy("output"), _eager(models["mlp"], x), rtol=1e-5, atol=1e-6)
    assert res.get_response()["model_version"] == "1"

    x = rng.standard_normal((5, 4)).astype(np.float32)
    tokens = rng.integers(0, 20, (5, 7))
    want = _eager(models["multi"], x, tokens)
    res = client.infer("multi", _inputs({"x": x, "tokens": tokens}, binary), request_id="r1",
                       outputs=[httpclient.InferRequestedOutput(n, binary_data=binary)
                                for n in ("pooled", "logits")])
    assert res.get_response()["id"] == "r1"
    assert [o["name"] for o in res.get_response()["outputs"]] == ["pooled", "logits"]
    for name in ("logits", "pooled"):
        np.testing.assert_allclose(res.as_numpy(name), want[name], rtol=1e-5, atol=1e-6)
    # One requested output only; no outputs named means all of them (binary by default).
    res = client.infer("multi", _inputs({"x": x, "tokens": tokens}, binary),
                       outputs=[httpclient.InferRequestedOutput("logits", binary_data=binary)])
    assert res.as_numpy("pooled") is None
    res = client.infer("multi", _inputs({"x": x, "tokens": tokens}, binary), model_version="1")
    np.testing.assert_allclose(res.as_numpy("pooled"), want["pooled"], rtol=1e-5, atol=1e-6)


def test_nested_json_data_and_compressed_request(server, models):
    import gzip
    x = np.arange(16, dtype=np.float32).reshape(2, 8) / 10
    doc = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 8], "data": x.tolist()}],
           "parameters": {"anything": 1}}
    status, body = post_json(server.url + "/v2/models/mlp/infer", doc)
    assert status == 200, body
    out = json.loads(body)["outputs"][0]
    assert out["shape"] == [2, 4] and out["datatype"] == "FP32"
    np.testing.assert_allclose(np.array(out["data"]).reshape(2, 4), _eager(models["mlp"], x), rtol=1e-5)
    status, body = post_json(server.url + "/v2/models/mlp/versions/1/infer",
                             gzip.compress(json.dumps(doc).encode()), {"Content-Encoding": "gzip"})
    assert status == 200, body


def _bad_requests():
    x = {"name": "x", "datatype": "FP32", "shape": [1, 8], "data": [0.5] * 8}
    ok = {"inputs": [x]}
    raw = np.ones((1, 8), np.float32).tobytes()
    bin_doc = json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 8],
                                      "parameters": {"binary_data_size": len(raw) - 4}}]}).encode()
    too_big = json.dumps({"inputs": [dict(x, data=[0.5] * 300_000)]}).encode()
    cases = [
        ("mlp", b"{not json", {}, 400, "not valid JSON"),
        ("mlp", {"inputs": []}, {}, 400, "non-empty list 'inputs'"),
        ("mlp", {"inputs": [dict(x, name="y")]}, {}, 400, "unknown input 'y'"),
        ("mlp", {"inputs": [dict(x, datatype="FP64")]}, {}, 400, "datatype FP64, but the model takes FP32"),
        ("mlp", {"inputs": [dict(x, datatype="FP17")]}, {}, 400, "unknown or unsupported datatype"),
        ("mlp", {"inputs": [dict(x, shape=[1, 7], data=[0.5] * 7)]}, {}, 400, "dim 1 must be 8"),
        ("mlp", {"inputs": [dict(x, shape=[8], data=[0.5] * 8)]}, {}, 400, "rank 1"),
        ("mlp", {"inputs": [dict(x, shape=[65, 8], data=[0.5] * 520)]}, {}, 400, "outside the range [1, 64]"),
        ("mlp", {"inputs": [dict(x, data=[0.5] * 7)]}, {}, 400, "needs 8 elements, data has 7"),
        ("mlp", {"inputs": [dict(x, data=["a"] * 8)]}, {}, 400, "does not hold FP32"),
        ("mlp", {"inputs": [dict(x, shape=[1, -8])]}, {}, 400, "non-negative integers"),
        ("mlp", {"inputs": [x], "outputs": [{"name": "nope"}]}, {}, 400, "unknown output 'nope'"),
        ("mlp", {"inputs": [x, x]}, {}, 400, "given twice"),
        ("mlp", bin_doc + raw, {"Inference-Header-Content-Length": str(len(bin_doc))}, 400,
         "needs 32 bytes, binary_data_size is 28"),
        ("mlp", bin_doc + raw, {"Inference-Header-Content-Length": "99999"}, 400, "outside the body"),
        ("mlp", too_big, {}, 413, "over the limit"),
        ("nope", ok, {}, 404, "unknown model 'nope'"),
        ("mlp/versions/3", ok, {}, 404, "unknown version '3'"),
        ("mlp/versions/x", ok, {}, 400, "non-negative integer"),
        ("multi", {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": [0] * 4}]},
         {}, 400, "missing input 'tokens'"),
        ("multi", {"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 4], "data": [0] * 8},
                              {"name": "tokens", "datatype": "INT64", "shape": [3, 2], "data": [1] * 6}]},
         {}, 400, "input 'x' has 2"),
        ("multi", {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": [0] * 4},
                              {"name": "tokens", "datatype": "INT64", "shape": [1, 2], "data": [1.5, 2]}]},
         {}, 400, "INT64 data must be integers"),
        ("multi", {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": [0] * 4},
                              {"name": "tokens", "datatype": "INT64", "shape": [1, 17], "data": [1] * 17}]},
         {}, 400, "range [1, 16] of 'seq'"),
    ]
    return cases


def test_bad_requests_get_4xx_with_reason(server, client, models):
    for model, doc, headers, status, reason in _bad_requests():
        got, body = post_json(f"{server.url}/v2/models/{model}/infer", doc, headers)
        err = json.loads(body)
        assert got == status and reason in err["error"], (model, reason, got, err)
    assert get(server.url + "/v2/models/mlp/infer")[0] == 405
    with pytest.raises(InferenceServerException, match="dim 1 must be 8"):
        client.infer("mlp", _inputs({"x": np.ones((1, 7), np.float32)}, True))
    # Still alive and still right.
    x = np.ones((2, 8), np.float32)
    res = client.infer("mlp", _inputs({"x": x}, True))
    np.testing.assert_allclose(res.as_numpy("output"), _eager(models["mlp"], x), rtol=1e-5, atol=1e-6)
    assert metric(server.url, "ember_inference_requests_total", model="mlp", status="400") > 10


def test_concurrent_requests_batch_and_a_bad_one_fails_alone(server, models):
    """Requests of two sequence lengths plus one whose token is out of the embedding's range,
    all at once: the good ones are right, the bad one is a 400, batches hold more than one."""
    rng = np.random.default_rng(1)
    reqs = []
    for i in range(48):
        x = rng.standard_normal((1 + i % 3, 4)).astype(np.float32)
        tokens = rng.integers(0, 20, (x.shape[0], 3 if i % 2 else 6))
        reqs.append((x, tokens))
    bad = (np.zeros((1, 4), np.float32), np.array([[1, 999, 2]]))
    reqs.insert(20, bad)
    before = metric(server.url, "ember_inference_batch_size_count", model="multi")

    def send(pair):
        x, t = pair
        doc = {"inputs": [{"name": "x", "datatype": "FP32", "shape": list(x.shape), "data": x.ravel().tolist()},
                          {"name": "tokens", "datatype": "INT64", "shape": list(t.shape), "data": t.tolist()}]}
        return post_json(server.url + "/v2/models/multi/infer", doc)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(send, reqs))
    for pair, (status, body) in zip(reqs, results):
        if pair is bad:
            assert status == 400 and "999" in json.loads(body)["error"], body
            continue
        assert status == 200, body
        out = {o["name"]: np.array(o["data"], np.float32).reshape(o["shape"]) for o in json.loads(body)["outputs"]}
        want = _eager(models["multi"], *pair)
        np.testing.assert_allclose(out["logits"], want["logits"], rtol=1e-5, atol=1e-6)
    forwards = metric(server.url, "ember_inference_batch_size_count", model="multi") - before
    assert 0 < forwards < len(reqs), "no request was batched with another"


@pytest.mark.skipif(HEY is None, reason="needs the `hey` load generator (apt-get install hey)")
def test_hey_load_batches(server, tmp_path):
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 8],
                                            "data": [0.25] * 8}]}))
    before = metric(server.url, "ember_inference_batch_size_count", model="mlp")
    out = subprocess.run([HEY, "-n", "800", "-c", "16", "-t", "20", "-m", "POST", "-T",
                          "application/json", "-D", str(body), server.url + "/v2/models/mlp/infer"],
                         capture_output=True, text=True, timeout=60).stdout
    assert re.search(r"\[200\]\s+800 responses", out), out
    forwards = metric(server.url, "ember_inference_batch_size_count", model="mlp") - before
    assert forwards < 800, "hey's concurrent requests were never batched"
    assert metric(server.url, "ember_inference_batch_size_bucket", model="mlp", le="1.0") < \
        metric(server.url, "ember_inference_batch_size_count", model="mlp")
    stats = httpclient.InferenceServerClient(server.address).get_inference_statistics("mlp")
    row = stats["model_stats"][0]
    assert row["inference_stats"]["success"]["count"] >= 800
    assert row["execution_count"] < row["inference_count"]
    assert any(b["batch_size"] > 1 for b in row["batch_stats"])
    assert json.loads(get(server.url + "/v2/models/stats")[1])["model_stats"]
    text = get(server.url + "/metrics")[1].decode()
    for name in ("ember_inference_request_duration_seconds_bucket", "ember_inference_queue_delay_seconds_bucket",
                 "ember_model_ready"):
        assert name in text


def test_batcher_never_mixes_shapes():
    from ember.serve.batcher import Batcher
    seen = []

    def run(items):
        seen.append([it.key for it in items])
        return [it.arrays for it in items]

    async def main():
        from concurrent.futures import ThreadPoolExecutor as TPE
        b = Batcher(run, TPE(1), max_batch_size=4, max_delay=0.05).start()
        futs = [b.submit([i], 1 + (i % 2), ("a" if i % 3 else "b",)) for i in range(12)]
        got = await asyncio.gather(*futs)
        await b.close()
        return got
    got = asyncio.run(main())
    assert got == [[i] for i in range(12)]
    for keys in seen:
        assert len(set(keys)) == 1
    assert max(len(k) for k in seen) > 1


@pytest.mark.skipif(HEY is None, reason="needs the `hey` load generator (apt-get install hey)")
def test_hot_swap_under_load_and_refusals(server, models, tmp_path):
    """A new version folder appears while hey loads the server: it warms up and swaps in with no
    failed request; a corrupted version and one whose sample outputs do not reproduce are
    refused with a log line, and the serving version keeps serving."""
    repo = models["repo"]
    body = tmp_path / "body.json"
    x = np.full((1, 8), 0.25, np.float32)
    body.write_text(json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 8],
                                            "data": x.ravel().tolist()}]}))
    load = subprocess.Popen([HEY, "-z", "4s", "-c", "8", "-q", "100", "-t", "20", "-m", "POST", "-T",
                             "application/json", "-D", str(body), server.url + "/v2/models/mlp/infer"],
                            stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        v2 = _mlp(2)
        _export_mlp(v2, str(repo / "mlp" / "tmp2" / "model.pt2"))
        os.rename(repo / "mlp" / "tmp2", repo / "mlp" / "2")      # appears whole
        deadline = time.monotonic() + 20
        version = None
        while time.monotonic() < deadline:
            status, out = post_json(server.url + "/v2/models/mlp/infer", json.loads(body.read_text()))
            assert status == 200, out
            version = json.loads(out)["model_version"]
            if version == "2":
                break
            time.sleep(0.1)
        assert version == "2", server.logs()
        stdout, _ = load.communicate(timeout=60)
    finally:
        if load.poll() is None:
            load.kill()
    codes = re.findall(r"\[(\d+)\]\s+(\d+) responses", stdout)
    assert codes and all(code == "200" for code, _ in codes), stdout
    out = json.loads(post_json(server.url + "/v2/models/mlp/infer", json.loads(body.read_text()))[1])
    np.testing.assert_allclose(np.array(out["outputs"][0]["data"]), _eager(v2, x).ravel(), rtol=1e-5, atol=1e-6)
    logs = server.logs()
    assert "swapped model 'mlp': version 1 -> 2" in logs
    assert re.search(r"unloaded model 'mlp' version 1", logs)   # policy latest:1
    assert get(server.url + "/v2/models/mlp/versions/1")[0] == 404

    # Version 3 is corrupted, version 4 does not reproduce its own sample outputs.
    os.makedirs(repo / "mlp" / "3")
    data = (repo / "mlp" / "2" / "model.pt2").read_bytes()
    (repo / "mlp" / "3" / "model.pt2").write_bytes(data[: len(data) // 2])
    _export_mlp(_mlp(4), str(repo / "mlp" / "tmp4" / "model.pt2"), tamper=True)
    os.rename(repo / "mlp" / "tmp4", repo / "mlp" / "4")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.logs().count("refused model 'mlp'") < 2:
        time.sleep(0.1)
    logs = server.logs()
    assert "refused model 'mlp' version 3" in logs and "refused model 'mlp' version 4" in logs, logs
    assert "does not reproduce" in logs
    status, out = post_json(server.url + "/v2/models/mlp/infer", json.loads(body.read_text()))
    assert status == 200 and json.loads(out)["model_version"] == "2"
    assert metric(server.url, "ember_model_loads_total", model="mlp", result="refused") >= 2


def test_model_control_is_off_unless_asked(server):
    status, body = request(server.url + "/v2/repository/index", b"{}", method="POST")
    assert status == 403 and "--model-control" in json.loads(body)["error"]


def test_import_ember_does_not_import_the_serving_stack():
    code = ("import sys, ember, ember.export\n"
            "bad = [m for m in ('starlette', 'uvicorn', 'prometheus_client', 'ember.serve') if m in sys.modules]\n"
            "assert not bad, bad\n"
            "sys.modules['starlette'] = None\n"
            "import ember.serve\n"
            "try:\n    ember.serve.create_app('x')\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pip install 'ember[serve]'" in out.stdout and "starlette" in out.stdout


class InProcess:
    """``ember.serve.create_app`` (the documented entry point) on uvicorn in a thread."""

    def __init__(self, app):
        import socket

        import uvicorn
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started

    def stop(self):
        self.server.should_exit = True
        self.thread.join(20)
        self.sock.close()


def test_create_app_single_file_refused_model_and_model_control(models, tmp_path):
    from ember.serve import create_app
    # One file, served under a name of our choosing, batching off.
    app = create_app(str(models["repo"] / "multi" / "1" / "model.pt2"), name="feat", max_batch_size=1)
    srv = InProcess(app)
    try:
        meta = json.loads(get(srv.url + "/v2/models/feat")[1])
        assert meta["versions"] == ["1"] and meta["inputs"][1]["name"] == "tokens"
        doc = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": [1, 2, 3, 4]},
                          {"name": "tokens", "datatype": "INT64", "shape": [1, 2], "data": [[3, 4]]}]}
        status, body = post_json(srv.url + "/v2/models/feat/infer", doc)
        want = _eager(models["multi"], np.array([[1, 2, 3, 4]], np.float32), np.array([[3, 4]]))
        np.testing.assert_allclose(json.loads(body)["outputs"][0]["data"], want["logits"].ravel(), rtol=1e-5)
    finally:
        srv.stop()

    # A repository whose only version of 'bad' does not reproduce: not ready, 503; 'good' serves.
    repo = tmp_path / "repo"
    _export_mlp(_mlp(0), str(repo / "good" / "1" / "model.pt2"))
    _export_mlp(_mlp(0), str(repo / "bad" / "1" / "model.pt2"), tamper=True)
    srv = InProcess(create_app(str(repo), model_control=True, poll_interval=0))
    try:
        x = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 8], "data": [0.0] * 8}]}
        status, body = get(srv.url + "/v2/health/ready")
        assert status == 503 and "bad" in json.loads(body)["error"]
        status, body = post_json(srv.url + "/v2/models/bad/infer", x)
        assert status == 503 and "no version ready" in json.loads(body)["error"]
        assert post_json(srv.url + "/v2/models/good/infer", x)[0] == 200
        index = json.loads(request(srv.url + "/v2/repository/index", b"{}", method="POST")[1])
        states = {(r["name"], r["version"]): r for r in index}
        assert states[("good", "1")]["state"] == "READY"
        assert "does not reproduce" in states[("bad", "1")]["reason"]
        assert request(srv.url + "/v2/repository/models/good/unload", b"{}", method="POST")[0] == 200
        assert post_json(srv.url + "/v2/models/good/infer", x)[0] == 404
        status, body = request(srv.url + "/v2/repository/models/bad/load", b"{}", method="POST")
        assert status == 400 and "does not reproduce" in json.loads(body)["error"]
        assert request(srv.url + "/v2/repository/models/good/load", b"{}", method="POST")[0] == 200
        assert post_json(srv.url + "/v2/models/good/infer", x)[0] == 200
    finally:
        srv.stop()


def test_sigterm_finishes_queued_requests(models, tmp_path):
    """Requests waiting in the batcher (a 1.5 s batching window) when SIGTERM arrives still get
    their answers; the server then exits 0."""
    srv = Server(models["repo"], "--max-batch-size", "64", "--max-delay-ms", "1500",
                 "--poll-interval", "0", log_path=tmp_path / "serve.log")
    x = np.full((1, 8), 0.5, np.float32)
    doc = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 8], "data": x.ravel().tolist()}]}
    try:
        with ThreadPoolExecutor(4) as pool:
            futs = [pool.submit(post_json, srv.url + "/v2/models/mlp/infer", doc) for _ in range(4)]
            time.sleep(0.5)
            srv.proc.send_signal(signal.SIGTERM)
            results = [f.result(timeout=30) for f in futs]
    finally:
        rc = srv.stop()
    assert [s for s, _ in results] == [200] * 4, results
    assert rc == 0, srv.logs()


def test_cli_errors_say_why(models):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "ember", "serve", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    out = run("/nonexistent/models")
    assert out.returncode == 2 and "no model file or repository" in out.stderr
    out = run(str(models["repo"]), "--version-policy", "newest")
    assert out.returncode == 2 and "version policy" in out.stderr
    assert "--max-batch-size" in run("--help").stdout
