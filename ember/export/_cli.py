"""``ember export`` and ``ember inspect``: export a model without writing Python, look at a file.

    ember export models.py:make_model --example-shape 1,3,32,32 -o model.pt2
    ember export mypkg.nets:ResNet --example-shape 8,3,224,224 --batch-max 256 --onnx m.onnx
    ember inspect model.pt2

TARGET is ``FILE.py:NAME`` or ``MODULE:NAME``; NAME is an nn.Module instance, a class, or a
function returning a module (called with no arguments).  ``import torch`` in that code
resolves to ember, as with ``ember run``.  Dim 0 of every input is the dynamic batch
dimension (``--static`` for none); ``--dynamic-dim 1:time:1:512`` adds others.
"""
import argparse
import os
import sys

EXPORT_USAGE = "ember export TARGET --example-shape N,C,... [--example-shape ...] -o OUT.pt2"


def _parse_shape(s):
    try:
        return tuple(int(v) for v in s.replace("x", ",").split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--example-shape wants integers like 1,3,32,32, got "
                                         f"{s!r}") from None


def _load_target(target):
    from .. import _torch_shim
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise SystemExit(f"ember export: TARGET must be FILE.py:NAME or MODULE:NAME, got "
                         f"{target!r}")
    _torch_shim.install()
    if path.endswith(".py") or os.path.sep in path:
        if not os.path.exists(path):
            raise SystemExit(f"ember export: can't open file {path!r}")
        import runpy
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        ns = runpy.run_path(path, run_name="__ember_export__")
    else:
        import importlib
        sys.path.insert(0, os.getcwd())
        ns = vars(importlib.import_module(path))
    if name not in ns:
        raise SystemExit(f"ember export: {path} has no {name!r}")
    obj = ns[name]
    from ..nn.modules.module import Module
    if not isinstance(obj, Module):
        obj = obj()
    if not isinstance(obj, Module):
        raise SystemExit(f"ember export: {target} gave a {type(obj).__name__}, not an nn.Module")
    return obj


def cmd_export(argv):
    p = argparse.ArgumentParser(prog="ember export", description=__doc__.split("\n\n")[0],
                                usage=EXPORT_USAGE)
    p.add_argument("target")
    p.add_argument("--example-shape", action="append", type=_parse_shape, required=True,
                   help="the shape of one example input (repeat for several inputs)")
    p.add_argument("--dtype", action="append", default=None,
                   help="dtype of each input (float32, int64, ...); default float32")
    p.add_argument("--input-names", default=None, help="comma-separated input names")
    p.add_argument("--static", action="store_true", help="no dynamic batch dimension")
    p.add_argument("--dynamic-dim", action="append", default=[], metavar="DIM:NAME[:MIN:MAX]",
                   help="another dynamic dimension of every input that has it, e.g. "
                        "1:time:1:512 (repeatable)")
    p.add_argument("--batch-min", type=int, default=1)
    p.add_argument("--batch-max", type=int, default=4096)
    p.add_argument("--int-high", type=int, default=2,
                   help="integer example inputs are drawn from [0, int-high)")
    p.add_argument("-o", "--output", required=True, help="the .pt2 file to write")
    p.add_argument("--onnx", default=None, help="also write ONNX to this path")
    p.add_argument("--opset", type=int, default=None, help="ONNX opset (17-20)")
    a = p.parse_args(argv)
    import numpy as np

    import ember

    from . import Dim, ExportError, export, save
    model = _load_target(a.target)
    dtypes = a.dtype or ["float32"]
    if len(dtypes) == 1:
        dtypes = dtypes * len(a.example_shape)
    if len(dtypes) != len(a.example_shape):
        raise SystemExit("ember export: give one --dtype, or one per --example-shape")
    rng = np.random.default_rng(0)
    args = []
    for shape, dt in zip(a.example_shape, dtypes):
        if np.dtype(dt).kind in "iu":
            args.append(ember.tensor(rng.integers(0, a.int_high, shape).astype(dt)))
        elif np.dtype(dt).kind == "b":
            args.append(ember.tensor(rng.integers(0, 2, shape).astype(bool)))
        else:
            args.append(ember.tensor(rng.standard_normal(shape).astype(dt)))
    names = a.input_names.split(",") if a.input_names else None
    batch = Dim("batch", min=a.batch_min, max=a.batch_max)
    dyn = [{} if a.static else {0: batch} for _ in args]
    for spec in a.dynamic_dim:
        parts = spec.split(":")
        try:
            d, dname = int(parts[0]), parts[1]
            lo, hi = (int(parts[2]), int(parts[3])) if len(parts) == 4 else (1, 4096)
        except (ValueError, IndexError):
            raise SystemExit(f"ember export: --dynamic-dim wants DIM:NAME[:MIN:MAX], got "
                             f"{spec!r}") from None
        dim = Dim(dname, min=lo, max=hi)
        for t, dd in zip(args, dyn):
            if d < t.dim():
                dd[d] = dim
    dyn = tuple(dyn)
    try:
        ep = export(model, tuple(args), dynamic_shapes=dyn, input_names=names)
    except ExportError as e:
        print(f"ember export: {e}", file=sys.stderr)
        return 1
    save(ep, a.output)
    print(f"wrote {a.output}")
    _print_specs(ep)
    if a.onnx:
        dyn_axes = {s["name"]: {d: v["name"] for d, v in s["dynamic"].items()}
                    for s in ep.input_specs if s["dynamic"]}
        ember.onnx.export(model, tuple(args), a.onnx, input_names=[s["name"] for s in ep.input_specs],
                          dynamic_axes=dyn_axes, opset_version=a.opset)
        print(f"wrote {a.onnx}")
    return 0


