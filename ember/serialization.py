"""torch.save / torch.load in PyTorch's own file format.

A checkpoint is a zip archive (stored, not compressed):

    <name>/data.pkl                  pickle protocol 2; tensors are ``torch._utils._rebuild_tensor_v2``
                                     calls whose storage is a persistent id
                                     ``('storage', torch.FloatStorage, key, 'cpu', numel)``
    <name>/.format_version, .storage_alignment, byteorder, version
    <name>/data/<key>                the raw little-endian bytes of one storage, 64-byte aligned
    <name>/.data/serialization_id

so a file ember saves loads in PyTorch (``weights_only=True``) and the other way round.
Views that share one NumPy base array share one storage in the file, as in PyTorch.

Loading never runs code from the file by default: an allowlist unpickler resolves only the
tensor rebuild functions, storage types, dtypes, ``torch.Size``/``torch.device`` and a few
containers; any other global raises ``pickle.UnpicklingError`` naming it.  ``weights_only=False``
(or ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``) unpickles everything, mapping ``torch.*`` globals to
``ember.*``: only for files you trust.

Limits: no quantized storages; bfloat16 storages load as float32 (ember keeps
bfloat16 as float32) and are saved as float32.
"""
import collections
import io
import os
import pickle
import struct
import sys
import tempfile
import zipfile

import numpy as np

from . import _dtype
from ._device import device as _device
from ._tensor import Size, Tensor, _wrap

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_ALIGN = 64
_ZIP_LOCAL_HEADER = 30

_STORAGE_OF = {
    _dtype.float32: "FloatStorage", _dtype.float64: "DoubleStorage", _dtype.float16: "HalfStorage",
    _dtype.int64: "LongStorage", _dtype.int32: "IntStorage", _dtype.int16: "ShortStorage",
    _dtype.int8: "CharStorage", _dtype.uint8: "ByteStorage", _dtype.bool_: "BoolStorage",
    _dtype.complex64: "ComplexFloatStorage", _dtype.complex128: "ComplexDoubleStorage",
}
_DTYPE_OF_STORAGE = {v: k for k, v in _STORAGE_OF.items()}


