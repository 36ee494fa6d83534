"""Random numbers: manual_seed, Generator, rand/randn/randint/randperm/normal/bernoulli/multinomial.

The streams are PyTorch's CPU generator's, bit for bit: the same mt19937 engine and the same
transforms as PyTorch's CPU kernels (see ``_mt19937.py``), so ``torch.manual_seed(s)`` followed
by the same calls gives the same numbers, and ``get_rng_state``/``set_rng_state`` speak
PyTorch's 5056-byte state layout. Checked against torch 2.13 on x86-64 (AVX512, AMD) in
tests/ops/test_random_bitexact.py. Where it is not PyTorch's, and why:

- bernoulli_ with a number p (so dropout, alpha_dropout, bernoulli(x, p)) takes the CPU
  vendor's path as PyTorch does. The portable kernel (AMD, ARM, no MKL) is reproduced and
  tested. On Intel CPUs PyTorch's MKL build seeds MKL's VSL MCG31m1 stream with one 32-bit
  word; ember follows MKL's documented recurrence there, so the stream position after the call
  matches, but the masks themselves could not be checked (no Intel machine with torch here).
- poisson's rejection test uses libm's lgamma through ctypes (CPython's math.lgamma where
  libm cannot be loaded, which may flip a borderline acceptance).
- gumbel_softmax draws PyTorch's exponentials, then NumPy's float32 log, which may differ from
  PyTorch's vectorised log in the last bit.
- nn.init.orthogonal_ draws PyTorch's normals; the QR is LAPACK's (equal up to rounding).
- randn/normal_ of 16 or more float32 elements repeats PyTorch's x86 AVX2 fill (its AVX512
  builds use it too); PyTorch on ARM or on x86 without AVX2 uses libm's float functions there.
- float16 normal_ of 16 or more elements is computed in float32 (PyTorch computes in half).
- randperm of n >= 2**32 / 20 (PyTorch switches algorithm there) raises.
"""
import math
import os
import threading

import numpy as np

from .. import _dtype
from .._tensor import TRACERS, Tensor, _traced, _wrap
from ..autograd.function import Function
from ._mt19937 import MT19937Stream
from ._util import shape_arg

_STATE_BYTES = 5056  # sizeof(CPUGeneratorImplState) in PyTorch


class Generator:
    """A random-number generator with PyTorch's CPU stream: ``torch.Generator().manual_seed(0)``."""

    def __init__(self, device="cpu"):
        self._stream = MT19937Stream()
        self._lock = threading.RLock()
        self.device = device

    def __reduce__(self):  # pickle and deepcopy as PyTorch's: (seed, offset, state bytes)
        return type(self), (self.device,), (self.initial_seed(), None, self.get_state())

    def __setstate__(self, state):
        self.set_state(state[2])

    def manual_seed(self, seed):
        seed = int(seed)
        if not -(1 << 63) <= seed < (1 << 64):
            raise RuntimeError("Overflow when unpacking long long")
        with self._lock:
            self._stream.manual_seed(seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self):
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._stream.initial_seed

    def get_state(self):
        """The state as PyTorch's uint8 tensor of 5056 bytes (legacy mt19937 POD + normal caches)."""
        with self._lock:
            st = self._stream
            key, left, nxt = st.engine_state()
            b = bytearray(_STATE_BYTES)
            head = np.array([st.initial_seed], np.uint64).tobytes() + np.array([left, 1], np.int32).tobytes()
            b[0:16] = head
            b[16:24] = np.array([nxt], np.uint64).tobytes()
            b[24:5016] = key.astype(np.uint64).tobytes()
            if st.next_double is not None:  # normal_x, normal_y, normal_rho, normal_is_valid
                b[5024:5032] = np.array([st.next_double], np.float64).tobytes()
                b[5040:5044] = np.array([1], np.int32).tobytes()
            if st.next_float is not None:
                b[5048:5052] = np.array([st.next_float], np.float32).tobytes()
                b[5052] = 1
        return _wrap(np.frombuffer(bytes(b), dtype=np.uint8).copy())

    def set_state(self, state):
        """Restore a state from get_state() (ember's or PyTorch's); the bytes are only read as
        numbers, never unpickled."""
        arr = state._data if isinstance(state, Tensor) else np.asarray(state)
        if arr.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        b = np.ascontiguousarray(arr).tobytes()
        if len(b) != _STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the "
                               f"input RNG state size to be {len(b)}")
        seed = int(np.frombuffer(b, np.uint64, 1, 0)[0])
        left, seeded = (int(v) for v in np.frombuffer(b, np.int32, 2, 8))
        nxt = int(np.frombuffer(b, np.uint64, 1, 16)[0]) & 0xFFFFFFFF
        key = np.frombuffer(b, np.uint64, 624, 24).astype(np.uint32)  # PyTorch keeps the low 32 bits
        if not (seeded and 0 < left <= 624 and nxt <= 624):
            raise RuntimeError("Invalid mt19937 state")
        normal_y = float(np.frombuffer(b, np.float64, 1, 5024)[0])
        normal_valid = int(np.frombuffer(b, np.int32, 1, 5040)[0])
        next_float = float(np.frombuffer(b, np.float32, 1, 5048)[0])
        with self._lock:
            self._stream.set_engine_state(key, left, nxt, seed)
            self._stream.next_double = normal_y if normal_valid else None
            self._stream.next_float = next_float if b[5052] else None
        return self


