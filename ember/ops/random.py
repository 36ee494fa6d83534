"""Random numbers: manual_seed, Generator, rand/randn/randint/randperm/normal/bernoulli/multinomial.

Streams come from NumPy's PCG64: reproducible within ember, not bit-equal to PyTorch's.
"""
import numpy as np

from .. import _dtype
from .._tensor import TRACERS, Tensor, _traced, _wrap
from ..autograd.function import Function
from ._util import shape_arg


class Generator:
    """A random-number generator; ``torch.Generator().manual_seed(0)``."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)
        self.device = device

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream's position as a uint8 tensor (48 bytes: PCG64's state, increment and
        cached 32-bit half); never a pickle, so set_state runs no code from its input."""
        st = self._rng.bit_generator.state
        words = (st["state"]["state"].to_bytes(16, "little") + st["state"]["inc"].to_bytes(16, "little")
                 + int(st["has_uint32"]).to_bytes(8, "little") + int(st["uinteger"]).to_bytes(8, "little"))
        return _wrap(np.frombuffer(words, dtype=np.uint8).copy())

    def set_state(self, state):
        b = np.asarray(state._data if isinstance(state, Tensor) else state, dtype=np.uint8).tobytes()
        if len(b) != 48:
            raise RuntimeError(f"Generator.set_state: expected a 48-byte ByteTensor from get_state(), "
                               f"got {len(b)} bytes")
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(b[:16], "little"), "inc": int.from_bytes(b[16:32], "little")},
            "has_uint32": int.from_bytes(b[32:40], "little"), "uinteger": int.from_bytes(b[40:48], "little")}
        return self


default_generator = Generator()


def _rng(generator):
    return (generator or default_generator)._rng


class Draw(Function):
    """A random draw as a graph op: ``sample(numpy_rng)`` from the generator's stream.

    Eager code draws directly; while a trace runs the draw goes through here, so a compiled
    graph draws fresh numbers at every call, in the same order (and so the same values)
    as eager after the same seed."""
    impure = True
    saved_inputs = ()

    def forward(ctx, sample, generator=None):
        return sample((generator or default_generator)._rng)

    def backward(ctx, g):
        return ()


def draw(sample, generator=None):
    """The array ``sample(rng)`` from ``generator``'s stream (a graph op while tracing)."""
    if TRACERS:
        return Draw.apply(sample=sample, generator=generator)._data
    return sample((generator or default_generator)._rng)


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


def rand(*size_, size=None, generator=None, dtype=None, device=None, requires_grad=False, out=None, **kw):
    dt = _float_dt(dtype)
    shape = shape_arg(size_ if size is None else (size,))
    return _make(draw(lambda rng: rng.random(shape, dtype=np.float64).astype(dt), generator),
                 requires_grad, out)


def randn(*size_, size=None, generator=None, dtype=None, device=None, requires_grad=False, out=None, **kw):
    dt = _float_dt(dtype)
    shape = shape_arg(size_ if size is None else (size,))
    return _make(draw(lambda rng: rng.standard_normal(shape).astype(dt), generator),
                 requires_grad, out)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False, **kw):
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    dt = _dtype.int64.np if dtype is None else _dtype.to_dtype(dtype).np
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    size = tuple(size)
    return _wrap(draw(lambda rng: rng.integers(low, high, size=size).astype(dt), generator))


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, **kw):
    dt = _dtype.int64.np if dtype is None else _dtype.to_dtype(dtype).np
    return _wrap(draw(lambda rng: rng.permutation(n).astype(dt), generator))


def rand_like(input, *, dtype=None, **kw):
    return rand(input.shape, dtype=dtype or input.dtype)


def randn_like(input, *, dtype=None, **kw):
    return randn(input.shape, dtype=dtype or input.dtype)


def randint_like(input, low=0, high=None, *, dtype=None, **kw):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, **kw):
    """Samples from N(mean, std); mean/std may be tensors (broadcast) or numbers with ``size``."""
    if TRACERS:
        _traced("side_effect", "random sampling by torch.normal")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        ref = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        return _make((_rng(generator).standard_normal(shape) * s + m).astype(ref._data.dtype), False, out)
    return _make((_rng(generator).standard_normal(tuple(size)) * std + mean).astype(_float_dt(dtype)), False, out)


def bernoulli(input, p=None, *, generator=None, out=None):
    if TRACERS:
        _traced("side_effect", "random sampling by torch.bernoulli")
    prob = input._data if p is None else np.full(input.shape, p)
    return _make((_rng(generator).random(input.shape) < prob).astype(input._data.dtype), False, out)


def poisson(input, generator=None):
    if TRACERS:
        _traced("side_effect", "random sampling by torch.poisson")
    return _wrap(_rng(generator).poisson(input._data).astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Draw ``num_samples`` category indices per row with probabilities ∝ ``input``."""
    if TRACERS:
        _traced("side_effect", "random sampling by torch.multinomial")
    p = input._data.astype(np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (p < 0).any() or not np.isfinite(p).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = p.reshape(-1, p.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = _rng(generator)
    out = []
    for r in rows:
        s = r.sum()
        if s <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        out.append(rng.choice(r.size, size=num_samples, replace=replacement, p=r / s))
    res = np.array(out, dtype=np.int64).reshape(p.shape[:-1] + (num_samples,))
    return _wrap(res)


# --- in-place samplers (tensor methods) ----------------------------------------------------
def _fill(t, arr):
    if TRACERS:
        _traced("side_effect", "in-place random fill")
    np.copyto(t._data, arr, casting="unsafe")
    t._vbox[0] += 1
    return t


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    return _fill(t, _rng(generator).uniform(a, b, t.shape))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    return _fill(t, _rng(generator).normal(mean, std, t.shape))


def bernoulli_(t, p=0.5, *, generator=None):
    pp = p._data if isinstance(p, Tensor) else p
    return _fill(t, _rng(generator).random(t.shape) < pp)


def random_(t, low=0, high=None, *, generator=None):
    if high is None:
        low, high = 0, (low if low else 2 ** 24)
    return _fill(t, _rng(generator).integers(low, high, t.shape))


def exponential_(t, lambd=1.0, *, generator=None):
    return _fill(t, _rng(generator).exponential(1.0 / lambd, t.shape))


def geometric_(t, p, *, generator=None):
    return _fill(t, _rng(generator).geometric(p, t.shape))


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    return _fill(t, _rng(generator).lognormal(mean, std, t.shape))


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    return _fill(t, median + sigma * _rng(generator).standard_cauchy(t.shape))
