"""The KServe V2 (Open Inference) REST protocol: tensors in JSON and in the binary extension.

A request body is a JSON header, optionally followed by raw tensor bytes (the binary tensor data
extension): the ``Inference-Header-Content-Length`` HTTP header says where the JSON ends, and
each input with ``parameters.binary_data_size`` takes that many bytes, in order. Responses use
the same layout when an output asks for ``binary_data`` (or the request for
``binary_data_output``). This module only converts bytes and JSON to NumPy arrays and back; it
knows nothing about models. Nothing here unpickles: JSON numbers and raw little-endian bytes.
"""
import json
import math

import numpy as np

try:
    # NOTE: optional, ~10x faster than the json module on a 784-float request body (0.04 ms
    # against 0.5 ms), the largest cost of a JSON request; stdlib json is the fallback.
    import orjson
except ImportError:
    orjson = None


def loads(data):
    return orjson.loads(data) if orjson is not None else json.loads(data)


def dumps(doc):
    """JSON bytes; NumPy arrays are written as (nested) lists."""
    if orjson is not None:
        return orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY)
    return json.dumps(doc, separators=(",", ":"),
                      default=lambda a: a.tolist()).encode()

# V2 datatype <-> NumPy dtype. BF16 travels as the top 16 bits of a float32 (ember stores
# bfloat16 as float32); BYTES (length-prefixed strings) is not a tensor type any model takes.
V2_TO_NUMPY = {
    "BOOL": np.dtype(np.bool_), "UINT8": np.dtype(np.uint8), "UINT16": np.dtype("<u2"),
    "UINT32": np.dtype("<u4"), "UINT64": np.dtype("<u8"), "INT8": np.dtype(np.int8),
    "INT16": np.dtype("<i2"), "INT32": np.dtype("<i4"), "INT64": np.dtype("<i8"),
    "FP16": np.dtype("<f2"), "FP32": np.dtype("<f4"), "FP64": np.dtype("<f8"),
    "BF16": np.dtype("<f4"),
}
# ember / PyTorch dtype names (as export's specs write them) -> V2 datatype.
DTYPE_TO_V2 = {
    "bool": "BOOL", "uint8": "UINT8", "uint16": "UINT16", "uint32": "UINT32", "uint64": "UINT64",
    "int8": "INT8", "int16": "INT16", "int32": "INT32", "int64": "INT64",
    "float16": "FP16", "half": "FP16", "float32": "FP32", "float": "FP32", "float64": "FP64",
    "double": "FP64", "bfloat16": "BF16",
}
TRITON_CONFIG_TYPES = {v: "TYPE_" + ("STRING" if v == "BYTES" else v) for v in V2_TO_NUMPY}


