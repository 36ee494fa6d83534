"""The one dispatch point: ``Function.apply``.

Every differentiable op is a ``Function`` subclass whose ``forward(ctx, *arrays, **attrs)``
works on NumPy arrays and whose ``backward(ctx, *grads)`` is written in ember Tensor ops.
The ctx object *is* the graph node (PyTorch's ``grad_fn``).  ``apply`` unwraps, runs
forward, wraps, records a node only when grad mode is on and an input requires grad, and
tells an active tracer (used later by compile/export).
"""
import itertools
from threading import get_ident

import numpy as np

from .._tensor import TRACERS, _wrap
from .grad_mode import MODE

_ndarray = np.ndarray
_new = object.__new__
_next_seq = itertools.count().__next__

# Active tracers, of every thread: (thread ident, callable tracer(fn_cls, inputs, attrs,
# outputs)).  Empty in eager mode, so the hot path pays one truth test; while some thread
# traces, each op tells only the tracers of its own thread (a trace never records ops that
# another thread runs meanwhile).
def notify_tracers(cls, inputs, attrs, outs):
    me = get_ident()
    for thread, tr in TRACERS:
        if thread == me:
            tr(cls, inputs, attrs, outs)


def add_tracer(tracer):
    """Attach ``tracer`` to the calling thread's ops; returns the handle for remove_tracer."""
    entry = (get_ident(), tracer)
    TRACERS.append(entry)
    return entry


def remove_tracer(entry):
    TRACERS.remove(entry)


def active_tracer():
    """The innermost tracer of the calling thread, or None."""
    if TRACERS:
        me = get_ident()
        for thread, tr in reversed(TRACERS):
            if thread == me:
                return tr
    return None


