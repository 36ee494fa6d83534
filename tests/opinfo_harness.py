"""Running PyTorch's OpInfo entries (torch.testing's ``op_db``) through ember with torch as the
oracle.  Used by tests/test_opinfo.py; only tests import torch.

An OpInfo gives, per op, a callable (``op.op``), sample inputs per dtype, the dtypes it supports
on each device, whether it has a gradient and a set of inputs on which it must raise.  Here:

* ``load_op_db()`` imports the database without letting torch's test utilities parse our argv.
* ``resolve(op)`` finds ember's counterpart: a lambda or helper the OpInfo defines in
  torch.testing is rebuilt with its ``torch`` globals pointing at ember (so
  ``lambda x, *a: x.view(*a)`` calls ember the way OpInfo calls torch); otherwise the OpInfo's
  name under ``ember`` (``ember.nn.functional.x``, ``ember.linalg.x`` ...), then a
  ``torch.Tensor`` method of the same name.
* ``Converter`` turns a SampleInput's tensors into ember tensors over the same values (the same
  torch tensor always maps to the same ember tensor, so aliasing within a sample survives).
* ``check_outputs`` compares results with ``torch.testing.assert_close``'s default tolerances
  for the output dtype (exact for integers and bools), after the documented non-uniqueness of a
  few ops is taken into account (indices of tied values, signs of singular/eigen-vectors).
"""
import functools
import itertools
import sys
import types
import warnings

import numpy as np
import torch

import ember

# --------------------------------------------------------------------------------------------
# the database
# --------------------------------------------------------------------------------------------


def load_op_db():
    try:
        import expecttest  # noqa: F401
    except ImportError:     # an optional dependency of torch's test utilities
        import unittest
        stub = types.ModuleType("expecttest")
        stub.ACCEPT = False
        stub.TestCase = unittest.TestCase
        sys.modules["expecttest"] = stub
    argv, sys.argv = sys.argv, sys.argv[:1]     # common_utils parses sys.argv on import
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from torch.testing._internal.common_methods_invocations import op_db
    finally:
        sys.argv = argv
    return list(op_db)


def key(op):
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


# dtypes ember represents (bfloat16 is stored as float32: not compared; no complex32)
DTYPES = (torch.float32, torch.float64, torch.float16, torch.int64, torch.int32, torch.int16,
          torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128)

# Ops whose values come from the random generator: ember's stream is not torch's (yet), so
# only shape and dtype are compared.  Uninitialised-memory ops likewise.
RANDOM = {"bernoulli", "multinomial", "normal", "rand_like", "randn_like", "randint_like",
          "randn", "randint", "cauchy", "exponential", "geometric", "log_normal", "uniform",
          "poisson", "svd_lowrank", "pca_lowrank", "nn.functional.rrelu",
          "nn.functional.fractional_max_pool2d", "nn.functional.fractional_max_pool3d"}
DROPOUTS = {"nn.functional.dropout", "nn.functional.dropout2d", "nn.functional.dropout3d",
            "nn.functional.alpha_dropout", "nn.functional.feature_alpha_dropout"}
UNINITIALISED = {"empty", "empty_like", "new_empty", "new_empty_strided", "empty_strided",
                 "empty_permuted"}


def is_random(name, s):
    k = s.kwargs
    if name in DROPOUTS:
        p = k.get("p", s.args[0] if s.args else 0.5)
        training = k.get("training", s.args[1] if len(s.args) > 1 else "alpha" not in name)
        return bool(training) and 0 < float(p) < 1
    if name == "nn.functional.scaled_dot_product_attention":
        return float(k.get("dropout_p", 0.0)) > 0
    if name == "nn.functional.multi_head_attention_forward":
        p = s.args[9] if len(s.args) > 9 else k.get("dropout_p", 0.0)
        return bool(k.get("training", True)) and float(p) > 0
    if name == "nn.functional.rrelu":
        return bool(k.get("training", s.args[2] if len(s.args) > 2 else False))
    return name in RANDOM


def tensors_of(obj):
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from tensors_of(v)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from tensors_of(v)


