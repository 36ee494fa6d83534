"""torch.compile: compiled results equal eager ones, for each op family, with guards,
graph breaks, RNG, buffers, hooks and the printed code."""
import threading
import warnings

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember._compile.api import Unsupported


def seeded(shape, seed=0, scale=1.0, dtype=np.float32):
    return torch.tensor((np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype))


def compiled_count(c):
    return len(c._ember_compiled.graphs())


def run_both(make_model, make_inputs, steps=3, lr=0.05, train=True):
    """Train a model eagerly and a copy compiled; return both histories (outputs, grads)."""
    hist = []
    for compiled in (False, True):
        torch.manual_seed(0)
        model = make_model()
        model.train(train)
        fn = torch.compile(model) if compiled else model
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        rec = []
        torch.manual_seed(1)
        for step in range(steps):
            opt.zero_grad()
            out = fn(*make_inputs(step))
            out = out[0] if isinstance(out, tuple) else out
            loss = (out.float() ** 2).mean()
            loss.backward()
            rec.append((out.detach().numpy().copy(),
                        [None if p.grad is None else p.grad.numpy().copy() for p in model.parameters()],
                        [b.numpy().copy() for b in model.buffers()]))
            opt.step()
        rec.append([p.detach().numpy().copy() for p in model.parameters()])
        hist.append((rec, fn))
    return hist


def assert_same(hist, rtol=1e-5, atol=1e-6):
    (a, _), (b, fn) = hist
    for ra, rb in zip(a[:-1], b[:-1]):
        np.testing.assert_allclose(ra[0], rb[0], rtol=rtol, atol=atol)
        for ga, gb in zip(ra[1], rb[1]):
            if ga is None:
                assert gb is None
            else:
                np.testing.assert_allclose(ga, gb, rtol=rtol, atol=atol)
        for ba, bb in zip(ra[2], rb[2]):
            np.testing.assert_allclose(ba, bb, rtol=rtol, atol=atol)
    for pa, pb in zip(a[-1], b[-1]):
        np.testing.assert_allclose(pa, pb, rtol=rtol, atol=atol)
    return fn


FAMILIES = {
    "mlp": (lambda: nn.Sequential(nn.Linear(6, 16), nn.GELU(), nn.Linear(16, 3)),
            lambda s: (seeded((5, 6), s),)),
    "conv_bn_pool": (lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                           nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                           nn.Linear(4, 2)),
                     lambda s: (seeded((3, 2, 8, 8), s),)),
    "dropout": (lambda: nn.Sequential(nn.Linear(8, 32), nn.Dropout(0.3), nn.Linear(32, 2)),
                lambda s: (seeded((4, 8), s),)),
    "lstm": (lambda: nn.LSTM(4, 6, num_layers=2, batch_first=True),
             lambda s: (seeded((2, 5, 4), s),)),
    "gru_bidir": (lambda: nn.GRU(3, 5, bidirectional=True), lambda s: (seeded((4, 2, 3), s),)),
    "embedding_layernorm": (lambda: nn.Sequential(nn.Embedding(10, 8), nn.LayerNorm(8)),
                            lambda s: (torch.tensor(np.random.default_rng(s).integers(0, 10, (3, 4))),)),
    "transformer": (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                                             batch_first=True), 2),
                    lambda s: (seeded((2, 5, 8), s),)),
    "attention_mask": (lambda: nn.MultiheadAttention(8, 2, batch_first=True),
                       lambda s: (seeded((2, 4, 8), s), seeded((2, 4, 8), s + 1), seeded((2, 4, 8), s + 2))),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_layer_families_train_like_eager(name):
    make_model, make_inputs = FAMILIES[name]
    fn = assert_same(run_both(make_model, make_inputs))
    assert compiled_count(fn) >= 1, "nothing was compiled"


