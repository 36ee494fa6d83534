"""torch.fx.symbolic_trace in ember, against real torch.fx: the same nodes (op, name, target)
for the same model, the GraphModule computes what the module does, graph editing and
recompile, Interpreter/Transformer, TraceError on control flow, and eager ember untouched
after a trace."""
import copy
import math
import operator

import numpy as np
import pytest
import torch
import torch.fx
from module_oracle import module_pair, to_np

import ember
import ember.fx


def lib_of(nn):
    return torch if nn is torch.nn else ember


def summary(gm):
    def target(n):
        if n.op == "call_function":
            return getattr(n.target, "__name__", str(n.target))
        return str(n.target)
    return [(n.op, n.name, target(n)) for n in gm.graph.nodes]


def check_against_torch(make, *inputs, concrete_args=None, tracer=None):
    """Trace the same model with torch.fx and ember.fx: equal node lists, and each GraphModule
    gives its original module's output.  ``inputs`` are NumPy arrays."""
    em, tm = module_pair(make, dtype=np.float32, eval_mode=True)
    if tracer is None:
        egm = ember.fx.symbolic_trace(em, concrete_args=concrete_args)
        tgm = torch.fx.symbolic_trace(tm, concrete_args=concrete_args)
    else:
        egm = ember.fx.GraphModule(em, tracer(ember).trace(em, concrete_args))
        tgm = torch.fx.GraphModule(tm, tracer(torch).trace(tm, concrete_args))
    assert summary(egm) == summary(tgm)
    assert isinstance(egm, ember.nn.Module)
    ex = [ember.tensor(a) for a in inputs]
    tx = [torch.tensor(a) for a in inputs]
    got, want = egm(*ex), tm(*tx)
    np.testing.assert_allclose(to_np(got), to_np(want), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_np(got), to_np(em(*ex)), rtol=1e-6, atol=1e-6)
    return egm, tgm


