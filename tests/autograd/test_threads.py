"""Grad mode, anomaly mode and tracing are per thread; backward and RNG are safe from threads."""
import threading

import numpy as np
import pytest

import ember
from ember.autograd.function import add_tracer, remove_tracer

TIMEOUT = 60


def run_threads(target, n):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=wrapped, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "thread deadlocked (timeout)"
    if errors:
        raise errors[0]


def test_new_thread_starts_with_grad_enabled():
    seen = []
    with ember.no_grad():
        run_threads(lambda i: seen.append(ember.is_grad_enabled()), 1)
        assert not ember.is_grad_enabled()
    assert seen == [True]


def test_set_grad_enabled_affects_only_calling_thread():
    ready, done = threading.Event(), threading.Event()
    recorded = []

    def other(i):
        ready.wait(TIMEOUT)
        x = ember.ones(2, requires_grad=True)
        recorded.append((x * 2).requires_grad)
        done.set()

    t = threading.Thread(target=other, args=(0,), daemon=True)
    t.start()
    ember.set_grad_enabled(False)
    try:
        ready.set()
        done.wait(TIMEOUT)
        assert not (ember.ones(2, requires_grad=True) * 2).requires_grad
    finally:
        ember.set_grad_enabled(True)
    t.join(TIMEOUT)
    assert recorded == [True]


def test_inference_and_anomaly_modes_are_per_thread():
    seen = []
    with ember.inference_mode(), ember.autograd.detect_anomaly():
        assert ember.is_inference_mode_enabled() and ember.is_anomaly_enabled()
        run_threads(lambda i: seen.append((ember.is_inference_mode_enabled(),
                                           ember.is_anomaly_enabled(),
                                           ember.is_grad_enabled())), 1)
    assert not ember.is_inference_mode_enabled()
    assert seen == [(False, False, True)]


def test_anomaly_mode_names_the_function_that_made_nan():
    x = ember.tensor([1.0, 0.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(RuntimeError, match="returned nan values"):
            (y * float("nan")).backward()


def _model_and_data(seed=0):
    rng = np.random.default_rng(seed)
    model = ember.nn.Sequential(ember.nn.Linear(8, 16), ember.nn.Tanh(), ember.nn.Linear(16, 1))
    with ember.no_grad():
        for p in model.parameters():
            p.copy_(ember.tensor(rng.standard_normal(p.shape).astype(np.float32) * 0.3))
    x = ember.tensor(rng.standard_normal((32, 8)).astype(np.float32))
    y = ember.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    return model, x, y


def _train(model, x, y, steps):
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    grads = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ember.nn.functional.mse_loss(model(x), y)
        loss.backward()
        grads.append([p.grad.numpy().copy() for p in model.parameters()])
        opt.step()
    return grads


def test_training_thread_with_inference_threads():
    ref_model, x, y = _model_and_data()
    ref_grads = _train(ref_model, x, y, 20)
    model, x, y = _model_and_data()
    with ember.no_grad():
        expected_infer = model(x).numpy().copy()
    stop = threading.Event()
    infer_errors = []

    def infer(i):
        # Inference on a frozen copy (the trainer updates `model`): same outputs every time.
        frozen, fx, _ = _model_and_data()
        while not stop.is_set():
            with ember.no_grad():
                out = frozen(fx)
            if out.requires_grad or not np.allclose(out.numpy(), expected_infer):
                infer_errors.append("inference output changed")
                return

    threads = [threading.Thread(target=infer, args=(i,), daemon=True) for i in range(4)]
    for t in threads:
        t.start()
    try:
        grads = _train(model, x, y, 20)
    finally:
        stop.set()
        for t in threads:
            t.join(TIMEOUT)
    assert not infer_errors
    for a, b in zip(grads, ref_grads):
        for ga, gb in zip(a, b):
            np.testing.assert_allclose(ga, gb, rtol=1e-6, atol=1e-7)


def test_backward_in_eight_threads():
    def grads_of(seed):
        rng = np.random.default_rng(seed)
        w = ember.tensor(rng.standard_normal((5, 5)), requires_grad=True)
        x = ember.tensor(rng.standard_normal((7, 5)))
        ((x @ w).tanh() ** 2).sum().backward()
        return w.grad.numpy().copy()
    expected = [grads_of(s) for s in range(8)]
    got = [None] * 8

    def work(i):
        for _ in range(5):
            got[i] = grads_of(i)
    run_threads(work, 8)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_shared_leaf_accumulates_from_threads():
    w = ember.ones(3, requires_grad=True)
    barrier = threading.Barrier(4, timeout=TIMEOUT)

    def work(i):
        y = (w * (i + 1)).sum()
        barrier.wait()
        y.backward()
    run_threads(work, 4)
    np.testing.assert_allclose(w.grad.numpy(), [10.0, 10.0, 10.0])


def test_concurrent_rng_draws_are_valid():
    gen = ember.Generator().manual_seed(1)
    out = [[] for _ in range(4)]

    def work(i):
        for _ in range(200):
            out[i].append(ember.rand(16, generator=gen, dtype=ember.float64).numpy())
            out[i].append(ember.randn(4).numpy())
    run_threads(work, 4)
    for draws in out:
        for d in draws:
            assert np.isfinite(d).all()
    uniforms = np.concatenate([d for draws in out for d in draws[::2]])
    assert ((uniforms >= 0) & (uniforms < 1)).all()
    # No value is drawn twice by two threads (a torn state would repeat the stream).
    assert len(np.unique(uniforms)) == uniforms.size


def test_tracer_sees_only_its_own_thread():
    stop = threading.Event()

    def busy(i):
        a = ember.ones(4)
        while not stop.is_set():
            a.exp().sum()
    threads = [threading.Thread(target=busy, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    seen = []
    h = add_tracer(lambda fn, ins, attrs, out: seen.append(fn.__name__))
    try:
        x = ember.ones(3)
        for _ in range(200):
            (x * 2).neg()
    finally:
        remove_tracer(h)
        stop.set()
        for t in threads:
            t.join(TIMEOUT)
    assert set(seen) == {"MulScalar", "Neg"}