class InplaceViews(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x, idx):
        y = self.lin(x)
        z = y.clone()
        z[:, 0] = 0.0               # setitem on an intermediate
        z.mul_(2).add_(1)           # in-place chain
        v = z[1:, :2]               # a view ...
        v.add_(3)                   # ... written through
        picked = z[idx]             # tensor index, different every call
        return picked.sum(0) + z.t().mean()


def test_inplace_views_and_tensor_indices():
    def inputs(s):
        return seeded((5, 4), s), torch.tensor(np.random.default_rng(s).integers(0, 5, 3))
    assert_same(run_both(InplaceViews, inputs, steps=4))


def test_losses_compile_like_eager():
    def losses(x, y, t):
        return (F.cross_entropy(x, t) + F.mse_loss(x.softmax(1), y) + F.smooth_l1_loss(x, y)
                + F.binary_cross_entropy_with_logits(x, y.sigmoid()) + F.nll_loss(x.log_softmax(1), t))
    cl = torch.compile(losses)
    for s in range(3):
        x = seeded((6, 4), s).requires_grad_()
        y, t = seeded((6, 4), s + 10), torch.tensor(np.random.default_rng(s).integers(0, 4, 6))
        a = losses(x, y, t)
        ga, = torch.autograd.grad(a, x)
        b = cl(x, y, t)
        gb, = torch.autograd.grad(b, x)
        np.testing.assert_allclose(a.item(), b.item(), rtol=1e-6)
        np.testing.assert_allclose(ga.numpy(), gb.numpy(), rtol=1e-5, atol=1e-7)
    assert compiled_count(cl) == 1


def test_batchnorm_running_stats_and_num_batches_follow_eager():
    fn = assert_same(run_both(lambda: nn.Sequential(nn.BatchNorm1d(3)), lambda s: (seeded((8, 3), s),),
                              steps=5))
    assert int(fn._orig_mod[0].num_batches_tracked) == 5


def test_dropout_draws_fresh_numbers_like_eager():
    def f(x):
        return F.dropout(x, 0.5) + torch.randn(3)
    cf = torch.compile(f)
    x = torch.ones(3)
    torch.manual_seed(7)
    eager = [f(x).numpy().copy() for _ in range(4)]
    torch.manual_seed(7)
    comp = [cf(x).numpy().copy() for _ in range(4)]
    for a, b in zip(eager, comp):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(comp[1], comp[2])
    assert compiled_count(cf) == 1


# --- guards -------------------------------------------------------------------------------
def test_guards_respecialise():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    cm = torch.compile(model)
    x = torch.ones(2, 3)
    cm(x)
    cm(x)
    assert compiled_count(cm) == 1
    cm(torch.ones(4, 3))                       # shape
    cm(torch.ones(2, 3, dtype=torch.float64).float())
    cm(torch.ones(2, 3, requires_grad=True))   # requires_grad
    with torch.no_grad():
        cm(x)                                  # grad mode
    model.eval()                               # module.training
    out_eval = cm(x)
    np.testing.assert_allclose(out_eval.detach().numpy(), model(x).detach().numpy())
    model.train()
    n = len(cm._ember_compiled.cache)
    cm(x)                                      # back to training: cached, no new entry
    assert len(cm._ember_compiled.cache) == n
    model[0].weight.requires_grad_(False)      # parameters' requires_grad
    cm(x).sum().backward()
    assert model[0].weight.grad is None and model[0].bias.grad is not None


def test_python_attribute_baked_into_graph_is_guarded():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.factor = 2.0

        def forward(self, x):
            return x * self.factor
    m = Scale()
    cm = torch.compile(m)
    x = torch.ones(2)
    assert cm(x).tolist() == [2.0, 2.0] and cm(x).tolist() == [2.0, 2.0]
    m.factor = 5.0
    assert cm(x).tolist() == [5.0, 5.0]


