"""One loaded model version: its specs, request checking, batched forward, warm-up.

It wraps the ``ExportedProgram`` of ``ember.export.load``: ``ep.module()`` takes the input
tensors positionally; ``ep.input_specs`` / ``ep.output_specs`` are lists of
``{"name", "dtype", "shape": [int | None], "dynamic": {dim: {"name", "min", "max"}}}``. Every
method that touches ember runs on the server's single compute thread (see app.py).
"""
import math
import time

import numpy as np

from .protocol import ProtocolError, v2_datatype


def _norm_spec(spec):
    dynamic = {int(k): dict(v) for k, v in (spec.get("dynamic") or {}).items()}
    shape = [None if (d is None or i in dynamic) else int(d) for i, d in enumerate(spec["shape"])]
    return {"name": spec["name"], "dtype": str(spec["dtype"]), "datatype": v2_datatype(spec["dtype"]),
            "shape": shape, "dynamic": dynamic}


def _to_numpy(x):
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(x)


def _example_args(ep):
    ex = getattr(ep, "example_inputs", None)
    if ex is None:
        return None
    # PyTorch's ExportedProgram.example_inputs is (args, kwargs).
    if isinstance(ex, tuple) and len(ex) == 2 and isinstance(ex[1], dict) and isinstance(ex[0], (tuple, list)):
        ex = ex[0]
    if isinstance(ex, dict):
        ex = list(ex.values())
    return [_to_numpy(a) for a in ex]


def _example_outputs(ep):
    for attr in ("example_outputs", "sample_outputs"):
        out = getattr(ep, attr, None)
        if out is not None:
            return out
    return None


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=1e-4, atol=1e-5, equal_nan=True))
    return bool(np.array_equal(a, b))


class Stats:
    """Triton's per-version inference statistics (tritonclient's get_inference_statistics)."""

    def __init__(self):
        self.counts = {k: [0, 0] for k in ("success", "fail", "queue", "compute_infer")}
        self.inference_count = 0         # rows
        self.execution_count = 0         # forwards
        self.last_inference = 0          # ms since the epoch
        self.batches = {}                # rows -> [forwards, ns]

    def _add(self, key, seconds, n=1):
        c = self.counts[key]
        c[0] += n
        c[1] += int(seconds * 1e9)

    def request(self, ok, seconds):
        self._add("success" if ok else "fail", seconds)
        if ok:
            self.last_inference = int(time.time() * 1000)

    def queued(self, rows, delays):
        for d in delays:
            self._add("queue", d)

    def executed(self, rows, requests, seconds):
        self.inference_count += rows
        self.execution_count += 1
        self._add("compute_infer", seconds, requests)
        b = self.batches.setdefault(rows, [0, 0])
        b[0] += 1
        b[1] += int(seconds * 1e9)

    def as_dict(self, name, version):
        def cn(c):
            return {"count": c[0], "ns": c[1]}
        return {"name": name, "version": str(version), "last_inference": self.last_inference,
                "inference_count": self.inference_count, "execution_count": self.execution_count,
                "inference_stats": {k: cn(v) for k, v in self.counts.items()},
                "batch_stats": [{"batch_size": r, "compute_infer": cn(v)}
                                for r, v in sorted(self.batches.items())]}


