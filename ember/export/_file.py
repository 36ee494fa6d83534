"""The exported file: one zip archive (stored, not compressed) with exactly three members.

    ember_export.json       format and op-set versions, the graph template, input/output
                            specs, the signature, and the SHA-256 of the other two members
    weights.safetensors     parameters, buffers and constant arrays (``@array/N``)
    samples.safetensors     the example inputs (``input/N``) and their outputs (``output/N``)

Loading reads JSON and safetensors only: nothing is unpickled, imported by name from the
file, or evaluated.  Anything else in the archive, a checksum that does not match, JSON that
does not parse or a graph that names an op outside the op set is refused with an
``ExportFileError`` that says which.
"""
import hashlib
import io
import json
import zipfile

import numpy as np

from ._opset import OPSET_DOMAIN, OPSET_VERSION

FORMAT = "ember.export"
FORMAT_VERSION = 1
_MEMBERS = ("ember_export.json", "weights.safetensors", "samples.safetensors")


class ExportFileError(ValueError):
    """A file that is not a valid ember export (corrupted, truncated, unknown op, ...)."""


def _st_save(arrays):
    from safetensors.numpy import save
    return save({k: np.ascontiguousarray(v) for k, v in arrays.items()})


def _st_load(data, what, path):
    from safetensors.numpy import load
    try:
        return load(data)
    except Exception as exc:
        raise ExportFileError(f"{path}: {what} is corrupted ({exc})") from None


def save(ep, f, *, extra_files=None, opset_version=None, pickle_protocol=None):
    """``torch.export.save``: write ``ep`` to a path or a binary file object.

    ``extra_files`` ({name: str}) are kept as text in the JSON; ``opset_version`` and
    ``pickle_protocol`` are PyTorch's and have no meaning here (nothing is pickled)."""
    extra = {str(k): v if isinstance(v, str) else bytes(v).decode("utf-8", "replace")
             for k, v in (extra_files or {}).items()}
    weights = dict(ep._weights_np)
    for i, a in enumerate(ep._arrays):
        weights[f"@array/{i}"] = a
    samples = {f"input/{i}": a for i, a in enumerate(ep._example)}
    samples.update({f"output/{i}": a for i, a in enumerate(ep.sample_outputs)})
    wbytes, sbytes = _st_save(weights), _st_save(samples)
    doc = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "opset": {"domain": OPSET_DOMAIN, "version": OPSET_VERSION},
        "graph": ep._template,
        "n_arrays": len(ep._arrays),
        "parameters": ep._parameters, "buffers": ep._buffers,
        "input_specs": ep.input_specs, "output_specs": ep.output_specs,
        "input_structure": ep._structure,
        "n_samples": [len(ep._example), len(ep.sample_outputs)],
        "extra_files": extra,
        "sha256": {"weights.safetensors": hashlib.sha256(wbytes).hexdigest(),
                   "samples.safetensors": hashlib.sha256(sbytes).hexdigest()},
    }
    jbytes = json.dumps(doc, indent=1, allow_nan=False).encode()
    own = isinstance(f, (str, bytes)) or hasattr(f, "__fspath__")
    fh = open(f, "wb") if own else f
    try:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as z:
            for name, data in zip(_MEMBERS, (jbytes, wbytes, sbytes)):
                z.writestr(name, data)
    finally:
        if own:
            fh.close()


