"""PyTorch's CPU random stream in NumPy: an mt19937 engine and the transforms PyTorch's CPU
kernels apply to its 32-bit words, so that ``torch.manual_seed(s)`` gives the same numbers.

The engine is NumPy's own ``MT19937`` bit generator (the same 32-bit stream as PyTorch's
``at::mt19937`` once its key is filled the same way); every transform below draws all of a
tensor's words at once and turns them into values with array operations.

NOTE: bit equality holds where PyTorch's arithmetic can be repeated exactly in NumPy:
float32 arithmetic rounds the same everywhere, a fused multiply-add in float32 is one float64
multiply-add rounded once more (exact for float32 inputs: the product fits in 53 bits), and
where PyTorch calls libm in double (log, log1p, tan, exp) we call Python's ``math`` (the same
libm) element by element for float64 results. For float32 results NumPy's own float64
functions are used: they may differ from libm in the last bit of a double, which changes the
float32 result only when it lands on a rounding boundary (none in 10^7 draws each of
exponential_, cauchy_, log_normal_ and geometric_). Exactness costs speed where libm is called
per element: float64 randn of 10^6 values takes ~100 ms (NumPy's own log: ~10 ms, not libm's).
"""
import functools
import math

import numpy as np

_F32 = np.float32
_F64 = np.float64
_M24 = np.uint64((1 << 24) - 1)
_M53 = np.uint64((1 << 53) - 1)
_N = 624


def _key(seed):
    """The 624-word state PyTorch's mt19937 starts from (Knuth's linear recurrence)."""
    key = [seed & 0xFFFFFFFF]
    for j in range(1, _N):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


def _fma32(a, b, c):
    """float32 ``a*b + c`` rounded once, as a fused multiply-add."""
    return (np.asarray(a, _F64) * np.asarray(b, _F64) + np.asarray(c, _F64)).astype(_F32)


@functools.lru_cache(maxsize=None)
def _libm_lgamma():
    # PyTorch calls libm's lgamma; Python's math.lgamma is CPython's own (may differ in the last bit)
    # NOTE: looked up on first use: ctypes.util.find_library runs ldconfig (milliseconds).
    try:
        import ctypes
        import ctypes.util
        f = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6").lgamma
        f.restype, f.argtypes = ctypes.c_double, [ctypes.c_double]
        return f
    except (OSError, AttributeError, TypeError):
        return math.lgamma


def _lgamma(x):
    return _libm_lgamma()(x)


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(x):
    t = 134217729.0 * x  # Veltkamp: 2**27 + 1
    hi = t - (t - x)
    return hi, x - hi


def _fma64(a, b, c):
    """float64 ``a*b + c`` rounded once (PyTorch's compiler fuses these): the exact product
    and sum as error-free pairs, the low parts added with rounding to odd, then one rounding
    (Boldo and Melquiond's emulation)."""
    a, b, c = (np.asarray(v, dtype=_F64) for v in (a, b, c))
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    pl = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, p)
    v, e = _two_sum(tl, pl)
    even = (v.view(np.int64) & 1) == 0
    v = np.where((e != 0) & even, np.nextafter(v, np.where(e > 0, np.inf, -np.inf)), v)
    out = th + v
    return np.where(np.isfinite(out), out, p + c)


def _safe(f, edge):
    def g(v):
        try:
            return f(v)
        except (ValueError, OverflowError):
            return edge(v)
    return g


_MATH = {"log": _safe(math.log, lambda v: -math.inf if v == 0 else math.nan),
         "log1p": _safe(math.log1p, lambda v: -math.inf if v == -1 else math.nan),
         "exp": _safe(math.exp, lambda v: math.inf), "tan": math.tan, "sin": math.sin, "cos": math.cos}


def _libm(name, x, exact):
    """libm's double ``name`` of ``x``: Python's math (same libm) when ``exact``, else NumPy."""
    if exact:
        flat = np.fromiter(map(_MATH[name], x.ravel().tolist()), dtype=_F64, count=x.size)
        return flat.reshape(x.shape)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return getattr(np, name)(x)