class ServedVersion:
    """A model version ready to serve: ``check`` requests, ``run_batch`` them, ``warm_up``."""

    def __init__(self, name, version, program, path=None):
        self.name = name
        self.version = int(version)
        self.path = path
        self.program = program
        self.module = program.module()
        self.inputs = [_norm_spec(s) for s in program.input_specs]
        self.outputs = [_norm_spec(s) for s in program.output_specs]
        if not self.inputs:
            raise ValueError("the program has no inputs")
        self.input_names = [s["name"] for s in self.inputs]
        self.output_names = [s["name"] for s in self.outputs]
        self.datatypes = {s["name"]: s["datatype"] for s in self.outputs}
        self.batch_max = self._batch_range()
        self.batcher = None          # set by the repository
        self.state = "LOADING"
        self.stats = Stats()

    def _batch_range(self):
        """The largest batch the program takes along dim 0, or 0 when it cannot be batched:
        every input and output must have a dynamic dim 0, the inputs' sharing one symbol."""
        names = set()
        hi = math.inf
        for s in self.inputs:
            d = s["dynamic"].get(0)
            if d is None or not s["shape"]:
                return 0
            names.add(d.get("name"))
            hi = min(hi, d.get("max") or math.inf)
        if len(names) != 1 or any(0 not in s["dynamic"] for s in self.outputs):
            return 0
        return hi

    # -- requests -----------------------------------------------------------------------------
    def check(self, arrays, datatypes):
        """The request's arrays in the program's input order, its batch rows and batching key;
        a ProtocolError (400) that names the input when one does not fit the specs."""
        for name in arrays:
            if name not in self.input_names:
                raise ProtocolError(f"unknown input '{name}'; model '{self.name}' takes "
                                    f"{self.input_names}")
        ordered = []
        symbols = {}
        for s in self.inputs:
            name = s["name"]
            arr = arrays.get(name)
            if arr is None:
                raise ProtocolError(f"missing input '{name}'; model '{self.name}' takes "
                                    f"{self.input_names}")
            if datatypes[name] != s["datatype"]:
                raise ProtocolError(f"input '{name}': datatype {datatypes[name]}, but the model "
                                    f"takes {s['datatype']}")
            want = s["shape"]
            if arr.ndim != len(want):
                raise ProtocolError(f"input '{name}': shape {list(arr.shape)} has rank {arr.ndim}, "
                                    f"the model takes rank {len(want)} {self._shape_str(s)}")
            for i, (got, w) in enumerate(zip(arr.shape, want)):
                if w is not None and got != w:
                    raise ProtocolError(f"input '{name}': shape {list(arr.shape)}, the model takes "
                                        f"{self._shape_str(s)} (dim {i} must be {w})")
                dyn = s["dynamic"].get(i)
                if dyn is not None:
                    lo, hi = dyn.get("min"), dyn.get("max")
                    if (lo is not None and got < lo) or (hi is not None and got > hi):
                        raise ProtocolError(f"input '{name}': dim {i} is {got}, outside the "
                                            f"range [{lo}, {hi}] of '{dyn.get('name')}'")
                    sym = dyn.get("name")
                    if sym is not None:
                        seen = symbols.setdefault(sym, (got, name))
                        if seen[0] != got:
                            raise ProtocolError(f"input '{name}': dim {i} ('{sym}') is {got}, but "
                                                f"input '{seen[1]}' has {seen[0]}")
            ordered.append(arr)
        rows = ordered[0].shape[0] if self.batch_max else 1
        key = tuple(a.shape[1:] for a in ordered)
        return ordered, rows, key

    @staticmethod
    def _shape_str(spec):
        return "[" + ", ".join("-1" if d is None else str(d) for d in spec["shape"]) + "]"

    # -- running (compute thread) -------------------------------------------------------------
    def forward(self, arrays):
        """The program's outputs, as NumPy arrays in output-spec order, for input arrays."""
        import ember
        with ember.no_grad():
            out = self.module(*[ember.from_numpy(a) for a in arrays])
        if isinstance(out, dict):
            names = self.output_names
            vals = [out[n] for n in names] if all(n in out for n in names) else list(out.values())
        elif isinstance(out, (tuple, list)):
            vals = list(out)
        else:
            vals = [out]
        if len(vals) != len(self.outputs):
            raise RuntimeError(f"the program returned {len(vals)} outputs, its specs name "
                               f"{len(self.outputs)}")
        return [_to_numpy(v) for v in vals]

    def run_batch(self, items):
        """[outputs or exception] for each request of one batch (compute thread). One forward for
        the stacked batch; if it fails, each request runs alone so that only a bad one fails."""
        if len(items) == 1:
            return [self._run_one(items[0].arrays)]
        n = len(self.inputs)
        stacked = [np.concatenate([it.arrays[i] for it in items]) for i in range(n)]
        total = stacked[0].shape[0]
        try:
            outs = self.forward(stacked)
        except Exception:
            return [self._run_one(it.arrays) for it in items]
        if any(o.ndim == 0 or o.shape[0] != total for o in outs):
            return [self._run_one(it.arrays) for it in items]
        results, start = [], 0
        for it in items:
            stop = start + it.rows
            results.append([o[start:stop] for o in outs])
            start = stop
        return results

    def _run_one(self, arrays):
        try:
            return self.forward(arrays)
        except Exception as exc:
            return exc

    def warm_up(self, max_batch_size):
        """Runs the artifact's sample inputs and checks that they reproduce its sample outputs
        (or, without those, that two runs agree); then checks that a stacked batch gives each
        row's own result. Returns a list of notes; raises ValueError when something differs."""
        notes = []
        args = _example_args(self.program)
        if args is None:
            args = [np.zeros([1 if d is None else d for d in s["shape"]], dtype=np.dtype(
                "float32" if s["dtype"] == "bfloat16" else s["dtype"])) for s in self.inputs]
            for s, a in zip(self.inputs, args):
                for i, dyn in s["dynamic"].items():
                    if dyn.get("min") and a.shape[i] < dyn["min"]:
                        raise ValueError("no sample inputs in the artifact to warm up on")
            notes.append("no sample inputs in the artifact: warmed up on zeros")
        got = self.forward(args)
        expected = _example_outputs(self.program)
        if expected is not None:
            if isinstance(expected, dict):
                expected = [expected[n] for n in self.output_names]
            elif not isinstance(expected, (tuple, list)):
                expected = [expected]
            expected = [_to_numpy(e) for e in expected]
            what = "the artifact's sample outputs"
        else:
            expected = self.forward(args)
            what = "a second run"
            notes.append("no sample outputs in the artifact: checked that two runs agree")
        if len(expected) != len(got):
            raise ValueError(f"the sample inputs give {len(got)} outputs, {what} has {len(expected)}")
        for name, g, e in zip(self.output_names, got, expected):
            if not _close(g, e):
                raise ValueError(f"output '{name}' of the sample inputs does not reproduce {what}")
        for s, g in zip(self.outputs, got):
            if s["datatype"] != v2_datatype(str(g.dtype)) and s["datatype"] != "BF16":
                raise ValueError(f"output '{s['name']}' is {g.dtype}, its spec says {s['dtype']}")
        if self.batch_max and max_batch_size > 1:
            rows = args[0].shape[0]
            reps = max(1, min(max_batch_size, self.batch_max) // max(rows, 1))
            if reps > 1 and rows > 0:
                big = self.forward([np.concatenate([a] * reps) for a in args])
                for name, b, g in zip(self.output_names, big, got):
                    if b.shape[0] != rows * reps or not _close(b[:rows], g) or not _close(b[-rows:], g):
                        self.batch_max = 0
                        notes.append(f"output '{name}' of a stacked batch differs from one "
                                     f"request's: dynamic batching is off for this version")
                        break
        return notes

    def metadata(self, versions):
        def t(s):
            return {"name": s["name"], "datatype": s["datatype"],
                    "shape": [-1 if d is None else d for d in s["shape"]]}
        return {"name": self.name, "versions": [str(v) for v in versions], "platform": "ember",
                "inputs": [t(s) for s in self.inputs], "outputs": [t(s) for s in self.outputs]}
