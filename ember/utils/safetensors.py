"""safetensors files of ember tensors (the API of ``safetensors.torch``), on ``safetensors.numpy``.

>>> save_file({"w": torch.ones(2, 3)}, "model.safetensors")
>>> load_file("model.safetensors")["w"].shape
torch.Size([2, 3])

BF16 tensors (common in published weights) load as float32, since ember keeps bfloat16 as
float32; ember writes float32 for them.
"""
import json
import os
import struct

import numpy as np

from .._tensor import Tensor, _wrap

__all__ = ["save_file", "load_file", "save", "load", "save_model", "load_model"]

_NP_OF = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_, "U16": np.uint16,
          "U32": np.uint32, "U64": np.uint64, "C64": np.complex64}


def _to_numpy(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    out, seen = {}, {}
    for k, t in tensors.items():
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(t)}")
        a = t._data
        if a.size:
            ptr = a.__array_interface__["data"][0]
            if ptr in seen:
                raise RuntimeError(
                    f"Some tensors share memory, this will lead to duplicate memory on disk and "
                    f"potential differences when loading them again: [{seen[ptr]!r}, {k!r}]. "
                    f"Clone them (or use save_model) before saving.")
            seen[ptr] = k
        out[k] = np.ascontiguousarray(a)
    return out


def _wrap_all(arrays):
    return {k: _wrap(np.array(v, copy=True) if not v.flags.writeable else v) for k, v in arrays.items()}


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors."""
    from safetensors.numpy import save as _save
    return _save(_to_numpy(tensors), metadata=metadata)


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to ``filename``."""
    from safetensors.numpy import save_file as _save_file
    _save_file(_to_numpy(tensors), filename, metadata=metadata)


def load(data):
    """A dict of tensors from safetensors bytes."""
    try:
        from safetensors.numpy import load as _load
        return _wrap_all(_load(data))
    except Exception as e:  # BF16 and other dtypes NumPy lacks
        if _has_bf16(data[:8 + min(len(data) - 8, _header_len(data))]):
            return _parse(data)
        raise _error(e) from e


def load_file(filename, device="cpu"):
    """A dict of tensors from the file ``filename``."""
    try:
        from safetensors.numpy import load_file as _load_file
        return _wrap_all(_load_file(filename))
    except FileNotFoundError:
        raise
    except Exception as e:
        with open(filename, "rb") as fh:
            data = fh.read()
        if len(data) >= 8 and _has_bf16(data[:8 + _header_len(data)]):
            return _parse(data)
        raise _error(e, filename) from e


def _error(e, where=None):
    w = f" {os.fspath(where)!r}" if where is not None else ""
    return RuntimeError(f"safetensors: could not read{w}: {e}")


def _header_len(data):
    return struct.unpack("<Q", bytes(data[:8]))[0] if len(data) >= 8 else 0


def _has_bf16(head):
    return b'"BF16"' in bytes(head)


def _parse(data):
    """A minimal reader of the format (8-byte header size, JSON header, raw bytes)."""
    n = _header_len(data)
    header = json.loads(bytes(data[8:8 + n]))
    body = memoryview(data)[8 + n:]
    out = {}
    for k, info in header.items():
        if k == "__metadata__":
            continue
        a, b = info["data_offsets"]
        shape = tuple(info["shape"])
        if info["dtype"] == "BF16":
            raw = np.frombuffer(body[a:b], np.uint16)
            arr = (raw.astype(np.uint32) << 16).view(np.float32).reshape(shape)
        else:
            arr = np.frombuffer(body[a:b], _NP_OF[info["dtype"]]).reshape(shape).copy()
        out[k] = _wrap(arr)
    return out


def save_model(model, filename, metadata=None, force_contiguous=False):
    """Save a module's state_dict, cloning tensors that share memory (tied weights)."""
    sd = {k: (v.clone() if isinstance(v, Tensor) else v) for k, v in model.state_dict().items()}
    save_file(sd, filename, metadata=metadata)


def load_model(model, filename, strict=True, device="cpu"):
    """Load a file written by save_model into ``model``; returns (missing, unexpected) keys."""
    sd = load_file(filename)
    result = model.load_state_dict(sd, strict=strict)
    return getattr(result, "missing_keys", []), getattr(result, "unexpected_keys", [])