class ProtocolError(Exception):
    """A request the server refuses; ``status`` is the HTTP status, the message says why."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def v2_datatype(dtype_name):
    """The V2 datatype of an ember dtype name: ``v2_datatype("float32") == "FP32"``."""
    name = str(dtype_name).removeprefix("torch.").removeprefix("ember.")
    try:
        return DTYPE_TO_V2[name]
    except KeyError:
        raise ValueError(f"dtype {dtype_name!r} has no KServe V2 datatype") from None


def split_body(body, header_length):
    """(JSON header as a dict, the binary bytes after it) of a request or response body."""
    if header_length is None:
        header, rest = body, b""
    else:
        try:
            n = int(header_length)
        except ValueError:
            raise ProtocolError(f"Inference-Header-Content-Length is not an integer: "
                                f"{header_length!r}") from None
        if not 0 <= n <= len(body):
            raise ProtocolError(f"Inference-Header-Content-Length {n} is outside the body of "
                                f"{len(body)} bytes")
        header, rest = body[:n], body[n:]
    try:
        doc = loads(header)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"request body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ProtocolError("request body must be a JSON object")
    return doc, memoryview(rest)


def _shape(tensor, name):
    shape = tensor.get("shape")
    if (not isinstance(shape, list)
            or not all(type(d) is int and d >= 0 for d in shape)):
        raise ProtocolError(f"input '{name}': 'shape' must be a list of non-negative integers, "
                            f"got {shape!r}")
    return shape


def _from_json(data, datatype, shape, name):
    np_dtype = V2_TO_NUMPY[datatype]
    count = math.prod(shape)
    try:
        if np_dtype.kind == "f":
            # NOTE: the fast path for the common case; bools become 0/1 as in NumPy.
            arr = np.asarray(data, dtype=np_dtype)
        else:
            arr = np.asarray(data)
            if arr.dtype.kind == "O" or arr.dtype.kind == "U":
                raise ValueError("values are not all numbers")
            if np_dtype.kind == "b":
                if arr.size and arr.dtype.kind != "b":
                    raise ValueError("BOOL data must be true/false")
            elif arr.size:
                if arr.dtype.kind not in "iu":
                    raise ValueError(f"{datatype} data must be integers")
                info = np.iinfo(np_dtype)
                if arr.min() < info.min or arr.max() > info.max:
                    raise ValueError(f"a value is out of the range of {datatype}")
            arr = arr.astype(np_dtype, copy=False)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ProtocolError(f"input '{name}': data does not hold {datatype} values: {exc}") from None
    if arr.size != count:
        raise ProtocolError(f"input '{name}': shape {shape} needs {count} elements, "
                            f"data has {arr.size}")
    return arr.reshape(shape)


def _from_bytes(raw, datatype, shape, name):
    count = math.prod(shape)
    if datatype == "BF16":
        if len(raw) != 2 * count:
            raise ProtocolError(f"input '{name}': shape {shape} of BF16 needs {2 * count} bytes, "
                                f"binary_data_size is {len(raw)}")
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    np_dtype = V2_TO_NUMPY[datatype]
    if len(raw) != np_dtype.itemsize * count:
        raise ProtocolError(f"input '{name}': shape {shape} of {datatype} needs "
                            f"{np_dtype.itemsize * count} bytes, binary_data_size is {len(raw)}")
    # A copy: the body's buffer must not be aliased by a tensor the model may keep.
    return np.frombuffer(raw, dtype=np_dtype).reshape(shape).copy()


def decode_inputs(doc, binary):
    """({name: array}, {name: V2 datatype}) of a request's ``inputs``; binary tensors are read
    from ``binary`` in order."""
    tensors = doc.get("inputs")
    if not isinstance(tensors, list) or not tensors:
        raise ProtocolError("request must have a non-empty list 'inputs'")
    out = {}
    datatypes = {}
    offset = 0
    for t in tensors:
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            raise ProtocolError("each input must be an object with a 'name'")
        name = t["name"]
        if name in out:
            raise ProtocolError(f"input '{name}' is given twice")
        datatype = t.get("datatype")
        if datatype not in V2_TO_NUMPY:
            raise ProtocolError(f"input '{name}': unknown or unsupported datatype {datatype!r}")
        shape = _shape(t, name)
        datatypes[name] = datatype
        params = t.get("parameters") or {}
        if not isinstance(params, dict):
            raise ProtocolError(f"input '{name}': 'parameters' must be an object")
        size = params.get("binary_data_size")
        if size is not None:
            if type(size) is not int or size < 0:
                raise ProtocolError(f"input '{name}': binary_data_size must be a non-negative "
                                    f"integer, got {size!r}")
            if offset + size > len(binary):
                raise ProtocolError(f"input '{name}': binary_data_size {size} runs past the end "
                                    f"of the body ({len(binary) - offset} bytes left)")
            out[name] = _from_bytes(binary[offset:offset + size], datatype, shape, name)
            offset += size
        elif "data" in t:
            if datatype == "BF16":
                raise ProtocolError(f"input '{name}': BF16 must be sent as binary data")
            out[name] = _from_json(t["data"], datatype, shape, name)
        else:
            raise ProtocolError(f"input '{name}' has neither 'data' nor "
                                f"parameters.binary_data_size")
    if offset != len(binary):
        raise ProtocolError(f"{len(binary) - offset} bytes of binary data after the last "
                            f"input are not claimed by any binary_data_size")
    return out, datatypes


def requested_outputs(doc, output_names):
    """[(name, binary: bool)] that the request asks for, all outputs when it names none."""
    params = doc.get("parameters") or {}
    if not isinstance(params, dict):
        raise ProtocolError("'parameters' must be an object")
    default_binary = bool(params.get("binary_data_output", False))
    wanted = doc.get("outputs")
    if wanted is None:
        return [(n, default_binary) for n in output_names]
    if not isinstance(wanted, list):
        raise ProtocolError("'outputs' must be a list")
    out = []
    for o in wanted:
        if not isinstance(o, dict) or not isinstance(o.get("name"), str):
            raise ProtocolError("each requested output must be an object with a 'name'")
        if o["name"] not in output_names:
            raise ProtocolError(f"unknown output '{o['name']}'; the model's outputs are "
                                f"{list(output_names)}")
        p = o.get("parameters") or {}
        if not isinstance(p, dict):
            raise ProtocolError(f"output '{o['name']}': 'parameters' must be an object")
        if p.get("classification"):
            raise ProtocolError("the classification extension is not supported")
        out.append((o["name"], bool(p.get("binary_data", default_binary))))
    return out


def _to_bf16_bytes(arr):
    # Round to nearest even, as PyTorch converts float32 to bfloat16.
    bits = np.ascontiguousarray(arr, dtype=np.float32).view(np.uint32)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return bits.astype("<u2").tobytes()


def encode_response(header, outputs):
    """(body bytes, JSON header length or None) for ``outputs``: [(name, V2 type, array, binary)].

    ``header`` holds the other response fields (model_name, model_version, id, parameters).
    """
    doc = dict(header)
    chunks = []
    tensors = []
    for name, datatype, arr, binary in outputs:
        t = {"name": name, "datatype": datatype, "shape": list(arr.shape)}
        if binary:
            raw = (_to_bf16_bytes(arr) if datatype == "BF16"
                   else np.ascontiguousarray(arr, dtype=V2_TO_NUMPY[datatype]).tobytes())
            t["parameters"] = {"binary_data_size": len(raw)}
            chunks.append(raw)
        else:
            flat = arr.ravel()
            # orjson writes float32/int arrays itself; float16 and bool go through lists.
            t["data"] = flat if flat.dtype.kind in "iuf" and flat.dtype.itemsize >= 4 else flat.tolist()
        tensors.append(t)
    doc["outputs"] = tensors
    head = dumps(doc)
    if not chunks:
        return head, None
    return b"".join([head, *chunks]), len(head)
