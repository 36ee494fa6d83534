"""PyTorch's own operator database (OpInfo ``op_db``, 702 entries in torch 2.13) as ember's oracle.

For every entry ember has, three tests:

* ``test_forward[<entry>-<dtype>]`` for each dtype the entry supports on CPU that ember
  represents (float16/32/64, complex64/128, int8/16/32/64, uint8, bool): ``FWD_SAMPLES`` of its sample
  inputs chosen evenly over the first 48 it generates (seeded; ``FWD_SAMPLES_MINOR`` of the
  first 12 for the less common dtypes, whose sample generation dominates the run time), must
  give torch's outputs: structure, shape, dtype, and values within
  ``torch.testing.assert_close``'s default tolerance of the output dtype; where torch raises
  on a sample ember must raise too.
* ``test_gradient[<entry>]``: ``GRAD_SAMPLES`` samples in float64 (float32 where the entry has
  no float64 backward), through the OpInfo's gradcheck wrapper and output processing; the
  gradient of sum(out_i * w_i) over every differentiable output, for every input that requires
  grad, must equal torch's, both from a plain backward (each op's fast path) and under
  ``create_graph=True`` (its rule in Tensor ops).
* ``test_gradgrad[<entry>]``: ``GRADGRAD_SAMPLES`` samples in float64: the gradient of
  sum(grad_j * u_j) (second derivatives, through ember's differentiable rules) equals torch's.
* ``test_gradient_complex[<entry>]``: the gradient test in complex128 (complex outputs enter
  the loss as ``view_as_real``), for PyTorch's complex convention.
* ``test_error_inputs[<entry>]``: on the OpInfo's error_inputs (first ``ERROR_SAMPLES``) where
  torch raises, ember must raise.

Random ops compare shape and dtype only (ember's generator is not torch's); uninitialised
outputs (empty*) likewise.  What ember does not have is listed in ``opinfo_expected.MISSING``
and what still fails in ``opinfo_expected.XFAIL`` with a reason each; an entry that passes while
listed fails the run (strict), so the lists only shrink.  The whole module runs in about four
minutes on two cores (246 s measured on a shared, loaded machine); sample generation by torch
is the larger half of that.
"""
import signal
import warnings

import pytest
import torch

import ember
from opinfo_expected import MISSING, XFAIL
from opinfo_harness import (DTYPES, Mismatch, Untestable, at, check_outputs,
                            compare, convert_sample, differentiable, is_random, key, load_op_db,
                            missing_name, pick_samples, resolve, retarget)

FWD_SAMPLES = 6
FWD_SAMPLES_MINOR = 2          # float16/64, complex64/128, int8/16/32, uint8: 2 of the first 12
GRAD_SAMPLES = 6
GRADGRAD_SAMPLES = 2
ERROR_SAMPLES = 8
MAJOR = (torch.float32, torch.int64, torch.bool)
TIME_LIMIT = 30                # seconds per test: a hang is a failure, not a stuck run

OPS = {key(op): op for op in load_op_db()}


def _cpu_dtypes(op):
    if type(op.op).__module__.startswith("torch.cuda"):     # jiterator: CUDA-only
        return []
    try:
        sup = op.supported_dtypes("cpu")
    except Exception:
        return []
    return [d for d in DTYPES if d in sup]


FWD_CASES = [(k, d) for k, op in OPS.items() for d in _cpu_dtypes(op)]
GRAD_CASES = [k for k, op in OPS.items() if op.supports_autograd and _cpu_dtypes(op)]
GRADGRAD_CASES = [k for k, op in OPS.items() if op.supports_autograd and op.supports_gradgrad
                  and torch.float64 in _cpu_dtypes(op)
                  and torch.float64 in op.supported_backward_dtypes("cpu")]
COMPLEX_GRAD_CASES = [k for k, op in OPS.items() if op.supports_autograd and
                      torch.complex128 in _cpu_dtypes(op) and
                      torch.complex128 in op.supported_backward_dtypes("cpu")]
ERROR_CASES = [k for k, op in OPS.items() if op.error_inputs_func is not None and _cpu_dtypes(op)]


class _Missing(Exception):
    pass


def _call(fn, uses, *args, **kwargs):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except AttributeError as e:
        name = missing_name(e, uses)
        if name:
            raise _Missing(name) from None
        raise
    finally:
        ember.set_grad_enabled(True)
        ember.set_default_dtype(ember.float32)


def _alarm(signum, frame):
    raise TimeoutError(f"ran past {TIME_LIMIT} s")