# --- Cephes-style float32 log and sincos, as PyTorch's AVX2 normal fill evaluates them --------
# A fused float32 multiply-add (the steps GCC fused were measured against torch) is done as
# a float64 multiply-add rounded to float32: the product of two float32 values is exact in
# float64. Everything works in place on preallocated arrays: this is randn's hot path.
def _fmadd(y, x64, c, t64, out):
    """out = float32(y * x64 + c), y a float32 array, x64 float64, c a float or an array."""
    np.multiply(y, x64, out=t64)
    np.add(t64, c, out=t64)
    np.copyto(out, t64, casting="unsafe")
    return out


def _horner32(x64, coeffs, t64, out):
    out.fill(_F32(coeffs[0]))
    for p in coeffs[1:]:
        _fmadd(out, x64, float(_F32(p)), t64, out)
    return out


_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)


def _log_f32(x, t64):
    # x in (0, 1]: mantissa m in [sqrt(.5), sqrt(2)) and exponent e, then a polynomial in m-1
    bits = x.view(np.int32)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)
    small = (m < _F32(0.707106781186547524)).view(np.uint8)
    bits = bits >> 23
    bits -= 126
    bits -= small
    e = bits.astype(_F32)
    x = m - _F32(1)
    x += m * small  # m - 1, plus m once more when m < sqrt(1/2) (no masked ops)
    z = x * x
    x64 = x.astype(_F64)
    y = _horner32(x64, _LOG_P, t64, np.empty_like(x))
    y *= x
    _fmadd(y, z.astype(_F64), e * _F32(-2.12194440e-4), t64, y)
    z *= _F32(0.5)
    y -= z
    y += x
    e *= _F32(0.693359375)
    y += e
    return y


_COS_P = (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)
_SIN_P = (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)


def _sincos_f32(x, t64):
    # x >= 0: reduce by multiples of pi/4 (pi/4 in three parts), pick the sine or cosine
    # polynomial per octant, fix the signs.
    j = (x * _F32(1.27323954473516)).astype(np.int32)
    j += 1
    j &= ~1
    y = j.astype(_F32)
    for d in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x += y * _F32(d)
    z = x * x
    z64 = z.astype(_F64)
    c = _horner32(z64, _COS_P, t64, np.empty_like(x))
    c *= z
    _fmadd(c, z64, z * _F32(-0.5), t64, c)
    c += _F32(1)
    s = _horner32(z64, _SIN_P, t64, y)
    s *= z
    _fmadd(s, x.astype(_F64), x, t64, s)
    # select and flip signs with bit operations, as the vector code does (no masked ops)
    sel = ((j & 2) >> 1) - 1  # all ones where j & 2 == 0
    sb, cb = s.view(np.int32), c.view(np.int32)
    sin = (sb & sel) | (cb & ~sel)
    cos = (cb & sel) | (sb & ~sel)
    sin ^= (j & 4) << 29
    j -= 2
    cos ^= (~j & 4) << 29
    return sin.view(_F32), cos.view(_F32)


