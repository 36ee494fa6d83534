"""Hook registration with removable handles (tensor hooks, node hooks, retain_grad)."""
import itertools
import weakref

_ids = itertools.count()


class RemovableHandle:
    """Returned by every ``register_*hook``; ``handle.remove()`` unregisters."""

    def __init__(self, table, key):
        self._ref = table
        self.id = key

    def remove(self):
        self._ref.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_node_hook(node, attr, hook):
    table = node.__dict__.get(attr)
    if table is None:
        table = {}
        setattr(node, attr, table)
    key = next(_ids)
    table[key] = hook
    return RemovableHandle(table, key)


def register_tensor_hook(t, hook):
    """``t.register_hook(fn)``: fn(grad) may return a replacement gradient."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    key = next(_ids)
    if t.grad_fn is None:
        if t._hooks is None:
            t._hooks = {}
        t._hooks[key] = hook
        return RemovableHandle(t._hooks, key)
    node = t.grad_fn
    hooks = node.__dict__.get("_pre_hooks")
    if hooks is None:
        hooks = node._pre_hooks = {}
    table = hooks.setdefault(t._output_nr, {})
    table[key] = hook
    return RemovableHandle(table, key)


def retain_grad(t):
    if not t.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if t.grad_fn is None or t._retains_grad:
        return
    node = t.grad_fn
    ret = node.__dict__.get("_retain")
    if ret is None:
        ret = node._retain = {}
    ret[t._output_nr] = weakref.ref(t)
    t._retains_grad = True


def register_post_accumulate_hook(t, hook):
    """``t.register_post_accumulate_grad_hook(fn)``: fn(t) runs after t.grad is accumulated."""
    if t.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    table = t.__dict__.get("_post_acc_hooks")
    if table is None:
        table = t._post_acc_hooks = {}
    key = next(_ids)
    table[key] = hook
    return RemovableHandle(table, key)
