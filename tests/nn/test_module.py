"""nn.Module semantics against PyTorch: registration, traversal, state_dict, hooks, repr."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close

import ember.nn as enn
import torch.nn as tnn


def build(nn, lib):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.act = nn.ReLU()
            self.register_buffer("running", lib.zeros(4))
            self.register_buffer("scratch", lib.ones(2), persistent=False)
            self.scale = nn.Parameter(lib.ones(1))

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale + self.running

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Linear(3, 4)
            self.blocks = nn.Sequential(Block(), Block())
            self.shared = self.stem  # the same module twice
            self.head = nn.ModuleDict({"out": nn.Linear(4, 2, bias=False)})
            self.empty = None

        def forward(self, x):
            return self.head["out"](self.blocks(self.stem(x)))

    return Net()


def copy_weights(me, mt):
    for (n, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        pe._data[...] = pt.detach().numpy()


def test_traversal_matches_torch():
    me, mt = build(enn, ember), build(tnn, torch)
    assert [n for n, _ in me.named_parameters()] == [n for n, _ in mt.named_parameters()]
    assert [n for n, _ in me.named_buffers()] == [n for n, _ in mt.named_buffers()]
    assert [n for n, _ in me.named_modules()] == [n for n, _ in mt.named_modules()]
    assert [n for n, _ in me.named_children()] == [n for n, _ in mt.named_children()]
    assert ([n for n, _ in me.named_modules(remove_duplicate=False)]
            == [n for n, _ in mt.named_modules(remove_duplicate=False)])
    assert ([n for n, _ in me.named_parameters(remove_duplicate=False)]
            == [n for n, _ in mt.named_parameters(remove_duplicate=False)])
    assert [n for n, _ in me.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in mt.named_parameters(prefix="m", recurse=False)]
    sde, sdt = me.state_dict(), mt.state_dict()
    assert isinstance(sde, OrderedDict)
    assert list(sde) == list(sdt)
    assert [tuple(v.shape) for v in sde.values()] == [tuple(v.shape) for v in sdt.values()]
    assert not any(v.requires_grad for v in sde.values())
    assert all(isinstance(v, enn.Parameter) for k, v in me.state_dict(keep_vars=True).items() if "weight" in k)
    assert list(me.state_dict(prefix="p.")) == list(mt.state_dict(prefix="p."))
    assert repr(me) == repr(mt)
    assert me.get_submodule("blocks.1.fc") is me.blocks[1].fc
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        me.get_submodule("blocks.nope")


def test_forward_backward_matches_torch():
    me, mt = build(enn, ember), build(tnn, torch)
    copy_weights(me, mt)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    oe, ot = me(ember.tensor(x)), mt(torch.tensor(x))
    assert_close(oe, ot)
    oe.sum().backward()
    ot.sum().backward()
    for (n, pe), (_, pt) in zip(me.named_parameters(), mt.named_parameters()):
        assert_close(pe.grad, pt.grad, what=n)
    me.zero_grad()
    assert all(p.grad is None for p in me.parameters())


def test_load_state_dict_roundtrip_and_errors():
    me, mt = build(enn, ember), build(tnn, torch)
    sd = {k: ember.tensor(v.numpy()) for k, v in mt.state_dict().items()}
    r = me.load_state_dict(sd)
    assert r.missing_keys == [] and r.unexpected_keys == []
    assert repr(r) == "<All keys matched successfully>"
    for (k, a), b in zip(me.state_dict().items(), mt.state_dict().values()):
        assert_close(a, b, what=k)
    bad = dict(sd)
    bad["stem.weight"] = ember.zeros(5, 3)
    with pytest.raises(RuntimeError) as ei:
        me.load_state_dict(bad)
    msg = str(ei.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:")
    assert ("size mismatch for stem.weight: copying a param with shape torch.Size([5, 3]) from "
            "checkpoint, the shape in current model is torch.Size([4, 3]).") in msg
    bad = dict(sd)
    del bad["stem.bias"]
    bad["extra.w"] = ember.zeros(1)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "stem.bias"'):
        me.load_state_dict(bad)
    r = me.load_state_dict(bad, strict=False)
    assert r.missing_keys == ["stem.bias"] and r.unexpected_keys == ["extra.w"]
    rt = mt.load_state_dict({k: torch.tensor(v.numpy()) for k, v in bad.items()}, strict=False)
    assert rt.missing_keys == r.missing_keys and rt.unexpected_keys == r.unexpected_keys
    # load keeps parameter identity, assign replaces it
    w = me.stem.weight
    me.load_state_dict(sd)
    assert me.stem.weight is w
    me.load_state_dict(sd, assign=True)
    assert me.stem.weight is not w and isinstance(me.stem.weight, enn.Parameter)


def test_setattr_rules():
    m = enn.Module()
    m.p = enn.Parameter(ember.zeros(2))
    assert "p" in m._parameters
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as parameter 'p'"):
        m.p = ember.zeros(2)
    m.p = None
    assert m._parameters["p"] is None and m.p is None
    m.sub = enn.Linear(1, 1)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'sub'"):
        m.sub = 3
    m.register_buffer("b", ember.zeros(1))
    m.b = ember.ones(1)
    assert m._buffers["b"].tolist() == [1.0]
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'b'"):
        m.b = 3
    m.nb = enn.Buffer(ember.ones(3), persistent=False)
    assert "nb" in m._buffers and "nb" not in m.state_dict()
    with pytest.raises(KeyError, match="attribute 'sub' already exists"):
        m.register_buffer("sub", ember.zeros(1))
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope
    del m.sub
    assert "sub" not in m._modules
    assert "b" in dir(m) and "p" in dir(m)

    class Early(enn.Module):
        def __init__(self):
            self.w = enn.Parameter(ember.zeros(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        m.register_parameter("q", _nonleaf_param())


def _nonleaf_param():
    p = enn.Parameter(ember.zeros(1))
    q = p * 2
    q.__class__ = enn.Parameter
    return q


def test_forward_missing():
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required "forward"'):
        enn.Module()(ember.zeros(1))


def test_modes_apply_to_dtype():
    me = build(enn, ember)
    me.eval()
    assert not any(m.training for m in me.modules())
    me.train()
    assert all(m.training for m in me.modules())
    me.requires_grad_(False)
    assert not any(p.requires_grad for p in me.parameters())
    w = me.stem.weight
    me.double()
    assert me.stem.weight is w and me.stem.weight.dtype == ember.float64
    assert me.blocks[0].running.dtype == ember.float64
    me.to(ember.float32)
    assert w.dtype == ember.float32
    me.to("cpu")
    with pytest.raises(TypeError, match="floating point"):
        me.to(ember.int64)
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        me.cuda()
    seen = []
    me.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 4


def test_parameter_basics():
    t = ember.ones(2, 3)
    p = enn.Parameter(t)
    assert p.requires_grad and p.is_leaf
    assert p.data_ptr() == t.data_ptr()
    assert repr(p) == repr(tnn.Parameter(torch.ones(2, 3)))
    assert not enn.Parameter(t, requires_grad=False).requires_grad
    q = copy.deepcopy(p)
    assert isinstance(q, enn.Parameter) and q.data_ptr() != p.data_ptr() and q.requires_grad
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, enn.Parameter) and r.tolist() == p.tolist()
    assert isinstance(enn.Parameter(), enn.Parameter)
    m = build(enn, ember)
    m2 = copy.deepcopy(m)
    assert m2.shared is m2.stem and m2.stem.weight is not m.stem.weight
    seq = enn.Sequential(enn.Linear(2, 3), enn.ReLU())
    seq.register_buffer("b", ember.ones(2))
    m3 = pickle.loads(pickle.dumps(seq))
    assert list(m3.state_dict()) == list(seq.state_dict())
    assert m3[0].weight.tolist() == seq[0].weight.tolist() and isinstance(m3[0].weight, enn.Parameter)


def test_forward_hooks():
    m = enn.Linear(3, 2)
    log = []
    h1 = m.register_forward_pre_hook(lambda mod, args: log.append("pre") or (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: log.append("post") or out + 1)
    x = ember.ones(1, 3)
    y = m(x)
    want = m.forward(x * 2) + 1
    assert log == ["pre", "post"] and y.tolist() == want.tolist()
    h1.remove()
    h2.remove()
    assert m(x).tolist() == m.forward(x).tolist()
    h = m.register_forward_pre_hook(lambda mod, args, kwargs: (args, kwargs), with_kwargs=True)
    h.remove()
    h = m.register_forward_hook(lambda mod, args, kwargs, out: out * 0, with_kwargs=True)
    assert m(x).abs().sum().item() == 0
    h.remove()


def test_full_backward_hook_matches_torch():
    def run(nn, lib):
        m = nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
            m.bias.zero_()
        seen = {}

        def hook(mod, gin, gout):
            seen["gin"] = [None if g is None else g.detach().numpy().copy() for g in gin]
            seen["gout"] = [g.detach().numpy().copy() for g in gout]
            return (gin[0] * 3,)

        m.register_full_backward_hook(hook)
        x = lib.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
        (m(x) * lib.tensor([[1.0, 2.0]])).sum().backward()
        return seen, x.grad.numpy()

    se, ge = run(enn, ember)
    st, gt = run(tnn, torch)
    np.testing.assert_allclose(ge, gt)
    np.testing.assert_allclose(se["gout"][0], st["gout"][0])
    np.testing.assert_allclose(se["gin"][0], st["gin"][0])


def test_state_dict_hooks_and_extra_state():
    class WithExtra(enn.Module):
        def __init__(self):
            super().__init__()
            self.lin = enn.Linear(2, 2)
            self.value = 3

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    m = WithExtra()
    sd = m.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"]  # own state before children
    m.value = 0
    m.load_state_dict(sd)
    assert m.value == 3
    calls = []
    m.register_load_state_dict_post_hook(lambda mod, keys: calls.append(tuple(keys.missing_keys)))
    m.load_state_dict(sd)
    assert calls == [()]


def test_call_fast_path_overhead():
    """Calling a module without hooks costs little more than calling forward directly."""
    import time
    m = enn.Identity()
    x = ember.zeros(1)
    n = 20000
    t0 = time.perf_counter()
    for _ in range(n):
        m.forward(x)
    t1 = time.perf_counter()
    for _ in range(n):
        m(x)
    t2 = time.perf_counter()
    assert (t2 - t1) < 3 * (t1 - t0) + 0.01
