"""A compiled graph at run time: generated forward and backward, wired into autograd.

``CompiledGraph`` holds what one trace produced: the graph, the tensors its ``get_attr``
nodes read (parameters, buffers, constants), and the generated functions.  Calling it with
the flattened input tensors runs the generated code on their arrays.  When a gradient is
needed, the call becomes one autograd node (``CompiledFunctionBackward``, PyTorch's name)
whose backward runs the generated backward, so ``loss.backward()`` flows through compiled
and eager parts alike.
"""
import operator
import threading

from .._tensor import _wrap
from ..autograd.function import Function
from ..autograd.grad_mode import MODE
from ..fx.graph import Node
from . import codegen, passes


class CompiledFunctionBackward(Function):
    """The autograd node of one compiled call; its backward is the generated backward."""
    node_name = "CompiledFunctionBackward"

    def backward(ctx, *grads):
        if MODE.grad_enabled:
            raise RuntimeError(
                "torch.compile: double backward (create_graph=True) through a compiled graph is "
                "not supported by ember yet; call the model without torch.compile for "
                "higher-order gradients")
        return ctx.graph.backward_fn(ctx.ctxs, grads)


class CompiledGraph:
    """One specialisation: graph + generated code + the tensors it reads."""

    def __init__(self, graph, attrs, mutated, name="graph"):
        passes.run_all(graph)
        attrs = {**attrs, **graph.__dict__.get("folded", {})}
        self.graph = graph
        self.name = name
        ins = codegen.input_nodes(graph)
        self.attr_nodes = [n for n in ins if n.op == "get_attr"]
        self.attr_tensors = [attrs[n.target] for n in self.attr_nodes]
        self.placeholder_nodes = [n for n in ins if n.op == "placeholder"
                                  and n.meta.get("tangent") is None]
        self.mutated = list(mutated)
        self.spec = codegen.output_spec(graph)
        self.attrs = attrs
        src, ns, _ = codegen.emit_forward(graph, attrs, train=False)
        self.code = src
        self.infer_fn = codegen.compile_source(src, ns, f"<ember compiled {name}>")
        self._train = None
        self._lock = threading.Lock()
        # The common output, one new tensor, is wrapped without walking the spec.
        self.single = isinstance(self.spec, Node) and self.spec.op == "call_function"
        # A whole training step runs its own backward: no outer autograd node.
        self.is_step = src.startswith("def step(")
        # No output needs a gradient (the trace ran under no_grad, or on nothing that
        # requires grad): every call of this specialisation takes the inference code.
        self.infer_only = not any(n.meta.get("requires_grad") for n in _leaves(self.spec))
        self.flat_args = self.direct = False     # set by the cache that holds this graph
        # symbolic sizes (dynamic.py): the outputs' shapes are known only once computed
        self.symbolic = "symbols" in graph.__dict__

    # --- the training variant is generated on first use ------------------------------------
    def _build_train(self):
        if "joint" in self.graph.__dict__:
            return self._build_joint()
        g = self.graph
        requires = {n for n in g.nodes if n.meta.get("requires_grad")}
        needs = {n for n in g.nodes if n.op == "call_function" and n in requires
                 and n.target is not operator.getitem}
        grad_inputs = [n for n in codegen.input_nodes(g) if n in requires]
        outs = []
        for n in _leaves(self.spec):
            if n in requires and n.op == "call_function" and n not in outs:
                outs.append(n)
        fsrc, fns, _ = codegen.emit_forward(g, self.attrs, train=True, needs_grad=needs)
        bsrc, bns = codegen.emit_backward(g, needs, grad_inputs, outs)
        fwd = codegen.compile_source(fsrc, fns, f"<ember compiled {self.name} forward>")
        bwd = codegen.compile_source(bsrc, bns, f"<ember compiled {self.name} backward>")
        ins = codegen.input_nodes(g)
        pos = {n: i for i, n in enumerate(ins)}
        self.backward_code = bsrc
        self.train_code = fsrc
        self.backward_fn = bwd
        self._train = (fwd, [pos[n] for n in grad_inputs], outs)

    def _build_joint(self):
        """Forward and backward halves of the joint graph (the backward recorded as ops)."""
        fsrc, fns, bsrc, bns, grad_nodes = codegen.emit_joint(self.graph, self.attrs)
        fwd = codegen.compile_source(fsrc, fns, f"<ember compiled {self.name} forward>")
        self.backward_fn = codegen.compile_source(bsrc, bns, f"<ember compiled {self.name} backward>")
        self.backward_code, self.train_code = bsrc, fsrc
        ins = self.attr_nodes + self.placeholder_nodes
        pos = {n: i for i, n in enumerate(ins)}
        outs = codegen.joint_parts(self.graph)[1]
        self._train = (fwd, [pos[n] for n in grad_nodes], outs)

    # --- calling -------------------------------------------------------------------------
    def __call__(self, inputs):
        if self.is_step or self.infer_only:
            out = (_wrap(self.infer_fn(*inputs)) if self.single
                   else self._rebuild(self.infer_fn(*inputs), inputs, None))
        elif MODE.grad_enabled and (_any_requires_grad(inputs) or _any_requires_grad(self.attr_tensors)):
            out = self._call_train(inputs)
        elif self.single:
            out = _wrap(self.infer_fn(*inputs))
        else:
            out = self._rebuild(self.infer_fn(*inputs), inputs, None)
        if self.mutated:
            for t in self.mutated:
                t._vbox[0] += 1
        return out

    def _call_train(self, inputs):
        if self._train is None:
            with self._lock:
                if self._train is None:
                    self._build_train()
                    outs = self._train[2]
                    self._out_meta = [(n.meta["shape"], n.meta["dtype"]) for n in outs]
                    self._out_pos = {n: i for i, n in enumerate(outs)}
        fwd, grad_pos, outs = self._train
        result, ctxs = fwd(*inputs)
        attrs = self.attr_tensors
        na = len(attrs)
        node = object.__new__(CompiledFunctionBackward)
        node.graph = self
        node.ctxs = ctxs
        node._connect([attrs[i] if i < na else inputs[i - na] for i in grad_pos])
        node._out_meta = self._out_meta
        if self.single and self.spec in self._out_pos:
            if self.symbolic:
                node._out_meta = [(result.shape, result.dtype)]
            t = _wrap(result)
            t.requires_grad = True
            t.grad_fn = node
            return t
        return self._rebuild(result, inputs, (node, self._out_pos))

    def _rebuild(self, result, inputs, grad):
        tensors = self.attr_tensors + list(inputs)
        ins = {n: tensors[i] for i, n in enumerate(self.attr_nodes + self.placeholder_nodes)}
        made = {}
        metas = None
        if grad is not None and self.symbolic:
            metas = grad[0]._out_meta = list(self._out_meta)

        def build(spec, val):
            if isinstance(spec, Node):
                t = ins.get(spec)
                if t is not None:
                    return t
                t = made.get(spec)
                if t is None:
                    t = made[spec] = _wrap(val)
                    if grad is not None:
                        nr = grad[1].get(spec)
                        if nr is not None:
                            t.requires_grad = True
                            t.grad_fn = grad[0]
                            t._output_nr = nr
                            if metas is not None:
                                metas[nr] = (val.shape, val.dtype)
                return t
            if type(spec) in (tuple, list):
                return type(spec)(build(s, v) for s, v in zip(spec, val))
            if type(spec) is dict:
                return {k: build(s, val[k]) for k, s in spec.items()}
            if isinstance(spec, tuple) and hasattr(spec, "_fields"):
                return tuple.__new__(type(spec), [build(s, v) for s, v in zip(spec, val)])
            return spec
        return build(self.spec, result)


def _leaves(spec):
    if isinstance(spec, Node):
        yield spec
    elif isinstance(spec, (tuple, list)):
        for s in spec:
            yield from _leaves(s)
    elif isinstance(spec, dict):
        for s in spec.values():
            yield from _leaves(s)


def _any_requires_grad(ts):
    for t in ts:
        if t.requires_grad:
            return True
    return False