# --- saving ----------------------------------------------------------------------------------
class _Global:
    """A global in PyTorch's namespace, written as a pickle GLOBAL without importing torch."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce wants a callable
        raise TypeError(f"{self.module}.{self.name} is a placeholder for writing files")


_G_REBUILD_V2 = _Global("torch._utils", "_rebuild_tensor_v2")
_G_REBUILD_PARAM = _Global("torch._utils", "_rebuild_parameter")
_G_SIZE = _Global("torch", "Size")
_G_DEVICE = _Global("torch", "device")
_G_STORAGE = {d: _Global("torch", n) for d, n in _STORAGE_OF.items()}
_G_DTYPE = {d: _Global("torch", d.name) for d in _dtype.ALL}


class _StorageRef:
    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


def _storage_of(arr):
    """(root array, element offset, element strides) when ``arr`` is a plain strided view of a
    contiguous root array of the same itemsize; None when it must be saved as its own copy."""
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    isz = arr.itemsize
    if root is arr:
        if arr.flags.c_contiguous:
            return root, 0, tuple(s // isz for s in arr.strides) if arr.ndim else ()
        return None
    if not root.flags.c_contiguous or root.nbytes % isz or arr.size == 0:
        return None
    off = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if off < 0 or off % isz:
        return None
    end = off + isz
    for n, s in zip(arr.shape, arr.strides):
        if s < 0 or s % isz:
            return None
        end += (n - 1) * s
    if end > root.nbytes:
        return None
    return root, off // isz, tuple(s // isz for s in arr.strides)


def _contig_strides(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(st))


class _TorchPickler(pickle._Pickler):
    """Pure-Python pickler (so it can write torch.* globals that do not exist here)."""
    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}   # (id(root), dtype) -> (key, flat array)
        self._keep = []

    def _save_global_ref(self, obj):
        self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
        self.memoize(obj)

    dispatch[_Global] = _save_global_ref

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return obj.pid
        return None

    def _storage(self, arr, dt):
        info = _storage_of(arr)
        if info is None:
            root = np.ascontiguousarray(arr)
            off, strides = 0, _contig_strides(arr.shape)
        else:
            root, off, strides = info
            if arr.ndim == 0:
                strides = ()
        k = (id(root), dt)
        hit = self.storages.get(k)
        if hit is None:
            key = str(len(self.storages))
            flat = root.reshape(-1).view(dt.np) if root.dtype != dt.np else root.reshape(-1)
            self._keep.append(root)
            ref = _StorageRef(("storage", _G_STORAGE[dt], key, "cpu", flat.size))
            hit = self.storages[k] = (key, flat, ref)
        return hit[2], off, strides

    def reducer_override(self, obj):
        t = type(obj)
        if t is Tensor or isinstance(obj, Tensor):
            arr = obj._data
            if arr.dtype.byteorder == ">":
                arr = arr.astype(arr.dtype.newbyteorder("<"))
            dt = _dtype.from_np(arr.dtype)
            if dt not in _STORAGE_OF:
                raise RuntimeError(f"ember.save: unsupported dtype {dt}")
            if t is not Tensor and _is_parameter(obj):
                plain = _wrap(obj._data)
                return (_G_REBUILD_PARAM, (plain, bool(obj.requires_grad), collections.OrderedDict()))
            ref, off, strides = self._storage(arr, dt)
            return (_G_REBUILD_V2, (ref, off, Size(arr.shape), strides, bool(obj.requires_grad),
                                    collections.OrderedDict()))
        if t is Size:
            return (_G_SIZE, (tuple(obj),))
        if t is _device:
            return (_G_DEVICE, (str(obj),))
        return NotImplemented

    def save(self, obj, save_persistent_id=True):
        t = type(obj)
        if t is _dtype.dtype:  # a dtype pickles as the bare global torch.<name>
            return super().save(_G_DTYPE[obj], save_persistent_id)
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf" and t.__module__ == "numpy":
            # NOTE: NumPy scalars (from ember's own arithmetic, e.g. a scheduler's lr) become Python
            # numbers, so that PyTorch's weights-only loader accepts the file.
            return super().save(obj.item(), save_persistent_id)
        return super().save(obj, save_persistent_id)


def _is_parameter(obj):
    try:
        from .nn.parameter import Parameter
    except ImportError:
        return False
    return isinstance(obj, Parameter)


def _archive_name(f):
    if isinstance(f, (str, os.PathLike)):
        base = os.path.basename(os.fspath(f))
        return os.path.splitext(base)[0] or "archive"
    return "archive"


def _write_record(zf, name, data):
    """Write one stored zip entry whose data starts on a 64-byte boundary (an 'FB' extra field
    pads the local header, as PyTorch's writer does)."""
    buf = memoryview(data).cast("B") if not isinstance(data, bytes) else data
    size = len(buf)
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_STORED
    zi.file_size = size
    cursor = zf.fp.tell() - getattr(zf, "_start_disk", 0)
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
    start = cursor + _ZIP_LOCAL_HEADER + len(name.encode()) + 4 + (20 if zip64 else 0)
    pad = (-start) % _ALIGN
    zi.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    with zf.open(zi, "w", force_zip64=zip64) as w:
        w.write(buf)


def save(obj, f, pickle_module=None, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state dicts, nested containers) in PyTorch's zip format.

    A path is written atomically: to a temporary file in the same folder, then renamed, so a
    crash mid-save leaves any previous file intact.

    >>> torch.save({"w": torch.ones(2)}, "ckpt.pt")
    """
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {folder} does not exist.")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                _save_zip(obj, fh, _archive_name(path), pickle_protocol)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _file_mode(path))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    else:
        _save_zip(obj, f, "archive", pickle_protocol)


def _file_mode(path):
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _save_zip(obj, fh, name, protocol):
    buf = io.BytesIO()
    p = _TorchPickler(buf, protocol)
    p.dump(obj)
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        _write_record(zf, f"{name}/data.pkl", buf.getvalue())
        _write_record(zf, f"{name}/.format_version", b"1")
        _write_record(zf, f"{name}/.storage_alignment", str(_ALIGN).encode())
        _write_record(zf, f"{name}/byteorder", b"little")
        for key, flat, _ in sorted(p.storages.values(), key=lambda x: x[0]):
            if sys.byteorder != "little":
                flat = flat.byteswap()
            _write_record(zf, f"{name}/data/{key}", flat)
        _write_record(zf, f"{name}/version", b"3\n")
        r = np.random.default_rng()
        sid = "%020d%020d" % (int(r.integers(0, 2**63)), int(r.integers(0, 2**63)))
        _write_record(zf, f"{name}/.data/serialization_id", sid.encode())


# --- loading ---------------------------------------------------------------------------------
class _StorageType:
    __slots__ = ("dtype", "name")

    def __init__(self, name, dt):
        self.name, self.dtype = name, dt

    def __repr__(self):
        return f"torch.{self.name}"


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    isz = storage.itemsize
    size = tuple(size)
    stride = tuple(stride)
    n = 1
    for s in size:
        n *= s
    if n == 0:
        arr = np.empty(size, storage.dtype)
    elif stride == _contig_strides(size):
        arr = storage[storage_offset:storage_offset + n].reshape(size)
    else:
        end = storage_offset + 1 + sum((a - 1) * b for a, b in zip(size, stride))
        if min(stride, default=0) < 0 or end > storage.size:
            raise RuntimeError(f"ember.load: tensor of size {size} and stride {stride} at offset "
                               f"{storage_offset} does not fit its storage of {storage.size} elements")
        arr = np.ndarray(size, storage.dtype, buffer=storage, offset=storage_offset * isz,
                         strides=tuple(s * isz for s in stride))
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    from .nn.parameter import Parameter
    try:
        p = Parameter(data, requires_grad=requires_grad)
    except TypeError:
        p = _wrap(data._data, Parameter)
        p.requires_grad = requires_grad
    if state:
        for k, v in (state.items() if isinstance(state, dict) else ()):
            setattr(p, k, v)
    return p


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data, requires_grad, backward_hooks, state)


def _rebuild_from_type_v2(func, new_type, args, state):
    r = func(*args)
    if isinstance(new_type, type) and issubclass(new_type, Tensor) and type(r) is not new_type:
        if new_type.__name__ == "Parameter":
            r = _rebuild_parameter(r, r.requires_grad, None)
        else:
            t = _wrap(r._data, new_type)
            t.requires_grad = r.requires_grad
            r = t
    if state:
        if isinstance(state, tuple):
            state = state[0] or {}
        for k, v in state.items():
            setattr(r, k, v)
    return r


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    t = _wrap(np.array(data, copy=True))
    t.requires_grad = requires_grad
    return t


def _size(*args):
    return Size(*args)


def _codecs_encode(s, encoding="latin1"):
    import codecs
    return codecs.encode(s, encoding)


def _refuse_sparse(*args):
    raise pickle.UnpicklingError("ember.load: sparse tensors in checkpoints are not supported")


def _build_allowed():
    g = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("collections", "Counter"): collections.Counter,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
        ("torch._utils", "_rebuild_device_tensor_from_numpy"): _rebuild_device_tensor_from_numpy,
        ("torch._utils", "_rebuild_sparse_tensor"): _refuse_sparse,
        ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
        ("torch", "Size"): Size,
        ("torch", "device"): _device,
        ("torch", "Tensor"): Tensor,
        ("torch._tensor", "Tensor"): Tensor,
        ("_codecs", "encode"): _codecs_encode,
        ("builtins", "bytearray"): bytearray,
        ("builtins", "set"): set,
        ("builtins", "frozenset"): frozenset,
        ("builtins", "complex"): complex,
        ("builtins", "slice"): slice,
    }
    for d, n in _STORAGE_OF.items():
        g[("torch", n)] = _StorageType(n, d)
    g[("torch", "BFloat16Storage")] = _StorageType("BFloat16Storage", "bfloat16")
    for d in _dtype.ALL:
        g[("torch", d.name)] = d
    g[("torch", "bfloat16")] = _dtype.float32
    return g


_ALLOWED = _build_allowed()
_USER_SAFE = {}


def add_safe_globals(safe_globals):
    """Allow more globals in weights-only loading: objects or (object, "module.name") pairs."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, full = g
            mod, _, name = full.rpartition(".")
        else:
            obj, mod, name = g, g.__module__, g.__qualname__
        _USER_SAFE[(mod, name)] = obj


def get_safe_globals():
    return list(_USER_SAFE.values())


def clear_safe_globals():
    _USER_SAFE.clear()


class safe_globals:
    """Context manager form of :func:`add_safe_globals`."""

    def __init__(self, globals_list):
        self._g = globals_list

    def __enter__(self):
        self._saved = dict(_USER_SAFE)
        add_safe_globals(self._g)

    def __exit__(self, *exc):
        _USER_SAFE.clear()
        _USER_SAFE.update(self._saved)


def _ember_global(module, name):
    """``torch.x.y`` -> ``ember.x.y`` for full (trusted) unpickling."""
    import importlib
    emod = "ember" + module[5:]
    try:
        m = importlib.import_module(emod)
        obj = m
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"ember.load: the file refers to {module}.{name}, which "
                                     f"ember does not provide (looked for {emod}.{name})") from None