def x_(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# --- models, each built from either library ----------------------------------------------------
def mlp(nn):
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def cnn(nn):
    lib = lib_of(nn)

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(4 * 4 * 4, 5)

        def forward(self, x):
            x = self.pool(lib.relu(self.bn(self.conv(x))))
            return self.fc(lib.flatten(x, 1))
    return CNN()


def functional_and_operators(nn):
    lib = lib_of(nn)
    F = nn.functional

    class Mixed(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)
            self.w = nn.Parameter(lib.ones(4, 4) * 0.5)
            self.register_buffer("b", lib.arange(4.0))

        def forward(self, x):
            a = F.relu(self.linear(x))
            a = (a @ self.w + self.b) * 2 - x / 3
            a = -a[0] + a.sum(dim=0)
            v = x.view(x.size(0), -1).relu()
            n = x.shape[1]
            return lib.cat([a.unsqueeze(0), v[:1] * n, F.gelu(self.w.t())[:1]], 0)
    return Mixed()


def residual(nn):
    lib = lib_of(nn)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(4)
            self.conv2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(4)

        def forward(self, x):
            out = lib.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return lib.relu(out + x)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Sequential(Block(), Block())
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            return self.head(self.layer(x).mean((2, 3)))
    return Net()


def with_flag(nn):
    class Flag(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)

        def forward(self, x, double):
            y = self.linear(x)
            if double:
                return y * 2
            return y
    return Flag()


class MyLeafT(torch.nn.Module):
    def forward(self, x):
        return x.clamp(min=0) if x.sum() > 0 else x        # control flow: must be a leaf


class MyLeafE(ember.nn.Module):
    def forward(self, x):
        return x.clamp(min=0) if x.sum() > 0 else x


MyLeafT.__name__ = MyLeafE.__name__ = "MyLeaf"


def with_user_leaf(nn):
    class WithLeaf(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)
            self.leaf = (MyLeafT if nn is torch.nn else MyLeafE)()

        def forward(self, x):
            return self.leaf(self.linear(x)) + 1
    return WithLeaf()


def leaf_tracer(lib):
    leaf = MyLeafT if lib is torch else MyLeafE

    class LeafTracer(lib.fx.Tracer):
        def is_leaf_module(self, m, qualname):
            return isinstance(m, leaf) or super().is_leaf_module(m, qualname)
    return LeafTracer()


# --- against torch.fx ---------------------------------------------------------------------
def test_mlp():
    egm, tgm = check_against_torch(mlp, x_(2, 4))
    assert list(egm.state_dict()) == list(tgm.state_dict())
    assert summary(egm)[1] == ("call_module", "_0", "0")


def test_cnn_conv_bn_relu_pool_flatten_linear():
    egm, tgm = check_against_torch(cnn, x_(2, 3, 8, 8))
    assert [n.op for n in egm.graph.nodes].count("call_module") == 4
    assert list(egm.state_dict()) == list(tgm.state_dict())


def test_functional_operators_methods_getitem_getattr_cat():
    egm, _ = check_against_torch(functional_and_operators, x_(3, 4))
    targets = {n.target for n in egm.graph.nodes}
    assert {operator.add, operator.matmul, operator.neg, operator.getitem, getattr,
            ember.cat, ember.nn.functional.relu, "view", "size", "relu", "t", "w", "b"} <= targets


def test_residual_blocks_trace_through_user_modules():
    egm, _ = check_against_torch(residual, x_(2, 4, 5, 5))
    assert "layer.0.conv1" in [n.target for n in egm.graph.nodes]
    assert egm.get_submodule("layer.1.bn2") is not None


def test_user_leaf_via_tracer_subclass():
    egm, _ = check_against_torch(with_user_leaf, x_(2, 4), tracer=leaf_tracer)
    assert ("call_module", "leaf", "leaf") in summary(egm)


def test_concrete_args_fix_control_flow():
    em, _ = module_pair(with_flag, dtype=np.float32)
    with pytest.raises(ember.fx.proxy.TraceError):
        ember.fx.symbolic_trace(em)
    gm = ember.fx.symbolic_trace(em, concrete_args={"double": True})
    calls = [(op, t) for op, _, t in summary(gm) if op in ("call_module", "call_function")]
    assert calls == [("call_function", "eq"), ("call_function", "_assert"),
                     ("call_module", "linear"), ("call_function", "mul")]
    x = ember.tensor(x_(2, 4))
    np.testing.assert_allclose(to_np(gm(x)), to_np(em(x, True)), rtol=1e-6)
    np.testing.assert_allclose(to_np(gm(x, True)), to_np(em(x, True)), rtol=1e-6)
    with pytest.raises(AssertionError, match="double has been specialized"):
        gm(x, False)


def test_plain_function_and_names():
    def f(x, y, *, scale=2.0):
        return torch_like.relu(x + y) * scale + math.sqrt(4.0) + math.sqrt(x.size(0))
    torch_like = ember
    gm = ember.fx.symbolic_trace(f)
    assert type(gm).__name__ == "f"
    names = [n.name for n in gm.graph.nodes]
    assert names[:3] == ["x", "y", "scale"] and names[-1] == "output"
    assert "relu = torch.relu(add)" in gm.code
    a, b = ember.tensor([1.0, -2.0]), ember.tensor([0.5, 0.5])
    np.testing.assert_allclose(to_np(gm(a, b)), to_np(f(a, b)))
    # the same function under torch.fx names its nodes the same way
    torch_like = torch
    tgm = torch.fx.symbolic_trace(f)
    assert summary(gm) == summary(tgm)


def test_builtin_names_are_not_shadowed_and_input_is_renamed():
    class M(ember.nn.Module):
        def forward(self, input):
            return input.sum().abs().float()
    gm = ember.fx.symbolic_trace(M())

    class T(torch.nn.Module):
        def forward(self, input):
            return input.sum().abs().float()
    assert summary(gm) == summary(torch.fx.symbolic_trace(T()))
    assert "def forward(self, input):" in gm.code and "input_1 = input" in gm.code
    assert gm(ember.tensor([-1.0, -2.0])).item() == 3.0


def test_unpacking_a_proxy_records_getitems():
    def f(x):
        a, b = x.chunk(2)
        return a * b
    gm = ember.fx.symbolic_trace(f)
    assert summary(gm) == summary(torch.fx.symbolic_trace(f))
    x = ember.arange(4.0)
    assert gm(x).tolist() == [0.0, 3.0]


# --- the GraphModule --------------------------------------------------------------------------
def test_graph_module_code_print_and_lint(capsys):
    em, _ = module_pair(cnn, dtype=np.float32)
    gm = ember.fx.symbolic_trace(em)
    assert gm.code.startswith("def forward(self, x):\n    conv = self.conv(x);  x = None\n")
    assert "relu = torch.relu(bn)" in gm.code and "flatten = torch.flatten(pool, 1)" in gm.code
    gm.graph.lint()
    text = str(gm.graph)
    assert text.startswith("graph():\n    %x : [num_users=1] = placeholder[target=x]")
    assert "call_function[target=torch.relu](args = (%bn,), kwargs = {})" in text
    assert text.endswith("return fc")
    gm.graph.print_tabular()
    out = capsys.readouterr().out
    assert out.split("\n")[0].split() == ["opcode", "name", "target", "args", "kwargs"]
    assert "call_module    conv" in out or "call_module  conv" in out
    assert "class CNN(torch.nn.Module):\n    def forward(self, x):" in gm.print_readable(False)
    assert str(gm).startswith("CNN(\n  (conv): Conv2d")


def test_state_dict_roundtrip_and_deepcopy():
    em, _ = module_pair(residual, dtype=np.float32, eval_mode=True)
    gm = ember.fx.symbolic_trace(em)
    assert list(gm.state_dict()) == list(em.state_dict())
    twin = copy.deepcopy(gm)
    x = ember.tensor(x_(1, 4, 5, 5))
    np.testing.assert_allclose(to_np(twin(x)), to_np(gm(x)), rtol=1e-6)
    assert twin.layer is not gm.layer and type(twin) is not type(gm)


def test_replace_add_with_mul_and_recompile():
    def f(x, y):
        return ember.add(x, y) + y
    gm = ember.fx.symbolic_trace(f)
    for node in gm.graph.nodes:
        if node.op == "call_function" and node.target in (ember.add, operator.add):
            with gm.graph.inserting_after(node):
                new = gm.graph.call_function(ember.mul, node.args, node.kwargs)
                node.replace_all_uses_with(new)
            gm.graph.erase_node(node)
    gm.recompile()
    gm.graph.lint()
    assert [n.target for n in gm.graph.nodes if n.op == "call_function"] == [ember.mul, ember.mul]
    assert "torch.mul(x, y)" in gm.code
    x, y = ember.tensor([2.0, 3.0]), ember.tensor([4.0, 5.0])
    assert gm(x, y).tolist() == [32.0, 75.0]


def test_fuse_conv_bn_as_in_the_fx_tutorial():
    em, _ = module_pair(cnn, dtype=np.float32, eval_mode=True)
    gm = ember.fx.symbolic_trace(em)
    modules = dict(gm.named_modules())
    for node in list(gm.graph.nodes):
        if node.op == "call_module" and isinstance(modules[node.target], ember.nn.BatchNorm2d):
            conv_node = node.args[0]
            conv, bn = modules[conv_node.target], modules[node.target]
            scale = bn.weight / ember.sqrt(bn.running_var + bn.eps)
            fused = ember.nn.Conv2d(3, 4, 3, padding=1)
            with ember.no_grad():
                fused.weight.copy_(conv.weight * scale.reshape(-1, 1, 1, 1))
                fused.bias.copy_((conv.bias - bn.running_mean) * scale + bn.bias)
            setattr(gm, conv_node.target, fused)
            node.replace_all_uses_with(conv_node)
            gm.graph.erase_node(node)
    gm.graph.eliminate_dead_code()
    gm.delete_all_unused_submodules()
    gm.recompile()
    assert "bn" not in gm.code and not hasattr(gm, "bn")
    x = ember.tensor(x_(2, 3, 8, 8))
    np.testing.assert_allclose(to_np(gm(x)), to_np(em(x)), rtol=1e-4, atol=1e-5)


def test_graph_editing_api():
    gm = ember.fx.symbolic_trace(lambda x: ember.relu(x) - 1)
    g = gm.graph
    x, relu, sub, _ = list(g.nodes)
    assert relu.users == {sub: None} and sub.all_input_nodes == [relu]
    with g.inserting_before(sub):
        neg = g.call_method("neg", (relu,))
        absolute = g.create_node("call_function", ember.abs, (neg,), name="absolute")
    sub.args = (absolute, 1)                       # assigning args updates users
    assert sub not in relu.users and sub in absolute.users
    assert [n.name for n in g.nodes] == ["x", "relu", "neg", "absolute", "sub", "output"]
    assert not g.eliminate_dead_code()
    gm.recompile()
    assert gm(ember.tensor([-2.0, 3.0])).tolist() == [-1.0, 2.0]
    assert relu.next is neg and neg.prev is relu
    dead = g.call_function(ember.exp, (x,))     # appended after the output: DCE takes it away
    assert g.eliminate_dead_code() and dead not in g.nodes
    with pytest.raises(RuntimeError, match="still had 1 users"):
        g.erase_node(relu)


def test_iterating_nodes_while_erasing_visits_every_node():
    gm = ember.fx.symbolic_trace(lambda x: ember.relu(ember.relu(ember.relu(x))))
    visited = []
    for node in gm.graph.nodes:
        visited.append(node.name)
        if node.op == "call_function":
            node.replace_all_uses_with(node.args[0])
            gm.graph.erase_node(node)
    assert visited == ["x", "relu", "relu_1", "relu_2", "output"]
    gm.recompile()
    assert gm(ember.tensor([-1.0])).tolist() == [-1.0]


def test_graph_module_from_dict_root_and_handmade_graph():
    g = ember.fx.Graph()
    x = g.placeholder("x")
    w = g.get_attr("lin.weight")
    y = g.call_function(ember.matmul, (x, g.call_method("t", (w,))))
    g.output(g.call_module("act", (y,)))
    lin, act = ember.nn.Linear(2, 2, bias=False), ember.nn.Tanh()
    gm = ember.fx.GraphModule({"lin.weight": lin.weight, "act": act}, g)
    v = ember.tensor([[1.0, 2.0]])
    np.testing.assert_allclose(to_np(gm(v)), to_np(act(lin(v))), rtol=1e-6)
    assert list(gm.state_dict()) == ["lin.weight"]


# --- Interpreter and Transformer ---------------------------------------------------------------
def test_interpreter_runs_node_by_node_and_shape_prop_style():
    em, _ = module_pair(mlp, dtype=np.float32)
    gm = ember.fx.symbolic_trace(em)

    class ShapeProp(ember.fx.Interpreter):
        def run_node(self, n):
            result = super().run_node(n)
            if isinstance(result, ember.Tensor):
                n.meta["shape"] = tuple(result.shape)
            return result

    x = ember.tensor(x_(5, 4))
    out = ShapeProp(gm).run(x)
    np.testing.assert_allclose(to_np(out), to_np(em(x)), rtol=1e-6)
    assert [n.meta.get("shape") for n in gm.graph.nodes][1:-1] == [(5, 8), (5, 8), (5, 3)]

    class NegateRelu(ember.fx.Interpreter):
        def call_module(self, target, args, kwargs):
            if target == "1":
                return -super().call_module(target, args, kwargs)
            return super().call_module(target, args, kwargs)
    h = ember.relu(em[0](x))
    np.testing.assert_allclose(to_np(NegateRelu(gm).run(x)), to_np(em[2](-h)), rtol=1e-6)


def test_transformer_rewrites_into_a_new_graph_module():
    gm = ember.fx.symbolic_trace(lambda x: ember.relu(x) + 1)

    class ReluToSigmoid(ember.fx.Transformer):
        def call_function(self, target, args, kwargs):
            if target is ember.relu:
                target = ember.sigmoid
            return super().call_function(target, args, kwargs)
    new = ReluToSigmoid(gm).transform()
    assert "torch.sigmoid(x)" in new.code
    x = ember.tensor([0.0])
    assert new(x).tolist() == [1.5]


# --- errors and leaving eager ember as it was ----------------------------------------------------
@pytest.mark.parametrize("body, error, message", [
    (lambda x: x if x.sum() > 0 else -x, ember.fx.proxy.TraceError, "cannot be used as inputs to control flow"),
    (lambda x: bool(x), ember.fx.proxy.TraceError, "control flow"),
    (lambda x: len(x), RuntimeError, "'len' is not supported in symbolic tracing"),
    (lambda x: [a for a in x], ember.fx.proxy.TraceError, "Proxy object cannot be iterated"),
])
def test_control_flow_raises_trace_error(body, error, message):
    with pytest.raises(error, match=message):
        ember.fx.symbolic_trace(body)
    with pytest.raises(torch.fx.proxy.TraceError if error is not RuntimeError else RuntimeError,
                       match=message):
        torch.fx.symbolic_trace(body)


def test_bad_roots_and_unpatched_names():
    with pytest.raises(TypeError, match="expects an nn.Module or a Python function, got int"):
        ember.fx.symbolic_trace(3)
    with pytest.raises(TypeError, match="concrete_args names"):
        ember.fx.symbolic_trace(lambda x: x, concrete_args={"y": 1})
    holder = {"fn": ember.exp}                    # bound before the trace: not patched
    with pytest.raises(ember.fx.proxy.TraceError, match="without being recorded"):
        ember.fx.symbolic_trace(lambda x: holder["fn"](x))


def _public_state():
    import ember.nn.functional as F
    spaces = (ember, F, math)
    return ({(id(m), k): v for m in spaces for k, v in vars(m).items()},
            {k: v for k, v in vars(ember.Tensor).items()},
            ember.nn.Module.__call__, ember.nn.Module.__getattr__)


def test_eager_ember_is_unchanged_after_a_trace_even_a_failed_one():
    before = _public_state()
    ember.fx.symbolic_trace(functional_and_operators(ember.nn))
    with pytest.raises(ember.fx.proxy.TraceError):
        ember.fx.symbolic_trace(lambda x: x if x.sum() > 0 else -x)
    with pytest.raises(ZeroDivisionError):
        ember.fx.symbolic_trace(lambda x: ember.relu(x) + 1 / 0)
    after = _public_state()
    assert before[0] == after[0] and before[1] == after[1] and before[2:] == after[2:]
    assert not hasattr(ember.relu, "_fx_original")
    t = ember.tensor([-1.0, 2.0])
    assert ember.relu(t).tolist() == [0.0, 2.0] and (t + t).tolist() == [-2.0, 4.0]


wrapped_calls = []


def clip_to_one(x):                               # a Python function marked as a leaf call
    wrapped_calls.append(type(x).__name__)
    return x.clamp(max=1.0)


ember.fx.wrap("clip_to_one")


def test_wrap_makes_a_leaf_call():
    gm = ember.fx.symbolic_trace(lambda x: clip_to_one(x * 2))
    assert ("call_function", "clip_to_one", "clip_to_one") in summary(gm)
    assert wrapped_calls == []                    # not run during the trace
    assert gm(ember.tensor([0.2, 3.0])).tolist() == pytest.approx([0.4, 1.0])
    assert clip_to_one.__name__ == "clip_to_one" and not hasattr(clip_to_one, "_fx_original")


def test_retracing_a_graph_module_and_tensor_constants():
    const = ember.tensor([1.0, 2.0])
    gm = ember.fx.symbolic_trace(lambda x: const - x)   # a tensor on the left of a Proxy
    assert [n.op for n in gm.graph.nodes] == ["placeholder", "get_attr", "call_function", "output"]
    assert list(gm.state_dict()) == ["_tensor_constant0"]
    again = ember.fx.symbolic_trace(gm)
    assert summary(again) == summary(gm)
    assert again(ember.tensor([1.0, 1.0])).tolist() == [0.0, 1.0]


def test_torch_fx_resolves_under_the_alias(tmp_path):
    import os
    import subprocess
    import sys
    script = tmp_path / "use_fx.py"
    script.write_text(
        "import torch\nimport torch.fx\nfrom torch.fx import symbolic_trace\n"
        "from torch.fx.proxy import TraceError\n"
        "m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())\n"
        "gm = symbolic_trace(m)\nprint(type(gm).__mro__[1].__module__, gm(torch.ones(1, 2)).shape)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, "-m", "ember", "run", str(script)], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "PYTHONPATH": root}, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ember.fx.graph_module torch.Size([1, 2])"


def test_shape_prop_pass():
    from ember.fx.passes.shape_prop import ShapeProp
    em, _ = module_pair(cnn, dtype=np.float32)
    gm = ember.fx.symbolic_trace(em)
    ShapeProp(gm).propagate(ember.tensor(x_(2, 3, 8, 8)))
    shapes = {n.name: tuple(n.meta["tensor_meta"].shape) for n in gm.graph.nodes
              if "tensor_meta" in n.meta}
    assert shapes["conv"] == (2, 4, 8, 8) and shapes["pool"] == (2, 4, 4, 4)
    assert shapes["fc"] == (2, 5) and gm.graph.nodes[1].meta["tensor_meta"].dtype == ember.float32


def test_graph_copy_node_copy_and_lint_errors():
    gm = ember.fx.symbolic_trace(mlp(ember.nn))
    g = ember.fx.Graph()
    out = g.graph_copy(gm.graph, {})
    g.output(out)
    assert [n.name for n in g.nodes] == [n.name for n in gm.graph.nodes]
    copy_gm = ember.fx.GraphModule(gm, g)
    x = ember.tensor(x_(2, 4))
    np.testing.assert_allclose(to_np(copy_gm(x)), to_np(gm(x)))
    bad = ember.fx.Graph()
    a = bad.placeholder("a")
    b = bad.call_function(ember.neg, (a,))
    bad.nodes.remove(a)
    bad.nodes.append(a)                           # now used before it is defined
    with pytest.raises(RuntimeError, match="used before it has been defined"):
        bad.lint()
    del b
    gm.graph.call_module("missing", (next(iter(gm.graph.nodes)),))
    with pytest.raises(RuntimeError, match="nonexistent attribute missing"):
        gm.graph.lint()


def test_param_shapes_constant():
    class M(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = ember.nn.Parameter(ember.ones(3, 2))

        def forward(self, x):
            if self.w.shape[0] == 3:                 # a plain int with param_shapes_constant
                return x @ self.w
            return x
    m = M()
    with pytest.raises(ember.fx.proxy.TraceError):
        ember.fx.symbolic_trace(m)
    graph = ember.fx.Tracer(param_shapes_constant=True).trace(m)
    gm = ember.fx.GraphModule(m, graph)
    assert gm(ember.ones(1, 3)).tolist() == [[3.0, 3.0]]


def test_traced_slice_bounds_are_inputs_of_the_getitem():
    def f(x):
        return x[: x.size(0) - 1, 1:] * 2
    gm = ember.fx.symbolic_trace(f)
    assert summary(gm) == summary(torch.fx.symbolic_trace(f))
    sub = next(n for n in gm.graph.nodes if n.name == "sub")
    assert [u.name for u in sub.users] == ["getitem"]
    x = ember.arange(9.0).reshape(3, 3)
    assert gm(x).tolist() == f(x).tolist()
    assert ember.fx.Interpreter(gm).run(x).tolist() == f(x).tolist()