def _outcome(case, body):
    """Run ``body``; turn its result into pass / skip / (strict) expected failure."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        body()
        failure = None
    except _Missing as e:
        entry = case.split(":")[0]
        if entry in MISSING:
            pytest.skip(f"ember has no {e} ({MISSING[entry]})")
        failure = f"ember lacks {e}: implement it or list {entry!r} in opinfo_expected.MISSING"
    except (AssertionError, Exception) as e:
        if isinstance(e, pytest.skip.Exception):
            raise
        failure = f"{type(e).__name__}: {str(e).strip()[:600]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if failure is None:
        if case in XFAIL:
            pytest.fail(f"{case} passes now: remove it from opinfo_expected.XFAIL")
        return
    if case in XFAIL:
        pytest.xfail(XFAIL[case])
    pytest.fail(failure, pytrace=False)


def _resolve(k):
    op = OPS[k]
    fn, uses = resolve(op)
    if fn is None:
        raise _Missing(op.name)
    return op, fn, uses


@pytest.mark.parametrize("entry,dtype", FWD_CASES, ids=[f"{k}-{str(d)[6:]}" for k, d in FWD_CASES])
def test_forward(entry, dtype):
    n, pool = (FWD_SAMPLES, 48) if dtype in MAJOR else (FWD_SAMPLES_MINOR, 12)

    def body():
        op, fn, uses = _resolve(entry)
        ran = 0
        for i, s in enumerate(pick_samples(op, dtype, n, pool=pool)):
            try:
                e_in, e_args, e_kwargs, _ = convert_sample(s)
            except Untestable:
                continue
            try:
                torch.manual_seed(0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ref = op.op(s.input, *s.args, **s.kwargs)
                torch_err = None
            except Exception as e:
                torch_err = e
            ember.manual_seed(0)
            try:
                got = _call(fn, uses, e_in, *e_args, **e_kwargs)
            except _Missing:
                raise
            except Exception as e:
                if torch_err is not None:
                    continue
                raise AssertionError(f"sample {i} ({s.summary() if hasattr(s, 'summary') else ''}): "
                                     f"ember raised {type(e).__name__}: {e}") from None
            if torch_err is not None:
                raise AssertionError(f"sample {i}: torch raised {type(torch_err).__name__}: "
                                     f"{str(torch_err)[:200]}; ember returned")
            try:
                check_outputs(op.name, s, ref, got)
            except Mismatch as m:
                raise AssertionError(f"sample {i}: {m}") from None
            except Untestable:
                continue
            ran += 1
        if not ran:
            pytest.skip("no sample expressible for ember")

    _outcome(f"{entry}:fwd-{str(dtype)[6:]}", body)


@pytest.mark.parametrize("entry", GRAD_CASES)
def test_gradient(entry):
    def body():
        op = OPS[entry]
        bw = op.supported_backward_dtypes("cpu")
        dtype = torch.float64 if torch.float64 in bw else torch.float32 if torch.float32 in bw else None
        if dtype is None:
            pytest.skip("no float backward on CPU")
        _gradient(entry, dtype)

    _outcome(f"{entry}:grad", body)


@pytest.mark.parametrize("entry", GRADGRAD_CASES)
def test_gradgrad(entry):
    """Second derivatives (backward of backward, in float64) equal torch's."""
    _outcome(f"{entry}:gradgrad", lambda: _gradient(entry, torch.float64, order=2,
                                                    n_samples=GRADGRAD_SAMPLES))


@pytest.mark.parametrize("entry", COMPLEX_GRAD_CASES)
def test_gradient_complex(entry):
    """Gradients of complex inputs and outputs, by PyTorch's convention, in complex128."""
    _outcome(f"{entry}:grad-complex", lambda: _gradient(entry, torch.complex128))


def _compare_grads(i, what, leaves, want, got):
    for j, (leaf, w, gv) in enumerate(zip(leaves, want, got)):
        w = torch.zeros_like(leaf) if w is None else w
        gv = ember.zeros(tuple(leaf.shape), dtype=getattr(ember, str(leaf.dtype)[6:])) \
            if gv is None else gv
        try:
            compare(w.detach(), gv.detach(), f"{what} of input {j}")
        except Mismatch as m:
            raise AssertionError(f"sample {i}: {m}") from None


def _real_view(o, mod):
    """A complex output as real pairs, so that the loss is real (autograd needs that)."""
    return mod.view_as_real(o) if o.dtype.is_complex else o