def test_parameter_updates_in_place_are_seen():
    lin = nn.Linear(2, 2)
    cm = torch.compile(lin)
    x = torch.ones(1, 2)
    cm(x), cm(x)
    with torch.no_grad():
        lin.weight.fill_(1.0)
        lin.bias.zero_()
    assert cm(x).tolist() == [[2.0, 2.0]]


def test_hooks_make_it_run_eagerly_and_hooks_fire():
    lin = nn.Linear(2, 2)
    seen = []
    lin.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    cm = torch.compile(lin)
    for _ in range(3):
        cm(torch.ones(1, 2))
    assert len(seen) == 3


def test_recompile_limit_falls_back_with_one_warning():
    f = torch.compile(lambda x: x + 1)
    torch._dynamo.config.recompile_limit = 2
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for n in range(1, 6):
                assert f(torch.ones(n)).tolist() == [2.0] * n
        assert sum("recompile_limit" in str(x.message) for x in w) == 1
    finally:
        torch._dynamo.config.recompile_limit = 8
    assert torch._dynamo.config.cache_size_limit == 8


# --- graph breaks -------------------------------------------------------------------------
def test_graph_breaks_stay_correct():
    def f(x):
        y = x * 2
        if y.sum() > 0:
            return y.sin()
        return y.cos()
    cf = torch.compile(f)
    for v in (1.0, -1.0, 2.0, -3.0):
        x = torch.full((3,), v)
        np.testing.assert_allclose(cf(x).numpy(), f(x).numpy())


@pytest.mark.parametrize("what", ["item", "bool", "tolist", "numpy", "print"])
def test_fullgraph_names_the_reason_and_line(what, capsys):
    def f(x):
        y = x + 1
        if what == "item":
            y = y * y.sum().item()
        elif what == "bool":
            y = y * 2 if y.sum() > 0 else y
        elif what == "tolist":
            y = y * len(y.tolist())
        elif what == "numpy":
            y = y * float(y.numpy().sum())
        else:
            print(y)
        return y
    with pytest.raises(Unsupported) as e:
        torch.compile(f, fullgraph=True)(torch.ones(2))
    assert "test_compile.py" in str(e.value) and "data-dependent" in str(e.value)


def test_the_course_while_loop():
    def loop(A, B):
        while (A < B)[0]:
            A += 2
            B += 1
        return A, B
    A, B = torch.compile(loop)(torch.Tensor([0]), torch.Tensor([10]))
    assert A.tolist() == [20.0] and B.tolist() == [20.0]


def test_graph_break_in_module_compiles_submodules():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 3), nn.Linear(3, 3)

        def forward(self, x):
            h = self.a(x)
            if h.sum() > 0:
                h = -h
            return self.b(h)
    net = Net()
    cn = torch.compile(net)
    x = seeded((2, 3))
    for _ in range(3):
        np.testing.assert_allclose(cn(x).detach().numpy(), net._plain_call(x).detach().numpy(),
                                   rtol=1e-6)
    assert net.a._ember_compiled.graphs() and net.b._ember_compiled.graphs()


def test_explain_reports_graphs_breaks_and_ops():
    def f(x):
        y = x.sin()
        print("looking at", y)
        return y.cos() + 1
    e = torch._dynamo.explain(f)(torch.ones(2))
    assert e.graph_count == 2 and e.graph_break_count == 1
    assert e.op_count == 3 and len(e.ops_per_graph) == 2
    assert "printing a Tensor" in e.break_reasons[0].reason
    assert e.break_reasons[0].user_stack[0].filename.endswith("test_compile.py")
    assert "Graph Count: 2" in str(e) and e.compile_times


# --- API ----------------------------------------------------------------------------------
def test_optimized_module_api():
    model = nn.Linear(2, 3)
    cm = torch.compile(model, backend="inductor", mode="reduce-overhead", dynamic=None)
    assert cm._orig_mod is model
    assert list(cm.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]
    assert cm.weight is model.weight
    model.compile()
    x = torch.ones(1, 2)
    np.testing.assert_allclose(model(x).detach().numpy(), model(x).detach().numpy())
    assert model._ember_compiled.graphs()
    with pytest.raises(RuntimeError, match="unknown backend"):
        torch.compile(model, backend="nonsense")
    with pytest.raises(RuntimeError, match="Unrecognized mode"):
        torch.compile(model, mode="fastest")