def _spec_line(s):
    dims = [s["dynamic"][d]["name"] if d in s["dynamic"] else str(n) for d, n in enumerate(s["shape"])]
    rng = "".join(f"  {v['name']} in [{v['min']}, {v['max']}]" for v in s["dynamic"].values())
    return f"  {s['name']:<16} {s['dtype']}[{', '.join(dims)}]{rng}"


def _print_specs(ep):
    print("inputs:")
    for s in ep.input_specs:
        print(_spec_line(s))
    print("outputs:")
    for s in ep.output_specs:
        print(_spec_line(s))


def cmd_inspect(argv):
    p = argparse.ArgumentParser(prog="ember inspect",
                                description="print an exported file's specs and op counts, "
                                            "and check that its sample outputs reproduce")
    p.add_argument("path")
    p.add_argument("--code", action="store_true", help="print the generated code too")
    a = p.parse_args(argv)
    import numpy as np

    from . import ExportFileError, load
    try:
        ep = load(a.path)
    except (ExportFileError, OSError) as e:
        print(f"ember inspect: {e}", file=sys.stderr)
        return 1
    print(f"{a.path}: ember export, op set {ep.opset['domain']} v{ep.opset['version']}")
    _print_specs(ep)
    n_params = sum(v.size for k, v in ep._weights_np.items() if k in ep._parameters)
    print(f"parameters: {n_params} values in {len(ep._parameters)} tensors; "
          f"buffers: {len(ep._buffers)}")
    counts = ep.op_counts()
    print(f"ops ({sum(counts.values())}):")
    for name, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {k:5d}  {name}")
    from .._tensor import _wrap
    out = ep.module()(*[_wrap(x) for x in ep._example])
    from .._compile.api import _flatten
    got = [t.numpy() for t in _flatten(out, [])]
    ok = len(got) == len(ep.sample_outputs)
    worst = 0.0
    for g, r in zip(got, ep.sample_outputs):
        if g.shape != r.shape:
            ok = False
            continue
        if g.size:
            worst = max(worst, float(np.max(np.abs(g.astype(np.float64) - r.astype(np.float64)))))
            ok = ok and bool(np.allclose(g, r, rtol=1e-5, atol=1e-6, equal_nan=True))
    shapes = ", ".join(str(list(x.shape)) for x in ep._example)
    print(f"sample check: inputs {shapes} -> outputs "
          f"{'reproduce' if ok else 'DO NOT reproduce'} (max abs diff {worst:.3g})")
    if a.code:
        print()
        print(ep.module().code)
    return 0 if ok else 1