class MT19937Stream:
    """PyTorch's CPU generator state: the mt19937 engine plus the cached second Box-Muller
    values (``next_double_normal_sample``/``next_float_normal_sample``)."""

    def __init__(self, seed=67280421310721):
        self._bg = np.random.MT19937(0)
        self.manual_seed(seed)

    # --- engine ---------------------------------------------------------------------------
    def manual_seed(self, seed):
        self.initial_seed = int(seed) & 0xFFFFFFFFFFFFFFFF
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": _key(self.initial_seed), "pos": _N}}
        self.fresh = True  # PyTorch keeps next=0 (not 624) until the first draw after seeding
        self.next_double = None
        self.next_float = None

    def u32(self, n):
        """``n`` successive 32-bit words (as uint64 values)."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        self.fresh = False
        return self._bg.random_raw(int(n))

    def u64(self, n):
        """``n`` 64-bit words, each from two 32-bit draws (the first one high), as random64()."""
        w = self.u32(2 * n).reshape(-1, 2)
        return (w[:, 0] << np.uint64(32)) | w[:, 1]

    def engine_state(self):
        st = self._bg.state["state"]
        pos = int(st["pos"])
        left, nxt = (1, 0 if self.fresh else _N) if pos == _N else (_N + 1 - pos, pos)
        return st["key"].astype(np.uint32), left, nxt

    def set_engine_state(self, key, left, nxt, initial_seed):
        pos = _N if left == 1 else nxt
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key.astype(np.uint32), "pos": pos}}
        self.fresh = left == 1 and nxt == 0
        self.initial_seed = initial_seed

    # --- uniform ----------------------------------------------------------------------------
    def unit(self, n, dt):
        """Uniform [0, 1) as uniform_real_distribution: 24 bits of a word for float32,
        53 bits of a 64-bit draw for float64, 11 bits for float16."""
        if dt == _F64:
            return (self.u64(n) & _M53).astype(_F64) * _F64(2.0 ** -53)
        bits = 11 if dt == np.float16 else 24
        w = self.u32(n).astype(np.int32)  # the low 32 bits; the masked value is < 2**24
        w &= (1 << bits) - 1
        x = w.astype(_F32)
        x *= _F32(2.0 ** -bits)
        return x

    def uniform(self, n, dt, low=0.0, high=1.0):
        x = self.unit(n, dt)
        if dt == _F64:
            return _fma64(x, high - low, low) if (low, high) != (0.0, 1.0) else x
        lo, hi = _F32(low), _F32(high)
        out = _fma32(x, hi - lo, lo) if (low, high) != (0.0, 1.0) else x
        return out.astype(dt, copy=False)

    # --- normal -----------------------------------------------------------------------------
    def normal_double(self, n, mean=0.0, std=1.0):
        """``n`` draws of normal_distribution<double> one at a time: Box-Muller on two 53-bit
        uniforms, returning r*cos and caching r*sin for the next draw. (Used below 16
        elements, so plain Python floats and libm through ``math``.)"""
        vals = []
        if n and self.next_double is not None:
            vals.append(self.next_double)
            self.next_double = None
        pairs = (n - len(vals) + 1) // 2
        if pairs > 64:  # many (a strided normal_): the same arithmetic on arrays
            u = self.unit(2 * pairs, _F64).reshape(-1, 2)
            r = np.sqrt(-2.0 * _libm("log1p", -u[:, 1], True))
            theta = 2.0 * math.pi * u[:, 0]
            both = np.stack([r * _libm("cos", theta, True), r * _libm("sin", theta, True)], 1).ravel()
            out = np.concatenate([np.array(vals, dtype=_F64), both])
            if out.size > n:
                self.next_double, out = float(out[-1]), out[:n]
            return _fma64(out, std, mean) if (mean, std) != (0.0, 1.0) else out
        if pairs:
            w = self.u32(4 * pairs).tolist()
            log1p, sqrt, sin, cos, tau = math.log1p, math.sqrt, math.sin, math.cos, 2.0 * math.pi
            for i in range(0, 4 * pairs, 4):
                u1 = (((w[i] & 0x1FFFFF) << 32) | w[i + 1]) * 2.0 ** -53
                u2 = (((w[i + 2] & 0x1FFFFF) << 32) | w[i + 3]) * 2.0 ** -53
                r = sqrt(-2.0 * log1p(-u2)) if u2 < 1.0 else math.inf
                vals.append(r * cos(tau * u1))
                vals.append(r * sin(tau * u1))
            if len(vals) > n:
                self.next_double = vals.pop()
        out = np.array(vals, dtype=_F64)
        return _fma64(out, std, mean) if (mean, std) != (0.0, 1.0) else out

    def normal(self, n, dt, mean=0.0, std=1.0, contiguous=True):
        """normal_ as PyTorch's CPU kernel: for 16 or more contiguous float32/float64 elements,
        Box-Muller in blocks of 16 (cosines in the first 8, sines in the last 8) over uniforms
        drawn for the whole tensor, the last block redrawn when n is not a multiple of 16;
        otherwise per-element doubles."""
        if n < 16 or not contiguous or dt not in (_F32, _F64):
            return self.normal_double(n, mean, std).astype(dt)
        data = self.unit(n, dt)
        blocks = n // 16
        self._fill16(data[:blocks * 16].reshape(-1, 16), mean, std)
        if n % 16:
            tail = self.unit(16, dt).reshape(1, 16)
            self._fill16(tail, mean, std)
            data[n - 16:] = tail.ravel()
        return data

    @staticmethod
    def _fill16(u, mean, std):
        """Box-Muller in place on rows of 16 uniforms."""
        if u.dtype == _F32:
            # NOTE: PyTorch on x86 runs its AVX2 fill here (AVX512 builds fall back to it too):
            # float32 Cephes log/sincos, then one fused multiply-add for std and mean.
            t64 = np.empty((u.shape[0], 8))
            r = _log_f32(_F32(1) - u[:, :8], t64)
            r *= _F32(-2)
            np.sqrt(r, out=r)
            sin, cos = _sincos_f32(_F32(2 * math.pi) * u[:, 8:], t64)
            np.multiply(r, cos, out=u[:, :8])
            np.multiply(r, sin, out=u[:, 8:])
            if (mean, std) != (0.0, 1.0):
                u[...] = _fma32(u, _F32(std), _F32(mean))
            return
        r = np.sqrt(-2.0 * _libm("log", 1.0 - u[:, :8], True))
        theta = 2.0 * math.pi * u[:, 8:]
        np.multiply(r, np.cos(theta), out=u[:, :8])
        np.multiply(r, np.sin(theta), out=u[:, 8:])
        if (mean, std) != (0.0, 1.0):
            u[...] = _fma64(u, std, mean)

    # --- integers ---------------------------------------------------------------------------
    def from_to(self, n, rng, base, dt):
        """random_(from, to): ``word % range + from``; 64-bit words when range >= 2**32."""
        wide = rng >= 1 << 32 and dt in (np.int64, _F32, _F64)
        w = self.u64(n) if wide else self.u32(n)
        v = (w % np.uint64(rng)) + np.uint64(base & 0xFFFFFFFFFFFFFFFF)
        return v.view(np.int64).astype(dt)

    def full_range(self, n, dt):
        return self.u64(n).view(np.int64).astype(dt)

    def random_default(self, n, dt):
        """random_() with no bounds: [0, 2**mantissa] for floats, [0, max] for integers."""
        dt = np.dtype(dt)
        if dt == np.bool_:
            return (self.u32(n) & np.uint64(1)).astype(np.bool_)
        if dt.kind == "f":
            digits = np.finfo(dt).nmant + 1
            w = self.u64(n) if dt == _F64 else self.u32(n)
            return (w % np.uint64((1 << digits) + 1)).astype(dt)
        top = int(np.iinfo(dt).max) + 1
        w = self.u64(n) if dt == np.int64 else self.u32(n)
        return (w % np.uint64(top)).astype(dt)

    def permutation(self, n):
        """randperm: Fisher-Yates from the front, swap i with i + word % (n - i)."""
        if n >= (1 << 32) // 20:
            raise RuntimeError("randperm: n too large for ember's CPU generator")
        if n < 2:
            return np.arange(n, dtype=np.int64)
        # the divisors are known in advance, so the draws are one vector; only the swaps loop
        z = (self.u32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).astype(np.int64)
        z += np.arange(n - 1)
        r = list(range(n))
        for i, j in enumerate(z.tolist()):
            r[i], r[j] = r[j], r[i]
        return np.array(r, dtype=np.int64)

    # --- other distributions ------------------------------------------------------------------
    def _unit_double(self, n, dt):
        # exponential/cauchy/geometric/log-normal kernels draw doubles whatever the tensor type
        return self.unit(n, _F64), dt == _F64

    def exponential(self, n, dt, lambd=1.0):
        u, exact = self._unit_double(n, dt)
        return ((-1.0 / lambd) * _libm("log1p", -u, exact)).astype(dt)

    def cauchy(self, n, dt, median=0.0, sigma=1.0):
        u, exact = self._unit_double(n, dt)
        return _fma64(sigma, _libm("tan", math.pi * (u - 0.5), exact), median).astype(dt)

    def geometric(self, n, dt, p):
        u, exact = self._unit_double(n, dt)
        return np.ceil(_libm("log", u, exact) / math.log(1.0 - p)).astype(dt)

    def log_normal(self, n, dt, mean=1.0, std=2.0):
        return _libm("exp", self.normal_double(n, mean, std), dt == _F64).astype(dt)

    def poisson(self, rates):
        """PyTorch's CPU poisson, element by element (how many draws each takes depends on the
        draws): Hoermann's transformed rejection for rates >= 10, else multiplying uniforms."""
        raw = self._bg.random_raw
        self.fresh = False

        def uniform():
            hi, lo = raw(), raw()
            return (((hi & 0x1FFFFF) << 32) | lo) * 2.0 ** -53
        log, out = _MATH["log"], []
        for lam in rates.tolist():
            if lam >= 10:
                slam, loglam = math.sqrt(lam), math.log(lam)
                b = 0.931 + 2.53 * slam
                a = -0.059 + 0.02483 * b
                invalpha = 1.1239 + 1.1328 / (b - 3.4)
                vr = 0.9277 - 3.6224 / (b - 2)
                while True:
                    u = uniform() - 0.5
                    v = uniform()
                    us = 0.5 - abs(u)
                    k = math.floor((2 * a / us + b) * u + lam + 0.43)
                    if us >= 0.07 and v <= vr:
                        break
                    if k < 0 or (us < 0.013 and v > us):
                        continue
                    if log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= \
                            -lam + k * loglam - _lgamma(k + 1.0):
                        break
            elif lam == 0:
                k = 0
            elif lam > 0:
                k, prod, enlam = 0, 1.0, math.exp(-lam)
                while True:
                    prod *= uniform()
                    if prod <= enlam:
                        break
                    k += 1
            else:
                raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
            out.append(k)
        return np.array(out, dtype=_F64)

    def bernoulli_scalar(self, n, p):
        """bernoulli_(p) with a number p, as PyTorch's CPU build runs it on this processor."""
        if MKL_BERNOULLI:
            return _mcg31_bernoulli(int(self.u32(1)[0]), n, p)
        return self.unit(n, _F64) < p  # the portable kernel: a 53-bit uniform < p per element


