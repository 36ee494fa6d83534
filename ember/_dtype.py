"""dtypes: PyTorch's names over NumPy's dtypes, and PyTorch's type-promotion rules."""
import numpy as np


class dtype:
    """A tensor element type, e.g. ``ember.float32``; wraps a NumPy dtype."""
    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_kind")

    def __init__(self, name, np_dtype, kind):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = kind == 2
        self.is_complex = kind == 3
        self.is_signed = kind >= 2 or self.np.kind == "i"
        self.itemsize = self.np.itemsize
        self._kind = kind  # 0 bool, 1 integer, 2 floating, 3 complex: PyTorch's promotion categories

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        """The real dtype of a complex one (complex64 -> float32); real dtypes are their own."""
        return _REAL_OF.get(self, self)

    def to_complex(self):
        """The complex dtype with this precision (float64 -> complex128)."""
        if self._kind == 3:
            return self
        return complex128 if self.np == np.float64 else complex64

    @property
    def is_integer(self):
        return self._kind == 1


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
complex64 = dtype("complex64", np.complex64, 3)
complex128 = dtype("complex128", np.complex128, 3)
# NumPy has no bfloat16: ember keeps the name so scripts that mention it import, and maps it
# onto float32 storage (documented limit).
bfloat16 = float32

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_REAL_OF = {complex64: float32, complex128: float64}
_FROM_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(half=float16, float=float32, double=float64, long=int64, int=int32,
                short=int16, bfloat16=float32, cfloat=complex64, cdouble=complex128)


def _by_name(name):
    return _BY_NAME[name]


def from_np(np_dtype):
    """The ember dtype of a NumPy dtype (float64 arrays stay float64)."""
    d = _FROM_NP.get(np_dtype)
    if d is None:
        d = _FROM_NP.get(np.dtype(np_dtype))
        if d is None:
            raise TypeError(f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
                            "float64, float32, float16, complex64, complex128, int64, int32, int16, "
                            "int8, uint8, and bool.")
    return d


_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def to_dtype(d):
    """Accept an ember dtype, a NumPy dtype, a Python type or a name."""
    if type(d) is dtype:
        return d
    if d is float:
        return _default[0]
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return default_complex()
    legacy = getattr(d, "dtype", None)
    if type(legacy) is dtype:  # torch.FloatTensor and friends name a dtype
        return legacy
    if isinstance(d, str):
        n = d[6:] if d.startswith("torch.") else d
        if n in _BY_NAME:
            return _BY_NAME[n]
    try:
        return from_np(np.dtype(d))
    except TypeError:
        raise TypeError(f"{d!r} is not a valid dtype") from None


# --- promotion ---------------------------------------------------------------------------
_promote_cache = {}


def default_complex():
    """The complex dtype that follows the default float dtype (float64 -> complex128)."""
    return complex128 if _default[0] is float64 else complex64


def promote_types(a, b):
    """PyTorch's promote_types for two dtypes (uint8 + int8 -> int16, bool + x -> x,
    float64 + complex64 -> complex128)."""
    key = (a, b)
    r = _promote_cache.get(key)
    if r is None:
        if a is b:
            r = a
        elif a._kind != b._kind and a._kind + b._kind != 5:
            r = a if a._kind > b._kind else b
        else:
            r = from_np(np.promote_types(a.np, b.np))
        _promote_cache[key] = r
    return r


def scalar_kind(x):
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return 1
    if isinstance(x, complex):
        return 3
    return 2


def scalar_dtype(x):
    """The dtype ``torch.tensor(x)`` gives a Python scalar."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return _default[0]
    if isinstance(x, complex):
        return default_complex()
    if isinstance(x, np.generic):
        return from_np(x.dtype)
    raise TypeError(f"expected a number, got {type(x).__name__}")


def result_type(tensors_dims, scalars=()):
    """PyTorch's result_type: dimensioned tensors first, then 0-d tensors, then Python
    scalars, each lower group counting only when it is of a higher category."""
    dim_t = None
    zero_t = None
    for d, nd in tensors_dims:
        if nd:
            dim_t = d if dim_t is None else promote_types(dim_t, d)
        else:
            zero_t = d if zero_t is None else promote_types(zero_t, d)
    r = dim_t
    if zero_t is not None:
        if r is None:
            r = zero_t
        elif zero_t._kind > r._kind:
            r = promote_types(r, zero_t)
    kind = -1
    for s in scalars:
        kind = max(kind, scalar_kind(s))
    if kind >= 0:
        if r is None:
            r = (bool_, int64, _default[0], default_complex())[kind]
        elif kind > r._kind:
            r = promote_types(r, (bool_, int64, _default[0], default_complex())[kind])
    return r
