"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against PyTorch."""
from collections import OrderedDict

import pytest
import torch

import ember
import ember.nn as enn
import torch.nn as tnn


def both(fn):
    return fn(enn, ember), fn(tnn, torch)


def names(m):
    return [n for n, _ in m.named_parameters()]


def test_sequential_ops():
    e, t = both(lambda nn, lib: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid()))
    assert repr(e) == repr(t) and len(e) == len(t) == 4
    assert repr(e[1:3]) == repr(t[1:3]) and isinstance(e[1:3], enn.Sequential)
    assert repr(e[-1]) == repr(t[-1])
    with pytest.raises(IndexError, match="index 4 is out of range"):
        e[4]
    for m in (e, t):
        del m[1]
        m.append(type(m[0])(3, 3) if False else m[0].__class__(1, 1))
        m.insert(1, m[-1].__class__(5, 5))
        m.pop(0)
    assert repr(e) == repr(t) and names(e) == names(t)
    e.extend([enn.Tanh()])
    t.extend([tnn.Tanh()])
    assert repr(e) == repr(t)
    e[0] = enn.Identity()
    t[0] = tnn.Identity()
    assert repr(e) == repr(t)
    assert [type(m).__name__ for m in e] == [type(m).__name__ for m in t]
    d = both(lambda nn, lib: nn.Sequential(OrderedDict([("a", nn.Linear(2, 2)), ("b", nn.ReLU())])))
    assert repr(d[0]) == repr(d[1]) and names(d[0]) == names(d[1])
    assert len(e + e) == 2 * len(e)


def test_sequential_forward():
    seq = enn.Sequential(enn.Linear(2, 3), enn.ReLU(), enn.Linear(3, 1))
    x = ember.ones(4, 2)
    assert seq(x).shape == (4, 1)
    assert enn.Sequential()(x) is x


def test_module_list():
    e, t = both(lambda nn, lib: nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU()]))
    assert repr(e) == repr(t)
    for m in (e, t):
        m.append(m[0].__class__(2, 4))
        m.insert(0, m[3].__class__())
        m.extend([m[1].__class__(1, 1)])
        del m[2]
        m[1] = m[1].__class__(7, 7)
    assert repr(e) == repr(t) and names(e) == names(t) and len(e) == len(t)
    assert repr(e[1:3]) == repr(t[1:3])
    assert repr(enn.ModuleList()) == repr(tnn.ModuleList())
    with pytest.raises(TypeError, match="should be called with an iterable"):
        enn.ModuleList().extend(3)
    with pytest.raises(IndexError, match="out of range"):
        e[100]
    assert len(e + e) == 2 * len(e)


def test_module_dict():
    e, t = both(lambda nn, lib: nn.ModuleDict({"b": nn.Linear(1, 2), "a": nn.ReLU()}))
    assert repr(e) == repr(t) and list(e.keys()) == list(t.keys())
    for m in (e, t):
        m["c"] = m["b"].__class__(3, 3)
        m.update([("d", m["a"].__class__())])
        m.pop("a")
    assert repr(e) == repr(t) and names(e) == names(t)
    assert "c" in e and "a" not in e and len(e) == 3
    with pytest.raises(ValueError, match="has length 1; 2 is required"):
        e.update([("x",)])


def test_parameter_list_and_dict():
    e, t = both(lambda nn, lib: nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(4)]))
    assert repr(e) == repr(t) and names(e) == names(t)
    assert isinstance(e[1], enn.Parameter) and len(e) == 2
    e.append(ember.ones(1))
    t.append(torch.ones(1))
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict())
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        e(1)
    e, t = both(lambda nn, lib: nn.ParameterDict({"w": nn.Parameter(lib.ones(2)), "b": lib.zeros(3)}))
    assert repr(e) == repr(t) and names(e) == names(t)
    e["z"] = ember.ones(1)
    t["z"] = torch.ones(1)
    assert list(e.keys()) == list(t.keys()) and repr(e) == repr(t)
    assert isinstance(e["z"], enn.Parameter)
    assert e.pop("w").shape == (2,) and "w" not in e


def test_nested_repr():
    def make(nn, lib):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Dropout(0.25),
                                              nn.Sequential(nn.Linear(8, 8), nn.LeakyReLU(0.1)))
                self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
                self.heads = nn.ModuleDict({"cls": nn.Linear(8, 3), "emb": nn.Embedding(10, 8, padding_idx=0)})
                self.flat = nn.Flatten()
                self.unflat = nn.Unflatten(1, (2, 4))
                self.loss = nn.CrossEntropyLoss()
                self.params = nn.ParameterList([nn.Parameter(lib.zeros(2))])
        return Net()

    e, t = both(make)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
