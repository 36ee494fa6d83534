"""Node targets of a compiled training step that are not array ops.

* ``PyCall``: a call the trace kept as a call (``opt.zero_grad()``, ``opt.step()``,
  ``sched.step()``): the replay makes the same call at the same place, so the optimizer's
  state, its learning rate and its step count are read afresh at every step.
* ``Backward``: ``loss.backward()``; the generated code runs the backward rule of every op
  before it, in reverse, and accumulates into the leaves' ``.grad`` as the engine does.
* ``ReadGrad``: a leaf's ``.grad`` read after the backward (gradient clipping, logging).
* ``OptimizerStep``, ``ZeroGrad``: ``opt.step()`` and ``opt.zero_grad()`` written out as
  generated lines (the optimizer's own rule, specialised).
"""


class PyCall:
    impure = True
    writes = True      # an optimizer step changes parameters in place
    __name__ = "PyCall"


class Backward:
    impure = True
    __name__ = "Backward"


class ReadGrad:
    impure = True      # its value depends on where it stands (after the backward) ...
    removable = True   # ... but an unused read can go
    __name__ = "ReadGrad"


class AccumulateGrad:
    """``leaf.grad += g`` with the engine's own rule (copy when None, hooks run)."""
    impure = True
    __name__ = "AccumulateGrad"


class NodeBackward:
    """An op's own backward rule called from the generated code, for rules written on raw
    arrays (the trace cannot see inside them): ``Cls.backward(ctx_of_its_forward, *grads)``."""
    impure = False
    __name__ = "NodeBackward"


class OptimizerStep:
    """``opt.step()`` written out as the optimizer's own update rule, parameter by parameter
    (ember/_compile/optim_codegen.py); the generated code falls back to the call when the
    rule cannot be written out."""
    impure = True
    writes = True
    __name__ = "OptimizerStep"


class ZeroGrad:
    """``opt.zero_grad()`` (set_to_none): each parameter's ``.grad = None``."""
    impure = True
    writes = True
    __name__ = "ZeroGrad"