class Function:
    """Base of every built-in op (forward on arrays, backward on Tensors).

    Class attributes a subclass may set:
      saved_inputs: indices of inputs whose *values* backward reads (None means all); their
        version counters are checked before backward runs, as PyTorch checks saved tensors.
      saves_output: backward reads the output's values (exp, tanh, ...): its version is checked.
      n_diff_outputs: for multi-output ops, how many leading outputs are differentiable.
    """
    saved_inputs = None
    saves_output = False
    n_diff_outputs = None
    _released = False
    _edges = ()
    # Complex numbers: a rule ``g * f'(z)`` written for real numbers is the right one for a
    # holomorphic op once conjugated (PyTorch's convention gives ``g * conj(f'(z))``), so the
    # engine runs it as conj(rule(conj(g))) on nodes with complex outputs (``_cplx``).  Ops that
    # are not holomorphic (abs, conj, real, view_as_real, ...) set ``complex_rule`` and handle
    # complex values in their own backward.
    complex_rule = False
    _cplx = False

    @classmethod
    def apply(cls, *inputs, **attrs):
        ctx = _new(cls)
        n = len(inputs)
        if n == 1:
            out = cls.forward(ctx, inputs[0]._data, **attrs)
        elif n == 2:
            out = cls.forward(ctx, inputs[0]._data, inputs[1]._data, **attrs)
        else:
            out = cls.forward(ctx, *[t._data for t in inputs], **attrs)
        record = False
        if MODE.grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    record = True
                    break
        if type(out) is tuple:
            outs = tuple(_wrap(o) for o in out)
            if record:
                ctx._connect(inputs)
                nd = cls.n_diff_outputs
                ctx._out_meta = [(o._data.shape, o._data.dtype) for o in outs]
                for i, o in enumerate(outs):
                    if nd is None or i < nd:
                        o.requires_grad = True
                        o.grad_fn = ctx
                        o._output_nr = i
                if cls.saves_output:
                    ctx._out_vers = [(o._vbox, o._vbox[0]) for o in outs]
                if not cls.complex_rule and any(o.dtype.kind == "c" for o in out):
                    ctx._cplx = True
        else:
            outs = _wrap(out)
            if record:
                ctx._connect(inputs)
                outs.requires_grad = True
                outs.grad_fn = ctx
                if cls.saves_output:
                    ctx._out_vers = [(outs._vbox, outs._vbox[0])]
                if out.dtype.kind == "c" and not cls.complex_rule:
                    ctx._cplx = True
        if TRACERS:
            notify_tracers(cls, inputs, attrs, outs)
        return outs

    def _connect(self, inputs):
        """Record the graph edges (taken now: a later in-place op may rebind grad_fn)."""
        self.inputs = inputs
        self._seq = _next_seq()
        edges = []
        for t in inputs:
            if t.requires_grad:
                fn = t.grad_fn
                edges.append((fn, t._output_nr) if fn is not None else (t, -1))
            else:
                edges.append(None)
        self._edges = edges
        si = self.saved_inputs
        if si is None:
            self._vers = [(t._vbox, t._vbox[0], t) for t in inputs]
        elif si:
            self._vers = [(inputs[i]._vbox, inputs[i]._vbox[0], inputs[i]) for i in si]

    # --- what PyTorch's grad_fn offers ---------------------------------------------------
    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._edges)

    @property
    def next_functions(self):
        # PyTorch's layout of the graph (fused ops show their inner nodes): see graph_view.
        from .graph_view import next_functions
        return next_functions(self)

    # --- PyTorch's grad_fn class names and saved attributes, for tools such as torchviz ------
    # NOTE: a node looked at this way (torchviz asks for `variable` and `dir()` before it reads
    # `type(fn).__name__`) takes a subclass named as PyTorch's grad_fn class (AddmmBackward0,
    # CubeBackward); its __qualname__ stays ember's op name. See graph_view.present.
    def __getattr__(self, name):
        if (name == "variable" or name.startswith("_saved_")) and "_edges" in self.__dict__:
            from .graph_view import present, saved_attr
            present(self)
            if name.startswith("_saved_"):
                return saved_attr(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __dir__(self):
        own = [n for n in object.__dir__(self) if not n.startswith("_saved_")]
        if "_edges" not in self.__dict__:
            return sorted(own)
        from .graph_view import present, saved_names
        present(self)
        return sorted(own + saved_names(self))

    node_name = None  # PyTorch's grad_fn name where the class name differs (AddScalar -> Add)

    def name(self):
        from .graph_view import grad_fn_name
        return grad_fn_name(self)

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def register_hook(self, hook):
        from .hooks import add_node_hook
        return add_node_hook(self, "_post_hooks", hook)

    def register_prehook(self, hook):
        from .hooks import add_node_hook
        return add_node_hook(self, "_fn_pre_hooks", hook)

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self._metadata = {}
        return d

    def _check_saved(self):
        """Raise PyTorch's errors when saved values were freed or modified in place."""
        if self._released and (self.saved_inputs != () or self.saves_output):
            _freed_error()
        d = self.__dict__
        vers = d.get("_vers")
        if vers:
            for box, v, t in vers:
                if box[0] != v:
                    _modified_error(t, box[0], v, self)
        for box, v in d.get("_out_vers", ()):
            if box[0] != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: output 0 of {self.name()}, is at version {box[0]}; expected "
                    f"version {v} instead. Hint: the backtrace further above shows the operation "
                    "that failed to compute its gradient.")

    def _release(self):
        self._released = True
        self.inputs = None
        self.__dict__.pop("_saved", None)


def _modified_error(t, now, then, node):
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.type()} {list(t.shape)}] is at version {now}; expected version {then} "
        f"instead (used by {node.name()}). Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).")


def _freed_error():
    raise RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved "
        "tensors after they have already been freed). Saved intermediate values of the "
        "graph are freed when you call .backward() or autograd.grad(). Specify "
        "retain_graph=True if you need to backward through the graph a second time or "
        "if you need to access saved tensors after calling backward.")
