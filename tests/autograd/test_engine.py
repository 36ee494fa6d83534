import numpy as np
import pytest
import torch

import ember


def both(fn):
    return fn(ember), fn(torch)


def test_accumulation_and_retain_graph():
    def f(m):
        p = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
        q = (p.exp() * m.tensor([1.0, 2.0, 3.0])).sum()
        q.backward(retain_graph=True)
        q.backward()
        return p.grad.numpy().copy()
    e, t = both(f)
    np.testing.assert_allclose(e, t, rtol=1e-6)


def test_backward_twice_raises():
    x = ember.ones(3, requires_grad=True)
    s = (x * x).sum()
    s.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        s.backward()


def test_inplace_after_save_raises():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a = ember.ones(3, requires_grad=True)
    b = a * 2
    c = b * b
    b.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()


def test_inplace_on_nonleaf_rebases_graph():
    def f(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.mul_(3)
        y += x
        y.sum().backward()
        return x.grad.numpy().copy()
    e, t = both(f)
    np.testing.assert_allclose(e, t)


def test_leaf_inplace_raises_and_nonscalar_needs_gradient():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.ones(2).sum().backward()


def test_hooks_and_retain_grad():
    def f(m):
        w = m.tensor([1.0, -2.0, 0.5], requires_grad=True)
        h = w * 2
        h.retain_grad()
        seen = []
        hd = h.register_hook(lambda g: seen.append(g.clone()))
        d = w.register_hook(lambda g: g * 2)
        (h ** 2).sum().backward()
        hd.remove()
        d.remove()
        return w.grad.numpy().copy(), h.grad.numpy().copy(), seen[0].numpy()
    e, t = both(f)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a, b)


def test_grad_create_graph_hvp():
    def f(m):
        x = m.tensor([0.3, -0.7, 1.1], requires_grad=True, dtype=m.float64)
        A = m.tensor([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0], [2.0, 0.0, 1.0]], dtype=m.float64)
        v = m.tensor([1.0, 0.5, -1.0], dtype=m.float64)
        y = (x ** 3).sum() + x @ A @ x
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (hv,) = m.autograd.grad(g @ v, x)
        return g.detach().numpy().copy(), hv.numpy().copy()
    e, t = both(f)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_grad_allow_unused_and_no_accumulation():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(2, requires_grad=True)
    ga, gb = ember.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    assert gb is None and ga.tolist() == [2.0, 2.0] and a.grad is None
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        ember.autograd.grad((a * 2).sum(), [a, b])


def test_custom_function():
    class Cube(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * 3 * ctx.scale * x ** 2, None

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, 0.5)
    y.sum().backward()
    assert y.grad_fn is not None
    assert x.grad.tolist() == [1.5, 6.0]


def test_custom_function_non_differentiable_and_once_differentiable():
    class SortIdx(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            v, i = x.sort()
            ctx.mark_non_differentiable(i)
            ctx.save_for_backward(i)
            return v, i

        @staticmethod
        @ember.autograd.function_once_differentiable if False else ember.autograd.once_differentiable
        def backward(ctx, gv, gi):
            (i,) = ctx.saved_tensors
            return ember.zeros_like(gv).scatter(0, i, gv)

    x = ember.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i = SortIdx.apply(x)
    assert not i.requires_grad
    (v * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [3.0, 1.0, 2.0]


def test_grad_modes():
    a = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        assert not (a * 2).requires_grad
        with ember.enable_grad():
            assert (a * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not (a * 2).requires_grad
    assert ember.is_grad_enabled()
    with ember.inference_mode():
        assert not (a * 2).requires_grad

    @ember.no_grad()
    def f(x):
        return x * 2
    assert not f(a).requires_grad

    @ember.no_grad
    def g(x):
        return x * 2
    assert not g(a).requires_grad


def test_detach_shares_storage_and_variable_alias():
    a = ember.ones(3, requires_grad=True)
    d = (a * 3).detach()
    assert not d.requires_grad and d.grad_fn is None
    v = ember.autograd.Variable(ember.ones(2))
    assert isinstance(v, ember.Tensor)


def test_deep_graph_no_recursion_limit():
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert abs(x.grad.item() - 1.0001 ** 5000) < 1e-3


def test_broadcast_gradients_reduce():
    def f(m):
        a = m.ones(3, 1, requires_grad=True)
        b = m.ones(4, requires_grad=True)
        ((a * 2 + b) ** 2).sum().backward()
        return a.grad.numpy().copy(), b.grad.numpy().copy()
    e, t = both(f)
    for x, y in zip(e, t):
        np.testing.assert_allclose(x, y)


def test_grad_fn_names_and_repr():
    x = ember.tensor([2.0], requires_grad=True)
    assert repr(x) == "tensor([2.], requires_grad=True)"
    y = x + 1
    assert "grad_fn=<AddBackward0>" in repr(y)
    assert y.grad_fn.next_functions[0][0].variable is x


def test_course_example():
    A = ember.Tensor([0])
    B = ember.Tensor([10])
    while (A < B)[0]:
        A += 2
        B += 1
    assert repr(A) == "tensor([20.])" and repr(B) == "tensor([20.])"


@pytest.mark.parametrize("case", ["row_mul", "col_add", "transpose_fill", "view_copy", "setitem_on_view"])
def test_inplace_on_view_rewrites_base_history(case):
    def f(m):
        w = m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        v = m.tensor([0.5, -1.0], requires_grad=True)
        x = w * 1.5
        if case == "row_mul":
            x[0].mul_(2)
        elif case == "col_add":
            x[:, 1].add_(v)
        elif case == "transpose_fill":
            x.t()[2].fill_(0.25)
        elif case == "view_copy":
            x.view(6)[1:3].copy_(v * 3)
        else:
            x[1][1:] = v
        (x * x).sum().backward()
        return x.detach().numpy().copy(), w.grad.numpy().copy(), (v.grad.numpy().copy() if v.grad is not None else None)
    e, t = both(f)
    for a, b in zip(e, t):
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_tracer_hook_sees_every_op():
    from ember.autograd.function import add_tracer, remove_tracer
    seen = []
    h = add_tracer(lambda fn, ins, attrs, out: seen.append(fn.__name__))
    try:
        x = ember.ones(2, 3)
        ((x * 2).sum(1) + 1).exp()
    finally:
        remove_tracer(h)
    assert seen == ["MulScalar", "Sum", "AddScalar", "Exp"]
