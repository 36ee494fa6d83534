"""The torch-oracle helper: run one op in ember and in PyTorch on the same inputs and compare
forward values, dtypes and gradients.  Only tests import torch."""
import numpy as np
import torch

import ember

TOL = {np.float16: (1e-2, 1e-2), np.float32: (1e-4, 1e-5), np.float64: (1e-7, 1e-9)}


def make(shape, dtype=np.float32, seed=0, low=-2.0, high=2.0, noncontig=False):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        a = rng.uniform(low, high, size=shape).astype(dt)
    elif dt.kind == "b":
        a = rng.integers(0, 2, size=shape).astype(bool)
    elif dt.kind == "u":
        a = rng.integers(0, 10, size=shape).astype(dt)
    else:
        a = rng.integers(-5, 6, size=shape).astype(dt)
    a = np.asarray(a)
    if noncontig and a.ndim >= 2:
        a = np.ascontiguousarray(np.swapaxes(a, -1, -2))
        a = np.swapaxes(a, -1, -2)  # same values, transposed strides
    return a


def _pair(a, grad):
    """(ember tensor, torch tensor) over the same values; transposed arrays stay non-contiguous."""
    e = ember.from_numpy(np.array(a, copy=True))
    t = torch.from_numpy(np.array(a, copy=True))
    if not a.flags.c_contiguous and a.ndim >= 2:
        e = ember.from_numpy(np.ascontiguousarray(np.swapaxes(a, -1, -2))).transpose(-1, -2)
        t = torch.from_numpy(np.ascontiguousarray(np.swapaxes(a, -1, -2))).transpose(-1, -2)
    if grad:
        e.requires_grad_()
        t.requires_grad_()
    return e, t


def to_np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return x.detach().numpy() if isinstance(x, ember.Tensor) else np.asarray(x)


def assert_close(got, want, dtype=np.float32, what="value"):
    g, w = to_np(got), to_np(want)
    assert g.shape == w.shape, f"{what}: shape {g.shape} != torch {w.shape}"
    rtol, atol = TOL.get(np.dtype(dtype).type, (1e-4, 1e-5))
    if w.dtype.kind in "biu":
        np.testing.assert_array_equal(g, w, err_msg=what)
    else:
        np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=what)


def check(fn_e, fn_t, *arrays, grad=True, dtype_check=True, seed_grad=1):
    """Compare fn over ember and torch tensors made from ``arrays``: outputs (values and dtype)
    and, when grad, the gradients of sum(out * random) with respect to every float input."""
    grad = grad and all(a.dtype.kind == "f" for a in arrays)
    pairs = [_pair(a, grad) for a in arrays]
    oe = fn_e(*[p[0] for p in pairs])
    ot = fn_t(*[p[1] for p in pairs])
    oes = oe if isinstance(oe, (tuple, list)) else (oe,)
    ots = ot if isinstance(ot, (tuple, list)) else (ot,)
    assert len(oes) == len(ots)
    dt = arrays[0].dtype if arrays else np.float32
    for k, (a, b) in enumerate(zip(oes, ots)):
        if not isinstance(b, torch.Tensor):
            assert a == b if not isinstance(b, float) else abs(a - b) < 1e-5
            continue
        if dtype_check:
            assert str(a.dtype).replace("torch.", "") == str(b.dtype).replace("torch.", ""), \
                f"output {k}: dtype {a.dtype} != torch {b.dtype}"
        assert_close(a, b, dt, f"output {k}")
    if not grad:
        return oe
    rng = np.random.default_rng(seed_grad)
    le, lt = 0, 0
    for a, b in zip(oes, ots):
        if isinstance(b, torch.Tensor) and b.requires_grad and b.is_floating_point():
            w = rng.uniform(-1, 1, size=tuple(b.shape)).astype(to_np(b).dtype)
            le = le + (a * ember.from_numpy(w)).sum()
            lt = lt + (b * torch.from_numpy(w)).sum()
    if isinstance(lt, int):
        return oe
    # NOTE: twice: under create_graph=True each op's rule runs in Tensor ops (differentiable),
    # in a plain backward its fast path; both are compared with torch.
    leaves = [pe for pe, _ in pairs]
    slow = ember.autograd.grad(le, leaves, create_graph=True, retain_graph=True, allow_unused=True)
    le.backward()
    lt.backward()
    for k, (pe, pt) in enumerate(pairs):
        for what, g in (("grad", pe.grad), ("grad (create_graph)", slow[k])):
            if pt.grad is None:
                assert g is None or not to_np(g).any(), f"input {k}: ember has a {what}, torch none"
                continue
            assert g is not None, f"input {k}: no {what} in ember"
            assert_close(g, pt.grad, dt, f"{what} of input {k}")
    return oe