default_generator = Generator()


def _gen(generator):
    return default_generator if generator is None else generator


def _rng(generator):
    """The stream of ``generator`` (or the default one); callers hold its lock while drawing."""
    return _gen(generator)._stream


class Draw(Function):
    """A random draw as a graph op: ``sample(stream)`` from the generator's stream.

    Eager code draws directly; while a trace runs the draw goes through here, so a compiled
    graph draws fresh numbers at every call, in the same order (and so the same values)
    as eager after the same seed."""
    impure = True
    saved_inputs = ()

    def forward(ctx, sample, generator=None):
        g = _gen(generator)
        with g._lock:
            return sample(g._stream)

    def backward(ctx, g):
        return ()


def draw(sample, generator=None):
    """The array ``sample(stream)`` from ``generator``'s stream (a graph op while tracing).

    ``stream`` is an ``MT19937Stream``: ``stream.uniform(n, dtype)``, ``stream.normal(n, dtype)``,
    ``stream.from_to(n, range, low, dtype)``, ``stream.permutation(n)`` and friends."""
    if TRACERS:
        return Draw.apply(sample=sample, generator=generator)._data
    g = _gen(generator)
    with g._lock:
        return sample(g._stream)


def manual_seed(seed):
    """Seed the default generator (and return it), as ``torch.manual_seed``."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _float_dt(dtype):
    return (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np


def _make(arr, requires_grad, out=None):
    from .creation import _finish
    return _finish(arr, requires_grad, out=out)


def _size(size_, size):
    return shape_arg(size_ if size is None else (size,))


def _numel(shape):
    return math.prod(shape)


# NOTE: PyTorch samples a complex tensor as its view_as_real pairs (real and imaginary part
# interleaved), a normal one with std / sqrt(2) so that E|z|^2 = std^2.
_SQRT1_2 = 1 / math.sqrt(2)


def _pairs(dt):
    """(the real dtype to draw, how many draws per element) for a float or complex dtype."""
    dt = np.dtype(dt)
    return (dt, 1) if dt.kind != "c" else (np.dtype(dt.char.lower()), 2)


def rand(*size_, size=None, generator=None, dtype=None, device=None, requires_grad=False, out=None, **kw):
    """Uniform [0, 1) samples: ``torch.rand(2, 3)``."""
    dt = _float_dt(dtype)
    shape = _size(size_, size)
    rdt, k = _pairs(dt)
    return _make(draw(lambda s: s.uniform(k * _numel(shape), rdt).view(dt).reshape(shape), generator),
                 requires_grad, out)


def randn(*size_, size=None, generator=None, dtype=None, device=None, requires_grad=False, out=None, **kw):
    """Standard normal samples: ``torch.randn(2, 3)``."""
    dt = _float_dt(dtype)
    shape = _size(size_, size)
    rdt, k = _pairs(dt)
    std = 1.0 if k == 1 else _SQRT1_2
    return _make(draw(lambda s: s.normal(k * _numel(shape), rdt, 0.0, std).view(dt).reshape(shape),
                      generator), requires_grad, out)


def _check_range(low, high):
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False,
            out=None, **kw):
    """Integers in [low, high): ``torch.randint(0, 10, (3,))``."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    low, high = int(low), int(high)
    dt = _dtype.int64.np if dtype is None else _dtype.to_dtype(dtype).np
    _check_range(low, high)
    shape = tuple(shape_arg((size,)))
    return _make(draw(lambda s: s.from_to(_numel(shape), high - low, low, dt).reshape(shape), generator),
                 requires_grad, out)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None, **kw):
    """A random permutation of 0..n-1: ``torch.randperm(5)``."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _dtype.int64.np if dtype is None else _dtype.to_dtype(dtype).np
    return _make(draw(lambda s: s.permutation(int(n)).astype(dt), generator), requires_grad, out)


def rand_like(input, *, dtype=None, generator=None, requires_grad=False, **kw):
    return rand(input.shape, dtype=dtype or input.dtype, generator=generator, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, generator=None, requires_grad=False, **kw):
    return randn(input.shape, dtype=dtype or input.dtype, generator=generator, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, generator=None, **kw):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, **kw):
    """Samples from N(mean, std); mean/std may be tensors (broadcast) or numbers with ``size``.

    As PyTorch: tensor/tensor and number/tensor draw N(0, 1) then multiply by std and add mean;
    tensor/number draws N(0, std) and adds mean; number/number is ``empty(size).normal_(mean, std)``."""
    if TRACERS:
        _traced("side_effect", "random sampling by torch.normal")
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mt or st):
        if size is None:
            raise TypeError("normal() missing required argument 'size'")
        shape = tuple(shape_arg((size,)))
        dt = _float_dt(dtype)
        arr = draw(lambda s: s.normal(_numel(shape), dt, float(mean), float(std)).reshape(shape), generator)
        return _make(arr, False, out)
    if st and std.numel() and float(std._data.min()) < 0:
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not st and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    ref = mean if mt else std
    dt = ref._data.dtype
    m = mean._data if mt else mean
    shape = np.broadcast_shapes(np.shape(m), np.shape(std._data)) if st else np.shape(m)
    n = _numel(shape)
    if mt and not st:
        z = draw(lambda s: s.normal(n, dt, 0.0, float(std)).reshape(shape), generator)
        return _make((z + m).astype(dt, copy=False), False, out)
    z = draw(lambda s: s.normal(n, dt).reshape(shape), generator)
    z = z * std._data.astype(dt, copy=False)
    return _make((z + (m.astype(dt, copy=False) if mt else dt.type(m))).astype(dt, copy=False), False, out)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples with probability ``input`` (or the number ``p``) each: ``torch.bernoulli(probs)``."""
    if TRACERS:
        _traced("side_effect", "random sampling by torch.bernoulli")
    res = np.empty(input.shape, dtype=input._data.dtype)
    _fill_arr(res, lambda s, n: _bernoulli_draw(s, n, input._data if p is None else p), generator)
    return _make(res, False, out)