def test_decorator_forms_and_disable_and_reset():
    @torch.compile
    def f(x):
        return x * 3

    @torch.compile(fullgraph=True, dynamic=True)
    def g(x):
        return x - 1

    @torch.compiler.disable
    def h(x):
        return f(x)
    x = torch.ones(2)
    assert f(x).tolist() == g(x + 3).tolist() == h(x).tolist() == [3.0, 3.0]
    f(x)
    assert compiled_count(f) == 1
    torch.compiler.reset()
    assert compiled_count(f) == 0
    torch._dynamo.reset()
    eager_only = torch.compile(lambda x: x * 2, backend="eager")
    eager_only(x), eager_only(x)
    assert compiled_count(eager_only) == 0


def test_printed_code_and_logs(capsys, monkeypatch):
    monkeypatch.setenv("TORCH_LOGS", "output_code,graph_breaks,recompiles")
    f = torch.compile(lambda x: (x @ x.t()).relu())
    f(torch.ones(2, 2))
    err = capsys.readouterr().err
    assert "def forward" in err and "np" in err or "Relu" in err
    f(torch.ones(3, 2))
    assert "Recompiling" in capsys.readouterr().err
    text = torch.compiler.code(f)
    assert text.count("def forward(") == 2
    b = torch.compile(lambda x: x.sum().item())
    b(torch.ones(2))
    assert "Graph break" in capsys.readouterr().err


def test_bad_input_raises_the_eager_error():
    lin = torch.compile(nn.Linear(3, 2))
    lin(torch.ones(1, 3)), lin(torch.ones(1, 3))
    with pytest.raises(RuntimeError) as comp:
        lin(torch.ones(1, 4))
    with pytest.raises(RuntimeError) as eager:
        lin._orig_mod(torch.ones(1, 4))
    assert str(comp.value) == str(eager.value)


def test_double_backward_through_compiled_graph_says_so():
    f = torch.compile(lambda x: (x ** 3).sum())
    x = torch.ones(2, requires_grad=True)
    f(x)
    y = f(x)
    with pytest.raises(RuntimeError, match="double backward"):
        g, = torch.autograd.grad(y, x, create_graph=True)


# --- threads ------------------------------------------------------------------------------
def test_compiled_function_from_eight_threads():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    cm = torch.compile(model)
    xs = [seeded((3, 4), s) for s in range(8)]
    with torch.no_grad():
        expected = [model(x).numpy().copy() for x in xs]
        cm(xs[0]), cm(xs[0])
    errors = []

    def work(i):
        try:
            for _ in range(50):
                with torch.no_grad():
                    np.testing.assert_allclose(cm(xs[i]).numpy(), expected[i], rtol=1e-6)
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive()
    assert not errors


def test_trace_ignores_other_threads_ops():
    stop = threading.Event()

    def busy():
        a = torch.ones(5)
        while not stop.is_set():
            a.exp().tanh()
    t = threading.Thread(target=busy, daemon=True)
    t.start()
    try:
        for _ in range(5):
            e = torch._dynamo.explain(lambda x: (x * 2).neg())(torch.ones(3))
            names = {n.target.__name__ for n in e.graphs[0].graph.nodes if n.op == "call_function"}
            assert names == {"MulScalar", "Neg"}
    finally:
        stop.set()
        t.join(30)


