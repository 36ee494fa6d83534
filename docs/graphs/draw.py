"""Draw the pictures in docs/graphs with the real torchviz, on ember tensors.

    ember run docs/graphs/draw.py          # needs torchviz, graphviz and Graphviz's `dot`

torchviz does `import torch`; under `ember run` that is ember.
"""
import os

import torch
import torch.nn as nn
from torchviz import make_dot

HERE = os.path.dirname(os.path.abspath(__file__))


def course_loop():
    """The course's loop: Python control flow decides how many additions the graph holds."""
    A = torch.tensor([0.0], requires_grad=True)
    B = torch.tensor([10.0], requires_grad=True)
    a, b = A, B
    while (a < b)[0]:
        a = a + 2
        b = b + 1
    return make_dot(a + b, params={"A": A, "B": B})


def digits_cnn():
    """One training step's loss of the README demo's CNN (demo/train_digits.py)."""
    import sys
    sys.path.insert(0, os.path.join(HERE, "..", "..", "demo"))
    from train_digits import DigitsCNN
    torch.manual_seed(0)
    model = DigitsCNN()
    loss = nn.functional.cross_entropy(model(torch.rand(4, 1, 8, 8)), torch.tensor([0, 1, 2, 3]))
    return make_dot(loss, params=dict(model.named_parameters()), show_attrs=True, show_saved=True)


def rnn():
    """nn.RNN over 3 steps: the per-step nodes PyTorch's graph has (ember runs one fused node)."""
    torch.manual_seed(0)
    m = nn.RNN(2, 3)
    out, h = m(torch.rand(3, 1, 2))
    return make_dot(out.sum(), params=dict(m.named_parameters()))


if __name__ == "__main__":
    for f in (course_loop, digits_cnn, rnn):
        path = f().render(os.path.join(HERE, f.__name__), format="svg", cleanup=True)
        print("wrote", os.path.relpath(path))