def _bernoulli_draw(s, n, p):
    if isinstance(p, np.ndarray):
        # a tensor of probabilities: a 24-bit float uniform against float p, 53-bit for double p
        u = s.unit(n, np.float64 if p.dtype == np.float64 else np.float32)
        return u < p.reshape(-1).astype(u.dtype, copy=False)
    return s.bernoulli_scalar(n, float(p))


def poisson(input, generator=None):
    """Poisson samples with rates ``input``: ``torch.poisson(torch.full((3,), 4.0))``."""
    if TRACERS:
        _traced("side_effect", "random sampling by torch.poisson")
    rates = input._data
    res = draw(lambda s: s.poisson(rates.reshape(-1).astype(np.float64)), generator)
    return _wrap(res.reshape(rates.shape).astype(rates.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Draw ``num_samples`` category indices per row with probabilities ∝ ``input``."""
    if TRACERS:
        _traced("side_effect", "random sampling by torch.multinomial")
    p = input._data
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    if out is not None and out._data.dtype != np.int64:
        raise RuntimeError(f"multinomial expects Long tensor out, got: {out.dtype}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if p.shape[-1] > 1 << 24:
        raise RuntimeError(f"number of categories cannot exceed 2^24 ({1 << 24}), got {p.shape[-1]}")
    if (p < 0).any() or not np.isfinite(p).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = p.reshape(-1, p.shape[-1])
    k = rows.shape[1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if (rows.sum(1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement or num_samples == 1:
        # PyTorch: q ~ Exponential(1) of input's shape and dtype, then the top k of p / q
        q = draw(lambda s: s.exponential(rows.size, rows.dtype if rows.dtype.kind == "f" else np.float32)
                 .reshape(rows.shape), generator)
        keys = rows / q
        res = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        # PyTorch: the running sum in the input's dtype, divided by the total, last bucket 1;
        # each row draws num_samples 53-bit uniforms and takes the first bucket >= u
        cum = np.cumsum(rows, axis=1, dtype=rows.dtype)
        cum /= cum[:, -1:]
        cum[:, -1] = 1
        u = draw(lambda s: s.unit(rows.shape[0] * num_samples, np.float64), generator)
        u = u.reshape(rows.shape[0], num_samples)
        res = np.stack([np.searchsorted(c.astype(np.float64), r, side="left") for c, r in zip(cum, u)])
    res = res.astype(np.int64).reshape(p.shape[:-1] + (num_samples,))
    return _make(res, False, out)


# --- in-place samplers (tensor methods) ----------------------------------------------------
def _walk_order(arr):
    """The axis order in which PyTorch's TensorIterator walks an output: by stride, outer first."""
    if arr.flags.c_contiguous or arr.ndim < 2:
        return tuple(range(arr.ndim))
    return tuple(sorted(range(arr.ndim), key=lambda d: -abs(arr.strides[d])))


def _fill_arr(arr, sample, generator=None):
    view = arr.transpose(_walk_order(arr))
    n = view.size
    flat = draw(lambda s: sample(s, n), generator)
    view[...] = np.asarray(flat).reshape(view.shape)


def _fill(t, sample, generator=None):
    if TRACERS:
        _traced("side_effect", "in-place random fill")
    if t.numel():
        a = t._data
        if a.dtype.kind == "c":
            from .complex import real_pairs
            a = real_pairs(a)
        _fill_arr(a, sample, generator)
    t._vbox[0] += 1
    return t


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    """Fill with U[a, b) samples; PyTorch's kernel for floating tensors."""
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    dt = _pairs(t._data.dtype)[0]
    return _fill(t, lambda s, n: s.uniform(n, dt, float(a), float(b)), generator)


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt, k = _pairs(t._data.dtype)
    contiguous = t._data.flags.c_contiguous
    std = float(std) * (_SQRT1_2 if k == 2 else 1.0)
    return _fill(t, lambda s, n: s.normal(n, dt, float(mean), std, contiguous), generator)


def bernoulli_(t, p=0.5, *, generator=None):
    pp = p._data if isinstance(p, Tensor) else p
    if isinstance(pp, np.ndarray):
        order = _walk_order(t._data)
        pp = np.broadcast_to(pp, t.shape).transpose(order)
    elif not 0 <= pp <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={pp}")
    return _fill(t, lambda s, n: _bernoulli_draw(s, n, pp), generator)


def random_(t, low=0, high=None, *, generator=None):
    """random_() / random_(to) / random_(from, to) as PyTorch's kernels."""
    dt = t._data.dtype
    if high is None and low == 0:
        return _fill(t, lambda s, n: s.random_default(n, dt), generator)
    if high is None:
        low, high = 0, low
    low, high = int(low), int(high)
    _check_range(low, high)
    return _fill(t, lambda s, n: s.from_to(n, high - low, low, dt), generator)


def exponential_(t, lambd=1.0, *, generator=None):
    dt = t._data.dtype
    return _fill(t, lambda s, n: s.exponential(n, dt, float(lambd)), generator)


def geometric_(t, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    dt = t._data.dtype
    return _fill(t, lambda s, n: s.geometric(n, dt, float(p)), generator)


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    dt = t._data.dtype
    return _fill(t, lambda s, n: s.log_normal(n, dt, float(mean), float(std)), generator)


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    dt = t._data.dtype
    return _fill(t, lambda s, n: s.cauchy(n, dt, float(median), float(sigma)), generator)
