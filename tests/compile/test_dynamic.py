"""torch.compile with symbolic sizes: dynamic=None (automatic dynamic shapes), True, False,
mark_dynamic / mark_static; every result equals eager, and the traces stay few."""
import warnings

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember._compile import config


def data(shape, seed=0):
    return torch.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def traces(c):
    return len(c._ember_compiled.compile_times)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


class Net(nn.Module):
    """Sizes baked by Python: view(B, -1), zeros(B, 5), arange(B), x[:B - 1], mean(0)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(12, 5)

    def forward(self, x):
        b = x.size(0)
        h = self.fc(x.view(b, -1)) + torch.zeros(x.size(0), 5) + torch.arange(b).float()[:, None]
        return h[: b - 1].mean(0) + h.sum(0)


BATCHES = (3, 5, 7, 9, 11)


def test_batches_share_one_graph_forward_and_backward():
    torch.manual_seed(0)
    model, twin = Net(), Net()
    twin.load_state_dict(model.state_dict())
    cm = torch.compile(twin)
    for i, b in enumerate(BATCHES):
        x = data((b, 3, 4), i)
        out, ref = cm(x), model(x)
        close(out, ref)
        out.pow(2).sum().backward()
        ref.pow(2).sum().backward()
        for p, q in zip(model.parameters(), twin.parameters()):
            close(p.grad, q.grad, 1e-4)
    assert traces(cm) == 3           # 3 and 5 traced, 7 traced and checked: then one graph
    for b in (4, 13, 2):
        close(cm(data((b, 3, 4), b)), model(data((b, 3, 4), b)))
    assert traces(cm) == 3
    with torch.no_grad():                # grad mode is part of the key: its own graphs
        for b in (4, 13, 2, 6):
            close(cm(data((b, 3, 4), b)), model(data((b, 3, 4), b)))
    assert traces(cm) == 6
    code = torch.compiler.code(cm)
    assert "s0 = x.shape[0]" in code and "shape=(s0, 12)" in code and "s0 - 1" in code


def test_compiled_training_step_with_varying_batch():
    def make():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))

    def step(m, opt, x, y):
        opt.zero_grad()
        out = m(x)
        loss = F.cross_entropy(out, y) + out.view(x.size(0), -1).mean(0).sum()
        loss.backward()
        opt.step()
        return loss

    m1, m2 = make(), make()
    o1 = torch.optim.SGD(m1.parameters(), lr=0.1, momentum=0.9)
    o2 = torch.optim.SGD(m2.parameters(), lr=0.1, momentum=0.9)
    cstep = torch.compile(step)
    for i, b in enumerate((3, 5, 7, 9, 11, 6, 2, 1, 4)):
        x, y = data((b, 8), i), torch.tensor(np.arange(b) % 3)
        close(step(m1, o1, x, y), cstep(m2, o2, x, y))
    for p, q in zip(m1.parameters(), m2.parameters()):
        close(p, q)
    assert traces(cstep) == 4          # 3, 5, 7 and the batch of 1 (0/1 specialisation)
    assert "s0 = x.shape[0]" in torch.compiler.code(cstep)


def attention(x, w, torch=torch):
    b, t, c = x.shape
    h = 2
    q = (x @ w).view(b, t, h, c // h).transpose(1, 2)
    s = (q @ q.transpose(-2, -1)) / (c // h) ** 0.5
    mask = torch.tril(torch.ones(t, t))
    s = s.masked_fill(mask == 0, float("-inf"))
    y = s.softmax(-1) @ q
    return y.transpose(1, 2).reshape(x.size(0), t, -1) + torch.arange(t).float()[:, None]


def test_attention_with_varying_batch_and_length():
    w = data((8, 8), 99)
    fn = torch.compile(attention)
    sizes = [(2, 3), (3, 5), (2, 6), (4, 4), (5, 7), (3, 3)]
    for i, (b, t) in enumerate(sizes):
        x = data((b, t, 8), i)
        close(fn(x, w), attention(x, w))
    assert traces(fn) == 3
    code = torch.compiler.code(fn)
    assert "s1 = x.shape[1]" in code and "(s0, s1, 2, 4)" in code


def test_matches_pytorch():
    import torch as pt
    rng = np.random.default_rng(0)
    w = rng.standard_normal((8, 8)).astype(np.float32)
    fn = torch.compile(attention)
    for b, t in [(2, 3), (3, 5), (2, 6), (4, 4)]:
        x = rng.standard_normal((b, t, 8)).astype(np.float32)
        ours = fn(torch.tensor(x), torch.tensor(w)).numpy()
        theirs = attention(pt.tensor(x), pt.tensor(w), pt).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda x, b: (x + b).sum(0),                         # broadcast against a size-1 dim
    lambda x, b: x.reshape(x.size(0), 2, -1).mean(0) * b.view(-1)[:2, None],
    lambda x, b: x.sum(0) + x.mean(1).sum() * b,         # sums over the dynamic dim
])
def test_ops_over_a_dynamic_dim(fn):
    b = data((1, 6), 7)
    cfn = torch.compile(fn)
    for i, n in enumerate((3, 5, 7, 9, 1, 2, 12)):
        x = data((n, 6), i)
        close(cfn(x, b), fn(x, b))
    assert traces(cfn) == 4              # 3, 5, 7 and the size 1


def test_size_one_specialises():
    fn = torch.compile(lambda x: x.reshape(x.size(0), 4) * 2)
    for n in (3, 5, 7):
        fn(data((n, 2, 2)))
    close(fn(data((1, 2, 2))), data((1, 2, 2)).view(1, -1) * 2)
    close(fn(data((0, 2, 2))), data((0, 2, 2)).reshape(0, 4) * 2)
    assert traces(fn) == 5


def test_broken_relation_respecialises():
    def f(x, y):
        return torch.cat([x, y], 0).view(x.size(0) + y.size(0), 4) * 3

    cf = torch.compile(f)
    for n in (3, 5, 7):                      # x and y have equal sizes: one symbol
        cf(data((n, 4)), data((n, 4), 1))
    close(cf(data((6, 4)), data((6, 4), 1)), f(data((6, 4)), data((6, 4), 1)))
    assert traces(cf) == 3
    x, y = data((4, 4)), data((6, 4), 1)     # the relation breaks: traced again, correct
    close(cf(x, y), f(x, y))
    assert traces(cf) == 4


def test_dynamic_false_traces_every_shape():
    fn = torch.compile(lambda x: x.view(x.size(0), -1).sum(1), dynamic=False)
    for n in BATCHES:
        fn(data((n, 2, 3)))
    assert traces(fn) == len(BATCHES)
    assert "s0" not in torch.compiler.code(fn)


def test_dynamic_true_and_module_compile():
    fn = torch.compile(lambda x: x.view(x.size(0), -1).sum(1), dynamic=True)
    m = nn.Linear(4, 2)
    m.compile(dynamic=False)
    for n in BATCHES:
        close(fn(data((n, 2, 3))), data((n, 2, 3)).view(n, -1).sum(1))
        with torch.no_grad():
            m(data((n, 4)))
    assert traces(fn) == 3
    assert len(m._ember_compiled.compile_times) == len(BATCHES)


def test_mark_dynamic_and_mark_static():
    fn = torch.compile(lambda x: x.view(x.size(0), -1).sum(1), dynamic=False)
    for i, n in enumerate(BATCHES):
        x = data((n, 2, 3))
        if i == 0:
            torch._dynamo.mark_dynamic(x, 0)     # the mark sticks to the input position
        close(fn(x), x.view(n, -1).sum(1))
    assert traces(fn) == 3
    g = torch.compile(lambda x: x * 2)
    for i, n in enumerate(BATCHES):
        x = data((n, 2))
        if i == 0:
            torch._dynamo.mark_static(x, 0)
        g(x)
    assert traces(g) == len(BATCHES)
    torch._dynamo.maybe_mark_dynamic(x, [0, 1])
    assert x._dynamo_weak_dynamic_indices == {0, 1}
    with pytest.raises(IndexError):
        torch._dynamo.mark_dynamic(x, 5)


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(0) * float(x.shape[0] ** 2 % 5),        # a Python float from a size
    lambda x: x[: int(x.shape[0] ** 2 % 5) + 1].sum(0),      # an int no formula explains
    lambda x: x.reshape(3, -1).sum(0) if x.shape[0] % 3 == 0 else x.sum(0),   # control flow
    lambda x: torch.cat([x, x]).view(4, -1).sum(0),           # a baked 4: (4, s0 // 2)
])
@pytest.mark.filterwarnings("ignore:torch._dynamo hit config.recompile_limit")
def test_unexplained_sizes_stay_specialised(fn):
    cfn = torch.compile(fn)
    for i, n in enumerate((4, 6, 8, 10, 12, 14, 3, 5, 6, 9, 11, 7)):
        x = data((n, 4), i)
        close(cfn(x), fn(x))


def test_unexplained_is_logged(capsys):
    config.LOGS.add("recompiles")
    try:
        fn = torch.compile(lambda x: x[: int(x.shape[0] ** 2 % 5) + 1].sum(0))
        for n in (3, 5, 7):
            fn(data((n, 4)))
        g = torch.compile(lambda x: x.view(x.size(0), -1))
        for n in (3, 5, 7):
            g(data((n, 4)))
    finally:
        config.LOGS.discard("recompiles")
    err = capsys.readouterr().err
    assert "x.size(0) is 5, was 3" in err
    assert "keeps one graph per shape" in err and "does not follow the sizes" in err
    assert "<lambda>: one graph for x.size(0) (s0), each >= 2" in err


def test_many_sizes_stay_compiled_and_explain_works():
    fn = torch.compile(lambda x: (x.view(x.size(0), -1) * 2).sum(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no recompile-limit warning
        for n in range(2, 40):
            close(fn(data((n, 3, 2))), (data((n, 3, 2)).view(n, -1) * 2).sum(1))
    assert traces(fn) == 3
    assert len(fn._ember_compiled.graphs()) == 3
    out = torch._dynamo.explain(fn)(data((5, 3, 2)))
    assert out.graph_count == 1 and out.graph_break_count == 0


def test_dtype_or_rank_change_is_another_family():
    fn = torch.compile(lambda x: x.sum(0))
    for n in (3, 5, 7):
        fn(data((n, 2)))
    fn(data((4, 2)).double())
    fn(data((4, 2, 1)))
    assert traces(fn) == 5


def test_buffer_reuse_keeps_a_live_view_intact():
    # ``a`` dies at ``a + y``, but its transpose is read afterwards: it must not be overwritten
    def f(x, y):
        a = x * 2
        v = a.t()
        b = a + y
        return b * 3, v * 5

    cf = torch.compile(f)
    for n in (3, 3, 5, 7, 9):
        x, y = data((n, n)), data((n, n), 1)
        for got, want in zip(cf(x, y), f(x, y)):
            close(got, want)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.bn, self.fc = nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.Linear(64, 3)

    def forward(self, x):                    # BatchNorm's running_var uses n / (n - 1)
        return self.fc(F.max_pool2d(F.relu(self.bn(self.conv(x))), 2).flatten(1))


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb, self.rnn, self.ln = nn.Embedding(10, 6), nn.LSTM(6, 5, batch_first=True), nn.LayerNorm(5)
        self.drop = nn.Dropout(0.3)          # a random draw of a symbolic shape

    def forward(self, t):                    # the LSTM's batch_sizes: (B,) * T
        return self.ln(self.drop(self.rnn(self.emb(t))[0])).mean(1)


class TinyGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb, self.pos = nn.Embedding(20, 8), nn.Embedding(16, 8)
        self.att = nn.MultiheadAttention(8, 2, batch_first=True)
        self.ln, self.head = nn.LayerNorm(8), nn.Linear(8, 20)

    def forward(self, t):
        T = t.size(1)
        x = self.emb(t) + self.pos(torch.arange(T))
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        a, _ = self.att(x, x, x, attn_mask=mask, need_weights=False)
        return self.head(self.ln(x + a)).view(-1, 20)


def tokens(shape, seed, high):
    return torch.tensor(np.random.default_rng(seed).integers(0, high, shape))


@pytest.mark.parametrize("make, inputs", [
    (CNN, lambda n, i: data((n, 2, 8, 8), i)),
    (Tagger, lambda n, i: tokens((n, 4), i, 10)),
    (Tagger, lambda n, i: tokens((2, n), i, 10)),
    (TinyGPT, lambda n, i: tokens((n, 5), i, 20)),
    (TinyGPT, lambda n, i: tokens((2, n), i, 20)),
], ids=["cnn-batch", "lstm-batch", "lstm-length", "gpt-batch", "gpt-length"])
def test_models_train_with_varying_sizes(make, inputs):
    runs = []
    for compiled in (False, True):
        torch.manual_seed(0)
        model = make()
        fn = torch.compile(model) if compiled else model
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        torch.manual_seed(1)
        seen = []
        for i, n in enumerate((3, 5, 7, 9, 4, 2, 1, 6)):
            opt.zero_grad()
            out = fn(inputs(n, i))
            (out ** 2).mean().backward()
            opt.step()
            seen.append(out.detach().numpy().copy())
            seen += [p.grad.numpy().copy() for p in model.parameters() if p.grad is not None]
        seen += [t.detach().numpy().copy() for t in (*model.parameters(), *model.buffers())]
        runs.append((seen, fn))
    for a, b in zip(runs[0][0], runs[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert traces(runs[1][1]) == 4             # 3, 5, 7, and the size 1


def test_backward_rules_called_from_ctxs(monkeypatch):
    """When the backward cannot be recorded as ops, the generated backward calls each op's
    rule with its ctx; a symbolic graph passes its sizes along (multi-output zeros too)."""
    from ember._compile.tracer import Tracer
    monkeypatch.setattr(Tracer, "_record_module_backward", lambda self, result: None)
    monkeypatch.setattr(Tracer, "record_backward_ops", lambda self, root, grad, leaves=None: False)

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 4)

        def forward(self, x):
            a, b = self.fc(x.view(x.size(0), -1)).split(2, dim=1)
            return (a * 2).sum(0) + b.mean(0) * 0 + torch.zeros(x.size(0), 2).sum(0)

    def step(m, opt, x):
        opt.zero_grad()
        loss = (m(x) ** 2).sum()
        loss.backward()
        opt.step()
        return loss

    for compile_step in (False, True):
        torch.manual_seed(0)
        m1, m2 = M(), M()
        m2.load_state_dict(m1.state_dict())
        o1, o2 = torch.optim.SGD(m1.parameters(), lr=0.1), torch.optim.SGD(m2.parameters(), lr=0.1)
        cm = torch.compile(m2)
        cstep = torch.compile(step)
        for i, n in enumerate((3, 5, 7, 9, 4)):
            x = data((n, 2, 3), i)
            want = step(m1, o1, x)
            got = cstep(m2, o2, x) if compile_step else step(cm, o2, x)
            close(got, want)
        for p, q in zip(m1.parameters(), m2.parameters()):
            close(p, q)
        c = (cstep if compile_step else cm)._ember_compiled
        g = [g for g in c.graphs() if getattr(g, "template", None) is not None]
        assert len(g) == 1 and "s0" in (g[0].code if compile_step else g[0].backward_code)


def test_step_with_dropout_clipping_and_scheduler():
    def make():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Dropout(0.1), nn.Linear(16, 3))

    def step(m, opt, sched, x, y):
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        sched.step()
        return loss

    runs = []
    for compiled in (False, True):
        m = make()
        opt = torch.optim.AdamW(m.parameters(), lr=0.01)
        sched = torch.optim.lr_scheduler.StepLR(opt, 2)
        fn = torch.compile(step) if compiled else step
        losses = []
        for i, n in enumerate((3, 5, 7, 9, 11, 4)):
            torch.manual_seed(i)
            losses.append(fn(m, opt, sched, data((n, 8), i), torch.tensor(np.arange(n) % 3)))
        runs.append((losses, list(m.parameters()), fn))
    for a, b in zip(runs[0][0] + runs[0][1], runs[1][0] + runs[1][1]):
        close(a, b)
    assert traces(runs[1][2]) == 3


def test_automatic_dynamic_shapes_setting(monkeypatch):
    monkeypatch.setattr(config, "automatic_dynamic_shapes", False)
    auto = torch.compile(lambda x: x.view(x.size(0), -1).sum(1))
    forced = torch.compile(lambda x: x.view(x.size(0), -1).sum(1), dynamic=True)
    for n in BATCHES:
        auto(data((n, 2, 3)))
        forced(data((n, 2, 3)))
    assert traces(auto) == len(BATCHES) and traces(forced) == 3
    assert torch._dynamo.config.automatic_dynamic_shapes is False


def test_mark_dynamic_warns_when_forced_static():
    def f(x):
        return x[: int(x.shape[0] ** 2 % 5) + 1].sum(0)

    for mark, warns in ((torch._dynamo.mark_dynamic, True), (torch._dynamo.maybe_mark_dynamic, False)):
        cf = torch.compile(f, dynamic=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i, n in enumerate((3, 5, 7, 9)):
                x = data((n, 2), i)
                if i == 0:
                    mark(x, 0)
                close(cf(x), f(x))
        said = [w for w in caught if "could not be made dynamic" in str(w.message)]
        assert bool(said) == warns
        assert traces(cf) == 4
