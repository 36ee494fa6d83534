"""How an optimizer's update rule is bound for one parameter, for a compiled training step.

Each optimizer's eager ``step`` calls a small NumPy rule (``_sgd``, ``_adam``...) once per
parameter.  Its ``_compiled_update(group)`` returns that same rule and, for each argument,
what it is: the parameter's array, its gradient, a state array, the step count, the learning
rate (read from the group at every step), another hyperparameter of the group (baked into the
generated code as a constant, and guarded), or a plain constant.  ember/_compile/optim_codegen.py
specialises the rule's source with these bindings and pastes it into the generated step, so
eager and compiled steps run one formula.
"""

__all__ = ["GRAD", "LR", "PARAM", "STEP", "Hyper", "State", "Update"]


class _Marker:
    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return self.what


PARAM = _Marker("PARAM")   # the parameter's array, updated in place
GRAD = _Marker("GRAD")     # its gradient's array (``p.grad``)
STEP = _Marker("STEP")     # ``state["step"]`` incremented in place; its value as a float
LR = _Marker("LR")         # the group's learning rate, read at every step


class State:
    """The array of ``optimizer.state[p][name]`` (the optimizer's own buffer, updated in place)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"State({self.name!r})"


class Hyper:
    """``group[key]`` (or ``group[key][index]``, e.g. one of Adam's betas)."""

    def __init__(self, key, index=None):
        self.key, self.index = key, index

    def value(self, group):
        v = group[self.key]
        return v if self.index is None else v[self.index]

    def __repr__(self):
        return f"Hyper({self.key!r})" if self.index is None else f"Hyper({self.key!r}, {self.index})"


class Update:
    """``rule(**args)`` for each parameter that has a gradient; ``counts_steps``: the eager step
    increments ``state["step"]`` although the rule does not read it."""

    def __init__(self, rule, counts_steps=False, **args):
        self.rule, self.args, self.counts_steps = rule, args, counts_steps