_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, storage_loader, weights_only, **kw):
        super().__init__(file, **kw)
        self._load_storage = storage_loader
        self._weights_only = weights_only

    def find_class(self, module, name):
        # Protocol-2 pickles (PyTorch's) name Python 2's modules; map them as pickle does.
        module = _PY2_MODULES.get(module, module)
        obj = _ALLOWED.get((module, name))
        if obj is not None:
            return obj
        obj = _USER_SAFE.get((module, name))
        if obj is not None:
            return obj
        if not self._weights_only:
            if module == "torch" or module.startswith("torch."):
                return _ember_global(module, name)
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Weights only load failed. Unsupported global: GLOBAL {module}.{name} was not an "
            f"allowed global by default. ember refuses to run code from a checkpoint; re-run with "
            f"weights_only=False only if you trust the source of the file, or allowlist it with "
            f"ember.serialization.add_safe_globals([{name}]).")

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"ember.load: unknown persistent id {pid!r}")
        _, stype, key, location, numel = pid[:5]
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"ember.load: unsupported storage type {stype!r}")
        return self._load_storage(stype, str(key), int(numel))


def _is_zip(fh):
    start = fh.tell()
    magic = fh.read(4)
    fh.seek(start)
    return magic == b"PK\x03\x04"


def _resolve_weights_only(weights_only):
    if os.environ.get("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0") not in ("0", ""):
        return True
    if weights_only is None:
        return os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") in ("0", "")
    return bool(weights_only)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved with ``torch.save`` (by PyTorch or ember).

    ``weights_only`` (the default) refuses any global outside tensors, containers and dtypes;
    ``map_location`` is accepted (everything lands on the CPU).

    >>> sd = torch.load("ckpt.pt")
    """
    weights_only = _resolve_weights_only(weights_only)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        with open(path, "rb") as fh:
            return _load_fh(fh, path, weights_only, bool(mmap), pickle_load_args)
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    return _load_fh(f, None, weights_only, False, pickle_load_args)


def _corrupt(what, err=None):
    msg = f"ember.load: {what} is not a valid checkpoint (truncated or corrupted file)"
    if err is not None:
        msg += f": {err}"
    return RuntimeError(msg)


def _load_fh(fh, path, weights_only, mmap, pickle_load_args):
    what = repr(path) if path else "the stream"
    if not _is_zip(fh):
        start = fh.tell()
        head = fh.read(2)
        fh.seek(start)
        if not head:
            raise _corrupt(what, "the file is empty")
        if head[:1] == b"\x80":
            try:
                return _load_legacy(fh, weights_only, pickle_load_args)
            except (pickle.UnpicklingError, EOFError, ValueError, struct.error) as e:
                if isinstance(e, pickle.UnpicklingError) and "Weights only" in str(e):
                    raise
                raise _corrupt(what, e) from None
        raise _corrupt(what, "no zip archive header")
    try:
        zf = zipfile.ZipFile(fh)
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise _corrupt(what, e) from None
    pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
    if not pkl:
        raise _corrupt(what, "no data.pkl record in the archive")
    prefix = pkl[0][:-len("data.pkl")]
    if f"{prefix}byteorder" in names and zf.read(f"{prefix}byteorder") != b"little":
        big = True
    else:
        big = False
    cache = {}

    def load_storage(stype, key, numel):
        arr = cache.get(key)
        if arr is not None:
            return arr
        name = f"{prefix}data/{key}"
        bf16 = stype.dtype == "bfloat16"
        npdt = np.dtype(np.uint16 if bf16 else stype.dtype.np)
        if big:
            npdt = npdt.newbyteorder(">")
        try:
            zi = zf.getinfo(name)
        except KeyError:
            raise _corrupt(what, f"record {name} is missing") from None
        nbytes = numel * npdt.itemsize
        if zi.file_size < nbytes:
            raise _corrupt(what, f"record {name} has {zi.file_size} bytes, expected {nbytes}")
        arr = _read_record(fh, zf, zi, npdt, numel, path if mmap else None, what)
        if big:
            arr = arr.astype(npdt.newbyteorder("="))
        if bf16:
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        cache[key] = arr
        return arr

    try:
        data = zf.read(pkl[0])
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise _corrupt(what, e) from None
    up = _Unpickler(io.BytesIO(data), load_storage, weights_only, **pickle_load_args)
    try:
        return up.load()
    except (EOFError, struct.error) as e:
        raise _corrupt(what, e) from None


def _read_record(fh, zf, zi, npdt, numel, mmap_path, what):
    if zi.compress_type != zipfile.ZIP_STORED or numel == 0:
        raw = zf.read(zi.filename)
        return np.frombuffer(raw, npdt, count=numel).copy()
    fh.seek(zi.header_offset)
    hdr = fh.read(_ZIP_LOCAL_HEADER)
    if len(hdr) < _ZIP_LOCAL_HEADER or hdr[:4] != b"PK\x03\x04":
        raise _corrupt(what, f"bad local header for {zi.filename}")
    n, m = struct.unpack("<HH", hdr[26:30])
    data_off = zi.header_offset + _ZIP_LOCAL_HEADER + n + m
    if mmap_path is not None:
        return np.memmap(mmap_path, dtype=npdt, mode="c", offset=data_off, shape=(numel,))
    arr = np.empty(numel, npdt)
    fh.seek(data_off)
    got = fh.readinto(memoryview(arr).cast("B"))
    if got != arr.nbytes:
        raise _corrupt(what, f"record {zi.filename} is cut short ({got} of {arr.nbytes} bytes)")
    return arr


# --- legacy (pre-1.6, non-zip) format: loading only ------------------------------------------
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _LegacyUnpickler(_Unpickler):
    """Legacy pids are ('storage', type, key, location, numel, view_metadata)."""

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) != 6 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"ember.load: unknown persistent id {pid!r}")
        _, stype, key, location, numel, view = pid
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"ember.load: unsupported storage type {stype!r}")
        return self._load_storage(stype, str(key), int(numel), view)


def _load_legacy(fh, weights_only, pickle_load_args):
    """The old format stores storage bytes after the pickle: a first pass finds where they are,
    a second pass rebuilds the object over them."""
    def small():
        return _Unpickler(fh, None, True).load()

    if small() != _LEGACY_MAGIC:
        raise pickle.UnpicklingError("invalid magic number; corrupt file?")
    if small() != 1001:
        raise pickle.UnpicklingError("unsupported legacy protocol version")
    small()  # sys_info
    start = fh.tell()
    types = {}

    def probe(stype, key, numel, view):
        types[key] = stype
        dt = np.float32 if stype.dtype == "bfloat16" else stype.dtype.np
        return np.zeros(max(int(numel), 1) if view is None else int(view[2]) + 1, dt)

    _LegacyUnpickler(fh, probe, weights_only, **pickle_load_args).load()
    keys = _Unpickler(fh, None, True).load()
    arrays = {}
    for key in keys:
        key = str(key)
        stype = types[key]
        npdt = np.dtype(np.uint16 if stype.dtype == "bfloat16" else stype.dtype.np)
        (n,) = struct.unpack("<q", fh.read(8))
        arr = np.empty(n, npdt)
        if fh.readinto(memoryview(arr).cast("B")) != arr.nbytes:
            raise EOFError("storage data cut short")
        if stype.dtype == "bfloat16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        arrays[key] = arr
    end = fh.tell()

    def real(stype, key, numel, view):
        arr = arrays[key]
        if view is not None:
            _, off, size = view
            arr = arr[int(off):int(off) + int(size)]
        return arr

    fh.seek(start)
    result = _LegacyUnpickler(fh, real, weights_only, **pickle_load_args).load()
    fh.seek(end)
    return result
