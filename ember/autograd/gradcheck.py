"""Finite-difference checks of gradients (float64), as ``torch.autograd.gradcheck``."""
import numpy as np

from .._tensor import Tensor


def _flat_inputs(inputs):
    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _as_real_function(func, inputs):
    """``func`` seen over real numbers: each complex input that requires grad becomes a real
    (..., 2) leaf and each complex output its ``view_as_real``.  PyTorch's complex gradient
    (dL/dx + i dL/dy) is then exactly the real gradient of those pairs, so the real check
    verifies the Wirtinger rules."""
    from ..ops.complex import view_as_complex, view_as_real
    if not any(isinstance(t, Tensor) and t.is_complex() for t in inputs):
        probe = func(*inputs)
        probe = (probe,) if isinstance(probe, Tensor) else tuple(probe)
        if not any(isinstance(o, Tensor) and o.is_complex() for o in probe):
            return func, inputs
    pairs = []
    for t in inputs:
        if isinstance(t, Tensor) and t.is_complex() and t.requires_grad:
            pairs.append((True, view_as_real(t.detach()).clone().requires_grad_()))
        else:
            pairs.append((False, t))

    def real_func(*args):
        outs = func(*[view_as_complex(a) if c else a for (c, _), a in zip(pairs, args)])
        single = isinstance(outs, Tensor)
        outs = [view_as_real(o) if isinstance(o, Tensor) and o.is_complex() else o
                for o in ((outs,) if single else outs)]
        return outs[0] if single else tuple(outs)
    return real_func, tuple(a for _, a in pairs)


def _numerical_jacobian(fn, inputs, target, eps):
    out0 = fn(*inputs)
    outs = (out0,) if isinstance(out0, Tensor) else tuple(out0)
    sizes = [o.numel() for o in outs]
    jac = np.zeros((target._data.size, sum(sizes)))
    flat = target._data.reshape(-1) if target._data.flags.c_contiguous else None
    if flat is None:
        raise ValueError("gradcheck expects contiguous inputs")
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = _copies(fn(*inputs))  # copy now: an output may be a view of the input
        flat[k] = orig - eps
        minus = _copies(fn(*inputs))
        flat[k] = orig
        jac[k] = np.concatenate([((p - m) / (2 * eps)).ravel() for p, m in zip(plus, minus)])
    return jac, outs


def _copies(out):
    out = (out,) if isinstance(out, Tensor) else out
    return [np.array(o._data, dtype=np.float64) for o in out]


def _analytical_jacobian(outs, inputs):
    from . import grad
    from ..ops.creation import zeros_like
    diff_in = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    sizes = [o.numel() for o in outs]
    jacs = [np.zeros((t.numel(), sum(sizes))) for t in diff_in]
    col = 0
    for o in outs:
        for k in range(o.numel()):
            if not o.requires_grad:
                col += 1
                continue
            go = zeros_like(o)
            go._data.reshape(-1)[k] = 1
            gs = grad(o, diff_in, go, retain_graph=True, allow_unused=True)
            for j, g in enumerate(gs):
                if g is not None:
                    jacs[j][:, col] = g._data.reshape(-1)
            col += 1
    return jacs


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """Compare the analytical Jacobian of ``func`` with central finite differences
    (complex inputs and outputs as their real and imaginary parts)."""
    func, inputs = _as_real_function(func, _flat_inputs(inputs))
    diff_in = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in diff_in:
        if t.dtype.name not in ("float64", "complex128"):
            import warnings
            warnings.warn(f"Input #{inputs.index(t)} requires gradient and is not a double "
                          "precision floating point. gradcheck expects float64 inputs.")
    outs = func(*inputs)
    outs = (outs,) if isinstance(outs, Tensor) else tuple(outs)
    analytical = _analytical_jacobian(outs, inputs)
    for j, t in enumerate(diff_in):
        num, _ = _numerical_jacobian(func, inputs, t, eps)
        if not np.allclose(analytical[j], num, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {j},\n"
                    f"numerical:{num}\nanalytical:{analytical[j]}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kwargs):
    """gradcheck of the gradient: checks second derivatives via create_graph."""
    from . import grad
    from ..ops.random import randn_like
    inputs = _flat_inputs(inputs)
    outs = func(*inputs)
    outs = (outs,) if isinstance(outs, Tensor) else tuple(outs)
    if grad_outputs is None:
        grad_outputs = tuple(randn_like(o).requires_grad_() for o in outs)
    else:
        grad_outputs = _flat_inputs(grad_outputs)
    n = len(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first_grads(*args):
        ins, gos = args[:n], args[n:]
        o = func(*ins)
        o = (o,) if isinstance(o, Tensor) else tuple(o)
        gs = grad(o, [ins[i] for i in diff_idx], gos, create_graph=True, allow_unused=True)
        from ..ops.creation import zeros_like
        return tuple(g if g is not None else zeros_like(ins[i]) for g, i in zip(gs, diff_idx))
    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)


class GradcheckError(RuntimeError):
    pass