# --- the whole training step --------------------------------------------------------------
def _train_step_run(compiled, opt_name, steps=6):
    torch.manual_seed(0)
    # NOTE: no bias feeding a BatchNorm: its true gradient is 0, and Adam-family updates turn
    # rounding noise of 1e-9 into steps of lr, differently in any two correct implementations
    model = nn.Sequential(nn.BatchNorm1d(4), nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.25),
                          nn.Linear(16, 3))
    opt = {"sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
           "adam": lambda p: torch.optim.Adam(p, lr=0.01),
           "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
           "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
           "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1)}[opt_name](model.parameters())
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        sched.step()
        return loss
    fn = torch.compile(step) if compiled else step
    rng = np.random.default_rng(3)
    torch.manual_seed(11)
    losses = []
    for _ in range(steps):
        x = torch.tensor(rng.standard_normal((8, 4)).astype(np.float32))
        y = torch.tensor(rng.integers(0, 3, 8))
        losses.append(fn(x, y).item())
    return losses, [t.detach().numpy().copy() for t in model.state_dict().values()], fn, opt


@pytest.mark.parametrize("opt_name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_whole_training_step_compiles_and_matches_eager(opt_name):
    la, sa, _, oa = _train_step_run(False, opt_name)
    lb, sb, fn, ob = _train_step_run(True, opt_name)
    np.testing.assert_allclose(la, lb, rtol=1e-5)
    for a, b in zip(sa, sb):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ob.param_groups[0]["lr"] == oa.param_groups[0]["lr"]       # the scheduler ran
    assert not fn._ember_compiled.breaks
    code = torch.compiler.code(fn)
    assert code.startswith("def step(") and "backward" in code and ".step" in code


def test_step_with_python_side_effect_runs_eagerly():
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    seen = []

    def step(x):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        seen.append(loss)
        return loss
    cstep = torch.compile(step)
    for _ in range(3):
        cstep(torch.ones(3, 2))
    assert len(seen) == 3
    assert "seen.append" in cstep._ember_compiled.breaks[0].reason
    with pytest.raises(Unsupported, match="side effect"):
        torch.compile(step, fullgraph=True)(torch.ones(3, 2))


def test_step_sees_rebound_globals_and_mode_changes():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))

    def fwd(x):
        return model(x) * scale
    global scale
    scale = 2.0
    f = torch.compile(fwd)
    x = torch.ones(1, 2)
    model.eval()
    a = f(x)
    f(x)
    scale = 3.0
    np.testing.assert_allclose(f(x).detach().numpy(), a.detach().numpy() * 1.5, rtol=1e-6)
    model.train()
    torch.manual_seed(0)
    b = f(x)
    torch.manual_seed(0)
    np.testing.assert_allclose(b.detach().numpy(), fwd(x).detach().numpy())


def test_custom_function_and_checkpoint_run_eagerly_and_correctly():
    class Sq(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    from ember.utils.checkpoint import checkpoint

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2)

        def forward(self, x):
            h = checkpoint(lambda t: self.a(t).relu(), x, use_reentrant=False)
            return Sq.apply(self.b(h)).sum(1)
    net = Net()
    cn = torch.compile(net)

    def grads(fn, x):
        net.zero_grad()
        out = fn(x)
        out.sum().backward()        # (checkpoint accumulates its parameters' .grad itself)
        return out.detach().numpy(), [x.grad.numpy()] + [p.grad.numpy().copy() for p in net.parameters()]
    for s in range(3):
        x1, x2 = seeded((3, 4), s).requires_grad_(), seeded((3, 4), s).requires_grad_()
        a, ga = grads(cn, x1)
        b, gb = grads(net._plain_call, x2)
        np.testing.assert_allclose(a, b, rtol=1e-6)
        for u, v in zip(ga, gb):
            np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-7)
    assert "custom autograd.Function" in cn._ember_compiled.breaks[0].reason


def test_set_logs_prints_generated_code(capsys):
    torch._logging.set_logs(output_code=True)
    try:
        f = torch.compile(lambda x: x.exp() + 1)
        f(torch.ones(2))
        assert "def forward" in capsys.readouterr().err
    finally:
        torch._logging.set_logs(output_code=False)
