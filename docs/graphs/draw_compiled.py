"""Draw the compiled graphs in docs/graphs with ember.fx.draw (needs graphviz and Graphviz's `dot`).

    python docs/graphs/draw_compiled.py

digits_cnn_compiled.svg: the README demo's CNN under torch.compile, one training call: the
forward ops in their module clusters, then the backward the compiler derived from each op's
gradient rule. course_loop_compiled.svg: the course's `while (a < b)[0]` loop under
torch._dynamo.explain: each `bool()` of a tensor is a graph break, so the loop is a row of
small graphs with the breaks (and their line) between them.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "demo"))
sys.path.insert(0, os.path.join(HERE, "..", ".."))

from train_digits import DigitsCNN

import ember
import ember.fx


def digits_cnn_compiled():
    ember.manual_seed(0)
    cm = ember.compile(DigitsCNN())
    cm(ember.rand(4, 1, 8, 8))
    return cm


def loop(a, b):
    while (a < b)[0]:
        a = a + 2
        b = b + 1
    return a + b


def course_loop_compiled():
    return ember._dynamo.explain(loop)(ember.tensor([0.0]), ember.tensor([5.0]))


if __name__ == "__main__":
    for f in (digits_cnn_compiled, course_loop_compiled):
        path = os.path.join(HERE, f.__name__ + ".svg")
        ember.fx.draw(f(), path)
        print("wrote", os.path.relpath(path))