@functools.lru_cache(maxsize=None)
def _intel_x86():
    """Whether PyTorch's x86 build would take its MKL bernoulli path here (an Intel CPU)."""
    import platform
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    return "GenuineIntel" in line
    except OSError:
        return "GenuineIntel" in platform.processor()
    return False


MKL_BERNOULLI = _intel_x86()
_MCG_A, _MCG_M = 1132489760, (1 << 31) - 1


def _mcg31_bernoulli(seed, n, p):
    """PyTorch's MKL path for bernoulli_(p) on Intel CPUs: one 32-bit word seeds MKL's MCG31m1
    (x0 = seed mod (2**31 - 1), 1 if that is 0; x_k = a * x_(k-1) mod m; u_k = x_k / m) and
    each element is u_k < p.
    NOTE: from MKL's documented generator; not checked against torch (ember's test machine has
    an AMD processor, where PyTorch runs the portable kernel), so only the stream position
    after the call (one word) is known to match."""
    x0 = seed % _MCG_M or 1
    pw = np.ones(1, dtype=np.uint64)
    while pw.size < n:  # a**k mod m for k < n, doubling the table each step
        step = pow(_MCG_A, pw.size, _MCG_M)
        pw = np.concatenate([pw, pw * np.uint64(step) % np.uint64(_MCG_M)])
    x = pw[:n] * np.uint64(x0) % np.uint64(_MCG_M)
    return x.astype(_F64) / _MCG_M < p