def pick_samples(op, dtype, n, requires_grad=False, pool=48):
    """n samples out of the first ``pool`` (seeded), evenly spaced over those whose tensors are
    all non-empty, then empty ones if too few: many OpInfos begin with long runs of zero-size or
    near-identical cases, so the first n alone would test little."""
    torch.manual_seed(0)
    np.random.seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = list(itertools.islice(op.sample_inputs("cpu", dtype, requires_grad=requires_grad),
                                    pool))
    full, empty = [], []
    for i, s in enumerate(got):
        ts = list(tensors_of([s.input, list(s.args), dict(s.kwargs)]))
        (empty if any(t.numel() == 0 for t in ts) else full).append(i)
    if len(full) > n:
        full = [full[k * len(full) // n] for k in range(n)]
    chosen = sorted(full + empty[:max(0, n - len(full))])
    return [got[i] for i in chosen]


# --------------------------------------------------------------------------------------------
# finding ember's op
# --------------------------------------------------------------------------------------------

class NotInEmber(Exception):
    """The OpInfo's callable needs something ember does not have."""


def _from_testing(f):
    return isinstance(f, types.FunctionType) and (f.__module__ or "").startswith("torch.testing")


def _names(code, acc):
    acc.update(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _names(c, acc)
    return acc


def _attr_path(root, parts):
    for p in parts:
        root = getattr(root, p)
    return root


class _Absent:
    """Stands in for a torch submodule that ember lacks (``torch.fft``): fails on use."""

    def __init__(self, path):
        self._path = path

    def __getattr__(self, name):
        raise AttributeError(f"torch.{self._path}.{name} is not in ember", name=name, obj=self)


def _to_ember(v):
    if isinstance(v, types.ModuleType):
        if v.__name__ == "torch":
            return ember
        if v.__name__.startswith("torch."):
            parts = v.__name__.split(".")[1:]
            try:
                return _attr_path(ember, parts)
            except AttributeError:
                return _Absent(".".join(parts))
        return v
    if v is torch.Tensor:
        return ember.Tensor
    if _from_testing(v):
        if v.__name__ == "wrapper_set_seed":
            def wrapper_set_seed(op, *args, **kwargs):
                ember.manual_seed(42)
                return op(*args, **kwargs)
            return wrapper_set_seed
        return retarget(v)
    return v


def retarget(f):
    """A torch.testing function rebuilt with the torch it names replaced by ember."""
    if isinstance(f, functools.partial):
        return functools.partial(retarget(f.func), *f.args, **f.keywords)
    if not _from_testing(f):
        return f
    g = dict(f.__globals__)
    for n in _names(f.__code__, set()):
        if n in g:
            g[n] = _to_ember(g[n])
    cells = f.__closure__
    if cells:
        cells = tuple(types.CellType(_to_ember(c.cell_contents)) for c in cells)
    nf = types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, cells)
    nf.__kwdefaults__ = f.__kwdefaults__
    return nf


def resolve(op):
    """-> (ember callable, names a retargeted lambda uses) or (None, None)."""
    f = op.op
    inner = f.func if isinstance(f, functools.partial) else f
    if _from_testing(inner):
        return retarget(f), _names(inner.__code__, set())
    name = op.name[6:] if op.name.startswith("torch.") else op.name
    if getattr(f, "__objclass__", None) in (torch.Tensor, torch._C.TensorBase) or \
            getattr(torch.Tensor, getattr(f, "__name__", "") or "", None) is f:
        m = getattr(ember.Tensor, f.__name__, None)
        return (m, set()) if m is not None else (None, None)
    try:
        obj = _attr_path(ember, name.split("."))
        if callable(obj) and not isinstance(obj, ember.dtype):
            return obj, set()
    except AttributeError:
        pass
    mod, fname = getattr(f, "__module__", None) or "", getattr(f, "__name__", None)
    if fname and mod.startswith("torch") and not mod.startswith("torch._"):
        try:
            obj = _attr_path(ember, mod.split(".")[1:] + [fname])
            if callable(obj):
                return obj, set()
        except AttributeError:
            pass
    if "." not in name and callable(getattr(ember.Tensor, name, None)):
        return (lambda x, *a, **k: getattr(x, name)(*a, **k)), set()
    return None, None


def missing_name(e, uses):
    """The name, if ``e`` is a lookup on ember (module, Tensor or stand-in) of something the
    OpInfo's lambda uses: the op is missing rather than failing."""
    if not isinstance(e, AttributeError) or not uses or getattr(e, "name", None) not in uses:
        return None
    obj = getattr(e, "obj", None)
    if isinstance(obj, _Absent) or obj is ember.Tensor or isinstance(obj, ember.Tensor) or \
            (isinstance(obj, types.ModuleType) and obj.__name__.split(".")[0] == "ember"):
        return e.name
    return None


# --------------------------------------------------------------------------------------------
# torch values -> ember values
# --------------------------------------------------------------------------------------------

class Untestable(Exception):
    """The sample cannot be expressed for ember at all (sparse layout, module with weights)."""


def to_numpy(t):
    t = t.detach()
    if torch._is_zerotensor(t):
        t = torch.zeros(t.shape, dtype=t.dtype)
    t = t.resolve_conj().resolve_neg()
    if t.dtype == torch.bfloat16:
        t = t.float()
    return np.array(t.numpy(), copy=True)


def ember_dtype(d):
    name = str(d).split(".")[-1]
    e = getattr(ember, name, None)
    if not isinstance(e, ember.dtype):
        raise NotInEmber(f"ember has no dtype {name}")
    return e


class Converter:
    def __init__(self, grad=False):
        self.memo = {}
        self.grad = grad
        self.pairs = []       # (torch leaf that requires grad, its ember twin)

    def __call__(self, x):
        if isinstance(x, torch.Tensor):
            hit = self.memo.get(id(x))
            if hit is not None:
                return hit[1]
            if x.layout != torch.strided:
                raise Untestable(f"{x.layout} input")
            y = ember.from_numpy(to_numpy(x))
            want = ember_dtype(x.dtype)
            if y.dtype != want:
                y = y.to(want)
            if self.grad and x.requires_grad:
                y.requires_grad_(True)
                self.pairs.append((x, y))
            self.memo[id(x)] = (x, y)       # x kept alive: its id stays unique
            return y
        if isinstance(x, torch.Size):
            return tuple(int(v) for v in x)
        if isinstance(x, torch.dtype):
            return ember_dtype(x)
        if isinstance(x, torch.device):
            return str(x)
        if isinstance(x, (torch.memory_format, torch.layout)):
            name = str(x).split(".")[-1]
            if not hasattr(ember, name):
                raise NotInEmber(f"ember has no {name}")
            return getattr(ember, name)
        if isinstance(x, torch.Generator):
            g = ember.Generator()
            g.manual_seed(x.initial_seed())
            return g
        if isinstance(x, list):
            return [self(v) for v in x]
        if isinstance(x, tuple):
            vals = [self(v) for v in x]
            return type(x)(*vals) if hasattr(x, "_fields") else tuple(vals)
        if isinstance(x, dict):
            return {k: self(v) for k, v in x.items()}
        if isinstance(x, slice):
            return slice(self(x.start), self(x.stop), self(x.step))
        if isinstance(x, torch.nn.Module):
            if any(True for _ in x.parameters()) or any(True for _ in x.buffers()):
                raise Untestable(f"{type(x).__name__} with parameters as an argument")
            cls = getattr(ember.nn, type(x).__name__, None)
            if cls is None:
                raise NotInEmber(f"ember has no nn.{type(x).__name__}")
            m = cls()
            for k, v in vars(x).items():
                if not k.startswith("_") and isinstance(v, (int, float, bool, str, tuple, type(None))):
                    setattr(m, k, v)
            return m
        if callable(x) and not isinstance(x, type):
            if _from_testing(x):
                return retarget(x)
            mod, fname = getattr(x, "__module__", None) or "", getattr(x, "__name__", None)
            if fname and (mod == "torch" or mod.startswith("torch.")):
                parts = [p for p in mod.split(".")[1:] if not p.startswith("_")] + [fname]
                try:
                    return _attr_path(ember, parts)
                except AttributeError:
                    raise NotInEmber(f"ember has no {'.'.join(parts)}") from None
        return x


def convert_sample(s, grad=False):
    c = Converter(grad)
    return c(s.input), c(tuple(s.args)), c(dict(s.kwargs)), c


# --------------------------------------------------------------------------------------------
# comparing outputs
# --------------------------------------------------------------------------------------------

class Mismatch(AssertionError):
    pass


def _dtype_name(d):
    return str(d).split(".")[-1]


def compare(ref, got, where="out", values=True):
    if isinstance(ref, torch.Tensor):
        if ref.dtype == torch.complex32:
            raise Untestable("complex32 output (ember has no complex32)")
        if not isinstance(got, ember.Tensor):
            raise Mismatch(f"{where}: torch gives a Tensor, ember {type(got).__name__}")
        if tuple(ref.shape) != tuple(got.shape):
            raise Mismatch(f"{where}: shape {tuple(ref.shape)} (torch) vs {tuple(got.shape)}")
        if _dtype_name(ref.dtype) != _dtype_name(got.dtype):
            raise Mismatch(f"{where}: dtype {_dtype_name(ref.dtype)} (torch) vs {_dtype_name(got.dtype)}")
        if values and ref.numel():
            r = torch.from_numpy(to_numpy(ref))
            g = torch.from_numpy(np.array(got.detach().numpy(), copy=True)).to(r.dtype)
            try:
                torch.testing.assert_close(g, r, equal_nan=True, check_stride=False)
            except AssertionError as e:
                raise Mismatch(f"{where}: {e}") from None
        return
    if isinstance(ref, torch.Size):
        if tuple(got) != tuple(ref):
            raise Mismatch(f"{where}: {tuple(ref)} (torch) vs {got!r}")
        return
    if isinstance(ref, torch.dtype):
        if not isinstance(got, ember.dtype) or _dtype_name(got) != _dtype_name(ref):
            raise Mismatch(f"{where}: {ref} (torch) vs {got!r}")
        return
    if isinstance(ref, (tuple, list)):
        if isinstance(got, ember.Tensor) or not isinstance(got, (tuple, list)) or len(got) != len(ref):
            raise Mismatch(f"{where}: {type(ref).__name__} of {len(ref)} (torch) vs {got!r:.80}")
        for i, (r, g) in enumerate(zip(ref, got)):
            compare(r, g, f"{where}[{i}]", values)
        return
    if ref is None or isinstance(ref, (bool, str)):
        if type(got) is not type(ref) or got != ref:
            raise Mismatch(f"{where}: {ref!r} (torch) vs {got!r}")
        return
    if isinstance(ref, (int, float)):
        if isinstance(got, (bool, ember.Tensor)) or not isinstance(got, (int, float, np.number)):
            raise Mismatch(f"{where}: {type(ref).__name__} (torch) vs {type(got).__name__}")
        if isinstance(ref, int) != isinstance(got, (int, np.integer)):
            raise Mismatch(f"{where}: {ref!r} (torch) vs {got!r}")
        if values and not np.isclose(got, ref, rtol=1e-7, atol=1e-7, equal_nan=True):
            raise Mismatch(f"{where}: {ref!r} (torch) vs {got!r}")
        return
    raise Untestable(f"cannot compare a torch {type(ref).__name__}")


# Ops whose index output is unspecified among equal values: (dim position in args after the
# input, default dim, keepdim position)
TIES = {"sort": (0, -1, None), "argsort": (0, -1, None), "topk": (1, -1, None),
        "kthvalue": (1, -1, 2), "median": (0, None, 1), "nanmedian": (0, None, 1),
        "mode": (0, -1, 1)}


def _arg(s, pos, name, default):
    if name in s.kwargs:
        return s.kwargs[name]
    return s.args[pos] if pos is not None and len(s.args) > pos else default


def _same_tied_values(op_name, s, ref, got):
    """got's indices pick input values equal to those torch's indices pick."""
    if op_name not in TIES or (op_name in ("sort", "argsort") and s.kwargs.get("stable")):
        return False
    pos, default, kpos = TIES[op_name]
    dim = _arg(s, pos, "dim", default)
    if dim is None:
        return False
    if op_name == "argsort":
        ri, gi = ref, got
    else:
        try:
            compare(ref[0], got[0])
        except (Mismatch, TypeError, IndexError):
            return False
        ri, gi = ref[1], got[1]
    compare(ri, gi, values=False)
    x = to_numpy(s.input)
    x = x.reshape(1) if x.ndim == 0 else x
    dim %= x.ndim
    it, ie = to_numpy(ri), np.asarray(gi.numpy())
    if it.ndim < x.ndim:
        it, ie = np.expand_dims(it, dim), np.expand_dims(ie, dim)
    if ie.size and (ie.min() < 0 or ie.max() >= x.shape[dim]):
        return False
    if op_name in ("sort", "argsort", "topk") and ie.size:
        srt = np.sort(ie, axis=dim)
        if (np.diff(srt, axis=dim) == 0).any():      # indices must be distinct
            return False
    vt = np.take_along_axis(x, it.astype(np.int64), dim)
    ve = np.take_along_axis(x, ie.astype(np.int64), dim)
    return np.array_equal(vt, ve, equal_nan=vt.dtype.kind == "f")


def _sign_aligned(op_name, ref, got):
    """svd/eigh vectors are unique up to sign (a phase, for complex ones): turn ember's to
    torch's, then compare."""
    if op_name not in ("svd", "linalg.svd", "linalg.eigh", "linalg.eig"):
        return False
    arrs = [to_numpy(r) for r in ref]
    mine = [np.array(g.numpy(), copy=True) for g in got]
    if op_name in ("linalg.eigh", "linalg.eig"):
        qt, qe = arrs[1], mine[1]
        sg = np.sign(np.sum(qt * np.conj(qe), axis=-2, keepdims=True))
        mine[1] = qe * np.where(sg == 0, 1, sg)
    else:
        ut, vt, ue, ve = arrs[0], arrs[2], mine[0], mine[2]
        if op_name == "linalg.svd":          # Vh: rows are the vectors
            vt, ve = np.swapaxes(vt, -1, -2), np.swapaxes(ve, -1, -2)
        k = arrs[1].shape[-1]
        sg = np.sign(np.sum(ut[..., :k] * np.conj(ue[..., :k]), axis=-2, keepdims=True))
        sg = np.where(sg == 0, 1, sg)
        ue[..., :k] *= sg
        # Vh's rows are v^H: swapped, its columns are conj(v), which turn the other way
        ve[..., :k] *= np.conj(sg) if op_name == "linalg.svd" else sg
        tol = 1e-4 if ue.dtype == np.float32 else 1e-10
        for a_t, a_e in ((ut, ue), (vt, ve)):   # any orthonormal completion is valid
            if a_e.shape[-1] > k and a_e.size and \
                    np.abs(np.conj(np.swapaxes(a_e, -1, -2)) @ a_e - np.eye(a_e.shape[-1])).max() < tol:
                a_e[..., k:] = a_t[..., k:]
        if op_name == "linalg.svd":
            ve = np.swapaxes(ve, -1, -2)
        mine[0], mine[2] = ue, ve
    compare(ref, tuple(ember.from_numpy(np.ascontiguousarray(m)) for m in mine))
    return True


def check_outputs(op_name, s, ref, got):
    values = op_name not in UNINITIALISED and not is_random(op_name, s)
    try:
        compare(ref, got, values=values)
    except Mismatch:
        if _same_tied_values(op_name, s, ref, got) or _sign_aligned(op_name, ref, got):
            return
        raise


def differentiable(out, path=()):
    """(path, tensor) of every floating torch output that requires grad."""
    if isinstance(out, torch.Tensor):
        return [(path, out)] if out.requires_grad and (out.dtype.is_floating_point or
                                                       out.dtype.is_complex) else []
    if isinstance(out, (list, tuple)):
        return [r for i, v in enumerate(out) for r in differentiable(v, path + (i,))]
    return []


def at(obj, path):
    for i in path:
        obj = obj[i]
    return obj
