"""Each graph pass of the compiler alone (ember/_compile/passes.py): on a program it applies
to, with every other pass switched off, it changes the graph as it says, and the compiled
program still gives eager's values and gradients."""
import numpy as np
import pytest

import ember as torch
from ember._compile import api, passes

ALL = {p.__name__ for p in passes.PASSES}


def compile_with(fn, args, only):
    """(compiled result, op names of its graph, generated code) with only ``only`` enabled
    (None: no pass at all)."""
    saved = set(torch._dynamo.config.disabled_passes)
    torch._dynamo.config.disabled_passes = ALL - ({only} if only else set())
    try:
        cf = torch.compile(fn)
        cf(*args)                       # the trace (an eager run)
        out = cf(*args)                 # the generated code
    finally:
        torch._dynamo.config.disabled_passes = saved
    (g,) = api._compiled_of(cf).graphs()
    ops = [n.target.__name__ for n in g.graph.nodes if n.op == "call_function"]
    return out, ops, g.code


def inputs(*shapes, grad=False):
    rng = np.random.default_rng(0)
    return [torch.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=grad)
            for s in shapes]


def same_as_eager(fn, args, only):
    want = fn(*args)
    got, ops, code = compile_with(fn, args, only)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6, atol=1e-6)
    if any(a.requires_grad for a in args):
        want_g = torch.autograd.grad(want.sum(), args)
        got_g = torch.autograd.grad(got.sum(), args)
        for a, b in zip(got_g, want_g):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)
    return ops, code


def test_fold_transpose_into_linear():
    def fn(x, w, b):
        return torch.matmul(x, w.t()) + b
    args = inputs((5, 3), (4, 3), (4,), grad=True)
    ops, code = same_as_eager(fn, args, "fold_transpose_into_linear")
    _, before, _ = compile_with(fn, args, None)
    assert before == ["Permute", "MatMul", "Add"] and ops == ["Linear", "Add"]


def test_remove_identities():
    def fn(x):
        y = (x * 1 + 0 - 0) / 1
        return y.permute(1, 0).permute(1, 0) ** 1
    args = inputs((3, 4), grad=True)
    ops, _ = same_as_eager(fn, args, "remove_identities")
    _, before, _ = compile_with(fn, args, None)
    assert before == ["MulScalar", "AddScalar", "SubScalar", "DivScalar", "Permute", "Permute",
                      "PowScalar"]
    assert ops == []


def test_fold_constants_runs_ops_on_trace_constants_once():
    def fn(x):
        return x + torch.arange(4.0) * 2 + torch.ones(4).cumsum(0)
    args = inputs((3, 4), grad=True)
    ops, code = same_as_eager(fn, args, "fold_constants")
    _, before, _ = compile_with(fn, args, None)
    assert before == ["MulScalar", "Add", "Cumsum", "Add"] and ops == ["Add", "Add"]
    assert "_folded_constant" in code


def test_common_subexpressions_become_one():
    def fn(x):
        return x.exp() * x.exp() + x.exp().sum()
    args = inputs((3, 4), grad=True)
    ops, _ = same_as_eager(fn, args, "eliminate_common_subexpressions")
    _, before, _ = compile_with(fn, args, None)
    assert before.count("Exp") == 3 and ops.count("Exp") == 1


def test_common_subexpressions_never_merge_across_a_write():
    class MySGD(torch.optim.SGD):       # a user's optimizer: its step stays a call that writes w
        def step(self, closure=None):
            return super().step(closure)

    def run(compiled):
        w = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))
        opt = MySGD([w], lr=0.1)

        def step():
            opt.zero_grad()
            (w * w).sum().backward()
            before = w.exp().sum()
            opt.step()
            return before, w.exp().sum()          # the same op on the same w, after a write
        saved = set(torch._dynamo.config.disabled_passes)
        torch._dynamo.config.disabled_passes = ALL - {"eliminate_common_subexpressions"}
        try:
            f = torch.compile(step) if compiled else step
            return [tuple(v.item() for v in f()) for _ in range(3)]
        finally:
            torch._dynamo.config.disabled_passes = saved
    eager, compiled = run(False), run(True)
    assert all(a != b for a, b in eager)
    np.testing.assert_allclose(compiled, eager, rtol=1e-6)


def test_dead_code_goes_but_random_draws_and_writes_stay():
    def fn(x, buf):
        x.sin()                      # unused: dropped
        x.cos().sum()                # unused: dropped
        torch.randn(3)               # unused, but it advances the generator: kept
        buf.add_(1.0)                # a write: kept
        return x.exp()
    x, buf = inputs((3, 4), (2,))
    torch.manual_seed(0)
    fn(x, buf.clone())
    after_eager = torch.randn(2)
    saved = set(torch._dynamo.config.disabled_passes)
    torch._dynamo.config.disabled_passes = ALL - {"eliminate_dead_code"}
    try:
        cf = torch.compile(fn)
        cf(x, buf.clone())
        b = buf.clone()
        torch.manual_seed(0)
        out = cf(x, b)
        after_compiled = torch.randn(2)
    finally:
        torch._dynamo.config.disabled_passes = saved
    (g,) = api._compiled_of(cf).graphs()
    ops = [n.target.__name__ for n in g.graph.nodes if n.op == "call_function"]
    assert "Sin" not in ops and "Cos" not in ops and "Sum" not in ops
    np.testing.assert_array_equal(after_compiled.numpy(), after_eager.numpy())
    np.testing.assert_allclose(b.numpy(), buf.numpy() + 1.0)
    np.testing.assert_allclose(out.numpy(), x.exp().numpy())


@pytest.mark.parametrize("only", sorted(ALL) + [None])
def test_every_pass_alone_keeps_a_training_step_equal_to_eager(only):
    # a small step whose graph holds work for several passes
    def run(compiled):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x, y = torch.randn(5, 6), torch.randint(0, 3, (5,))

        def step():
            opt.zero_grad()
            h = model(x) * 1 + 0
            loss = torch.nn.functional.cross_entropy(h, y) + (h.exp() - h.exp()).sum()
            loss.backward()
            opt.step()
            return loss
        saved = set(torch._dynamo.config.disabled_passes)
        torch._dynamo.config.disabled_passes = ALL - ({only} if only else set())
        try:
            f = torch.compile(step) if compiled else step
            losses = [f().item() for _ in range(4)]
        finally:
            torch._dynamo.config.disabled_passes = saved
        return losses, [p.detach().numpy().copy() for p in model.parameters()]
    (le, pe), (lc, pc) = run(False), run(True)
    np.testing.assert_allclose(lc, le, rtol=1e-6)
    for a, b in zip(pc, pe):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