def _gradient(entry, dtype, order=1, n_samples=GRAD_SAMPLES):
    op, fn, uses = _resolve(entry)
    ran = 0
    for i, s in enumerate(pick_samples(op, dtype, n_samples, requires_grad=True)):
        if op.name in ("empty", "empty_like") or is_random(op.name, s):
            continue
        leaves = []
        for t in [s.input, *s.args, *s.kwargs.values()]:
            for x in (t if isinstance(t, (list, tuple)) else [t]):
                if isinstance(x, torch.Tensor) and x.requires_grad and \
                        all(x is not y for y in leaves):
                    leaves.append(x)
        if not leaves:
            continue
        try:
            e_in, e_args, e_kwargs, conv = convert_sample(s, grad=True)
        except Untestable:
            continue
        wrap, post = op.gradcheck_wrapper, s.output_process_fn_grad
        try:
            torch.manual_seed(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outs = differentiable(post(wrap(op.op, s.input, *s.args, **s.kwargs)))
                if not outs:
                    continue
                g = torch.Generator().manual_seed(1234)
                outs_r = [_real_view(o, torch) for _, o in outs]
                ws = [torch.randn(o.shape, generator=g, dtype=o.dtype) for o in outs_r]
                loss = sum((o * w).sum() for o, w in zip(outs_r, ws))
                want = torch.autograd.grad(loss, leaves, allow_unused=True, create_graph=order > 1)
                if order > 1:
                    parts = [w for w in want if w is not None and w.requires_grad]
                    if not parts:
                        continue    # torch's gradient is constant: nothing second-order
                    gu = torch.Generator().manual_seed(99)
                    us = [torch.randn(tuple(w.shape), generator=gu, dtype=w.dtype) for w in want
                          if w is not None]
                    loss2 = sum((w * u).sum() for w, u in zip([w for w in want if w is not None], us))
                    want2 = torch.autograd.grad(loss2, leaves, allow_unused=True)
        except Exception:
            continue            # torch itself cannot differentiate this sample
        ember.manual_seed(0)
        e_out = _call(lambda: retarget(post)(retarget(wrap)(fn, e_in, *e_args, **e_kwargs)), uses)
        e_loss = 0
        for (path, o), w in zip(outs, ws):
            eo = at(e_out, path)
            if not isinstance(eo, ember.Tensor) or not eo.requires_grad:
                raise AssertionError(f"sample {i}: output {list(path)} does not require grad in ember")
            if eo.is_complex():
                eo = ember.view_as_real(eo)
            e_loss = e_loss + (eo * ember.from_numpy(w.numpy().copy()).to(eo.dtype)).sum()
        twin = {id(t): e for t, e in conv.pairs}
        e_leaves = [twin[id(t)] for t in leaves]
        # NOTE: twice: the plain backward runs each op's fast path, create_graph=True the
        # differentiable rule in Tensor ops; both must give torch's gradient.
        got = _call(ember.autograd.grad, uses, e_loss, e_leaves, allow_unused=True,
                    retain_graph=True)
        got_cg = _call(ember.autograd.grad, uses, e_loss, e_leaves, allow_unused=True,
                       create_graph=True)
        for what, grads in (("grad", got), ("grad (create_graph)", got_cg)):
            _compare_grads(i, what, leaves, want, grads)
        if order > 1:
            firsts = [gv for gv, w in zip(got_cg, want) if w is not None]
            e_loss2 = 0
            for gv, u in zip(firsts, us):
                if gv is not None and gv.requires_grad:
                    e_loss2 = e_loss2 + (gv * ember.from_numpy(u.numpy().copy()).to(gv.dtype)).sum()
            # NOTE: a gradient ember computes as a constant (relu's mask times w) has a zero
            # second derivative, which must then be torch's too.
            got2 = [None] * len(e_leaves) if not isinstance(e_loss2, ember.Tensor) else \
                _call(ember.autograd.grad, uses, e_loss2, e_leaves, allow_unused=True)
            _compare_grads(i, "second derivative", leaves, want2, got2)
        ran += 1
    if not ran:
        pytest.skip("no sample with a gradient torch can take")


@pytest.mark.parametrize("entry", ERROR_CASES)
def test_error_inputs(entry):
    def body():
        op, fn, uses = _resolve(entry)
        torch.manual_seed(0)
        silent = []
        for ei in list(op.error_inputs("cpu"))[:ERROR_SAMPLES]:
            s = ei.sample_input
            try:
                e_in, e_args, e_kwargs, _ = convert_sample(s)
            except Exception:       # not expressible for ember (complex, > 64 dims for NumPy)
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    op.op(s.input, *s.args, **s.kwargs)
                continue            # torch does not raise on CPU: nothing to check
            except Exception as e:
                msg = str(e)
            if "memory location" in msg or "unsupported operation" in msg or "overlap" in msg:
                continue            # needs aliasing between tensors, which the copy loses
            try:
                _call(fn, uses, e_in, *e_args, **e_kwargs)
                silent.append(msg.strip().split("\n")[0][:120])
            except _Missing:
                raise
            except Exception:
                pass
        assert not silent, f"ember did not raise where torch raises: {silent}"

    _outcome(f"{entry}:errors", body)


def test_missing_list_is_current():
    """Every entry in MISSING is really missing (implemented ones must leave the list)."""
    present = [k for k in MISSING if k in OPS and resolve(OPS[k])[0] is not None
               and not _retargeted_lambda(OPS[k])]
    assert not present, f"listed as missing but found in ember: {present}"


def _retargeted_lambda(op):
    # a retargeted lambda always resolves; whether ember has what it calls shows when it runs
    return resolve(op)[1] != set()
