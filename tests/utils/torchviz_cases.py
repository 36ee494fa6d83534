"""Graphs drawn by the real torchviz in both libraries (imported by tests/utils/test_torchviz.py).

Each case takes the library (``torch`` or ember) and returns ``(output, params)``. Run as a script
under ``ember run`` it prints ember's drawings as JSON: torchviz does ``import torch``, which
``ember run`` resolves to ember.
"""
import json
import re
import sys

import numpy as np


def _x(torch, *shape, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def mlp(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    loss = nn.functional.mse_loss(model(_x(torch, 5, 4)), _x(torch, 5, 3, seed=1))
    return loss, dict(model.named_parameters())


def mlp_output(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 2))
    return model(_x(torch, 3, 4)), dict(model.named_parameters())


def cnn(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 4 * 4, 10))
    logits = model(_x(torch, 2, 1, 8, 8))
    loss = nn.functional.cross_entropy(logits, torch.tensor([3, 7]))
    return loss, dict(model.named_parameters())


def rnn(torch):
    nn = torch.nn
    model = nn.RNN(3, 5)
    out, h = model(_x(torch, 4, 2, 3))
    return out.sum(), dict(model.named_parameters())


def custom_function(torch):
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x ** 2

    class ScaledMul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, scale):
            ctx.scale = scale
            out = a * b * scale
            ctx.save_for_backward(a, b, out)
            return out

        @staticmethod
        def backward(ctx, g):
            a, b, _ = ctx.saved_tensors
            return g * b * ctx.scale, g * a * ctx.scale, None

    w = torch.nn.Parameter(_x(torch, 3))
    v = torch.nn.Parameter(_x(torch, 3, seed=1))
    y = ScaledMul.apply(Cube.apply(w), v, 2.0).mean()
    return y, {"w": w, "v": v}


CASES = {f.__name__: f for f in (mlp, mlp_output, cnn, rnn, custom_function)}


def canonical(dot):
    """The DOT body with node ids (``id()`` of Python objects) numbered by first appearance."""
    ids = {}

    def num(m):
        return str(ids.setdefault(m.group(0), len(ids)))

    lines = []
    for line in dot.body:
        m = re.match(r"^(\t)(\d+)( -> )?(\d+)?(.*)$", line, re.S)
        if m is None:
            lines.append(line)
            continue
        tab, a, arrow, b, rest = m.groups()
        out = tab + str(ids.setdefault(a, len(ids)))
        if arrow:
            out += arrow + str(ids.setdefault(b, len(ids)))
        lines.append(out + rest)
    return lines


def draw(torch, make_dot, name, **kw):
    y, params = CASES[name](torch)
    opts = dict(params=params, show_attrs=True, show_saved=True)
    opts.update(kw)
    return canonical(make_dot(y, **opts))


if __name__ == "__main__":
    import torch
    from torchviz import make_dot
    names = sys.argv[1:] or list(CASES)
    out = {}
    for n in names:
        try:
            out[n] = draw(torch, make_dot, n)
        except Exception as e:  # reported, compared by the test
            out[n] = f"{type(e).__name__}: {e}"
    json.dump(out, sys.stdout)