def load(f, *, extra_files=None, expected_opset_version=None):
    """``torch.export.load``: read a file written by ``save`` (never unpickles).

    ``extra_files`` (a dict of names) is filled with the texts ``save`` stored under them."""
    from ._program import ExportedProgram, build_graph
    path = str(f) if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__") else "<file>"
    if path != "<file>":
        with open(f, "rb") as fh:
            raw = fh.read()
    else:
        raw = f.read()
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        names = z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise ExportFileError(f"{path}: not an ember export file, or truncated/corrupted "
                              f"({exc})") from None
    extra = [n for n in names if n not in _MEMBERS]
    if extra or sorted(names) != sorted(_MEMBERS):
        raise ExportFileError(f"{path}: unexpected archive members {extra or names}; an ember "
                              f"export holds exactly {list(_MEMBERS)} (refusing the file)")
    try:
        jbytes, wbytes, sbytes = (z.read(n) for n in _MEMBERS)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError,
            NotImplementedError) as exc:     # a flipped byte can name an unknown compression
        raise ExportFileError(f"{path}: corrupted archive ({exc})") from None
    try:
        doc = json.loads(jbytes)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ExportFileError(f"{path}: ember_export.json is corrupted "
                              f"({type(exc).__name__}: {str(exc)[:200]})") from None
    if type(doc) is not dict or doc.get("format") != FORMAT:
        raise ExportFileError(f"{path}: not an ember export file (format {doc.get('format')!r})"
                              if type(doc) is dict else f"{path}: malformed ember_export.json")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ExportFileError(f"{path}: export format version {doc.get('format_version')!r}; "
                              f"this ember reads version {FORMAT_VERSION}")
    opset = doc.get("opset")
    opset = opset if type(opset) is dict else {}
    if opset.get("domain") != OPSET_DOMAIN or type(opset.get("version")) is not int:
        raise ExportFileError(f"{path}: unknown op set {opset!r}")
    if opset["version"] > OPSET_VERSION:
        raise ExportFileError(f"{path}: the file needs ember op set v{opset['version']}; this "
                              f"ember reads up to v{OPSET_VERSION} (upgrade ember)")
    sums = doc.get("sha256")
    sums = sums if type(sums) is dict else {}
    for name, data in (("weights.safetensors", wbytes), ("samples.safetensors", sbytes)):
        if sums.get(name) != hashlib.sha256(data).hexdigest():
            raise ExportFileError(f"{path}: {name} does not match its checksum (the file is "
                                  f"corrupted or was modified)")
    weights = _st_load(wbytes, "weights.safetensors", path)
    samples = _st_load(sbytes, "samples.safetensors", path)
    try:
        n_arrays = int(doc["n_arrays"])
        arrays = [weights.pop(f"@array/{i}") for i in range(n_arrays)]
        n_in, n_out = doc["n_samples"]
        data = {
            "template": doc["graph"], "arrays": arrays, "weights": weights,
            "parameters": doc["parameters"], "buffers": doc["buffers"],
            "input_specs": doc["input_specs"], "output_specs": doc["output_specs"],
            "input_structure": doc.get("input_structure"),
            "example_inputs": [samples[f"input/{i}"] for i in range(n_in)],
            "sample_outputs": [samples[f"output/{i}"] for i in range(n_out)],
            "opset": opset,
        }
        ep = ExportedProgram(data)
        # Decode the whole graph once now: an unknown op or a malformed node fails here.
        from .._tensor import _wrap
        sizes = dict(zip([s for s in _dims(ep.input_specs)],
                         _example_sizes(ep.input_specs, data["example_inputs"])))
        build_graph(doc["graph"], {k: _wrap(v) for k, v in weights.items()}, arrays, sizes,
                    opset["version"])
    except ExportFileError:
        raise
    except ValueError as exc:
        raise ExportFileError(f"{path}: {exc}") from None
    except (KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
        raise ExportFileError(f"{path}: malformed ember_export.json ({type(exc).__name__}: "
                              f"{exc})") from None
    if extra_files is not None:
        stored = doc.get("extra_files")
        stored = stored if type(stored) is dict else {}
        for k in list(extra_files):
            extra_files[k] = stored.get(k, "")
    # The graph must run on its own sample inputs (ember ops only; nothing from the file is
    # code): a file edited into an inconsistent graph is refused here, not at the first call.
    # Whether the outputs reproduce the samples is for the caller (ember inspect, serve).
    try:
        ep.module()(*[_wrap(a) for a in data["example_inputs"]])
    except Exception as exc:   # noqa: BLE001 - any failure means the file is inconsistent
        raise ExportFileError(f"{path}: the graph does not run on its own sample inputs "
                              f"({type(exc).__name__}: {str(exc)[:200]})") from None
    return ep


def _dims(specs):
    seen = []
    for s in specs:
        for v in s["dynamic"].values():
            if v["name"] not in seen:
                seen.append(v["name"])
    return seen


def _example_sizes(specs, examples):
    sizes = {}
    for s, a in zip(specs, examples):
        for d, v in s["dynamic"].items():
            sizes.setdefault(v["name"], a.shape[int(d)])
    return [sizes[n] for n in _dims(specs)]
